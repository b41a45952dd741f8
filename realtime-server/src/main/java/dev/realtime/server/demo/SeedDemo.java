package dev.realtime.server.demo;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.server.demo.DemoEvents.Alert;
import dev.realtime.server.demo.DemoEvents.ChatMessage;
import dev.realtime.server.demo.DemoEvents.Progress;
import dev.realtime.server.demo.DemoEvents.RoomEvent;
import dev.realtime.server.demo.DemoEvents.UserJoined;
import dev.realtime.server.demo.DemoEvents.UserLeft;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every example of the seed page (Upstash Realtime, server side), run on the embedded in-memory
 * engine: what is emitted and what the subscribers receive, section by section.
 */
public final class SeedDemo {
  private final PrintWriter out;
  private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();

  public SeedDemo(PrintWriter out) {
    this.out = out;
  }

  public void runAll() throws Exception {
    try (Realtime realtime =
        Realtime.builder()
            .schema(DemoEvents.SCHEMA)
            .history(History.maxLength(10_000).expireAfter(Duration.ofDays(7)))
            .build()) {
      emitEvents(realtime);
      subscribe(realtime);
      history(realtime);
      subscribeWithHistory(realtime);
      jobProgress(realtime);
      serverSideLogic(realtime);
      broadcast(realtime);
      webhook(realtime);
    }
    out.println();
    out.println("All use cases ran on the in-memory engine.");
  }

  private void emitEvents(Realtime realtime) throws InterruptedException {
    section("Emit Events");
    realtime
        .channel("default")
        .subscribe(Subscribe.to("notification.alert").onData(this::received));
    emitted(
        "default",
        "notification.alert",
        "hello world!",
        realtime.emit("notification.alert", "hello world!"));
    expect(1);

    section("Emit to specific channels");
    Channel channel = realtime.channel("user-123");
    channel.subscribe(Subscribe.to("notification.alert").onData(this::received));
    emitted(
        "user-123",
        "notification.alert",
        "hello world!",
        channel.emit("notification.alert", "hello world!"));
    expect(1);
  }

  private void subscribe(Realtime realtime) throws InterruptedException {
    section("Subscribe to Events");
    Subscription notifications =
        realtime
            .channel("notifications")
            .subscribe(
                Subscribe.to("notification.alert")
                    .onData(m -> inbox.add("New notification: " + m.data())));
    emit(realtime.channel("notifications"), "notification.alert", "your build passed");
    expect(1);
    notifications.unsubscribe();

    section("Subscribe to multiple events");
    Channel room = realtime.channel("room-123");
    Subscription sub =
        room.subscribe(
            Subscribe.to(RoomEvent.class)
                .onData(
                    m -> {
                      switch (m.data()) { // typed by the schema
                        case ChatMessage c -> inbox.add("New message: " + c.text());
                        case UserJoined j -> inbox.add("User joined: " + j.user());
                        case UserLeft l -> inbox.add("User left: " + l.user());
                      }
                    }));
    emit(room, "user.joined", new UserJoined("ada"));
    emit(room, "chat.message", new ChatMessage("ada", "hi everyone"));
    emit(room, "user.left", new UserLeft("ada"));
    expect(3);

    section("Unsubscribe");
    sub.unsubscribe(); // or: realtime.channel("room-123").unsubscribe()
    emit(room, "chat.message", new ChatMessage("bob", "anyone here?"));
    quiet("(nothing received: the subscription ended)");
  }

  private void history(Realtime realtime) {
    section("Retrieve History");
    List<HistoryMessage> messages = realtime.channel("room-123").history();
    messages.forEach(m -> out.printf("  history  %s  %-13s %s%n", m.id(), m.event(), m.data()));

    section("History Options");
    List<HistoryMessage> lastDay =
        realtime
            .channel("room-123")
            .history(HistoryQuery.limit(100).start(Instant.now().minus(Duration.ofDays(1))));
    out.printf("  limit 100, start a day ago: %d messages%n", lastDay.size());
    List<HistoryMessage> latest = realtime.channel("room-123").history(HistoryQuery.latest(2));
    out.printf("  latest 2 (new here): %s%n", latest.stream().map(HistoryMessage::data).toList());
  }

