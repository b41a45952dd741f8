package dev.realtime.server.api;

import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.HttpError;
import dev.realtime.spi.EntryId;
import java.util.List;

/**
 * {@code GET /api/realtime/channels/{channel}/history?limit=&start=&end=&latest=true}: a JSON array
 * of {@code {"id","event","channel","data"}}, oldest first, as {@link HistoryQuery} defines it,
 * with {@code after=} and {@code before=} (message ids, exclusive) to page through more than a
 * request returns. Sent as {@link HistoryAnswer} reads it.
 */
public final class HistoryEndpoint {
  private final Realtime realtime;
  private final Gatekeeper gate;

  public HistoryEndpoint(Realtime realtime, Gatekeeper gate) {
    this.realtime = realtime;
    this.gate = gate;
  }

  public void handle(Exchange x, String channel) {
    realtime.channel(channel);
    HistoryQuery query = query(x);
    gate.admit(x.presented(), Action.HISTORY, List.of(channel))
        .whenComplete(
            (allowed, error) -> {
              if (error != null) x.fail(error);
              else new HistoryAnswer(x, realtime.channel(channel), query).start();
            });
  }

  static HistoryQuery query(Exchange x) {
    String limit = x.param("limit");
    String latest = x.param("latest");
    boolean newest = false;
    if (latest != null) {
      if (latest.equals("true") || latest.isEmpty()) newest = true;
      else if (!latest.equals("false")) {
        throw HttpError.badRequest("latest '" + latest + "' is not true or false");
      }
    }
    long asked = limit == null ? HistoryQuery.DEFAULT_LIMIT : number("limit", limit, 1L);
    if (asked > HistoryQuery.MAX_LIMIT) {
      throw HttpError.badRequest(
          "limit "
              + asked
              + " is over "
              + HistoryQuery.MAX_LIMIT
              + ", the most one request returns");
    }
    int n = (int) asked;
    HistoryQuery q = newest ? HistoryQuery.latest(n) : HistoryQuery.limit(n);
    String start = x.param("start");
    String end = x.param("end");
    if (start != null) q = q.start(number("start", start, 0L));
    if (end != null) q = q.end(number("end", end, 0L));
    String after = x.param("after");
    String before = x.param("before");
    if (after != null) q = q.after(id("after", after));
    if (before != null) q = q.before(id("before", before));
    return q;
  }

  private static String id(String name, String value) {
    if (EntryId.tryParse(value) != null) return value;
    String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    throw HttpError.badRequest(
        name
            + " '"
            + shown
            + "' is not a message id: <ms>-<seq>, as a message's \"id\" (for example"
            + " 1732880000000-0)");
  }

  private static long number(String name, String value, long min) {
    String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
    try {
      long n = Long.parseLong(value);
      if (n >= min) return n;
    } catch (NumberFormatException e) {
      if (value.matches("\\+?[0-9]{19,}")) { // a whole number, only too large for a long
        throw HttpError.badRequest(
            name
                + " '"
                + shown
                + "' is too large: "
                + (name.equals("limit")
                    ? "at most " + HistoryQuery.MAX_LIMIT
                    : "Unix milliseconds, at most " + Long.MAX_VALUE));
      }
    }
    throw HttpError.badRequest(
        name
            + " '"
            + shown
            + "' is not a whole number"
            + (min > 0 ? " of at least " + min : " (Unix milliseconds for start and end)"));
  }
}
