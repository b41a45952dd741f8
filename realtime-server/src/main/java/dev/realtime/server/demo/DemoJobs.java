package dev.realtime.server.demo;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.HttpError;
import dev.realtime.server.http.JsonText;
import dev.realtime.server.metrics.ServerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /demo/jobs}: the seed page's long-running task, run on the server for the job
 * progress page. It answers {@code 201 {"job", "channel"}} once {@code job.started} is stored, then
 * a virtual thread emits {@code job.progress} {@code {"progress": n}} in steps and {@code
 * job.completed} on the job's channel, {@code job-<id>}. A page that subscribes to that channel
 * with history misses none of it, however late it subscribes.
 *
 * <p>The body may set {@code {"steps": 1..100, "stepMs": 20..10000}} (10 steps of 400 ms by
 * default), {@code steps * stepMs} at most a minute. With a secret, the token must grant publishing
 * to the job's channel. Since anyone who can reach a demo can start jobs, at most {@link
 * #MAX_RUNNING} run at once and at most {@link #STARTS_PER_SECOND} admitted requests start per
 * second (429 beyond). A job's channel keeps its history for {@link #JOB_HISTORY} (ten minutes
 * after its last event, then it is gone, in memory and in Redis alike), so the demo's memory stays
 * bounded however many jobs are started: at most about 10 jobs a second of 102 events each for ten
 * minutes. A production server still turns the demo off ({@code pages: false}).
 */
public final class DemoJobs implements AutoCloseable {
  static final int MAX_RUNNING = 64;
  static final int STARTS_PER_SECOND = 10;
  static final int MIN_STEP_MS = 20;
  static final int DEFAULT_STEPS = 10;
  static final int DEFAULT_STEP_MS = 400;
  static final int MAX_JOB_MS = 60_000;
  static final int MAX_STEPS = 100;

  /** What a job's channel keeps: all of a job's events, until ten minutes after the last. */
  static final History JOB_HISTORY =
      History.maxLength(MAX_STEPS + 2).expireAfter(Duration.ofMinutes(10));

  private static final Logger log = LoggerFactory.getLogger(DemoJobs.class);

  private final Realtime realtime;
  private final Gatekeeper gate;
  private final ServerMetrics metrics;
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();
  private final Semaphore slots = new Semaphore(MAX_RUNNING);
  private long windowStart; // guarded by this: the second the start count is for
  private int startsInWindow; // guarded by this
  private volatile boolean closed;

  public DemoJobs(Realtime realtime, Gatekeeper gate, ServerMetrics metrics) {
    this.realtime = realtime;
    this.gate = gate;
    this.metrics = metrics;
  }

  public void start(Exchange x) {
    int[] plan = plan(x);
    String job = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
    String channel = "job-" + job;
    AtomicBoolean slot = new AtomicBoolean();
    gate.admit(x.presented(), Action.PUBLISH, List.of(channel))
        .thenCompose(
            allowed -> {
              // Counted once admitted: requests without a valid token spend nobody's budget.
              if (!startAllowed()) {
                throw new HttpError(
                    429,
                    "demo jobs start at most "
                        + STARTS_PER_SECOND
                        + " a second: try again in a second");
              }
              // Taken before the emit, so concurrent requests cannot overshoot.
              if (!slots.tryAcquire()) {
                throw new HttpError(
                    429, MAX_RUNNING + " demo jobs are running: start one when one is done");
              }
              slot.set(true);
              return realtime.channel(channel, JOB_HISTORY).emitAsync("job.started", progress(0));
            })
        .whenComplete(
            (id, error) -> {
              if (error != null) {
                if (slot.get()) slots.release();
                x.fail(error);
                return;
              }
              metrics.emitted(1);
              run(channel, plan[0], plan[1]);
              x.json(
                  201,
                  ("{\"job\":"
                          + JsonText.quote(job)
                          + ",\"channel\":"
                          + JsonText.quote(channel)
                          + "}")
                      .getBytes(StandardCharsets.UTF_8));
            });
  }

  private synchronized boolean startAllowed() {
    long second = System.nanoTime() / 1_000_000_000L;
    if (second != windowStart) {
      windowStart = second;
      startsInWindow = 0;
    }
    return ++startsInWindow <= STARTS_PER_SECOND;
  }

  private void run(String channel, int steps, int stepMs) {
    if (closed) {
      slots.release();
      return;
    }
    Thread t =
        Thread.ofVirtual()
            .name("demo-" + channel)
            .unstarted(
                () -> {
                  try {
                    for (int i = 1; i <= steps; i++) {
                      Thread.sleep(stepMs);
                      emit(channel, "job.progress", i * 100 / steps);
                    }
                    emit(channel, "job.completed", 100);
                  } catch (InterruptedException e) {
                    // the server is shutting down
                  } catch (RuntimeException e) {
                    log.debug("demo job on {} stopped: {}", channel, e.toString());
                  } finally {
                    running.remove(Thread.currentThread());
                    slots.release();
                  }
                });
    running.add(t);
    t.start();
  }

  private void emit(String channel, String event, int progress) {
    realtime.channel(channel, JOB_HISTORY).emit(event, progress(progress));
    metrics.emitted(1);
  }

  private static Map<String, Integer> progress(int percent) {
    return Map.of("progress", percent);
  }

  /** {@code [steps, stepMs]} from the body, which may be empty. */
  private static int[] plan(Exchange x) {
    String text = x.request().content().toString(StandardCharsets.UTF_8);
    if (text.isBlank()) return new int[] {DEFAULT_STEPS, DEFAULT_STEP_MS};
    JsonNode body;
    try {
      body = JsonText.MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw HttpError.badRequest(
          "the body is not JSON (" + e.getOriginalMessage() + "): send {} or {\"steps\": 10}");
    }
    int steps = number(body, "steps", 1, MAX_STEPS, DEFAULT_STEPS);
    int stepMs = number(body, "stepMs", MIN_STEP_MS, 10_000, DEFAULT_STEP_MS);
    if ((long) steps * stepMs > MAX_JOB_MS) {
      // One client could otherwise hold every slot for 1,000 s.
      throw HttpError.badRequest(
          "a demo job lasts at most "
              + MAX_JOB_MS / 1000
              + " s: steps "
              + steps
              + " x stepMs "
              + stepMs
              + " is "
              + (long) steps * stepMs
              + " ms");
    }
    return new int[] {steps, stepMs};
  }

  private static int number(JsonNode body, String name, int min, int max, int fallback) {
    JsonNode n = body == null ? null : body.get(name);
    if (n == null || n.isNull()) return fallback;
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
      throw HttpError.badRequest(
          name + " " + n + " is not a whole number from " + min + " to " + max);
    }
    return n.asInt();
  }

  /** Stops the running jobs (on server shutdown). */
  @Override
  public void close() {
    closed = true;
    running.forEach(Thread::interrupt);
  }
}
