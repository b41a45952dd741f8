package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java twin of every example of the seed page, as the README shows them: each region below is
 * compiled and run here, and {@link #readmeShowsExactlyTheseRegions()} fails when the README's copy
 * differs from the code in this file.
 */
class ReadmeExamplesTest {
  // region types
  sealed interface RoomEvent permits ChatMessage, UserJoined, UserLeft {}

  @Event("chat.message")
  record ChatMessage(String user, String text) implements RoomEvent {}

  @Event("user.joined")
  record UserJoined(String user) implements RoomEvent {}

  @Event("user.left")
  record UserLeft(String user) implements RoomEvent {}

  record Progress(int progress) {}

  record Alert(String userId, String priority, String message) {}

  // endregion

  Realtime realtime;
  final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  PrintStream originalOut;

  @BeforeEach
  void setUp() {
    originalOut = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    // region setup
    Realtime realtime =
        Realtime.builder()
            .schema(
                Schema.builder()
                    .event("notification.alert", String.class)
                    .events(RoomEvent.class) // a sealed interface of @Event records
                    .event("job.started", Progress.class)
                    .event("job.progress", Progress.class)
                    .event("job.completed", Progress.class)
                    .event("urgent.alert", Alert.class)
                    .event("announcement", String.class)
                    .event("webhook.received", JsonSchema.of("{\"required\": [\"userId\"]}"))
                    .build())
            .history(History.maxLength(10_000).expireAfter(Duration.ofDays(7)))
            .build(); // embedded in-memory engine unless another is given
    // endregion
    this.realtime = realtime;
  }

  @AfterEach
  void tearDown() {
    realtime.close();
    System.setOut(originalOut);
  }

  private void awaitOutput(String... lines) {
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(captured.toString(StandardCharsets.UTF_8)).contains(lines));
  }

  @Test
  void emitEvents() {
    // region emit-events
    String id = realtime.emit("notification.alert", "hello world!"); // channel "default"
    // endregion
    assertThat(id).matches("\\d+-\\d+");
    assertThat(realtime.channel("default").history()).hasSize(1);
  }

  @Test
  void emitToSpecificChannels() {
    // region emit-channel
    Channel channel = realtime.channel("user-123");
    String id = channel.emit("notification.alert", "hello world!");
    // endregion
    assertThat(channel.history().get(0).id()).isEqualTo(id);
  }

  @Test
  void subscribe() {
    // region subscribe
    Subscription subscription =
        realtime
            .channel("notifications")
            .subscribe(
                Subscribe.to("notification.alert")
                    .onData(m -> System.out.println("New notification: " + m.data())));
    // endregion
    realtime.channel("notifications").emit("notification.alert", "build passed");
    awaitOutput("New notification: build passed");
    subscription.unsubscribe();
  }

  @Test
  void subscribeToMultipleEvents() {
    // region subscribe-multiple
    Subscription sub =
        realtime
            .channel("room-123")
            .subscribe(
                Subscribe.to(RoomEvent.class) // or Subscribe.to("chat.message", "user.joined")
                    .onData(
                        m -> {
                          switch (m.data()) { // typed by the schema
                            case ChatMessage c -> System.out.println("New message: " + c.text());
                            case UserJoined j -> System.out.println("User joined: " + j.user());
                            case UserLeft l -> System.out.println("User left: " + l.user());
                          }
                        }));
    // endregion
    Channel room = realtime.channel("room-123");
    room.emit(new UserJoined("ada"));
    room.emit(new ChatMessage("ada", "hi"));
    room.emit(new UserLeft("ada"));
    awaitOutput("User joined: ada", "New message: hi", "User left: ada");
    sub.unsubscribe();
  }

  @Test
  void unsubscribe() {
    // region unsubscribe
    Channel channel = realtime.channel("room-123");
    Subscription sub =
        channel.subscribe(
            Subscribe.to("chat.message").onData(m -> System.out.println("Message: " + m.data())));
    sub.unsubscribe(); // or: channel.unsubscribe() ends every subscription on the channel
    // endregion
    channel.emit(new ChatMessage("bob", "anyone?"));
    assertThat(sub.isActive()).isFalse();
  }

  @Test
  void retrieveHistory() {
    realtime.channel("room-123").emit(new ChatMessage("ada", "hi"));
    // region history
    List<HistoryMessage> messages = realtime.channel("room-123").history();
    // endregion
    assertThat(messages)
        .singleElement()
        .extracting(HistoryMessage::data)
        .isEqualTo(new ChatMessage("ada", "hi"));
  }

  @Test
  void historyOptions() {
    for (int i = 0; i < 120; i++)
      realtime.channel("room-123").emit(new ChatMessage("ada", "m" + i));
    // region history-options
    List<HistoryMessage> messages =
        realtime
            .channel("room-123")
            .history(HistoryQuery.limit(100).start(Instant.now().minus(Duration.ofDays(1))));
    List<HistoryMessage> chatWindow =
        realtime.channel("room-123").history(HistoryQuery.latest(50)); // the newest 50
    List<HistoryMessage> earlier = // scrolling up: the 50 before those
        realtime
            .channel("room-123")
            .history(HistoryQuery.latest(50).before(chatWindow.getFirst().id()));
    // endregion
    assertThat(earlier).hasSize(50);
    assertThat(((ChatMessage) earlier.get(49).data()).text()).isEqualTo("m69");
    assertThat(messages).hasSize(100);
    assertThat(((ChatMessage) messages.get(0).data()).text()).isEqualTo("m0");
    assertThat(((ChatMessage) chatWindow.get(49).data()).text()).isEqualTo("m119");
  }

  @Test
  void subscribeWithHistory() {
    realtime.channel("room-123").emit(new ChatMessage("ada", "earlier"));
    Instant oneHourAgo = Instant.now().minus(Duration.ofHours(1));
    // region subscribe-with-history
    Channel channel = realtime.channel("room-123");
    channel.subscribe(
        Subscribe.to("chat.message")
            .history(true) // replay, then continue live: no gap, no duplicate
            .onData(m -> System.out.println("Message: " + m.data())));
    channel.subscribe(
        Subscribe.to("chat.message")
            .history(HistoryQuery.limit(50).start(oneHourAgo))
            .onData(m -> System.out.println("Replayed or live: " + m.data())));
    // endregion
    channel.emit(new ChatMessage("ada", "now"));
    awaitOutput(
        "Message: ChatMessage[user=ada, text=earlier]",
        "Message: ChatMessage[user=ada, text=now]",
        "Replayed or live: ChatMessage[user=ada, text=earlier]",
        "Replayed or live: ChatMessage[user=ada, text=now]");
  }

  @Test
  void useCaseProgressOfALongRunningTask() {
    String jobId = "job-42";
    List<Integer> seen = new ArrayList<>();
    realtime
        .channel(jobId)
        .subscribe(Subscribe.to(Progress.class).onData(m -> seen.add(m.data().progress())));
    // region use-case-progress
    Channel channel = realtime.channel(jobId);
    channel.emit("job.started", new Progress(0));
    for (int i = 0; i <= 100; i += 10) {
      processChunk();
      channel.emit("job.progress", new Progress(i));
    }
    channel.emit("job.completed", new Progress(100));
    // endregion
    await().until(() -> seen.size() == 13);
    assertThat(seen).startsWith(0, 0, 10).endsWith(100, 100);
  }

  private void processChunk() {}

  @Test
  void useCaseServerSideLogic() {
    // region use-case-server-logic
    realtime
        .channel("notifications")
        .subscribe(
            Subscribe.to(Alert.class)
                .onData(
                    m -> { // runs on a virtual thread: blocking calls are fine
                      if (m.data().priority().equals("high")) {
                        sendEmail(m.data().userId(), "Urgent Notification", m.data().message());
                      }
                    }));
    // endregion
    realtime.channel("notifications").emit("urgent.alert", new Alert("u1", "low", "digest"));
    realtime.channel("notifications").emit("urgent.alert", new Alert("u1", "high", "disk full"));
    awaitOutput("email to u1: Urgent Notification: disk full");
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("digest");
  }

  private static void sendEmail(String to, String subject, String body) {
    System.out.println("email to " + to + ": " + subject + ": " + body);
  }

  @Test
  void useCaseMultiChannelBroadcasting() {
    List<String> teamIds = List.of("1", "2", "3");
    String message = "all hands at 3pm";
    // region use-case-broadcast
    CompletableFuture.allOf(
            teamIds.stream()
                .map(
                    teamId -> realtime.channel("team-" + teamId).emitAsync("announcement", message))
                .toArray(CompletableFuture[]::new))
        .join();
    // endregion
    for (String teamId : teamIds) {
      assertThat(realtime.channel("team-" + teamId).history())
          .singleElement()
          .extracting(HistoryMessage::data)
          .isEqualTo(message);
    }
  }

  @Test
  void useCaseForwardWebhookEvents() {
    Map<String, Object> payload =
        new LinkedHashMap<>(Map.of("userId", "42", "type", "invoice.paid"));
    // region use-case-webhook
    Channel channel = realtime.channel("user-" + payload.get("userId"));
    channel.emit("webhook.received", payload);
    // endregion
    assertThat(realtime.channel("user-42").history().get(0).data()).isEqualTo(payload);
  }

  // ------------------------------------------------------------------ README == this file

  private static final Pattern REGION =
      Pattern.compile("(?m)^( *)// region ([a-z-]+)\\n(.*?)^ *// endregion", Pattern.DOTALL);
  private static final Pattern README_BLOCK =
      Pattern.compile("<!-- snippet: ([a-z-]+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void readmeShowsExactlyTheseRegions() throws IOException {
    String source = Files.readString(Path.of("src/test/java/dev/realtime/ReadmeExamplesTest.java"));
    String readme = Files.readString(Path.of("../README.md"));
    Map<String, String> regions = new LinkedHashMap<>();
    Matcher m = REGION.matcher(source);
    while (m.find()) regions.put(m.group(2), dedent(m.group(3)));
    Map<String, String> blocks = new LinkedHashMap<>();
    Matcher b = README_BLOCK.matcher(readme);
    while (b.find()) blocks.put(b.group(1), b.group(2));
    assertThat(regions).hasSizeGreaterThanOrEqualTo(13);
    assertThat(blocks)
        .as("README snippets: run python3 scripts/render-readme.py after changing a region")
        .containsExactlyInAnyOrderEntriesOf(regions);
  }

  /** Like Python's textwrap.dedent, without trailing blank lines (as the README renderer). */
  private static String dedent(String code) {
    List<String> lines = List.of(code.split("\n", -1));
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : lines) out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    return out.toString().stripTrailing() + "\n";
  }
}
