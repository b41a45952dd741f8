package dev.realtime.server.api;

import dev.realtime.Realtime;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.HttpError;
import dev.realtime.server.http.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

  private final Realtime realtime;
  private final Gatekeeper gate;

  public EmitEndpoint(Realtime realtime, Gatekeeper gate) {
    this.realtime = realtime;
    this.gate = gate;
  }

  public void one(Exchange x, String channel) {
    realtime.channel(channel); // a bad name is a 400 before anything else
    Body body = Body.parse(x, realtime, false);
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
    Body body = Body.parse(x, realtime, true);
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

  /** The request body, checked before anything is emitted. */
  record Body(List<String> channels, String event, JsonNode data) {
    static Body parse(Exchange x, Realtime realtime, boolean withChannels) {
      JsonNode root;
      try {
        root = JsonText.MAPPER.readTree(x.request().content().toString(StandardCharsets.UTF_8));
      } catch (JacksonException e) {
        throw HttpError.badRequest(
            "the body is not JSON ("
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
