package dev.realtime.server.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an {@link Authorizer} sees of a request, without the HTTP layer's types: the method, the
 * path, the headers and query parameters, the peer's address, what it wants to do with which
 * channels, and what its token granted ({@link Grants#ALL} when the server has no secret).
 *
 * <p>Immutable. Header names are case-insensitive, in {@link #header(String)} and in the map of
 * {@link #headers()}. {@link #toString()} leaves out header and query values, which hold tokens and
 * cookies, so logging a request does not log its credentials.
 *
 * @param method the HTTP method, like {@code GET}
 * @param path the request path without the query string
 * @param headers every header's values, in the order received
 * @param query every query parameter's decoded values, in the order received
 * @param remoteAddress the peer's IP address, like {@code 203.0.113.7} (no port), or null
 * @param action what the request wants to do
 * @param channels the channels it names, already checked against the token
 * @param grants what its token granted
 */
public record AuthRequest(
    String method,
    String path,
    Map<String, List<String>> headers,
    Map<String, List<String>> query,
    String remoteAddress,
    Action action,
    List<String> channels,
    Grants grants) {

  public AuthRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(grants, "grants");
    headers = caseInsensitive(headers);
    query = copy(query);
    channels = List.copyOf(channels);
  }

  /** The first value of header {@code name} (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of query parameter {@code name}, or null. */
  public String queryParameter(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static Map<String, List<String>> caseInsensitive(Map<String, List<String>> headers) {
    Map<String, List<String>> merged = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers != null) {
      headers.forEach(
          (name, values) ->
              merged.merge(
                  name,
                  List.copyOf(values),
                  (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    both.addAll(b);
                    return List.copyOf(both);
                  }));
    }
    return Collections.unmodifiableMap(merged);
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> query) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    if (query != null) query.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    return "AuthRequest{"
        + method
        + " "
        + path
        + " from "
        + remoteAddress
        + ", "
        + action
        + " "
        + channels
        + ", subject="
        + grants.subject()
        + ", headers="
        + headers.keySet()
        + ", query="
        + query.keySet()
        + "}";
  }
}
