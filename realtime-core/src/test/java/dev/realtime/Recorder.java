package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records a subscription's callbacks into queues so tests can take them one by one (OkHttp's
 * recorder idea).
 */
public final class Recorder<T> {
  public final BlockingQueue<Message<T>> messages = new LinkedBlockingQueue<>();
  public final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
  public final BlockingQueue<Gap> gaps = new LinkedBlockingQueue<>();

  public Subscribe<T> attach(Subscribe<T> request) {
    return request.onData(messages::add).onError(errors::add);
  }

  public Subscribe<T> attachWithGaps(Subscribe<T> request) {
    return attach(request).onGap(gaps::add);
  }

  public Message<T> next() {
    return next(Duration.ofSeconds(5));
  }

  public Message<T> next(Duration timeout) {
    try {
      Message<T> m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a message within " + timeout).isNotNull();
      return m;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  public List<Message<T>> next(int n) {
    List<Message<T>> list = new ArrayList<>();
    for (int i = 0; i < n; i++) list.add(next());
    return list;
  }

  public Throwable nextError() {
    try {
      Throwable t = errors.poll(5, TimeUnit.SECONDS);
      assertThat(t).as("an error within 5 s").isNotNull();
      return t;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  public Gap nextGap() {
    try {
      Gap g = gaps.poll(5, TimeUnit.SECONDS);
      assertThat(g).as("a gap within 5 s").isNotNull();
      return g;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Asserts nothing more arrives within {@code quiet}. */
  public void assertQuiet(Duration quiet) {
    try {
      Message<T> m = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("no further message").isNull();
      assertThat(errors).as("no error").isEmpty();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
