package dev.realtime.spi;

import java.util.List;

/** The entries a {@link Range} selected, oldest first, and the log's state at that moment. */
public record ReadResult(List<LogEntry> entries, LogState state) {}
