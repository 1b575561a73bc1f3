package io.agentbus.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium driven through the DevTools protocol (the JDK's WebSocket client):
 * open a page, evaluate JavaScript in it, take a screenshot. Needs {@code /usr/bin/chromium}
 * (Debian's {@code chromium} package; {@code CHROMIUM} overrides the path).
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path profile;
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  static Path executable() {
    return Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  }

  HeadlessChromium() throws IOException {
    profile = Files.createTempDirectory("agentbus-chromium");
    process = new ProcessBuilder(executable().toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--remote-debugging-port=0", "--window-size=1400,1700", "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profile.resolve("chromium.log").toFile())
        .start();
    Path activePort = profile.resolve("DevToolsActivePort");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(activePort)
        && Files.readAllLines(activePort).size() >= 1);
    port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
  }

  Page open(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + port + "/json/new?" + URLEncoder.encode(url, StandardCharsets.UTF_8)))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    String ws = JSON.readTree(r.body()).get("webSocketDebuggerUrl").asText();
    return new Page(http, ws);
  }

  /**
   * Stops Chromium's whole process tree (its network and renderer helpers outlive the browser
   * process by a moment and keep writing into the profile), then deletes the profile. Files that
   * vanish while the profile is deleted are not an error.
   */
  @Override
  public void close() throws IOException {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    try {
      for (ProcessHandle p : tree) {
        try {
          p.onExit().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
          p.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(profile);
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file,
          BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e)
          throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e)
          throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        try {
          Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException late) {
          // a helper wrote one last file after we listed the directory: list it again once
          deleteTree(dir);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static final class Page implements WebSocket.Listener {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();

    Page(HttpClient http, String url) {
      socket = http.newWebSocketBuilder().buildAsync(URI.create(url), this).join();
    }

    JsonNode call(String method, Map<String, ?> params) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method,
          "params", params)), true).join();
      JsonNode r = reply.get(30, TimeUnit.SECONDS);
      if (r.has("error")) {
        throw new IllegalStateException(method + " failed: " + r.get("error"));
      }
      return r.get("result");
    }

    /** The value of a JavaScript expression in the page, as a string. */
    String eval(String expression) throws Exception {
      JsonNode r = call("Runtime.evaluate", Map.of("expression", expression,
          "returnByValue", true));
      if (r.has("exceptionDetails")) {
        return "exception: " + r.get("exceptionDetails");
      }
      return r.path("result").path("value").asText();
    }

    void screenshot(Path file) throws Exception {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, Base64.getDecoder().decode(
          call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText()));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(partial.toString());
          if (message.has("id")) {
            CompletableFuture<JsonNode> f = calls.remove(message.get("id").asInt());
            if (f != null) {
              f.complete(message);
            }
          }
        } catch (IOException e) {
          calls.values().forEach(f -> f.completeExceptionally(e));
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
