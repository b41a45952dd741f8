package dev.realtime.server.sse;

import dev.realtime.InvalidNameException;
import dev.realtime.Realtime;
import dev.realtime.internal.Names;
import dev.realtime.server.http.HttpError;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/realtime?channel=a&channel=b&last_ack_a=ID&events=e1,e2&history=50}, parsed and
 * checked: which channels, from where, and which events.
 *
 * <p>Resume positions come from the standard {@code Last-Event-ID} header when the browser sends
 * one (it is newer than the URL's {@code last_ack_*}, which an EventSource repeats unchanged on
 * every reconnect), else from {@code last_ack_<channel>}, else the channel starts live (or with the
 * newest {@code history} messages).
 *
 * <p>A stream's SSE ids encode every channel's position so that {@code Last-Event-ID} alone resumes
 * them all: the id itself for a one-channel stream, else {@code a=ID&b=ID} with channel names
 * percent-encoded.
 */
public record StreamRequest(List<String> channels, List<StreamStart> starts, Set<String> events) {
  static final int MAX_CHANNELS = 100;
  static final int MAX_HISTORY = 1000;

  public static StreamRequest parse(
      Realtime realtime, Map<String, List<String>> query, String lastEventId) {
    List<String> channels =
        new ArrayList<>(new LinkedHashSet<>(query.getOrDefault("channel", List.of())));
    if (channels.isEmpty()) channels.add(Realtime.DEFAULT_CHANNEL);
    if (channels.size() > MAX_CHANNELS) {
      throw HttpError.badRequest(
          channels.size() + " channels in one stream: at most " + MAX_CHANNELS + " are accepted");
    }
    for (String c : channels) {
      try {
        realtime.channel(c);
      } catch (InvalidNameException e) {
        throw HttpError.badRequest(e.getMessage());
      }
    }
    Set<String> events = events(query.get("events"));
    int latest = history(query.get("history"));
    Map<String, String> resumed =
        lastEventId == null || lastEventId.isBlank() ? Map.of() : decode(lastEventId, channels);
    List<StreamStart> starts = new ArrayList<>(channels.size());
    for (String c : channels) {
      String position = resumed.get(c);
      String source = "Last-Event-ID";
      if (position == null) {
        List<String> ack = query.get("last_ack_" + c);
        position = ack == null || ack.isEmpty() ? null : ack.get(ack.size() - 1);
        source = "last_ack_" + c;
      }
      if (position == null || position.isEmpty()) {
        starts.add(StreamStart.latest(latest));
        continue;
      }
      StreamStart start = StreamStart.parse(position);
      if (start == null) {
        throw HttpError.badRequest(
            source
                + " '"
                + shorten(position)
                + "' is not a message id <ms>-<seq> (like 1732880000000-0) or a Unix time in"
                + " milliseconds");
      }
      starts.add(start);
    }
    return new StreamRequest(List.copyOf(channels), List.copyOf(starts), events);
  }

  private static Set<String> events(List<String> values) {
    if (values == null) return null;
    Set<String> events = new LinkedHashSet<>();
    for (String v : values) {
      for (String e : v.split(",", -1)) {
        String name = e.strip();
        if (name.isEmpty()) continue;
        events.add(Names.checkEvent(name));
      }
    }
    if (events.isEmpty()) {
      throw HttpError.badRequest(
          "events is empty: list event names separated by commas (like events=chat.message)");
    }
    return Set.copyOf(events);
  }

  private static int history(List<String> values) {
    if (values == null || values.isEmpty()) return 0;
    String v = values.get(values.size() - 1);
    try {
      int n = Integer.parseInt(v);
      if (n >= 0 && n <= MAX_HISTORY) return n;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpError.badRequest(
        "history '" + shorten(v) + "' is not a number of messages from 0 to " + MAX_HISTORY);
  }

  /** Positions out of a {@code Last-Event-ID} this server wrote (see the class comment). */
  static Map<String, String> decode(String lastEventId, List<String> channels) {
    String value = lastEventId.strip();
    if (!value.contains("=")) {
      if (channels.size() != 1) {
        throw HttpError.badRequest(
            "Last-Event-ID '"
                + shorten(value)
                + "' holds one position but the stream has "
                + channels.size()
                + " channels: expected channel=ID pairs joined by &");
      }
      return Map.of(channels.get(0), value);
    }
    Map<String, String> positions = new LinkedHashMap<>();
    for (String pair : value.split("&")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw HttpError.badRequest(
            "Last-Event-ID '" + shorten(value) + "' is not channel=ID pairs joined by &");
      }
      String channel;
      try {
        channel = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest(
            "Last-Event-ID '" + shorten(value) + "' has a malformed percent-encoded channel name");
      }
      if (eq == pair.length() - 1) {
        // Not "start live": a client that lost its position must not skip what it missed unawares.
        throw HttpError.badRequest(
            "Last-Event-ID '"
                + shorten(value)
                + "' has no position for channel '"
                + shorten(channel)
                + "': expected channel=ID pairs joined by &, each ID a message id <ms>-<seq>");
      }
      positions.put(channel, pair.substring(eq + 1));
    }
    return positions;
  }

  /**
   * The SSE id of a stream whose channels are at {@code positions}: the bare position when {@code
   * bare} (a stream of one channel, asked for alone), else channel=ID pairs.
   */
  static String encode(List<String> channels, String[] positions, boolean bare) {
    if (bare) return positions[0];
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < channels.size(); i++) {
      if (positions[i] == null) continue;
      if (b.length() > 0) b.append('&');
      b.append(URLEncoder.encode(channels.get(i), StandardCharsets.UTF_8))
          .append('=')
          .append(positions[i]);
    }
    return b.toString();
  }

  static String shorten(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= 80 ? printable : printable.substring(0, 80) + "...";
  }
}
