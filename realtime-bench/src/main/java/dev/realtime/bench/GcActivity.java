package dev.realtime.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.StringJoiner;

/**
 * What the garbage collectors did during a run, per collector as the JVM names them (for G1, "G1
 * Young Generation" counts stop-the-world young pauses; for ZGC, the "Pauses" beans count pauses
 * and the "Cycles" beans concurrent work). Printed with latency figures because on this machine GC
 * pauses are what the tail latency is made of.
 */
final class GcActivity {
  private final List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
  private final long[] counts;
  private final long[] millis;

  private GcActivity() {
    counts = new long[beans.size()];
    millis = new long[beans.size()];
    for (int i = 0; i < beans.size(); i++) {
      counts[i] = beans.get(i).getCollectionCount();
      millis[i] = beans.get(i).getCollectionTime();
    }
  }

  static GcActivity start() {
    return new GcActivity();
  }

  /** A JSON object: {"collector name": {"count": n, "ms": t}, ...} since {@link #start()}. */
  String sinceStart() {
    StringJoiner json = new StringJoiner(",", "{", "}");
    for (int i = 0; i < beans.size(); i++) {
      GarbageCollectorMXBean bean = beans.get(i);
      json.add(
          "\"%s\":{\"count\":%d,\"ms\":%d}"
              .formatted(
                  bean.getName(),
                  bean.getCollectionCount() - counts[i],
                  bean.getCollectionTime() - millis[i]));
    }
    return json.toString();
  }
}
