package dev.realtime.server.api;

import dev.realtime.Channel;
import dev.realtime.HistoryPage;
import dev.realtime.HistoryQuery;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.JsonText;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One history request's answer, read from the engine and sent page by page, so that a request holds
 * its first read or about two pages whatever it asks for: a thousand entries of a megabyte each
 * would otherwise sit in memory whole (and the answer made of them beside them) for as long as the
 * client takes to read it.
 *
 * <p>An answer of at most {@value #FIRST_PAGE} entries is whole after the first read (of one more
 * than that, to know) and goes out as one response with a {@code Content-Length}. A longer one is
 * chunked: each later page is read once the one before has gone to the socket (a slow client slows
 * its own reads, and one that stops reading is let go by the connection's idle timeout), and is
 * sized at about {@value #PAGE_BYTES} bytes from the entries seen so far. Pages are read {@link
 * HistoryQuery#after after} the last id read, so none is missed or repeated however many share a
 * millisecond. So a request holds at most its first read ({@value #FIRST_PAGE} + 1 entries, up to
 * that many times the largest payload) and later about two pages.
 *
 * <p>The newest entries ({@code latest=true}) are sent oldest first, so after a first read of the
 * newest ones that was not the whole answer, pages are read backwards to find where the answer
 * starts (their data thrown away), and then forwards again from there through the newest: such an
 * answer reads its entries about twice, in exchange for holding only pages.
 *
 * <p>Entries that do not fit the schema are left out and do not count: the answer holds {@code
 * limit} entries unless its bounds hold fewer, so a client paging with {@code after} stops at an
 * empty answer only at the end (a single read, {@link HistoryPage}, counts them).
 *
 * <p>The head goes out with the first entries: an engine that fails before is answered with its
 * status (503); one that fails later cuts the connection without the answer's end, so the client
 * sees an answer cut short, never a JSON array that looks whole.
 */
final class HistoryAnswer {
  private static final Logger log = LoggerFactory.getLogger(HistoryAnswer.class);
  private static final String JSON = "application/json; charset=utf-8";

  /** Entries an answer sent whole may have at most: most answers, after one read. */
  static final int FIRST_PAGE = 64;

  /** What a later page aims at, in bytes of entries. */
  static final long PAGE_BYTES = 1 << 20;

  /** Data at least this long goes out from where the entry holds it, not copied. */
  static final int WRAP_AT = 8192;

  private final Exchange x;
  private final Channel channel;
  private final HistoryQuery query;
  private long bytesSeen; // the entries read so far, for the size of the next page
  private long entriesSeen;
  private boolean started; // the answer's head is out: a failure can only cut it
  private boolean opened; // the array's '[' is written
  private boolean any; // an entry is written: the next one needs a ','

  HistoryAnswer(Exchange x, Channel channel, HistoryQuery query) {
    this.x = x;
    this.channel = channel;
    this.query = query;
  }

  void start() {
    try {
      int limit = Math.min(query.limit(), FIRST_PAGE + 1); // one more: is there more than 64?
      read(query.withLimit(limit), page -> firstRead(page, limit));
    } catch (RuntimeException e) { // a Realtime closed, say
      x.fail(e);
    }
  }

  private void firstRead(HistoryPage page, int asked) {
    int kept = page.entries().size();
    if (page.read() < asked || kept == query.limit()) {
      x.send(200, JSON, json(page.entries(), true)); // the whole answer
    } else if (x.isHead()) {
      startPieces(); // only the head: what it would say is known without reading the rest
      x.end(Unpooled.EMPTY_BUFFER);
    } else if (!query.isLatest()) {
      send(page.entries(), () -> forward(query, page.lastRead(), query.limit() - kept));
    } else {
      back(page.firstRead(), page.lastRead(), kept);
    }
  }

  /**
   * For the newest entries: reads backwards from {@code before}, counting, to find the first entry
   * of the answer, then sends forwards from it through {@code newest}, the newest entry read first.
   * (The first read's entries are read again rather than held: they may be 64 large ones.)
   */
  private void back(String before, String newest, int counted) {
    int limit = pageLimit(query.limit() - counted);
    read(
        query.withLimit(limit).before(before),
        page -> {
          int total = counted + page.entries().size();
          if (page.read() == limit && total < query.limit()) {
            back(page.firstRead(), newest, total);
            return;
          }
          String first = page.read() == 0 ? before : page.firstRead();
          HistoryQuery from =
              HistoryQuery.limit(1).after(EntryId.parse(first).predecessor().toString());
          EntryId last = EntryId.parse(newest);
          // Through the newest: before the one after it (none is after the last possible id).
          forward(
              last.equals(EntryId.MAX) ? from : from.before(last.successor().toString()),
              null,
              total);
        });
  }

  /**
   * Reads and sends up to {@code rest} entries within {@code bounds} after {@code after} (when not
   * null), page by page, then the array's end. Each page asks for at most {@code rest}: more than
   * that many cannot be sent.
   */
  private void forward(HistoryQuery bounds, String after, int rest) {
    if (rest == 0) {
      finish();
      return;
    }
    int limit = pageLimit(rest);
    HistoryQuery q = bounds.withLimit(limit);
    read(
        after == null ? q : q.after(after),
        page -> {
          int left = rest - page.entries().size();
          boolean done = page.read() < limit || left == 0;
          send(
              page.entries(),
              () -> {
                if (done) finish();
                else forward(bounds, page.lastRead(), left);
              });
        });
  }

  private void finish() {
    if (started) x.end(json(List.of(), true));
    else x.send(200, JSON, json(List.of(), true)); // every entry read was left out
  }

  private void startPieces() {
    started = true;
    x.startPieces(200, JSON);
  }

  /**
   * Sends {@code entries} (the answer's head first, with the first of them: until then a failure
   * can still be answered with its status), then runs {@code next} once the socket took them.
   */
  private void send(List<LogEntry> entries, Runnable next) {
    if (entries.isEmpty()) {
      next.run();
      return;
    }
    if (!started) startPieces();
    x.piece(json(entries, false))
        .addListener(
            f -> {
              // Not sent: the connection is gone or going (its client left, or stopped reading).
              if (!f.isSuccess() || !x.ctx().channel().isActive()) return;
              try {
                next.run();
              } catch (RuntimeException | Error e) {
                failed(e); // a Realtime closed meanwhile, say: never an answer left hanging
                if (e instanceof Error fatal) throw fatal;
              }
            });
  }

  /** How many entries the next page asks for: about {@link #PAGE_BYTES}, at most {@code rest}. */
  private int pageLimit(int rest) {
    long average = entriesSeen == 0 ? 1024 : Math.max(1, bytesSeen / entriesSeen);
    return (int) Math.max(1, Math.min(rest, PAGE_BYTES / average));
  }

  /**
   * Reads a page and goes on with it on the connection's event loop (never nested in the read: an
   * engine that answers at once would otherwise stack a page's call on the one before).
   */
  private void read(HistoryQuery q, Consumer<HistoryPage> then) {
    channel
        .historyPageAsync(q)
        .whenComplete(
            (page, error) -> {
              try {
                x.ctx()
                    .executor()
                    .execute(
                        () -> {
                          if (!x.ctx().channel().isActive()) return; // the client left
                          try {
                            if (error != null) failed(error);
                            else {
                              seen(page.entries());
                              then.accept(page);
                            }
                          } catch (RuntimeException | Error e) {
                            failed(e); // out of memory too: the answer ends, never hangs
                            if (e instanceof Error fatal) throw fatal;
                          }
                        });
              } catch (RejectedExecutionException loopGone) {
                // the server is stopping, and the connection with it
              }
            });
  }

  private void failed(Throwable error) {
    if (!started) {
      x.fail(error);
      return;
    }
    log.warn(
        "history of {} failed halfway through its answer ({}); the answer is cut short",
        channel.name(),
        Exchange.message(Exchange.unwrap(error)));
    x.abort();
  }

  private void seen(List<LogEntry> entries) {
    for (LogEntry e : entries) bytesSeen += e.data().size() + 64 + e.event().length();
    entriesSeen += entries.size();
  }

  /**
   * {@code entries} as the JSON array's next members ({@code {"id","event","channel","data"}}, each
   * {@code data} the stored JSON byte for byte, as the event stream sends it), after the array's
   * {@code [} if not written yet, and with its {@code ]} when {@code closes}. Large data is not
   * copied: the buffer points at it.
   */
  private ByteBuf json(List<LogEntry> entries, boolean closes) {
    CompositeByteBuf pieces = null;
    ByteBuf small = Unpooled.buffer(64 + 128 * Math.min(entries.size(), 256));
    if (!opened) {
      small.writeByte('[');
      opened = true;
    }
    for (LogEntry e : entries) {
      if (any) small.writeByte(',');
      any = true;
      small.writeCharSequence(
          "{\"id\":"
              + JsonText.quote(e.idText())
              + ",\"event\":"
              + JsonText.quote(e.event())
              + ",\"channel\":"
              + JsonText.quote(e.channel())
              + ",\"data\":",
          StandardCharsets.UTF_8);
      byte[] data = e.data().json();
      if (data.length < WRAP_AT) {
        small.writeBytes(data);
      } else {
        if (pieces == null) pieces = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        pieces.addComponent(true, small).addComponent(true, Unpooled.wrappedBuffer(data));
        small = Unpooled.buffer(256);
      }
      small.writeByte('}');
    }
    if (closes) small.writeByte(']');
    if (pieces == null) return small;
    return pieces.addComponent(true, small);
  }
}
