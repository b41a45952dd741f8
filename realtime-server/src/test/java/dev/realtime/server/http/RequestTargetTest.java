package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the router reads request targets before routing them. */
class RequestTargetTest {
  @Test
  void anAbsoluteFormTargetIsItsPathAndQuery() {
    assertThat(Router.originForm("/api/realtime?channel=a")).isEqualTo("/api/realtime?channel=a");
    assertThat(Router.originForm("http://h:8080/api/realtime?x=1")).isEqualTo("/api/realtime?x=1");
    assertThat(Router.originForm("HTTPS://[::1]:8080/healthz")).isEqualTo("/healthz");
    assertThat(Router.originForm("http://h:1?x=1")).isEqualTo("/?x=1");
    assertThat(Router.originForm("http://h")).isEqualTo("/");
    assertThat(Router.originForm("*")).isEqualTo("*");
    assertThat(Router.originForm("/a?next=http://b/c")).isEqualTo("/a?next=http://b/c");
  }

  @Test
  void aTargetMustBeAsciiAndItsEscapesUtf8() {
    assertThat(Router.notAsciiOrNotUtf8("/api/realtime/channels/caf%C3%A9/events")).isNull();
    assertThat(Router.notAsciiOrNotUtf8("/a+b/%2F/%25/*/{x}|^")).isNull();
    assertThat(Router.notAsciiOrNotUtf8("/%C3")).contains("not UTF-8");
    assertThat(Router.notAsciiOrNotUtf8("/%ED%A0%80")).contains("not UTF-8"); // a surrogate
    assertThat(Router.notAsciiOrNotUtf8("/caf\u00e9")).contains("not printable ASCII (U+00E9");
    assertThat(Router.notAsciiOrNotUtf8("/%zz")).isNull(); // the decoder names that one
  }
}
