package dev.realtime.server.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A writer that records each line printed to it into a queue, for tests that assert what a running
 * command prints one line at a time, as it prints it.
 */
final class LineQueue extends Writer {
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();

  PrintWriter writer() {
    return new PrintWriter(this, true);
  }

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] == '\n') {
        lines.add(partial.toString());
        partial.setLength(0);
      } else if (buf[i] != '\r') {
        partial.append(buf[i]);
      }
    }
  }

  /** The next line, failing after 10 s. */
  String next() throws InterruptedException {
    String line = lines.poll(10, TimeUnit.SECONDS);
    if (line == null) throw new AssertionError("no line within 10 s");
    return line;
  }

  /** The next line within {@code ms}, or null. */
  String poll(long ms) throws InterruptedException {
    return lines.poll(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
