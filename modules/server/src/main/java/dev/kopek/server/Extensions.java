package dev.kopek.server;

import dev.kopek.client.BillingClient;
import dev.kopek.client.KopekClients;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.extension.ExtensionContext;
import dev.kopek.extension.KopekExtension;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kopek's extensions: those handed to the builder and those in the jars of the plugins directory
 * ({@code extensions.dir}), each jar in a class loader of its own whose parent is Kopek's (so an
 * extension sees Vert.x, the extension API and the typed clients as Kopek has them). Loading or
 * starting one that fails stops start-up, naming it.
 */
final class Extensions {

  static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private static final Logger LOG = LoggerFactory.getLogger(Extensions.class);

  /** An extension and where it came from ("the builder" or its jar), for messages. */
  record Loaded(KopekExtension extension, String origin) {}

  private final List<Loaded> loaded;
  private final List<URLClassLoader> loaders;
  private final List<Started> started = new ArrayList<>();

  private record Started(Loaded loaded, List<String> deployments) {}

  private Extensions(List<Loaded> loaded, List<URLClassLoader> loaders) {
    this.loaded = loaded;
    this.loaders = loaders;
  }

  /**
   * Finds the extensions: {@code given} (the builder's) and those of every jar in {@code
   * extensions.dir}, in the jars' name order.
   *
   * @throws IllegalStateException naming the jar or extension that cannot be loaded
   */
  static Extensions load(JsonObject config, List<KopekExtension> given) {
    List<Loaded> found = new ArrayList<>();
    given.forEach(extension -> found.add(new Loaded(extension, "the builder")));
    List<URLClassLoader> loaders = new ArrayList<>();
    String dir = config.getJsonObject("extensions", new JsonObject()).getString("dir", "");
    if (!dir.isBlank()) {
      for (Path jar : jars(Path.of(dir))) {
        URLClassLoader loader = loader(jar);
        loaders.add(loader);
        found.addAll(fromJar(jar, loader));
      }
    }
    Map<String, Loaded> byId = new LinkedHashMap<>();
    for (Loaded extension : found) {
      String id;
      try {
        id = extension.extension().id();
      } catch (RuntimeException | LinkageError e) {
        throw new IllegalStateException(
            "the extension "
                + className(extension)
                + " in "
                + extension.origin()
                + " has no id: "
                + e,
            e);
      }
      if (id == null || !ID.matcher(id).matches() || "dir".equals(id)) {
        throw new IllegalStateException(
            "the extension "
                + className(extension)
                + " in "
                + extension.origin()
                + " has the id \""
                + id
                + "\": an id is lower-case letters, digits and '-', starting with a letter, at"
                + " most 64 characters, and not \"dir\"");
      }
      Loaded other = byId.putIfAbsent(id, extension);
      if (other != null) {
        throw new IllegalStateException(
            "two extensions have the id "
                + id
                + ": one in "
                + other.origin()
                + ", one in "
                + extension.origin()
                + "; remove one");
      }
    }
    return new Extensions(List.copyOf(byId.values()), loaders);
  }

  private static String className(Loaded extension) {
    return extension.extension().getClass().getName();
  }

