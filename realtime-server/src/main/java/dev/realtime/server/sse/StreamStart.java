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
   * @return null when {@code text} is neither
   */
  static StreamStart parse(String text) {
    if (EntryId.tryParse(text) != null) return new StreamStart(text, null, 0);
    if (!text.isEmpty() && text.length() <= 15 && text.chars().allMatch(Character::isDigit)) {
      return new StreamStart(null, Long.parseLong(text), 0);
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
