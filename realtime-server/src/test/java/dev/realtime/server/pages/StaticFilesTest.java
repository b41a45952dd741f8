package dev.realtime.server.pages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /realtime.js} is the client of {@code clients/realtime-js}, byte for byte, with an ETag;
 * the pages are served with a strict policy; with {@code pages} off only the client and {@code
 * /stats} remain.
 */
class StaticFilesTest {
  /** Anything that would load from elsewhere: the machine the pages run on may be offline. */
  static final String EXTERNAL =
      "(src|href)=\"(https?:)?//|url\\((https?:)?//|@import|from \"https?:";

  final Realtime realtime = Realtime.create();
  RealtimeServer server = start(true);

  RealtimeServer start(boolean pages) {
    return RealtimeServer.builder(realtime)
        .config(ServerConfig.builder().port(0).pages(pages).build())
        .start();
  }

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void servesTheClientFromItsOneSourceWithAnEtag() throws Exception {
    Answer js = HttpCalls.get(server.url() + "/realtime.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.body())
        .isEqualTo(Files.readString(Path.of("../clients/realtime-js/realtime.js")))
        .contains("export function connect");
    var headers = js.response().headers();
    assertThat(headers.firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
    assertThat(headers.firstValue("cache-control")).hasValue("no-cache");
    assertThat(headers.firstValue("access-control-allow-origin")).hasValue("*");
    String etag = headers.firstValue("etag").orElseThrow();
    assertThat(etag).matches("\"[0-9a-f]{24}\"");

    Answer again = HttpCalls.get(server.url() + "/realtime.js", Map.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(again.response().headers().firstValue("etag")).hasValue(etag);
    // The length it has is the 200's, never 0 (RFC 9110, 8.6), and the connection goes on.
    assertThat(again.response().headers().firstValue("content-length"))
        .hasValue(String.valueOf(js.body().getBytes(StandardCharsets.UTF_8).length));
    assertThat(HttpCalls.get(server.url() + "/healthz").status()).isEqualTo(200);
  }

  @Test
  void servesThePagesAndTheirAssets() {
    for (String page : new String[] {"/", "/chat", "/jobs", "/dashboard"}) {
      Answer a = HttpCalls.get(server.url() + page);
      assertThat(a.status()).as(page).isEqualTo(200);
      assertThat(a.body())
          .as(page)
          .startsWith("<!doctype html>")
          .doesNotContain("http://", "https://");
      var h = a.response().headers();
      assertThat(h.firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(h.firstValue("content-security-policy").orElseThrow())
          .contains("default-src 'self'");
      assertThat(h.firstValue("referrer-policy")).hasValue("no-referrer");
    }
    assertThat(HttpCalls.get(server.url() + "/").body())
        .contains("href=\"/chat\"", "href=\"/jobs\"", "href=\"/dashboard\"");
    for (String asset : StaticFiles.ASSETS) {
      Answer a = HttpCalls.get(server.url() + "/assets/" + asset);
      assertThat(a.status()).as(asset).isEqualTo(200);
      assertThat(a.body()).as(asset).doesNotContainPattern(EXTERNAL);
    }
    assertThat(
            HttpCalls.get(server.url() + "/assets/style.css")
                .response()
                .headers()
                .firstValue("content-type"))
        .hasValue("text/css; charset=utf-8");
    assertThat(HttpCalls.post(server.url() + "/chat", "{}").status()).isEqualTo(405);
    assertThat(HttpCalls.get(server.url() + "/assets/nothing.js").status()).isEqualTo(404);
  }

  @Test
  void withPagesOffOnlyTheClientAndStatsRemain() {
    server.close();
    server = start(false);
    for (String page : new String[] {"/", "/chat", "/jobs", "/dashboard", "/assets/style.css"}) {
      Answer a = HttpCalls.get(server.url() + page);
      assertThat(a.status()).as(page).isEqualTo(404);
      assertThat(a.error()).contains("GET /realtime.js").doesNotContain("POST /demo/jobs");
    }
    assertThat(HttpCalls.post(server.url() + "/demo/jobs", "{}").status()).isEqualTo(404);
    assertThat(HttpCalls.get(server.url() + "/realtime.js").status()).isEqualTo(200);
    assertThat(HttpCalls.get(server.url() + "/stats").status()).isEqualTo(200);
  }

  @Test
  void theNotFoundMessageListsTheApiAndThePages() {
    Answer a = HttpCalls.get(server.url() + "/nope");
    assertThat(a.status()).isEqualTo(404);
    assertThat(a.error())
        .contains(
            "GET /api/realtime", "GET /stats", "GET /realtime.js", "/chat", "POST /demo/jobs");
  }
}
