package dev.realtime.redis;

import dev.realtime.spi.Engine;
import dev.realtime.spi.EngineConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The engine conformance suite, against a real redis-server of this test's own. */
class RedisEngineConformanceTest extends EngineConformanceTest {
  static RedisServer server;

  @BeforeAll
  static void startServer() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected Engine newEngine() {
    return RedisEngine.connect(server.uri());
  }
}
