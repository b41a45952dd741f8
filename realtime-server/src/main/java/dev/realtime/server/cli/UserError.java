package dev.realtime.server.cli;

/**
 * Something the user can fix (an argument, the Redis URL, Redis being down): printed as one line,
 * {@code realtime: <message>}, never with a stack trace, and the command exits with {@link
 * #exitCode()}.
 */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Exit code of a bad argument (picocli's usage error). */
  static final int USAGE = 2;

  /** Exit code of a failure outside the arguments, such as Redis being unreachable. */
  static final int FAILURE = 1;

  private final int exitCode;

  UserError(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static UserError usage(String message) {
    return new UserError(USAGE, message);
  }

  static UserError failure(String message) {
    return new UserError(FAILURE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
