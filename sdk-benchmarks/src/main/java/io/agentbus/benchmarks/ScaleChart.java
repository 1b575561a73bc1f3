package io.agentbus.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The chart of a {@link ScaleCurve} run as an SVG image: four panels (start time, close time and
 * threads against the number of agents; broadcast deliveries per second against the number of
 * subscribers), x on a log scale, one line per transport. Plain SVG 1.1, no script, so that a
 * Markdown viewer shows it.
 */
final class ScaleChart {
  private static final int PANEL_W = 300;
  private static final int PANEL_H = 200;
  private static final int MARGIN = 50;
  private static final String[] COLORS = {"#1f77b4", "#d62728"};

  private ScaleChart() {}

  static String svg(List<ScaleCurve.AgentsPoint> agents, List<ScaleCurve.FanOutPoint> fanOut) {
    int w = 2 * (PANEL_W + 2 * MARGIN);
    int h = 2 * (PANEL_H + 2 * MARGIN) + 30;
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
        w, h, w, h));
    b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    legend(b, w);
    panel(b, 0, 0, "start time (s) vs agents", agents, ScaleCurve.AgentsPoint::agents,
        ScaleCurve.AgentsPoint::startSeconds, ScaleCurve.AgentsPoint::transport);
    panel(b, 1, 0, "close time (s) vs agents", agents, ScaleCurve.AgentsPoint::agents,
        ScaleCurve.AgentsPoint::closeSeconds, ScaleCurve.AgentsPoint::transport);
    panel(b, 0, 1, "threads gained vs agents", agents, ScaleCurve.AgentsPoint::agents,
        ScaleCurve.AgentsPoint::threads, ScaleCurve.AgentsPoint::transport);
    panel(b, 1, 1, "broadcast deliveries/s vs subscribers", fanOut,
        ScaleCurve.FanOutPoint::subscribers, ScaleCurve.FanOutPoint::deliveriesPerSecond,
        ScaleCurve.FanOutPoint::transport);
    b.append("</svg>\n");
    return b.toString();
  }

  private static void legend(StringBuilder b, int w) {
    for (int i = 0; i < ScaleCurve.TRANSPORTS.length; i++) {
      int x = w / 2 - 80 + i * 100;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"15\" x2=\"%d\" y2=\"15\" "
          + "stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"19\">%s</text>%n",
          x, x + 20, COLORS[i], x + 24, ScaleCurve.TRANSPORTS[i]));
    }
  }

  private static <P> void panel(StringBuilder b, int col, int row, String title, List<P> points,
      ToIntFunction<P> xOf, ToDoubleFunction<P> yOf, Function<P, String> seriesOf) {
    int ox = col * (PANEL_W + 2 * MARGIN) + MARGIN;
    int oy = row * (PANEL_H + 2 * MARGIN) + MARGIN + 30;
    double maxX = points.stream().mapToInt(xOf).max().orElse(10);
    double logMax = Math.max(1, Math.log10(maxX));
    double maxY = points.stream().mapToDouble(yOf).filter(Double::isFinite).max().orElse(1);
    maxY = maxY <= 0 ? 1 : niceCeiling(maxY);
    b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s"
        + "</text>%n", ox, oy - 10, title));
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        + "fill=\"none\" stroke=\"#999\"/>%n", ox, oy, PANEL_W, PANEL_H));
    for (int e = 0; e <= (int) logMax; e++) {
      double x = ox + PANEL_W * e / logMax;
      b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,d"
          + "</text>%n", x, oy + PANEL_H + 14, (long) Math.pow(10, e)));
    }
    for (int i = 0; i <= 4; i++) {
      double y = oy + PANEL_H - PANEL_H * i / 4.0;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
          + "stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
          ox, y, ox + PANEL_W, y, ox - 4, y + 4, label(maxY * i / 4)));
    }
    for (int s = 0; s < ScaleCurve.TRANSPORTS.length; s++) {
      String series = ScaleCurve.TRANSPORTS[s];
      StringBuilder line = new StringBuilder();
      for (P p : points) {
        double y = yOf.applyAsDouble(p);
        if (!seriesOf.apply(p).equals(series) || !Double.isFinite(y)) {
          continue;
        }
        double px = ox + PANEL_W * Math.log10(Math.max(1, xOf.applyAsInt(p))) / logMax;
        double py = oy + PANEL_H - PANEL_H * Math.min(1, y / maxY);
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
            + "fill=\"%s\"/>%n", px, py, COLORS[s]));
      }
      b.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
          + "stroke-width=\"2\"/>%n", line.toString().trim(), COLORS[s]));
    }
  }

  private static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String label(double v) {
    if (v >= 10_000) {
      return String.format(Locale.ROOT, "%,.0fk", v / 1000);
    }
    return v >= 10 || v == 0 ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.3g", v);
  }
}
