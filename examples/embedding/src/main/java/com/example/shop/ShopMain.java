package com.example.shop;

import dev.kopek.extension.ExtensionContext;
import dev.kopek.extension.KopekExtension;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.server.Kopek;
import dev.kopek.server.KopekConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

/**
 * A shop's own program with Kopek inside: the configuration is read as {@code java -jar kopek.jar}
 * reads it (defaults, {@code KOPEK_CONFIG} or {@code config/kopek.yaml}, {@code KOPEK_*}), and the
 * shop's code runs as an extension beside Kopek's verticles.
 */
public final class ShopMain {

  private ShopMain() {}

  public static void main(String[] args) throws Exception {
    Kopek kopek = Kopek.builder().config(KopekConfig.load()).extension(new Shop()).start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    kopek.stop();
                  } catch (Exception e) {
                    LoggerFactory.getLogger(ShopMain.class).error("Stopping Kopek failed", e);
                  }
                }));
  }

  /** The shop: it follows every entry Kopek posts. */
  static final class Shop implements KopekExtension {
    @Override
    public String id() {
      return "shop";
    }

    @Override
    public Future<?> start(ExtensionContext context) {
      return context
          .vertx()
          .eventBus()
          .<JsonObject>consumer(
              LedgerAddresses.POSTED,
              fact ->
                  LoggerFactory.getLogger(Shop.class)
                      .info("shop saw entry {}", fact.body().getLong("id")))
          .completion();
    }
  }
}
