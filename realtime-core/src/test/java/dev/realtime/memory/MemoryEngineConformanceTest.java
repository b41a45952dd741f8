package dev.realtime.memory;

import dev.realtime.spi.Engine;
import dev.realtime.spi.EngineConformanceTest;

class MemoryEngineConformanceTest extends EngineConformanceTest {
  @Override
  protected Engine newEngine() {
    return MemoryEngine.create();
  }
}
