package dev.realtime.spi;

/**
 * A registration for append wake-ups on one channel; closing it stops them.
 *
 * <p>A wake-up carries no data: it only says "this channel has news". Core then reads the log after
 * each cursor, so a lost, duplicated or reordered wake-up can delay delivery but never change it.
 */
public interface ChannelWatch extends AutoCloseable {
  @Override
  void close();
}
