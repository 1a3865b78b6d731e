package dev.kopek.extension;

import dev.kopek.client.BillingClient;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/** What Kopek gives an extension when it starts it. */
public interface ExtensionContext {

  /** Kopek's Vert.x (clustered when {@code cluster.enabled} is set). */
  Vertx vertx();

  /**
   * The extension's own configuration: the section {@code extensions.<id>} of Kopek's
   * configuration, empty when there is none. A copy: changing it changes nothing in Kopek.
   */
  JsonObject config();

  /** The ledger's typed client, waiting {@code ledger.send_timeout_ms} for each reply. */
  LedgerClient ledger();

  /** Billing's typed client, waiting {@code ledger.send_timeout_ms} for each reply. */
  BillingClient billing();

  /**
   * Payments' typed client, waiting {@code ledger.send_timeout_ms} for each reply; requests that
   * make Kopek call a provider need {@code withTimeout} (see {@link PaymentsClient}).
   */
  PaymentsClient payments();

  /**
   * Deploys a verticle (a {@code VerticleBase}) of the extension; Kopek undeploys it when it stops,
   * after the extension's {@link KopekExtension#stop} and before its own verticles.
   *
   * @return the deployment's id
   */
  Future<String> deployVerticle(Deployable verticle, DeploymentOptions options);

  /**
   * Deploys {@code options.getInstances()} instances of a verticle, each made by {@code factory}.
   */
  Future<String> deployVerticle(Supplier<? extends Deployable> factory, DeploymentOptions options);
}
