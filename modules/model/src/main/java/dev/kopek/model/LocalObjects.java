package dev.kopek.model;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;

/**
 * The event-bus codec of immutable records sent between verticles of one process: the receiver gets
 * the sender's object itself, where a {@code JsonObject} would be written by the sender, copied by
 * the bus and read back by the receiver. Only a request sent {@linkplain
 * DeliveryOptions#setLocalOnly local only} may use it, and its reply: such a message never leaves
 * the process, and the codec refuses to write one to the wire. The documented JSON bodies (the
 * cluster's, sibling verticles') are unchanged; a capability serves both.
 */
public final class LocalObjects implements MessageCodec<Object, Object> {

  /** The codec's name on the event bus. */
  public static final String NAME = "kopek.local";

  LocalObjects() {}

  /** Registers the codec on {@code vertx}'s event bus, once. */
  public static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new LocalObjects());
    } catch (IllegalStateException alreadyRegistered) {
      // Another verticle of this process registered it first.
    }
  }

  /** Options of a reply carrying a record of this codec. */
  public static DeliveryOptions reply() {
    return new DeliveryOptions().setCodecName(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, Object value) {
    throw new IllegalStateException(
        "a " + value.getClass().getSimpleName() + " sent with " + NAME + " left its process");
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    throw new IllegalStateException(NAME + " messages never come from the wire");
  }

  @Override
  public Object transform(Object value) {
    return value;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
