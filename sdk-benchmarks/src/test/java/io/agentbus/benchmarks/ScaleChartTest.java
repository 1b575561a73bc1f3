package io.agentbus.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ScaleChartTest {
  private static List<ScaleCurve.AgentsPoint> agents() {
    List<ScaleCurve.AgentsPoint> points = new ArrayList<>();
    for (String t : ScaleCurve.TRANSPORTS) {
      for (int n : ScaleCurve.AGENTS) {
        points.add(new ScaleCurve.AgentsPoint(t, n, n / 1000.0, n / 2000.0, 10 + n / 1000, 2.5,
            0.01));
      }
    }
    return points;
  }

  private static List<ScaleCurve.FanOutPoint> fanOut() {
    List<ScaleCurve.FanOutPoint> points = new ArrayList<>();
    for (String t : ScaleCurve.TRANSPORTS) {
      for (int k : ScaleCurve.SUBSCRIBERS) {
        points.add(new ScaleCurve.FanOutPoint(t, k, 50, 100_000.0 * k, 250, 0));
      }
    }
    return points;
  }

  @Test
  void theChartIsWellFormedSvgWithOneLinePerTransportInEachOfFourPanels() throws Exception {
    String svg = ScaleChart.svg(agents(), fanOut());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("polyline").getLength())
        .isEqualTo(4 * ScaleCurve.TRANSPORTS.length);
    // every point of every series is drawn, and each line joins its series' points
    assertThat(doc.getElementsByTagName("circle").getLength())
        .isEqualTo(3 * ScaleCurve.AGENTS.length * ScaleCurve.TRANSPORTS.length
            + ScaleCurve.SUBSCRIBERS.length * ScaleCurve.TRANSPORTS.length);
    Element first = (Element) doc.getElementsByTagName("polyline").item(0);
    assertThat(first.getAttribute("points").split(" ")).hasSize(ScaleCurve.AGENTS.length);
    assertThat(svg).contains("start time (s) vs agents", "broadcast deliveries/s vs subscribers");
  }

  @Test
  void theTableHasARowPerPoint() {
    String table = ScaleCurve.table(agents(), fanOut());
    assertThat(table).contains("| nats | 10,000 | 10.00 | 5.00 | 20 | 2.5 | 1.0 % |")
        .contains("| inmemory | 1,000 | 50 | 100,000,000 | 250 | 0 |");
    assertThat(table.lines().filter(l -> l.startsWith("| nats"))).hasSize(
        ScaleCurve.AGENTS.length + ScaleCurve.SUBSCRIBERS.length);
  }
}
