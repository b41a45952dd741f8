package dev.realtime;

import dev.realtime.spi.LogEntry;
import java.util.List;

/**
 * One read of a channel's history as stored, for a transport that passes the entries on: the
 * server's history endpoint sends a long answer page by page, each page asked for {@link
 * HistoryQuery#after(String) after} the last. Entries that do not fit the schema are left out (and
 * reported to the error hook) but still count as read, so paging neither stops early nor reads them
 * again.
 *
 * @param entries the entries read that fit the schema, oldest first, their data the JSON exactly as
 *     written
 * @param read how many entries the read took from the log, left-out ones included: fewer than the
 *     query's limit means the log held no more that match
 * @param firstRead the id of the oldest entry read (kept or not), or null when none was
 * @param lastRead the id of the newest entry read (kept or not), or null when none was
 */
public record HistoryPage(List<LogEntry> entries, int read, String firstRead, String lastRead) {
  public HistoryPage {
    entries = List.copyOf(entries);
    if (read < entries.size()) throw new IllegalArgumentException("read < entries.size()");
  }
}
