package dev.realtime.server.http;

/**
 * A request the server answers with an error status and {@code {"error": message}}: the message
 * names what was wrong and what is accepted. Thrown only at the edges (parsing a request), never on
 * the delivery path, and without a stack trace: it is an answer, not a fault.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String allow; // the Allow header of a 405, else null

  public HttpError(int status, String message) {
    this(status, message, null);
  }

  private HttpError(int status, String message, String allow) {
    super(message, null, false, false);
    this.status = status;
    this.allow = allow;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  /** A 405 whose answer lists the methods the path accepts ({@code Allow}). */
  public static HttpError methodNotAllowed(String message, String allow) {
    return new HttpError(405, message, allow);
  }

  public int status() {
    return status;
  }

  /** The methods the path accepts, for a 405's {@code Allow} header; null for other errors. */
  public String allow() {
    return allow;
  }
}
