/**
 * Realtime messaging: the API ({@code dev.realtime}), the engine SPI ({@code dev.realtime.spi}) and
 * the embedded in-memory engine ({@code dev.realtime.memory}). Everything under {@code
 * dev.realtime.internal} is implementation and not exported.
 *
 * <p>Event types are bound by Jackson through reflection: a modular application opens the packages
 * of its event records to {@code tools.jackson.databind}.
 */
module dev.realtime.core {
  requires transitive tools.jackson.databind;
  requires com.networknt.schema;
  requires org.slf4j;

  exports dev.realtime;
  exports dev.realtime.spi;
  exports dev.realtime.memory;
}
