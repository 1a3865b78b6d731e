package dev.kopek.http;

import dev.kopek.client.AccessClient;
import dev.kopek.client.BillingClient;
import dev.kopek.client.EventsClient;
import dev.kopek.client.KopekClients;
import dev.kopek.client.LedgerClient;
import dev.kopek.client.PaymentsClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API. Routes and request validation come from the OpenAPI contract ({@code openapi.yaml},
 * also served at {@code /openapi.yaml}), so the served contract cannot drift from the code: every
 * operation in it must have a handler here, or start-up fails. The verticle talks to the capability
 * verticles over the event bus only.
 */
public final class HttpVerticle extends VerticleBase {

  /** Where the contract lives on the classpath. */
  public static final String CONTRACT = "openapi.yaml";

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  /**
   * The hosted pages payers' browsers open: Stripe appends its own query parameters to the return
   * page's URL, mail clients to links, so these take query parameters they do not declare.
   */
  private static final java.util.Set<String> BROWSER_PAGES =
      java.util.Set.of("getCheckoutPage", "getCheckoutComplete");

  private HttpServer server;
  private HttpTls tls;
  private long shutdownGraceMs;
  private long headerTimeoutTimer = -1;

  @Override
  public Future<?> start() {
    HttpConfig config;
    TokenKeys keys;
    try {
      config = HttpConfig.from(config());
      keys = TokenKeys.from(config());
      tls = HttpTls.from(config());
    } catch (IllegalArgumentException invalid) {
      return Future.failedFuture(invalid);
    }
    Authentication authentication = new Authentication(vertx, config, keys);
    shutdownGraceMs = config.shutdownGraceMs();
    // The typed clients any sibling verticle uses, each waiting the ledger's timeout (payments'
    // requests that call a provider wait longer: PaymentsApi). Local only: in a cluster this
    // node's own capabilities serve its API, without a hop to another node.
    KopekClients clients =
        new KopekClients(
            LedgerClient.create(vertx, config.ledgerTimeoutMs()).localOnly(),
            BillingClient.create(vertx, config.ledgerTimeoutMs()).localOnly(),
            PaymentsClient.create(vertx, config.ledgerTimeoutMs()).localOnly());
    HeaderTimeouts headerTimeouts =
        new HeaderTimeouts(config.headerTimeoutMs(), config.idleTimeoutS());
    return authentication
        .start()
        .compose(ready -> Contract.load(vertx, CONTRACT))
        .compose(
            contract -> {
              Router router =
                  buildRouter(config, authentication, contract.openApi(), contract.text(), clients);
              HttpServerOptions options =
                  new HttpServerOptions()
                      // -1: every instance shares one random port (Vert.x's convention), where 0
                      // would bind each its own.
                      .setHost(config.host())
                      .setPort(config.port() == 0 ? -1 : config.port())
                      .setCompressionSupported(true)
                      .setIdleTimeout(config.idleTimeoutS())
                      .setIdleTimeoutUnit(TimeUnit.SECONDS)
                      // Cleartext HTTP/2 (h2c, which no browser speaks) makes Vert.x wait for the
                      // client's first bytes before the connection exists, so a silent or slow
                      // client would escape the header timeout. HTTP/1.1 only, as a TLS proxy
                      // forwards; with TLS, HTTP/2 and HTTP/1.1 by ALPN.
                      .setHttp2ClearTextEnabled(false);
              if (tls != null) {
                options.setSsl(true).setUseAlpn(true).setKeyCertOptions(tls.read());
              }
              return vertx
                  .createHttpServer(options)
                  .connectionHandler(headerTimeouts::connected)
                  .requestHandler(headerTimeouts.tracking(router))
                  .invalidRequestHandler(Problems::invalidRequest)
                  .listen();
            })
        .onSuccess(
            listening -> {
              server = listening;
              headerTimeoutTimer = headerTimeouts.start(vertx);
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(headerTimeoutTimer);
    // Stops accepting connections and lets in-flight requests finish before closing them.
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(shutdownGraceMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Reads the TLS certificate and key files again and serves them to new connections (open ones
   * keep theirs). The instances share one server, so calling this on one instance is enough.
   *
   * @return whether the files were taken; fails when they cannot be read or do not form a key pair,
   *     the previous certificate staying in use
   */
  public Future<Boolean> reloadTls() {
    if (tls == null || server == null) {
      return Future.succeededFuture(false);
    }
    io.vertx.core.net.ServerSSLOptions options;
    try {
      options = tls.sslOptions();
    } catch (IllegalArgumentException unreadable) {
      return Future.failedFuture(unreadable);
    }
    return server.updateSSLOptions(options, true);
  }

  /**
   * The absolute URL browsers reach Kopek at, for the links it hands out: {@code
   * payments.public_url}, or this server's own address.
   */
  private String publicUrl() {
    JsonObject payments = config().getJsonObject("payments", new JsonObject());
    String configured = payments.getString("public_url", "");
    if (!configured.isBlank()) {
      return configured.replaceAll("/+$", "");
    }
    String host = config().getJsonObject("http", new JsonObject()).getString("host", "127.0.0.1");
    return (tls != null ? "https://" : "http://")
        + ("0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host)
        + ":"
        + (server == null ? 0 : server.actualPort());
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router buildRouter(
      HttpConfig config,
      Authentication authentication,
      OpenAPIContract contract,
      Buffer contractText,
      KopekClients clients) {
    UserApi user = new UserApi(clients.ledger());
    AdminApi admin = new AdminApi(clients.ledger());
    AdminUsersApi adminUsers =
        new AdminUsersApi(clients.ledger(), clients.billing(), clients.payments());
    PaymentsApi payments = new PaymentsApi(clients.payments(), config);
    SubscriptionsApi billing = new SubscriptionsApi(clients.billing());
    WebhooksApi webhooks =
        new WebhooksApi(EventsClient.create(vertx, config.ledgerTimeoutMs()).localOnly(), config);
    AccessClient accessClient = AccessClient.create(vertx, config.ledgerTimeoutMs()).localOnly();
    AccessApi access = new AccessApi(accessClient);
    ApiKeyAuthentication apiKeys =
        new ApiKeyAuthentication(
            accessClient, ApiKeyAuthentication.cacheMs(config()), System::currentTimeMillis);
    apiKeys.listen(vertx);
    AuditTrail audit = new AuditTrail(accessClient, contract);
    WebRoutes web = new WebRoutes(config(), clients, accessClient, this::publicUrl);
    Map<String, Handler<RoutingContext>> operations =
        Map.ofEntries(
            Map.entry("getHealth", ctx -> health(ctx, clients.ledger())),
            Map.entry("getMetrics", metrics()),
            Map.entry(
                "getOpenApi",
                ctx ->
                    ctx.response()
                        .putHeader("Content-Type", "application/yaml; charset=utf-8")
                        .end(contractText)),
            Map.entry("listWallets", user::listWallets),
            Map.entry("getWallet", user::getWallet),
            Map.entry("createCharge", user::createCharge),
            Map.entry("listTransactions", user::listTransactions),
            Map.entry("exportTransactions", user::exportTransactions),
            Map.entry("createAdjustment", admin::createAdjustment),
            Map.entry("listAllTransactions", admin::listAllTransactions),
            Map.entry("verifyLedger", admin::verifyLedger),
            Map.entry("listUsers", adminUsers::listUsers),
            Map.entry("getUser", adminUsers::getUser),
            Map.entry("listUserTransactions", adminUsers::listUserTransactions),
            Map.entry("listUserSubscriptions", adminUsers::listUserSubscriptions),
            Map.entry("listUserTopups", adminUsers::listUserTopups),
            Map.entry("createTopup", payments::createTopup),
            Map.entry("listTopups", payments::listTopups),
            Map.entry("getTopup", payments::getTopup),
            Map.entry("refundTopup", payments::refundTopup),
            Map.entry("listUnmatchedPayments", payments::listUnmatchedPayments),
            Map.entry("getCheckoutPage", payments::checkoutPage),
            Map.entry("submitCheckout", payments::submitCheckout),
            Map.entry("getCheckoutComplete", payments::checkoutComplete),
            Map.entry("receiveWebhook", payments::receiveWebhook),
            Map.entry("listPlans", billing::listPlans),
            Map.entry("listAllPlans", billing::listAllPlans),
            Map.entry("createPlan", billing::createPlan),
            Map.entry("retirePlan", billing::retirePlan),
            Map.entry("createSubscription", billing::createSubscription),
            Map.entry("listSubscriptions", billing::listSubscriptions),
            Map.entry("changeSubscription", billing::changeSubscription),
            Map.entry("cancelSubscription", billing::cancelSubscription),
            Map.entry("getClock", billing::getClock),
            Map.entry("setClock", billing::setClock),
            Map.entry("createWebhookEndpoint", webhooks::createWebhookEndpoint),
            Map.entry("listWebhookEndpoints", webhooks::listWebhookEndpoints),
            Map.entry("getWebhookEndpoint", webhooks::getWebhookEndpoint),
            Map.entry("updateWebhookEndpoint", webhooks::updateWebhookEndpoint),
            Map.entry("deleteWebhookEndpoint", webhooks::deleteWebhookEndpoint),
            Map.entry("rotateWebhookSecret", webhooks::rotateWebhookSecret),
            Map.entry("listWebhookDeliveries", webhooks::listWebhookDeliveries),
            Map.entry("listEvents", webhooks::listEvents),
            Map.entry("getEvent", webhooks::getEvent),
            Map.entry("redeliverEvent", webhooks::redeliverEvent),
            Map.entry("getWalletAlerts", admin::getWalletAlerts),
            Map.entry("setWalletAlerts", admin::setWalletAlerts),
            Map.entry("createApiKey", access::createApiKey),
            Map.entry("listApiKeys", access::listApiKeys),
            Map.entry("revokeApiKey", access::revokeApiKey),
            Map.entry("rollApiKey", access::rollApiKey),
            Map.entry("listAuditLog", access::listAudit),
            Map.entry("createPortalSession", web::createPortalSession),
            Map.entry("createConsoleLink", web::createConsoleLink));

    RequestExtractor extractor = RequestExtractor.withBodyHandler();
    RouterBuilder builder = RouterBuilder.create(vertx, contract, extractor);
    ContractValidator validator = ContractValidator.of(vertx, contract);
    for (OpenAPIRoute route : builder.getRoutes()) {
      String operationId = route.getOperation().getOperationId();
      Handler<RoutingContext> handler = operations.get(operationId);
      if (handler == null) {
        throw new IllegalStateException(
            "the contract's operation " + operationId + " has no handler");
      }
      // Authentication runs before the contract's routes (below); the contract documents it.
      // Webhooks are verified by their provider from the raw bytes, which the contract cannot
      // describe: providers send JSON or forms, signed byte for byte.
      // Validated by Kopek's own validator: the router's builds every schema validator anew for
      // each request and runs on a worker thread (see ContractValidator).
      route.setDoValidation(false).setDoSecurity(false);
      if (!"receiveWebhook".equals(operationId)) {
        route.addHandler(
            validator.handler(
                extractor, route.getOperation(), !BROWSER_PAGES.contains(operationId)));
      }
      route
          .addHandler(guarded(handler))
          .addFailureHandler(
              BROWSER_PAGES.contains(operationId)
                  ? PaymentsApi::pageFailure
                  : Problems::handleFailure);
    }
    Router api = builder.createRouter();

    Router root = Router.router(vertx);
    RateLimits rateLimits = RateLimits.shared(vertx, config());
    // The busiest request first, served without walking the routes below (ChargeLane).
    root.post(ChargeLane.PATH)
        .handler(
            new ChargeLane(
                audit,
                authentication,
                rateLimits,
                validator,
                contract.operation(ChargeLane.OPERATION),
                guarded(operations.get(ChargeLane.OPERATION)),
                config.bodyLimitBytes()));
    root.route("/v1/*")
        .handler(
            ctx -> {
              Problems.noStore(ctx.response());
              ctx.next();
            });
    root.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()));
    web.mountAhead(root);
    // The request id and the audit record first, so that refusals are recorded too; then API keys,
    // which pass anything else on to the tokens' authentication.
    root.route("/v1/*").handler(audit.handler());
    root.route("/v1/*").handler(apiKeys.authenticate());
    root.route("/v1/*").handler(authentication.authenticate());
    root.route("/v1/*").handler(rateLimits.handler());
    root.route("/v1/admin/*").handler(Authentication.requireAdmin());
    root.route().subRouter(api);
    // The pages after the API: an API request is answered before it reaches their routes.
    web.mount(vertx, root);
    root.route().failureHandler(Problems::handleFailure);
    for (Router r : new Router[] {root, api}) {
      r.errorHandler(404, HttpVerticle::notFound);
      r.errorHandler(405, Problems::methodNotAllowed);
      r.errorHandler(500, Problems::handleFailure);
    }
    return root;
  }

  /** 404: a page for what a payer's browser asks under {@code /checkout/}, else a problem. */
  private static void notFound(RoutingContext ctx) {
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.GET
        && ctx.request().path() != null
        && ctx.request().path().startsWith("/checkout/")) {
      CheckoutPages.notFound(ctx);
    } else {
      Problems.notFound(ctx);
    }
  }

  /** Runs a handler, turning a {@link Failure} thrown while reading the request into its reply. */
  private static Handler<RoutingContext> guarded(Handler<RoutingContext> handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (Failure.FailureException failure) {
        Problems.send(ctx, failure.failure());
      } catch (ArithmeticException overflow) {
        Problems.send(ctx, Failure.invalid("amount_minor", "amount_minor is out of range"));
      }
    };
  }

  private static void health(RoutingContext ctx, LedgerClient ledger) {
    ledger
        .health()
        .onSuccess(up -> Replies.json(ctx, 200, new JsonObject().put("status", "UP")))
        .onFailure(
            down -> {
              LOG.warn("Health check failed: {}", down.getMessage());
              Replies.json(ctx, 503, new JsonObject().put("status", "DOWN"));
            });
  }

  private Handler<RoutingContext> metrics() {
    if (config()
        .getJsonObject("management", new JsonObject())
        .getBoolean("enabled", false)
        .booleanValue()) {
      // Served by the management listener (management.host, management.port) only.
      return Problems::notFound;
    }
    if (!vertx.isMetricsEnabled()) {
      return ctx ->
          Problems.send(
              ctx,
              Failure.of(ErrorCode.UNAVAILABLE, "metrics are disabled (metrics.enabled: false)"));
    }
    return PrometheusScrapingHandler.create();
  }
}
