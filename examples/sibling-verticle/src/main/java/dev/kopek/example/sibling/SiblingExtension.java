package dev.kopek.example.sibling;

import dev.kopek.extension.ExtensionContext;
import dev.kopek.extension.KopekExtension;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;

/**
 * The sibling verticle as an extension of Kopek: drop {@code sibling-verticle.jar} into Kopek's
 * plugins directory ({@code extensions.dir}, {@code KOPEK_PLUGINS_DIR}) and Kopek deploys it with
 * its typed ledger client.
 */
public final class SiblingExtension implements KopekExtension {

  @Override
  public String id() {
    return "sibling-verticle";
  }

  @Override
  public Future<?> start(ExtensionContext context) {
    return context.deployVerticle(
        new SiblingVerticle(context.ledger()), new DeploymentOptions().setConfig(context.config()));
  }
}
