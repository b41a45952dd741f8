package dev.realtime.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Plain HTTP calls for tests: status plus body, JSON parsed on demand. */
public final class HttpCalls {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Answer(int status, String body, HttpResponse<String> response) {
    public JsonNode json() {
      return SseRecorder.JSON.readTree(body);
    }

    public String error() {
      return json().get("error").asString();
    }
  }

  private HttpCalls() {}

  public static Answer get(String url) {
    return get(url, Map.of());
  }

  public static Answer get(String url, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(b::header);
    return send(b.build());
  }

  public static Answer post(String url, String body) {
    return post(url, body, Map.of());
  }

  public static Answer post(String url, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    headers.forEach(b::header);
    return send(b.build());
  }

  /** A request without a body by any method (HEAD, DELETE, ...). */
  public static Answer send(String method, String url) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  private static Answer send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }
}
