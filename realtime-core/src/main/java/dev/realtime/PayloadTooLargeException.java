package dev.realtime;

/** Data whose JSON encoding exceeds the configured maximum; nothing was stored. */
public class PayloadTooLargeException extends RealtimeException {
  private static final long serialVersionUID = 1L;
  private final long size;
  private final long limit;

  public PayloadTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }
}
