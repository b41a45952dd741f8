package dev.realtime.internal.delivery;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a subscription's errors go: its own {@code onError} if it has one, otherwise the Realtime's
 * error hook. An error handler that throws is logged, so no error ever vanishes.
 */
public final class ErrorRoute {
  private static final Logger log = LoggerFactory.getLogger(ErrorRoute.class);

  private final Consumer<? super Throwable> handler;

  public ErrorRoute(Consumer<? super Throwable> handler) {
    this.handler = handler;
  }

  /** The default error hook: a WARN line with the stack trace. */
  public static final Consumer<Throwable> LOG = e -> log.warn("{}", e.getMessage(), e);

  /** This route with {@code first} tried before it, when {@code first} is not null. */
  public ErrorRoute preferring(Consumer<? super Throwable> first) {
    return first == null ? this : new ErrorRoute(first);
  }

  public void report(Throwable error) {
    try {
      handler.accept(error);
    } catch (Throwable t) {
      if (isFatal(t)) throw (Error) t;
      log.error("error handler threw while handling: {}", error, t);
    }
  }

  /**
   * Whether a throwable from user code must not be caught and carried on from: the JVM failing (out
   * of memory, an internal error). A {@link StackOverflowError} is not: the stack has unwound by
   * the time it is caught, and it is a bug of the callback, like any exception.
   */
  public static boolean isFatal(Throwable t) {
    return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
  }
}
