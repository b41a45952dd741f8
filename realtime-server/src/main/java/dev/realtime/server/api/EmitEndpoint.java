package dev.realtime.server.api;

import dev.realtime.Realtime;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.HttpError;
import dev.realtime.server.http.JsonText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /api/realtime/channels/{channel}/events} with {@code {"event", "data"}} answers
 * {@code 201 {"id"}}; {@code POST /api/realtime/events} with {@code {"channels": [...], "event",
 * "data"}} emits to each channel and answers {@code 201 {"ids": {channel: id}}}. Data goes through
 * the same validation as a Java emit.
 */
public final class EmitEndpoint {
  static final int MAX_CHANNELS = 100;

  /** See {@link #offLoop}. */
  static final int OFF_LOOP_BYTES = 256 * 1024;

  private static final Executor EMITS =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("emit-", 0).factory());

  private final Realtime realtime;
  private final Gatekeeper gate;

  public EmitEndpoint(Realtime realtime, Gatekeeper gate) {
    this.realtime = realtime;
    this.gate = gate;
  }

  public void one(Exchange x, String channel) {
    realtime.channel(channel); // a bad name is a 400 before anything else
    if (offLoop(x, 1, () -> one(x, channel, Body.parse(x, realtime, false)))) return;
    one(x, channel, Body.parse(x, realtime, false));
  }

  private void one(Exchange x, String channel, Body body) {
    gate.admit(x.presented(), Action.PUBLISH, List.of(channel))
        .thenCompose(allowed -> emit(x, channel, body))
        .whenComplete(
            (id, error) -> {
              if (error != null) x.fail(error);
              else
                x.json(
                    201, ("{\"id\":" + JsonText.quote(id) + "}").getBytes(StandardCharsets.UTF_8));
            });
  }

  public void many(Exchange x) {
    // The channels are in the body, not parsed yet: the most a request may name counts.
    if (offLoop(x, MAX_CHANNELS, () -> many(x, Body.parse(x, realtime, true)))) return;
    many(x, Body.parse(x, realtime, true));
  }

  /**
   * Runs {@code work} on a virtual thread when the body, times the channels it may go to, is over
   * {@link #OFF_LOOP_BYTES}: parsing, checking and encoding a large body once per channel takes
   * long enough (about a second for 700 KB to 100 channels) to hold up every other connection of
   * the event loop. Smaller ones stay on the loop, a thread hand-off less. The request is kept
   * until the work has read it.
   */
  private static boolean offLoop(Exchange x, int channels, Runnable work) {
    if ((long) x.request().content().readableBytes() * channels < OFF_LOOP_BYTES) return false;
    x.request().retain();
    try {
      EMITS.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              x.fail(e);
            } finally {
              x.request().release();
            }
          });
    } catch (RuntimeException refused) {
      x.request().release();
      throw refused;
    }
    return true;
  }

  private void many(Exchange x, Body body) {
    gate.admit(x.presented(), Action.PUBLISH, body.channels())
        .thenCompose(
            allowed -> {
              List<CompletableFuture<String>> ids = new ArrayList<>();
              for (String c : allowed) ids.add(emit(x, c, body));
              return CompletableFuture.allOf(ids.toArray(CompletableFuture[]::new))
                  .handle((done, failed) -> answer(allowed, ids));
            })
        .whenComplete(
            (answer, error) -> {
              if (error != null) x.fail(error);
              else if (answer.failure() == null) x.json(201, answer.json());
              else x.fail(answer.failure(), answer.members());
            });
  }

  /**
   * What a multi-channel emit answers once every channel's emit is done: 201 with every id, or,
   * when some failed, the first failure's status with the ids of the channels that were stored and
   * the error of each that was not, so a client retries only those (a retry of all would store the
   * others twice).
   */
  private record ManyAnswer(byte[] json, Throwable failure, String members) {}

  private static ManyAnswer answer(List<String> channels, List<CompletableFuture<String>> ids) {
    StringBuilder stored = new StringBuilder();
    StringBuilder failed = new StringBuilder();
    Throwable first = null;
    for (int i = 0; i < channels.size(); i++) {
      String channel = JsonText.quote(channels.get(i));
      CompletableFuture<String> id = ids.get(i);
      if (id.isCompletedExceptionally()) {
        Throwable cause = Exchange.unwrap(id.exceptionNow());
        if (first == null) first = cause;
        if (!failed.isEmpty()) failed.append(',');
        failed.append(channel).append(':').append(JsonText.quote(Exchange.message(cause)));
      } else {
        if (!stored.isEmpty()) stored.append(',');
        stored.append(channel).append(':').append(JsonText.quote(id.join()));
      }
    }
    if (first == null) {
      return new ManyAnswer(
          ("{\"ids\":{" + stored + "}}").getBytes(StandardCharsets.UTF_8), null, null);
    }
    return new ManyAnswer(null, first, ",\"ids\":{" + stored + "},\"failed\":{" + failed + "}");
  }

  private CompletableFuture<String> emit(Exchange x, String channel, Body body) {
    try {
      return realtime
          .channel(channel)
          .emitAsync(body.event(), body.data())
          .whenComplete(
              (id, error) -> {
                if (error == null) x.metrics().emitted(1);
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // validation: answered as 4xx
    }
  }

  /**
   * Whether the body starts as JSON in UTF-16 or UTF-32 would (a byte order mark FE FF or FF FE, or
   * a zero byte among the first four), which Jackson reading bytes would take as such. JSON in
   * UTF-8 has no zero byte at all: not even inside strings, where it must be escaped.
   */
  static boolean utf16or32(ByteBuf content) {
    int at = content.readerIndex();
    int n = Math.min(4, content.readableBytes());
    if (n >= 2) {
      int first = content.getUnsignedByte(at);
      int second = content.getUnsignedByte(at + 1);
      if ((first == 0xFE && second == 0xFF) || (first == 0xFF && second == 0xFE)) return true;
    }
    for (int i = 0; i < n; i++) {
      if (content.getByte(at + i) == 0) return true;
    }
    return false;
  }

  /** The request body, checked before anything is emitted. */
  record Body(List<String> channels, String event, JsonNode data) {
    static Body parse(Exchange x, Realtime realtime, boolean withChannels) {
      JsonNode root;
      try {
        // From the bytes: a body that is not UTF-8 is refused, not stored with U+FFFD in it.
        ByteBuf content = x.request().content();
        if (utf16or32(content)) {
          throw HttpError.badRequest(
              "the body is UTF-16 or UTF-32: send JSON in UTF-8 (RFC 8259), like {\"event\":"
                  + " \"name\", \"data\": ...}");
        }
        root = JsonText.MAPPER.readTree(new ByteBufInputStream(content));
      } catch (JacksonException e) {
        throw HttpError.badRequest(
            "the body is not JSON in UTF-8 ("
                + e.getOriginalMessage()
                + "): send {\"event\": \"name\", \"data\": ...}");
      }
      if (!(root instanceof ObjectNode o)) {
        throw HttpError.badRequest(
            "the body is "
                + (root == null || root.isMissingNode() ? "empty" : "a JSON " + root.getNodeType())
                + ": send a JSON object {\"event\": \"name\", \"data\": ...}");
      }
      JsonNode event = o.get("event");
      if (event == null || !event.isString()) {
        throw HttpError.badRequest("the body needs \"event\": the event's name as a string");
      }
      if (!o.has("data")) {
        throw HttpError.badRequest("the body needs \"data\": the event's data, any JSON value");
      }
      List<String> channels = List.of();
      if (withChannels) {
        JsonNode list = o.get("channels");
        if (list == null || !list.isArray() || list.isEmpty()) {
          throw HttpError.badRequest(
              "the body needs \"channels\": a non-empty list of channel names");
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (JsonNode c : list) {
          if (!c.isString()) {
            throw HttpError.badRequest("\"channels\" holds " + c + ": channel names are strings");
          }
          names.add(c.asString());
        }
        if (names.size() > MAX_CHANNELS) {
          throw HttpError.badRequest(
              names.size() + " channels: one request emits to at most " + MAX_CHANNELS);
        }
        channels = List.copyOf(names);
      }
      for (String c : channels) realtime.channel(c); // a bad name is a 400 before any emit
      return new Body(channels, event.asString(), o.get("data"));
    }
  }
}