  private void subscribeWithHistory(Realtime realtime) throws InterruptedException {
    section("Subscribe with History");
    Channel channel = realtime.channel("room-123");
    Subscription replay =
        channel.subscribe(
            Subscribe.to("chat.message")
                .history(true)
                .onData(m -> inbox.add("Message: " + m.data())));
    expect(2); // the two chat messages already in history, in order
    emit(channel, "chat.message", new ChatMessage("cy", "live after replay"));
    expect(1);
    replay.unsubscribe();

    Instant oneHourAgo = Instant.now().minus(Duration.ofHours(1));
    Subscription options =
        channel.subscribe(
            Subscribe.to("chat.message")
                .history(HistoryQuery.limit(50).start(oneHourAgo))
                .onData(m -> inbox.add("Message (limit 50, last hour): " + m.data())));
    expect(3);
    options.unsubscribe();
  }

  private void jobProgress(Realtime realtime) throws InterruptedException {
    section("Use case: progress of a long-running task");
    Channel channel = realtime.channel("job-42");
    channel.subscribe(
        Subscribe.to(Progress.class)
            .onData(m -> inbox.add(m.event() + " " + bar(m.data().progress()))));
    channel.emit("job.started", new Progress(0));
    for (int i = 0; i <= 100; i += 10) {
      channel.emit("job.progress", new Progress(i));
    }
    channel.emit("job.completed", new Progress(100));
    out.println("  emitted job.started, 11 x job.progress, job.completed on job-42");
    expect(13);
  }

  private void serverSideLogic(Realtime realtime) throws InterruptedException {
    section("Use case: process events with server-side logic");
    realtime
        .channel("notifications")
        .subscribe(
            Subscribe.to(Alert.class)
                .onData(
                    m -> {
                      if (m.data().priority().equals("high")) {
                        inbox.add(
                            "sendEmail(to="
                                + m.data().userId()
                                + ", subject=Urgent Notification, body="
                                + m.data().message()
                                + ")");
                      } else {
                        inbox.add("(not urgent, no email: " + m.data().message() + ")");
                      }
                    }));
    Channel notifications = realtime.channel("notifications");
    emit(notifications, "notification.priority", new Alert("user-7", "low", "weekly digest"));
    emit(notifications, "notification.priority", new Alert("user-7", "high", "disk almost full"));
    expect(2);
  }

  private void broadcast(Realtime realtime) throws InterruptedException {
    section("Use case: multi-channel broadcasting");
    List<String> teamIds = List.of("1", "2", "3");
    for (String teamId : teamIds) {
      realtime
          .channel("team-" + teamId)
          .subscribe(Subscribe.to("announcement").onData(this::received));
    }
    List<CompletableFuture<String>> ids =
        teamIds.stream()
            .map(
                teamId ->
                    realtime
                        .channel("team-" + teamId)
                        .emitAsync("announcement", "all hands at 3pm"))
            .toList();
    CompletableFuture.allOf(ids.toArray(CompletableFuture[]::new)).join();
    out.printf(
        "  emitted announcement to team-1, team-2, team-3: ids %s%n",
        ids.stream().map(CompletableFuture::join).toList());
    expect(3);
  }

  private void webhook(Realtime realtime) throws InterruptedException {
    section("Use case: forward webhook events");
    Map<String, Object> payload = Map.of("userId", "u-9", "type", "invoice.paid", "amount", 4200);
    Channel channel = realtime.channel("user-" + payload.get("userId"));
    channel.subscribe(Subscribe.to("webhook.received").onData(this::received));
    emit(channel, "webhook.received", payload);
    expect(1);
    try {
      channel.emit("webhook.received", Map.of("type", "no user"));
    } catch (RuntimeException e) {
      out.println("  rejected: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ printing

  private void section(String title) {
    out.println();
    out.println("== " + title + " ==");
  }

  private void emit(Channel channel, String event, Object data) {
    emitted(channel.name(), event, data, channel.emit(event, data));
  }

  private void emitted(String channel, String event, Object data, String id) {
    out.printf("  emit     %-13s %-22s %s -> %s%n", channel, event, data, id);
  }

  private void received(Message<?> m) {
    inbox.add(String.format("%-13s %-22s %s (%s)", m.channel(), m.event(), m.data(), m.id()));
  }

  private void expect(int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      String line = inbox.poll(5, TimeUnit.SECONDS);
      if (line == null) throw new IllegalStateException("expected " + n + " deliveries, got " + i);
      out.println("  received " + line);
    }
  }

  private void quiet(String note) throws InterruptedException {
    String line = inbox.poll(200, TimeUnit.MILLISECONDS);
    if (line != null) throw new IllegalStateException("unexpected delivery: " + line);
    out.println("  " + note);
  }

  private static String bar(int progress) {
    int filled = progress / 10;
    return "[" + "#".repeat(filled) + ".".repeat(10 - filled) + "] " + progress + "%";
  }
}
