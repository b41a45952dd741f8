package dev.realtime.server.api;

import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /healthz}: 200 when the engine answers a read within two seconds, else 503 with why.
 * Load balancers take a server out of rotation on the 503.
 */
public final class HealthEndpoint {
  static final String PROBE_CHANNEL = "realtime:healthz";

  private final Realtime realtime;

  public HealthEndpoint(Realtime realtime) {
    this.realtime = realtime;
  }

  public void handle(Exchange x) {
    CompletableFuture<?> probe;
    try {
      probe = realtime.channel(PROBE_CHANNEL).historyAsync(HistoryQuery.latest(1));
    } catch (RuntimeException e) { // the Realtime is closed, say: the same answer as an outage
      probe = CompletableFuture.failedFuture(e);
    }
    probe
        .orTimeout(2, TimeUnit.SECONDS)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                x.json(
                    200,
                    "{\"status\":\"ok\",\"engine\":\"reachable\"}"
                        .getBytes(StandardCharsets.UTF_8));
              } else {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                x.metrics().rejected();
                x.json(
                    503,
                    ("{\"status\":\"unavailable\",\"engine\":\"unreachable\",\"error\":"
                            + JsonText.quote(why)
                            + "}")
                        .getBytes(StandardCharsets.UTF_8));
              }
            });
  }
}
