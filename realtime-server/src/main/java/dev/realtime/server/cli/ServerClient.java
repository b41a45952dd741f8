package dev.realtime.server.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP API of a running server as the command line uses it (emit, history, the event stream),
 * on the JDK's HttpClient. Any answer but a success becomes a {@link UserError} carrying the
 * server's own message, {@code <message> (HTTP 403)}: exit code 2 for 400, 404, 413 and 422 (the
 * request as given is not accepted, as a bad argument is), 1 for everything else (a token that is
 * missing or refused, the server or its engine failing).
 */
final class ServerClient implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final String REFUSED = "connection refused";

  private final String given;
  private final String base;
  private final String token;
  private HttpClient http; // made on first use: tail makes one per connection instead

  /**
   * @param given the URL as the user gave it, for messages
   * @param base the API's base URL, without a trailing slash
   * @param token sent as a bearer token, or null
   */
  ServerClient(String given, URI base, String token) {
    this.given = given;
    this.base = base.toString();
    this.token = token;
  }

  /**
   * HTTP/1.1 only: the JDK would otherwise ask a plain-http server to upgrade to h2c, which this
   * server (and many proxies) answer in HTTP/1.1 anyway.
   */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
  }

  /** {@code POST {base}/channels/{channel}/events}; returns the new message's id. */
  String emit(String channel, String event, JsonNode data) {
    ObjectNode body = EmitCommand.JSON.createObjectNode();
    body.put("event", event);
    body.set("data", data);
    HttpRequest request =
        request(base + "/channels/" + segment(channel) + "/events")
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(EmitCommand.JSON.writeValueAsString(body)))
            .build();
    JsonNode answer = parse(send(request, 201));
    JsonNode id = answer.get("id");
    if (id == null || !id.isString()) throw unexpected("an emit answer without an id", answer);
    return id.stringValue();
  }

  /**
   * {@code GET {base}/channels/{channel}/history?query}: the array's messages, each exactly as the
   * server wrote it (sliced out of the body, not parsed and written again).
   */
  List<String> history(String channel, String query) {
    String url = base + "/channels/" + segment(channel) + "/history";
    HttpRequest request =
        request(url + (query.isEmpty() ? "" : "?" + query)).timeout(REQUEST_TIMEOUT).GET().build();
    String body = send(request, 200);
    List<String> messages = new ArrayList<>();
    try (JsonParser p = EmitCommand.JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw unexpected("a history answer that is not an array", parse(body));
      }
      while (p.nextToken() != JsonToken.END_ARRAY) {
        int from = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        messages.add(body.substring(from, (int) p.currentLocation().getCharOffset()));
      }
    } catch (JacksonException e) {
      throw notJson();
    }
    return messages;
  }

  /** The request of the event stream, {@code GET {base}?query}, resuming after lastEventId. */
  HttpRequest streamRequest(String query, String lastEventId) {
    HttpRequest.Builder b = request(base + "?" + query).header("Accept", "text/event-stream");
    if (lastEventId != null && !lastEventId.isEmpty()) b.header("Last-Event-ID", lastEventId);
    return b.GET().build(); // no timeout: a stream has no end to wait for
  }

  private HttpRequest.Builder request(String url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b;
  }

  private String send(HttpRequest request, int expected) {
    if (http == null) http = newHttpClient();
    HttpResponse<String> r;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UserError.failure("interrupted while waiting for " + given);
    }
    if (r.statusCode() != expected) throw error(r.statusCode(), r.body());
    return r.body();
  }

  /** The error of an answer with status {@code status} and body {@code body}. */
  UserError error(int status, String body) {
    String message = null;
    try {
      JsonNode json = EmitCommand.JSON.readTree(body);
      if (json != null && json.get("error") != null && json.get("error").isString()) {
        message = json.get("error").stringValue();
      }
    } catch (JacksonException e) {
      // not the server's JSON error (a proxy's page, say): described below
    }
    if (message == null) {
      String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
      message =
          given
              + " answered without an error message"
              + (text.isEmpty()
                  ? ""
                  : ": " + (text.length() > 120 ? text.substring(0, 120) + "..." : text))
              + " (is --url a realtime server?)";
    }
    boolean notAccepted = status == 400 || status == 404 || status == 413 || status == 422;
    return new UserError(
        notAccepted ? UserError.USAGE : UserError.FAILURE, message + " (HTTP " + status + ")");
  }

  /** The error of a request that got no answer. */
  UserError unreachable(IOException e) {
    String why = why(e).equals(REFUSED) ? "" : " (" + why(e) + ")";
    return UserError.failure(
        "cannot reach " + given + why + ": is ./realtime serve running there?");
  }

  /** Why a request got no answer, in a few words. */
  static String why(IOException e) {
    return switch (e) {
      case ConnectException c when unresolved(c) -> "unknown host";
      case ConnectException c -> REFUSED;
      case HttpConnectTimeoutException t ->
          "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s";
      case HttpTimeoutException t -> "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
      default -> e.getMessage() == null ? e.toString() : e.getMessage();
    };
  }

  private static boolean unresolved(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException) return true;
    }
    return false;
  }

  private UserError unexpected(String what, JsonNode answer) {
    String text = answer.toString();
    return UserError.failure(
        given
            + " sent "
            + what
            + ": "
            + (text.length() > 120 ? text.substring(0, 120) + "..." : text)
            + " (is --url a realtime server?)");
  }

  private JsonNode parse(String body) {
    try {
      return EmitCommand.JSON.readTree(body);
    } catch (JacksonException e) {
      throw notJson();
    }
  }

  private UserError notJson() {
    return UserError.failure(
        given + " answered with something that is not JSON (is --url a realtime server?)");
  }

  /** A channel name as one path segment: every byte outside letters and digits escaped. */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query parameter's value. */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The URL as the user gave it. */
  String given() {
    return given;
  }

  @Override
  public void close() {
    if (http != null) http.shutdownNow();
  }
}
