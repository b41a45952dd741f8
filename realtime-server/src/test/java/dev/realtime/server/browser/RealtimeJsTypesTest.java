package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.realtime.redis.NodeProject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The client's TypeScript declarations ({@code clients/realtime-js/realtime.d.ts}) compile under
 * {@code tsc --strict} against {@code types-test.ts}: the documented usage type-checks, with a
 * typed event map narrowing {@code onData}'s data, and each mistake marked {@code @ts-expect-error}
 * (an unknown event, a wrong data field, a status that does not exist, an emit without an event)
 * really is an error. The same check as the package's {@code npm test}.
 */
class RealtimeJsTypesTest {
  @Test
  void theDeclarationsAcceptTheDocumentedUsageAndRefuseMistakes() throws Exception {
    NodeProject client =
        NodeProject.locate(
                "RealtimeJsTypesTest",
                "types-test.ts",
                "../clients/realtime-js",
                "clients/realtime-js")
            .install();
    assertThatCode(
            () ->
                client.run(
                    Duration.ofMinutes(2),
                    "node",
                    "node_modules/typescript/bin/tsc",
                    "-p",
                    "tsconfig.json"))
        .doesNotThrowAnyException();
  }
}
