package dev.kopek.extension;

import io.vertx.core.Future;

/**
 * An extension of Kopek: code of yours that runs in Kopek's Vert.x, beside its ledger, billing and
 * payments, and reaches them through typed clients over the event bus.
 *
 * <p>Register the implementation for {@link java.util.ServiceLoader} in {@code
 * META-INF/services/dev.kopek.extension.KopekExtension} of your jar and drop the jar into Kopek's
 * plugins directory ({@code extensions.dir}, {@code KOPEK_PLUGINS_DIR}); or hand an instance to
 * {@code Kopek.builder().extension(...)} when you embed Kopek. Kopek starts extensions after its
 * own verticles, before it reports that it is serving; one that fails to load or to start stops
 * Kopek's start-up, naming it.
 *
 * <p>An implementation needs a public no-argument constructor (ServiceLoader creates it).
 */
public interface KopekExtension {

  /**
   * The extension's id: lower-case letters, digits and '-', starting with a letter, at most 64
   * characters. It names the extension's configuration section ({@code extensions.<id>}) and the
   * extension in Kopek's log.
   */
  String id();

  /**
   * Starts the extension: deploy its verticles through {@link ExtensionContext#deployVerticle},
   * which Kopek undeploys when it stops.
   *
   * @return completes when the extension is ready; a failure stops Kopek's start-up
   */
  Future<?> start(ExtensionContext context);

  /**
   * Called when Kopek stops, before the verticles deployed through the context are undeployed and
   * while the ledger, billing and payments still serve. Nothing by default.
   */
  default Future<?> stop() {
    return Future.succeededFuture();
  }
}
