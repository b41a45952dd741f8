package dev.realtime.server.auth;

/**
 * A request that may not go on: 401 when its token is missing or not accepted (the client should
 * get a new one), 403 when the token is fine but does not cover what was asked (a new token of the
 * same kind would not help), or another 4xx an {@link Authorizer} chose; 503 when the authorizer
 * did not decide in time. The message goes to the client as it is, so it says what was wrong and
 * what would be accepted, and never echoes the secret or the token.
 *
 * <p>Thrown per rejected request, so it records no stack trace: the message is the whole story.
 */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * @throws IllegalArgumentException when {@code status} is not 400 to 499
   */
  public AuthException(int status, String message) {
    this(message, status);
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("status " + status + " is not a 4xx: give 400 to 499");
    }
  }

  private AuthException(String message, int status) {
    super(message, null, false, false);
    this.status = status;
  }

  /** 503: the decision could not be made now (the authorizer took too long); try again. */
  static AuthException unavailable(String message) {
    return new AuthException(message, 503);
  }

  /** 401: no token, or one that is not accepted. */
  public static AuthException unauthorized(String message) {
    return new AuthException(401, message);
  }

  /** 403: a valid token that does not cover the request. */
  public static AuthException forbidden(String message) {
    return new AuthException(403, message);
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }
}
