package dev.realtime.server.auth;

/**
 * Where a request's token is: in {@code Authorization: Bearer <token>}, else in the {@code token}
 * query parameter, else in the {@code realtime_token} cookie. An {@code Authorization} header of
 * another scheme (a proxy's {@code Basic}) is passed over for the other two. The header comes first
 * because it is what server-side clients send; the query parameter exists because a browser's
 * {@code EventSource} cannot set headers; the cookie lets a page on the same site stream without
 * putting the token in URLs (which end up in logs); it is taken for reads only ({@link
 * #cookieCounts}), so that a page of another site cannot emit with a visitor's cookie.
 *
 * <p>Takes plain strings so the HTTP layer's types stay out of auth.
 */
public final class Credentials {
  /** The query parameter that may carry the token. */
  public static final String QUERY_PARAMETER = "token";

  /** The cookie that may carry the token. */
  public static final String COOKIE = "realtime_token";

  private static final String BEARER = "Bearer";

  private Credentials() {}

  /**
   * The token of a request, or null when it carries none. Each argument is null when the request
   * does not have it; an empty value counts as absent.
   *
   * @param authorizationHeader the {@code Authorization} header
   * @param tokenQueryParam the {@code token} query parameter, decoded (the last, when repeated)
   * @param cookieHeader the {@code Cookie} header
   * @throws AuthException with status 401 when the Authorization header is a malformed {@code
   *     Bearer <token>}, or has another scheme and no other place carries a token
   */
  public static String find(
      String authorizationHeader, String tokenQueryParam, String cookieHeader) {
    String header = authorizationHeader == null ? "" : authorizationHeader.strip();
    if (!header.isEmpty() && isBearer(header)) return bearer(header);
    // Another scheme (Basic, from a proxy in front of the page, say) carries no token of ours: the
    // query parameter or the cookie may, and an EventSource cannot remove the header.
    if (tokenQueryParam != null && !tokenQueryParam.isBlank()) return tokenQueryParam.strip();
    String fromCookie = cookieHeader == null ? null : cookie(cookieHeader, COOKIE);
    if (fromCookie != null) return fromCookie;
    if (!header.isEmpty()) return bearer(header); // says what the header should have been
    return null;
  }

  /**
   * Whether a request of {@code method} may carry its token in the cookie: GET and HEAD only. A
   * browser sends cookies with a cross-site form post or a {@code text/plain} fetch without asking
   * the server first (no CORS preflight), so a cookie on a POST would let any site emit as the
   * visitor; reads have no effect, and their answers stay unreadable to other origins.
   */
  public static boolean cookieCounts(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  private static boolean isBearer(String header) {
    return header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && (header.length() == BEARER.length() || isSpace(header.charAt(BEARER.length())));
  }

  private static String bearer(String header) {
    int space = 0;
    while (space < header.length() && !isSpace(header.charAt(space))) space++;
    String scheme = header.substring(0, space);
    String token = header.substring(space).strip();
    String must = "Authorization header must be 'Bearer <token>'";
    if (!scheme.equalsIgnoreCase(BEARER)) {
      // Name the scheme only when it looks like one: a bare token must not be echoed into logs.
      throw AuthException.unauthorized(
          scheme.matches("[A-Za-z][A-Za-z0-9-]{0,19}") && !token.isEmpty()
              ? must + ", not '" + scheme + " ...'"
              : must);
    }
    if (token.isEmpty()) throw AuthException.unauthorized(must + ": the token is missing");
    for (int i = 0; i < token.length(); i++) {
      if (isSpace(token.charAt(i))) {
        throw AuthException.unauthorized(must + ": the token has a space in it");
      }
    }
    return token;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }

  /**
   * The value of the first non-empty cookie named {@code name} in a {@code Cookie} header ({@code
   * a=1; realtime_token=xyz; b=2}), without the double quotes RFC 6265 allows around it, or null.
   */
  static String cookie(String header, String name) {
    int at = 0, n = header.length();
    while (at < n) {
      int end = header.indexOf(';', at);
      if (end < 0) end = n;
      int eq = header.indexOf('=', at);
      if (eq >= 0 && eq < end && header.substring(at, eq).strip().equals(name)) {
        String value = header.substring(eq + 1, end).strip();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty()) return value;
      }
      at = end + 1;
    }
    return null;
  }
}
