package dev.realtime.server.http;

/**
 * A request the server answers with an error status and {@code {"error": message}}: the message
 * names what was wrong and what is accepted. Thrown only at the edges (parsing a request), never on
 * the delivery path, and without a stack trace: it is an answer, not a fault.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  public int status() {
    return status;
  }
}
