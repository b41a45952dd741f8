package dev.realtime.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Cross-origin access: pages served elsewhere may open streams and call the API. {@code *} (the
 * default, as in the original) allows every origin; otherwise only listed origins are echoed back.
 */
public final class Cors {
  private final boolean any;
  private final List<String> origins;

  public Cors(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.origins = List.copyOf(allowedOrigins);
  }

  /** Adds the {@code Access-Control-Allow-*} headers a response to {@code request} needs. */
  public void apply(HttpHeaders request, HttpHeaders response) {
    if (any) {
      response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      return;
    }
    String origin = request.get(HttpHeaderNames.ORIGIN);
    response.add(HttpHeaderNames.VARY, "Origin");
    if (origin != null && origins.contains(origin)) {
      response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
  }

  /** The answer to a preflight {@code OPTIONS} request. */
  public void preflight(HttpHeaders request, HttpHeaders response) {
    apply(request, response);
    response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
    response.set(
        HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
        "Authorization, Content-Type, Last-Event-ID, Cache-Control");
    response.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
  }
}
