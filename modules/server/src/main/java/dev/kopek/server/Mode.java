package dev.kopek.server;

import dev.kopek.http.HttpConfig;
import dev.kopek.http.HttpTls;
import dev.kopek.http.TokenKeys;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mode} ({@code KOPEK_MODE}): {@code development}, the default, where one command runs Kopek
 * with the sandbox provider, a generated token secret and open metrics; or {@code production},
 * where start-up refuses every setting that is only safe for development, all of them at once, one
 * line each.
 */
enum Mode {
  DEVELOPMENT,
  PRODUCTION;

  /**
   * The configured mode.
   *
   * @throws IllegalArgumentException for anything but development or production
   */
  static Mode of(JsonObject config) {
    String mode = config.getValue("mode") instanceof String text ? text.trim() : "development";
    return switch (mode) {
      case "", "development" -> DEVELOPMENT;
      case "production" -> PRODUCTION;
      default ->
          throw new IllegalArgumentException(
              "mode (KOPEK_MODE) must be development or production, was \"" + mode + "\"");
    };
  }

  /**
   * Checks the configuration against the mode: in production, every setting unsafe there is
   * refused.
   *
   * @throws IllegalArgumentException with one line per setting refused
   */
  static Mode check(JsonObject config) {
    Mode mode = of(config);
    if (mode == PRODUCTION) {
      List<String> problems = productionProblems(config);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("\n", problems));
      }
    }
    return mode;
  }

  /** What production mode refuses in this configuration, one line each; empty when it is safe. */
  static List<String> productionProblems(JsonObject config) {
    List<String> problems = new ArrayList<>();
    Object sandbox = section(section(config, "payments"), "gateways").getValue("sandbox");
    if (sandbox instanceof JsonObject settings && isTrue(settings.getValue("enabled", true))) {
      problems.add(
          "payments.gateways.sandbox.enabled is true in production mode: the sandbox takes test "
              + "cards as payment; set it false and enable a real provider");
    }
    if (isTrue(section(config, "billing").getValue("test_clock"))) {
      problems.add(
          "billing.test_clock (KOPEK_BILLING_TEST_CLOCK) is true in production mode: any "
              + "administrator could move billing's clock; set it false");
    }
    JsonObject auth = section(config, "auth");
    String secret = auth.getValue("jwt_secret") instanceof String text ? text : "";
    if (secret.isEmpty() && !TokenKeys.asymmetricConfigured(config)) {
      problems.add(
          "auth.jwt_secret (KOPEK_JWT_SECRET) is empty in production mode, so a generated secret "
              + "would sign tokens; set one (openssl rand -base64 48), or auth.public_key_pem / "
              + "auth.jwks_url (KOPEK_JWT_JWKS_URL) for your identity provider's tokens");
    } else if (!secret.isEmpty()
        && secret.getBytes(StandardCharsets.UTF_8).length < HttpConfig.JWT_SECRET_BYTES_MIN) {
      problems.add(
          "auth.jwt_secret (KOPEK_JWT_SECRET) is shorter than "
              + HttpConfig.JWT_SECRET_BYTES_MIN
              + " bytes; generate one with: openssl rand -base64 48");
    }
    String jwksUrl = auth.getValue("jwks_url") instanceof String text ? text.trim() : "";
    if (jwksUrl.regionMatches(true, 0, "http://", 0, 7) && !loopback(host(jwksUrl))) {
      problems.add(
          "auth.jwks_url (KOPEK_JWT_JWKS_URL) is plain http in production mode: whoever is on "
              + "the network path could hand Kopek signing keys of their own; use https");
    }
    if (!isFalse(section(config, "metrics").getValue("enabled", true))
        && !isTrue(section(config, "management").getValue("enabled", false))) {
      problems.add(
          "metrics.enabled is true but management.enabled is false: production mode does not "
              + "serve /metrics on the public listener; set management.enabled: true (served on "
              + "management.host:management.port) or metrics.enabled: false");
    }
    JsonObject http = section(config, "http");
    String host = http.getValue("host") instanceof String text ? text.trim() : "127.0.0.1";
    boolean tls;
    try {
      tls = HttpTls.from(config) != null;
    } catch (IllegalArgumentException invalid) {
      tls = true; // refused on its own with the file named, in either mode
    }
    if (!loopback(host) && !tls && !isTrue(http.getValue("behind_proxy", false))) {
      problems.add(
          "http.host (KOPEK_HTTP_HOST) "
              + host
              + " is not a loopback address and has no TLS in production mode: set "
              + "http.tls.cert_pem and http.tls.key_pem (KOPEK_TLS_CERT, KOPEK_TLS_KEY), or "
              + "http.behind_proxy: true (KOPEK_HTTP_BEHIND_PROXY) when a TLS proxy is in front");
    }
    if (isTrue(section(config, "webhooks").getValue("allow_private_targets"))) {
      problems.add(
          "webhooks.allow_private_targets (KOPEK_WEBHOOKS_ALLOW_PRIVATE_TARGETS) is true in "
              + "production mode: webhook URLs could reach Kopek's own network; set it false");
    }
    return problems;
  }

  /** The host of a URL, or the empty string. */
  private static String host(String url) {
    try {
      String host = java.net.URI.create(url).getHost();
      return host == null ? "" : host;
    } catch (IllegalArgumentException notAUrl) {
      return ""; // refused on its own, naming the key
    }
  }

  /** Whether a host is a loopback address, without looking a name up (localhost excepted). */
  static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
      return false; // a name: it may resolve to anything
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException notAnAddress) {
      return false;
    }
  }

  private static JsonObject section(JsonObject config, String name) {
    return config.getValue(name) instanceof JsonObject section ? section : new JsonObject();
  }

  private static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || "true".equalsIgnoreCase(String.valueOf(value).trim());
  }

  private static boolean isFalse(Object value) {
    return Boolean.FALSE.equals(value) || "false".equalsIgnoreCase(String.valueOf(value).trim());
  }
}
