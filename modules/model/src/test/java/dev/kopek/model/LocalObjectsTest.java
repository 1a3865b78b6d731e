package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Records cross the bus as themselves, within the process only. */
class LocalObjectsTest {

  @Test
  void theReceiverGetsTheSendersObject() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      LocalObjects.register(vertx);
      LocalObjects.register(vertx); // a second verticle of the process: no error
      List<String> sent = List.of("a", "b");
      vertx
          .eventBus()
          .consumer("test.local", message -> message.reply(message.body(), LocalObjects.reply()));
      Object received =
          vertx
              .eventBus()
              .request(
                  "test.local",
                  sent,
                  new DeliveryOptions().setLocalOnly(true).setCodecName(LocalObjects.NAME))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .body();
      assertThat(received).isSameAs(sent);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void neverWrittenToTheWire() {
    LocalObjects codec = new LocalObjects();
    assertThatThrownBy(() -> codec.encodeToWire(Buffer.buffer(), "x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.decodeFromWire(0, Buffer.buffer()))
        .isInstanceOf(IllegalStateException.class);
  }
}
