package dev.realtime.server.sse;

import dev.realtime.HistoryQuery;
import dev.realtime.Subscribe;
import dev.realtime.spi.EntryId;

/**
 * Where one channel of a stream starts: after an id the client acknowledged, at a Unix time (the
 * original client's first {@code last_ack} is {@code Date.now()}), with the newest N messages of
 * history, or live.
 */
record StreamStart(String afterId, Long sinceMillis, int latest) {
  static final StreamStart LIVE = new StreamStart(null, null, 0);

  static StreamStart latest(int n) {
    return n == 0 ? LIVE : new StreamStart(null, null, n);
  }

  /**
   * A position as clients send it: {@code <ms>-<seq>} or a plain Unix-millisecond time.
   *
   * <p>A time comes from the client's clock (the original's first {@code last_ack} is the browser's
   * {@code Date.now()}). One after this server's now is taken as now: nothing can have been emitted
   * later, and a browser clock running ahead would otherwise hide every event emitted until this
   * clock caught up, where the original only bounds its replay with the time and delivers every
   * live event. (Ids come from the engine's clock, which may lag this one's: Redis on another host.
   * Core starts a time after everything the log holds at the log's end, so nothing emitted from now
   * on is hidden either; see {@code StartPosition.atTime}.)
   *
   * @return null when {@code text} is neither
   */
  static StreamStart parse(String text) {
    if (EntryId.tryParse(text) != null) return new StreamStart(text, null, 0);
    if (!text.isEmpty()
        && text.length() <= 15
        && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return new StreamStart(null, Math.min(Long.parseLong(text), System.currentTimeMillis()), 0);
    }
    return null;
  }

  <T> Subscribe<T> applyTo(Subscribe<T> s) {
    if (afterId != null) return s.after(afterId);
    if (sinceMillis != null) return s.since(sinceMillis);
    if (latest > 0) return s.history(HistoryQuery.latest(latest));
    return s;
  }
}
