package dev.kopek.server;

import dev.kopek.access.AccessVerticle;
import dev.kopek.billing.BillingVerticle;
import dev.kopek.client.KopekClients;
import dev.kopek.events.EventsVerticle;
import dev.kopek.extension.KopekExtension;
import dev.kopek.http.HttpConfig;
import dev.kopek.http.HttpTls;
import dev.kopek.http.HttpVerticle;
import dev.kopek.http.TokenKeys;
import dev.kopek.ledger.LedgerConfig;
import dev.kopek.ledger.LedgerVerticle;
import dev.kopek.payments.PaymentsVerticle;
import dev.kopek.storage.EmbeddedPostgresServer;
import dev.kopek.storage.Migrations;
import dev.kopek.storage.PostgresEndpoint;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Kopek: its database (embedded or external, migrated), its Vert.x (clustered with
 * {@code cluster.enabled}), its verticles and its extensions. {@code main} starts one; a program of
 * yours embeds one with {@link #builder()}:
 *
 * <pre>{@code
 * Kopek kopek = Kopek.builder().config(KopekConfig.load()).extension(new MyExtension()).start();
 * kopek.clients().ledger().post(...);
 * kopek.stop();
 * }</pre>
 *
 * {@link Builder#start} and {@link #stop} block.
 */
public final class Kopek {

  static {
    // Before the first logger: embedded, Kopek logs as kopek.jar does.
    Logging.configure();
  }

  /** The database the embedded server keeps Kopek's tables in. */
  static final String EMBEDDED_DATABASE = "kopek";

  /** How long deployment may take before start-up is declared failed. */
  private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);

  /** The verticles deployed once each: ledger, payments, billing, events, access. */
  private static final int SINGLE_VERTICLES = 5;

  private static final Logger LOG = LoggerFactory.getLogger(Kopek.class);

  /** How long requests of connections accepted just before the listener closed get to arrive. */
  private static final long LATE_REQUEST_MS = 200;

  private final Vertx vertx;
  private final EmbeddedPostgresServer embedded;

  /** The HTTP verticle instances, one per event loop, sharing one port. */
  private final List<HttpVerticle> http;

  private final String httpDeployment;
  private final List<String> backendDeployments;
  private final ServerConfig settings;
  private final Extensions extensions;
  private final KopekClients clients;
  private final String postgresVersion;

  private Kopek(
      Vertx vertx,
      EmbeddedPostgresServer embedded,
      List<HttpVerticle> http,
      String httpDeployment,
      List<String> backendDeployments,
      ServerConfig settings,
      Extensions extensions,
      KopekClients clients,
      String postgresVersion) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.http = http;
    this.httpDeployment = httpDeployment;
    this.backendDeployments = backendDeployments;
    this.settings = settings;
    this.extensions = extensions;
    this.clients = clients;
    this.postgresVersion = postgresVersion;
  }

  /** A builder of an embedded Kopek. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures and starts an embedded Kopek. */
  public static final class Builder {
    private JsonObject config;
    private final List<KopekExtension> extensions = new ArrayList<>();

    private Builder() {}

    /**
     * The configuration, as {@link KopekConfig#load} reads it (a copy is taken). Without one, the
     * builder loads it as {@code java -jar kopek.jar} does ({@link KopekConfig#load()}).
     */
    public Builder config(JsonObject config) {
      this.config = Objects.requireNonNull(config, "config").copy();
      return this;
    }

    /**
     * An extension to start after Kopek's own verticles, before those of the plugins directory
     * ({@code extensions.dir}).
     */
    public Builder extension(KopekExtension extension) {
      extensions.add(Objects.requireNonNull(extension, "extension"));
      return this;
    }

    /**
     * Starts Kopek: checks the configuration, starts or connects to the database, migrates it,
     * deploys the verticles and starts the extensions. Returns once the HTTP API is serving.
     *
     * @throws IllegalArgumentException for an invalid setting, naming it
     * @throws IllegalStateException when something cannot start (a port in use, an extension that
     *     fails), naming it
     */
    public Kopek start() throws Exception {
      return Kopek.start(config == null ? KopekConfig.load() : config, List.copyOf(extensions));
    }
  }

  /**
   * Starts Kopek with a loaded configuration (which it completes in place), as {@code
   * builder().config(config).start()} does with a copy.
   *
   * @throws IllegalArgumentException for invalid configuration, naming the key
   */
  public static Kopek start(JsonObject config) throws Exception {
    return start(config, List.of());
  }

  private static Kopek start(JsonObject config, List<KopekExtension> given) throws Exception {
    ServerConfig settings = ServerConfig.from(config);
    Mode mode = Mode.check(config);
    checkVerticleSettings(config, settings);
    ClusterSettings cluster = ClusterSettings.from(config);
    Extensions extensions = Extensions.load(config, given);
    if (mode == Mode.DEVELOPMENT) {
      LOG.warn(
          "Development mode: settings unsafe in production (the sandbox provider, a generated "
              + "token secret, /metrics on the public listener, the test clock) are allowed. "
              + "Run production with mode: production (KOPEK_MODE=production), which refuses them");
    } else {
      LOG.info("Production mode: every setting unsafe in production was checked");
    }
    if (settings.jwtSecret() != null || !TokenKeys.asymmetricConfigured(config)) {
      // Without an identity provider's keys, HS256 with the configured or a generated secret.
      config
          .getJsonObject("auth")
          .put("jwt_secret", JwtSecrets.resolve(settings.jwtSecret(), settings.dataDirectory()));
    }
    EmbeddedPostgresServer embedded = null;
    PostgresEndpoint endpoint;
    if (settings.databaseUrl() == null) {
      // Kopek stops PostgreSQL itself, after the HTTP server has drained (see stop()).
      embedded =
          EmbeddedPostgresServer.start(settings.dataDirectory().resolve("postgres"), true, false);
      endpoint = embedded.database(EMBEDDED_DATABASE);
    } else {
      endpoint = parseUrl(settings.databaseUrl());
      // Started together with its database, Kopek waits for it (db.connect_timeout_ms).
      DatabaseWait.await(endpoint, settings.databaseConnectTimeoutMs());
    }
    try {
      Migrations.migrate(endpoint);
      String version = serverVersion(endpoint);
      config.getJsonObject("db").put("url", endpoint.url());
      return deploy(config, settings, cluster, extensions, embedded, endpoint, version);
    } catch (Exception | Error e) {
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  /**
   * Checks the verticles' settings (the {@code http}, {@code auth} and {@code ledger} bounds, and
   * timeouts that contradict each other) before anything is created or started, so that a wrong
   * value stops start-up at once, naming its key, rather than after the database has been
   * initialised. The verticles check the same records again when deployed.
   */
  private static void checkVerticleSettings(JsonObject config, ServerConfig settings) {
    JsonObject probe = config.copy();
    probe
        .getJsonObject("db")
        .put(
            "url",
            settings.databaseUrl() == null
                ? "postgresql://localhost/kopek"
                : settings.databaseUrl());
    if (settings.jwtSecret() == null && !TokenKeys.asymmetricConfigured(probe)) {
      // The secret generated later is 64 characters, long enough; only its length matters here.
      probe.getJsonObject("auth").put("jwt_secret", "g".repeat(64));
    }
    LedgerConfig.from(probe);
    HttpConfig.from(probe);
    TokenKeys.from(probe);
    HttpTls.from(probe);
    Management.from(probe);
    Timeouts.check(probe);
  }

  /** The version the database server reports ({@code SHOW server_version}), e.g. {@code 17.6}. */
  private static String serverVersion(PostgresEndpoint endpoint) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW server_version")) {
      result.next();
      return result.getString(1);
    }
  }

  private static Kopek deploy(
      JsonObject config,
      ServerConfig settings,
      ClusterSettings cluster,
      Extensions extensions,
      EmbeddedPostgresServer embedded,
      PostgresEndpoint endpoint,
      String postgresVersion)
      throws Exception {
    // An event loop for every verticle instance (the HTTP ones, the ledger, payments, billing,
    // events, access) and the management listener, so that none waits for another's work on a
    // shared thread: the ledger and billing are both busy during a billing run, the HTTP instances
    // and the ledger under API load. With five loops for two HTTP instances, the events verticle
    // shared the ledger's: each round of publishing committed events (up to a thousand envelopes)
    // held back the ledger's batches behind it.
    int httpInstances = HttpConfig.from(config).instances();
    VertxOptions options =
        new VertxOptions()
            .setEventLoopPoolSize(
                Math.max(
                    VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE,
                    httpInstances + SINGLE_VERTICLES + 1))
            // Linux's epoll through Netty's native transport (bundled for x86_64): fewer system
            // calls
            // and less garbage per request than Java NIO, for HTTP and the PostgreSQL connections.
            .setPreferNativeTransport(true);
    if (settings.metricsEnabled()) {
      options.setMetricsOptions(
          new MicrometerMetricsOptions()
              .setEnabled(true)
              .setJvmMetricsEnabled(true)
              .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    }
    Vertx vertx =
        cluster.enabled() ? joinCluster(cluster, options) : Vertx.builder().with(options).build();
    if (!vertx.isNativeTransportEnabled()) {
      LOG.info(
          "Running on Java NIO: the native transport is not available here ({})",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    try {
      DeploymentOptions deployment = new DeploymentOptions().setConfig(config);
      String ledger = await(vertx.deployVerticle(new LedgerVerticle(), deployment), DEPLOY_TIMEOUT);
      // One HTTP verticle per event loop, sharing the port (a port of 0 becomes one shared
      // random port); Vert.x hands each new connection to the next instance.
      List<HttpVerticle> instances = new java.util.concurrent.CopyOnWriteArrayList<>();
      String httpId =
          awaitListening(
              HttpConfig.from(config),
              vertx.deployVerticle(
                  () -> {
                    HttpVerticle instance = new HttpVerticle();
                    instances.add(instance);
                    return instance;
                  },
                  new DeploymentOptions(deployment).setInstances(httpInstances)));
      HttpVerticle http = instances.get(0);
      JsonObject httpConfig = config.getJsonObject("http");
      // Payments hand providers Kopek's public URL (webhooks, return pages); by default that is
      // the address the HTTP server actually bound, known only now.
      JsonObject payments = config.getJsonObject("payments");
      HttpTls tls = HttpTls.from(config);
      String scheme = tls == null ? "http" : "https";
      if (payments.getString("public_url", "").isBlank()) {
        String host = httpConfig.getString("host", "127.0.0.1");
        payments.put(
            "public_url",
            scheme
                + "://"
                + ("0.0.0.0".equals(host) ? "127.0.0.1" : host)
                + ":"
                + http.actualPort());
      }
      Management management = Management.from(config);
      if (management.enabled()) {
        int port = await(management.start(vertx), DEPLOY_TIMEOUT).actualPort();
        LOG.info("Metrics are served at http://{}:{}/metrics", management.host(), port);
      }
      if (tls != null && tls.watchMs() > 0) {
        watchTls(vertx, tls, http);
      }
      String paymentsId =
          await(
              vertx.deployVerticle(
                  new PaymentsVerticle(), new DeploymentOptions().setConfig(config)),
              DEPLOY_TIMEOUT);
      String billingId =
          await(
              vertx.deployVerticle(
                  new BillingVerticle(), new DeploymentOptions().setConfig(config)),
              DEPLOY_TIMEOUT);
      // Webhooks and the event feed: after billing, whose test clock its retries may run on.
      String eventsId =
          await(
              vertx.deployVerticle(new EventsVerticle(), new DeploymentOptions().setConfig(config)),
              DEPLOY_TIMEOUT);
      // API keys and the audit log.
      String accessId =
          await(
              vertx.deployVerticle(new AccessVerticle(), new DeploymentOptions().setConfig(config)),
              DEPLOY_TIMEOUT);
      KopekClients clients =
          KopekClients.create(
              vertx, config.getJsonObject("ledger").getLong("send_timeout_ms", 5_000L));
      try {
        extensions.start(vertx, config, clients, DEPLOY_TIMEOUT);
      } catch (Exception e) {
        extensions.stop(vertx, DEPLOY_TIMEOUT);
        throw e;
      }
      // Stopped in this order: billing posts to the ledger, payments credit through it.
      Kopek kopek =
          new Kopek(
              vertx,
              embedded,
              List.copyOf(instances),
              httpId,
              List.of(accessId, eventsId, billingId, paymentsId, ledger),
              settings,
              extensions,
              clients,
              postgresVersion);
      LOG.info(
          "Kopek is serving {}://{}:{} (database: {}; transport: {}; cluster: {}; extensions: {})",
          scheme,
          httpConfig.getString("host"),
          http.actualPort(),
          (embedded == null ? "PostgreSQL " : "embedded PostgreSQL ")
              + postgresVersion
              + (embedded == null ? " at " + endpoint : " in " + embedded.dataDirectory()),
          vertx.isNativeTransportEnabled() ? "epoll" : "nio",
          cluster.enabled()
              ? cluster.name() + " as " + cluster.address() + (cluster.tls() ? ", TLS" : "")
              : "none",
          extensions.ids().isEmpty() ? "none" : String.join(", ", extensions.ids()));
      return kopek;
    } catch (Exception e) {
      await(vertx.close(), DEPLOY_TIMEOUT);
      throw e;
    }
  }

  /**
   * Compares the TLS files' modification times and sizes every {@code http.tls.watch_ms}; when they
   * change, the HTTP server serves the new certificate to new connections. A pair that cannot be
   * loaded (a key written before its certificate, say) is logged and tried again at the next look,
   * the previous certificate staying in use meanwhile.
   */
  private static void watchTls(Vertx vertx, HttpTls tls, HttpVerticle http) {
    String[] loaded = {tls.stamp()};
    boolean[] busy = {false};
    vertx.setPeriodic(
        tls.watchMs(),
        timer -> {
          if (busy[0]) {
            return;
          }
          busy[0] = true;
          vertx
              .executeBlocking(tls::stamp)
              .compose(
                  stamp -> {
                    if (stamp.equals(loaded[0])) {
                      return Future.<Void>succeededFuture();
                    }
                    return http.reloadTls()
                        .onSuccess(
                            done -> {
                              loaded[0] = stamp;
                              LOG.info(
                                  "Reloaded the TLS certificate from {} (http.tls.cert_pem)",
                                  tls.certificate());
                            })
                        .onFailure(
                            failure ->
                                LOG.warn(
                                    "Cannot load the changed TLS files {} and {}: {}; the previous "
                                        + "certificate stays in use, trying again in {} ms",
                                    tls.certificate(),
                                    tls.key(),
                                    failure.getMessage(),
                                    tls.watchMs()))
                        .<Void>mapEmpty();
                  })
              .onComplete(done -> busy[0] = false);
        });
  }

  /**
   * Joins the cluster; a Hazelcast port in use, or members that cannot be reached, stop start-up
   * naming the setting.
   */
  private static Vertx joinCluster(ClusterSettings cluster, VertxOptions options) throws Exception {
    try {
      Vertx vertx = await(KopekCluster.join(cluster, options), DEPLOY_TIMEOUT);
      LOG.info(
          "Joined the cluster {} as {} (members asked: {})",
          cluster.name(),
          cluster.address(),
          cluster.members().isEmpty() ? "none" : String.join(", ", cluster.members()));
      return vertx;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot join the cluster "
              + cluster.name()
              + " as "
              + cluster.address()
              + " (cluster.host, cluster.port; KOPEK_CLUSTER_HOST, KOPEK_CLUSTER_PORT): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Waits for the HTTP verticles; a port in use becomes a one-line refusal naming {@code http.port}
   * (exit code 2) instead of a stack trace.
   */
  private static String awaitListening(HttpConfig http, Future<String> deployed) throws Exception {
    try {
      return await(deployed, DEPLOY_TIMEOUT);
    } catch (Exception e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        // Java NIO reports a BindException; Netty's epoll transport an IOException whose message
        // starts with "bind(..) failed:", followed by the system's reason.
        boolean bindFailed =
            cause instanceof java.net.BindException
                || cause instanceof java.io.IOException io
                    && io.getMessage() != null
                    && io.getMessage().startsWith("bind(");
        if (bindFailed) {
          throw new IllegalStateException(
              "http.port "
                  + http.port()
                  + " on "
                  + http.host()
                  + " cannot be bound ("
                  + cause.getMessage()
                  + "): stop what "
                  + "listens there, or set another port (http.port, KOPEK_HTTP_PORT)",
              e);
        }
      }
      throw e;
    }
  }

  private static PostgresEndpoint parseUrl(String url) {
    try {
      return PostgresEndpoint.parse(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("db.url (KOPEK_DB_URL): " + e.getMessage());
    }
  }

  /** The HTTP port actually bound. */
  public int httpPort() {
    return http.get(0).actualPort();
  }

  /** The port each HTTP verticle instance bound (the same one, shared). */
  List<Integer> httpPorts() {
    return http.stream().map(HttpVerticle::actualPort).toList();
  }

  /** Kopek's Vert.x, to deploy verticles of yours beside Kopek's or use its event bus. */
  public Vertx vertx() {
    return vertx;
  }

  /**
   * The typed clients of this Kopek's ledger, billing and payments, waiting {@code
   * ledger.send_timeout_ms} for each reply.
   */
  public KopekClients clients() {
    return clients;
  }

  /** The version the database server reported at start-up ({@code SHOW server_version}). */
  public String postgresVersion() {
    return postgresVersion;
  }

  /** The ids of the extensions started, in start order. */
  public List<String> extensions() {
    return extensions.ids();
  }

  /**
   * Stops in dependency order: the HTTP listening socket first (new connections are refused), then
   * the HTTP server (in-flight requests get {@code shutdown.grace_ms} to finish), then the
   * extensions, billing, payments, the ledger, Vert.x (leaving the cluster), and the embedded
   * database.
   */
  public void stop() throws Exception {
    try {
      // Refused, a client knows to retry elsewhere or later; accepted and then dropped, it does
      // not know whether its request was taken.
      Listeners.close(vertx, 5_000);
      // Connections accepted just before the socket closed may have a request on its way: it
      // gets read (and then finishes, in the grace) rather than being closed as idle.
      Thread.sleep(Math.min(LATE_REQUEST_MS, settings.shutdownGraceMs()));
      await(vertx.undeploy(httpDeployment), Duration.ofMillis(settings.shutdownGraceMs() + 5_000));
      // Extensions may be in the middle of a request to the ledger: they stop before it does.
      extensions.stop(vertx, DEPLOY_TIMEOUT);
      for (String deployment : backendDeployments) {
        await(vertx.undeploy(deployment), DEPLOY_TIMEOUT);
      }
      await(vertx.close(), DEPLOY_TIMEOUT);
    } finally {
      if (embedded != null) {
        try {
          embedded.close();
        } catch (IOException e) {
          LOG.warn("Stopping the embedded PostgreSQL failed", e);
        }
      }
    }
    LOG.info("Kopek stopped");
  }

  /**
   * Waits for a deployment, an undeployment or the close, and returns its value or throws its
   * failure. A failure that is not an Exception (an Error, such as a provider whose classes cannot
   * be loaded) comes as the cause of an {@link ExecutionException}: start-up and shutdown handle
   * Exceptions, so that Vert.x is still closed and the failure reported.
   */
  private static <T> T await(Future<T> future, Duration timeout) throws Exception {
    try {
      return future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Throwable thrown) {
      if (thrown == future.cause() && !(thrown instanceof Exception)) {
        throw new ExecutionException(thrown);
      }
      throw thrown;
    }
  }
}
