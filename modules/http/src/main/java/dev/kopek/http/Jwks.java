package dev.kopek.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's published signing keys ({@code auth.jwks_url}, RFC 7517), fetched with
 * Vert.x's HTTP client and kept: fetched again once they are {@code auth.jwks_cache_s} old, and
 * when a token names a key not among them (the provider rotated its keys), but then at most once
 * per {@code auth.jwks_min_refresh_ms}, so that tokens with made-up key ids cannot make Kopek
 * hammer the provider. Only RSA (RS256) and P-256 EC (ES256) signing keys are taken; symmetric
 * ({@code oct}) keys in a published set are ignored, since whoever can read the set could sign with
 * them.
 *
 * <p>One per process and key-set URL, shared by every HTTP verticle instance ({@link #shared}): the
 * keys are read from any event loop, and the fetch runs on the event loop that asked for it, one at
 * a time. Futures it returns complete on that event loop; callers on another hop back to theirs.
 */
final class Jwks implements io.vertx.core.shareddata.Shareable {

  /** How long one fetch may take. */
  static final long FETCH_TIMEOUT_MS = 5_000;

  /** A key set larger than this is refused (a few keys take a few kilobytes). */
  static final int BODY_MAX_BYTES = 512 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(Jwks.class);

  private final URI url;
  private final long cacheMs;
  private final long minIntervalMs;
  private final HttpClient client;

  private volatile List<JsonObject> keys = List.of();

  /** Incremented whenever {@link #keys} changes. */
  private volatile int version;

  private volatile long loadedNanos;
  private volatile boolean loaded;

  // Guarded by this: when the last fetch started, and the fetch under way.
  private long lastAttemptNanos;
  private boolean attempted;
  private Future<Boolean> inFlight;

  Jwks(Vertx vertx, URI url, long cacheMs, long minIntervalMs) {
    this.url = url;
    this.cacheMs = cacheMs;
    this.minIntervalMs = minIntervalMs;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) FETCH_TIMEOUT_MS)
                .setVerifyHost(true)
                .setMaxRedirects(0));
  }

  /**
   * The process's key set of {@code url}: made by the first HTTP verticle instance that asks,
   * shared by the others, so that the keys are fetched once per process and the fetch limits hold
   * per process.
   */
  static Jwks shared(Vertx vertx, URI url, long cacheMs, long minIntervalMs) {
    io.vertx.core.shareddata.LocalMap<String, Jwks> map =
        vertx.sharedData().getLocalMap("kopek.http.jwks");
    String key = url + " " + cacheMs + " " + minIntervalMs;
    Jwks known = map.get(key);
    if (known != null) {
      return known;
    }
    Jwks made = new Jwks(vertx, url, cacheMs, minIntervalMs);
    Jwks raced = map.putIfAbsent(key, made);
    if (raced != null) {
      made.client.close();
      return raced;
    }
    return made;
  }

  /** Whether a fetch has ever succeeded: until then, no token of the provider can be checked. */
  boolean loaded() {
    return loaded;
  }

  /** The keys last fetched, as JWKs with their algorithm set. */
  List<JsonObject> keys() {
    return keys;
  }

  /** Changes whenever the keys do. */
  int version() {
    return version;
  }

  /**
   * Fetches the keys now (at start-up), unless another instance did. Never fails: a failure is
   * logged and keeps the old keys.
   */
  Future<Boolean> load() {
    // The instances of a process start one after the other: the first fetches, the others find
    // the keys there (or join the fetch under way).
    return loaded ? Future.succeededFuture(false) : fetch();
  }

  /** Whether the keys are older than {@code auth.jwks_cache_s}. */
  boolean stale() {
    return !loaded || System.nanoTime() - loadedNanos > cacheMs * 1_000_000;
  }

  /**
   * Fetches again because a token named a key not known here, unless the last fetch was less than
   * {@code auth.jwks_min_refresh_ms} ago; true when the keys changed.
   */
  synchronized Future<Boolean> refreshForUnknownKey() {
    if (inFlight != null) {
      return inFlight;
    }
    if (attempted && System.nanoTime() - lastAttemptNanos < minIntervalMs * 1_000_000) {
      return Future.succeededFuture(false);
    }
    return fetch();
  }

  /** Fetches again in the background when the keys are stale. */
  void refreshIfStale() {
    if (stale()) {
      refreshStale();
    }
  }

  private synchronized void refreshStale() {
    if (inFlight == null
        && stale()
        && (!attempted || System.nanoTime() - lastAttemptNanos >= minIntervalMs * 1_000_000)) {
      fetch();
    }
  }

  private synchronized Future<Boolean> fetch() {
    if (inFlight != null) {
      return inFlight;
    }
    attempted = true;
    lastAttemptNanos = System.nanoTime();
    Future<Boolean> fetched =
        client
            .request(
                new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setAbsoluteURI(url.toString())
                    .putHeader("Accept", "application/json")
                    .setIdleTimeout(FETCH_TIMEOUT_MS))
            .compose(request -> request.send())
            .compose(
                response -> {
                  if (response.statusCode() != 200) {
                    return Future.failedFuture("the server answered " + response.statusCode());
                  }
                  String length = response.getHeader("Content-Length");
                  if (length != null
                      && length.length() < 12
                      && Long.parseLong(length) > BODY_MAX_BYTES) {
                    return Future.failedFuture("the key set is over " + BODY_MAX_BYTES + " bytes");
                  }
                  return response.body();
                })
            .timeout(FETCH_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
            .map(
                body -> {
                  if (body.length() > BODY_MAX_BYTES) {
                    throw new IllegalStateException(
                        "the key set is over " + BODY_MAX_BYTES + " bytes");
                  }
                  return accept(new JsonObject(body));
                })
            .recover(
                failure -> {
                  LOG.warn(
                      "Cannot fetch the identity provider's keys from auth.jwks_url {}: {}; "
                          + "keeping the {} key(s) fetched before",
                      url,
                      failure.getMessage(),
                      keys.size());
                  return Future.succeededFuture(false);
                });
    inFlight = fetched;
    return fetched.onComplete(done -> fetched());
  }

  private synchronized void fetched() {
    inFlight = null;
  }

  /** Takes the signing keys of a fetched set; true when they differ from the keys held. */
  private boolean accept(JsonObject set) {
    JsonArray array = set.getJsonArray("keys");
    if (array == null) {
      throw new IllegalStateException("the document has no \"keys\" array");
    }
    List<JsonObject> taken = new ArrayList<>();
    for (Object entry : array) {
      if (entry instanceof JsonObject jwk) {
        JsonObject key = signingKey(jwk);
        if (key != null) {
          taken.add(key);
        }
      }
    }
    loadedNanos = System.nanoTime();
    loaded = true;
    if (taken.equals(keys)) {
      return false;
    }
    LOG.info(
        "Fetched {} signing key(s) from auth.jwks_url {}: {}",
        taken.size(),
        url,
        taken.stream()
            .map(k -> k.getString("kid", "(no kid)") + " " + k.getString("alg"))
            .toList());
    keys = List.copyOf(taken);
    version++;
    return true;
  }

  /** The key with its algorithm set, or null for a key that may not sign Kopek's tokens. */
  static JsonObject signingKey(JsonObject jwk) {
    String use = jwk.getValue("use") instanceof String u ? u : null;
    if (use != null && !"sig".equals(use)) {
      return null;
    }
    String kty = jwk.getValue("kty") instanceof String k ? k : "";
    Object alg = jwk.getValue("alg");
    // Only the public parts: the key itself is what is trusted, not a certificate chain beside it.
    JsonObject key = new JsonObject().put("kty", kty).put("use", "sig");
    if (jwk.getValue("kid") instanceof String kid) {
      key.put("kid", kid);
    }
    switch (kty) {
      case "RSA" -> {
        if (alg != null && !TokenKeys.RS256.equals(alg)
            || !(jwk.getValue("n") instanceof String n)
            || !(jwk.getValue("e") instanceof String e)) {
          return null;
        }
        return key.put("alg", TokenKeys.RS256).put("n", n).put("e", e);
      }
      case "EC" -> {
        if (alg != null && !TokenKeys.ES256.equals(alg)
            || !"P-256".equals(jwk.getValue("crv"))
            || !(jwk.getValue("x") instanceof String x)
            || !(jwk.getValue("y") instanceof String y)) {
          return null;
        }
        return key.put("alg", TokenKeys.ES256).put("crv", "P-256").put("x", x).put("y", y);
      }
      default -> {
        return null;
      }
    }
  }
}