  private static List<Path> jars(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "extensions.dir (KOPEK_PLUGINS_DIR): " + dir + " is not a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".jar"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "extensions.dir (KOPEK_PLUGINS_DIR): " + dir + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static URLClassLoader loader(Path jar) {
    try {
      return new URLClassLoader(
          "kopek-extension:" + jar.getFileName(),
          new URL[] {jar.toUri().toURL()},
          Kopek.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalStateException("the extension jar " + jar + " cannot be opened: " + e, e);
    }
  }

  /** The extensions the jar itself registers (not those its parent, Kopek, can see). */
  private static List<Loaded> fromJar(Path jar, URLClassLoader loader) {
    List<Loaded> found = new ArrayList<>();
    try {
      ServiceLoader.load(KopekExtension.class, loader).stream()
          .filter(provider -> provider.type().getClassLoader() == loader)
          .forEach(provider -> found.add(new Loaded(provider.get(), jar.toString())));
    } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
      throw new IllegalStateException(
          "the extension jar " + jar + " cannot be loaded: " + message(e), e);
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "the extension jar "
              + jar
              + " registers no extension (META-INF/services/"
              + KopekExtension.class.getName()
              + "); remove it from extensions.dir");
    }
    return found;
  }

  /** The ids of the extensions, in start order. */
  List<String> ids() {
    return loaded.stream().map(l -> l.extension().id()).toList();
  }

  /**
   * Starts every extension in turn.
   *
   * @throws IllegalStateException naming the extension that failed (the ones started before it are
   *     stopped again)
   */
  void start(Vertx vertx, JsonObject config, KopekClients clients, Duration timeout)
      throws Exception {
    JsonObject sections = config.getJsonObject("extensions", new JsonObject());
    for (Loaded extension : loaded) {
      String id = extension.extension().id();
      Object section = sections.getValue(id);
      if (section != null && !(section instanceof JsonObject)) {
        throw new IllegalArgumentException(
            "extensions." + id + " must be a section (a map of the extension's settings)");
      }
      Context context =
          new Context(
              vertx, section == null ? new JsonObject() : ((JsonObject) section).copy(), clients);
      started.add(new Started(extension, context.deployments));
      Future<?> future;
      try {
        future = extension.extension().start(context);
      } catch (RuntimeException | LinkageError e) {
        future = Future.failedFuture(e);
      }
      try {
        future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Throwable e) {
        throw new IllegalStateException(
            "the extension " + id + " (" + extension.origin() + ") failed to start: " + message(e),
            e);
      }
      LOG.info("Extension {} started ({})", id, extension.origin());
    }
  }

  /** Stops the started extensions, the last first, and undeploys their verticles. */
  void stop(Vertx vertx, Duration timeout) {
    for (int i = started.size() - 1; i >= 0; i--) {
      Started extension = started.get(i);
      String id = extension.loaded().extension().id();
      try {
        extension.loaded().extension().stop().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Throwable e) {
        LOG.warn("Extension {} failed to stop: {}", id, message(e));
      }
      for (String deployment : extension.deployments()) {
        try {
          vertx.undeploy(deployment).await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Throwable e) {
          LOG.warn("Extension {}: undeploying {} failed: {}", id, deployment, message(e));
        }
      }
    }
    started.clear();
    for (URLClassLoader loader : loaders) {
      try {
        loader.close();
      } catch (IOException e) {
        LOG.debug("Closing {} failed", loader.getName(), e);
      }
    }
  }

  private static String message(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof java.util.concurrent.ExecutionException
            || cause instanceof java.lang.reflect.InvocationTargetException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    String text = cause.getMessage();
    return cause.getClass().getSimpleName() + (text == null ? "" : ": " + text);
  }

  /** An extension's view of Kopek. */
  private static final class Context implements ExtensionContext {
    private final Vertx vertx;
    private final JsonObject config;
    private final KopekClients clients;
    private final List<String> deployments = new CopyOnWriteArrayList<>();

    Context(Vertx vertx, JsonObject config, KopekClients clients) {
      this.vertx = vertx;
      this.config = config;
      this.clients = clients;
    }

    @Override
    public Vertx vertx() {
      return vertx;
    }

    @Override
    public JsonObject config() {
      return config.copy();
    }

    @Override
    public LedgerClient ledger() {
      return clients.ledger();
    }

    @Override
    public BillingClient billing() {
      return clients.billing();
    }

    @Override
    public PaymentsClient payments() {
      return clients.payments();
    }

    @Override
    public Future<String> deployVerticle(Deployable verticle, DeploymentOptions options) {
      return vertx.deployVerticle(verticle, options).onSuccess(deployments::add);
    }

    @Override
    public Future<String> deployVerticle(
        Supplier<? extends Deployable> factory, DeploymentOptions options) {
      return vertx.deployVerticle(factory, options).onSuccess(deployments::add);
    }
  }
}
