package dev.kopek.events;

import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook delivery. Each round: hand the newly committed events to the enabled endpoints (a
 * delivery row per event and endpoint, under the endpoint's row lock, so that one process at a time
 * advances an endpoint's position), then claim each endpoint's due deliveries, at most {@code
 * webhooks.max_in_flight_per_endpoint} under way per endpoint in this process, and send them. A
 * claimed delivery is leased (in real time) for longer than an attempt can take, so no other
 * process sends it meanwhile; several processes share the work by skipping what others locked.
 * Outcomes are written in batches. Confined to the verticle's event loop.
 */
final class Deliverer {

  /** Events handed to one endpoint per statement. */
  private static final int FANOUT_BATCH = 2_000;

  /** Kept of an endpoint's answer. */
  private static final int RESPONSE_KEPT_BYTES = 1024;

  private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);

  private final Vertx vertx;
  private final Pool pool;
  private final HttpClient client;
  private final TargetGuard guard;
  private final Supplier<Instant> clock;
  private final EventsConfig config;
  private final Map<String, Integer> inFlight = new HashMap<>();

  /** Claimed deliveries waiting for a free slot of their endpoint, by endpoint. */
  private final Map<String, java.util.ArrayDeque<Row>> queued = new HashMap<>();

  /** Endpoints with a claim under way (one at a time each). */
  private final java.util.Set<String> claiming = new java.util.HashSet<>();

  /** The ids of the enabled endpoints as the last round read them. */
  private final java.util.Set<String> enabled = new java.util.HashSet<>();

  private final List<Result> results = new ArrayList<>();
  private boolean flushing;
  private boolean flushScheduled;
  private boolean running;
  private boolean again;
  private boolean stopped;

  /** An attempt's outcome, to be written. */
  private record Result(
      String endpointId,
      String eventId,
      int attempt,
      Instant attemptedAt,
      Integer statusCode,
      String error,
      int latencyMs,
      String responseBody,
      String status,
      Instant nextAttemptAt,
      String disableReason,
      OffsetDateTime lease) {}

  Deliverer(
      Vertx vertx,
      Pool pool,
      HttpClient client,
      TargetGuard guard,
      Supplier<Instant> clock,
      EventsConfig config) {
    this.vertx = vertx;
    this.pool = pool;
    this.client = client;
    this.guard = guard;
    this.clock = clock;
    this.config = config;
  }

  /** Runs a round now, or right after the one under way. */
  void round() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    fanOut()
        .compose(v -> claimAndSend())
        .onComplete(
            done -> {
              if (done.failed()) {
                LOG.debug("Webhook round failed: {}", done.cause().toString());
              }
              running = false;
              boolean more = again || (done.succeeded() && done.result());
              again = false;
              if (more) {
                vertx.runOnContext(v -> round());
              }
            });
  }

  void stop() {
    stopped = true;
  }

  /** Hands committed events to every enabled endpoint no other process is handling. */
  private Future<Void> fanOut() {
    Instant now = clock.get();
    return pool.withTransaction(
        conn ->
            conn.query(EventsSql.LOCK_ENDPOINTS_FOR_FANOUT)
                .execute()
                .compose(
                    endpoints -> {
                      Future<Void> chain = Future.succeededFuture();
                      for (Row endpoint : endpoints) {
                        chain = chain.compose(v -> fanOut(conn, endpoint, now));
                      }
                      return chain;
                    }));
  }

  private Future<Void> fanOut(SqlConnection conn, Row endpoint, Instant now) {
    String id = endpoint.getString("id");
    return conn.preparedQuery(EventsSql.COUNT_PENDING)
        .execute(Tuple.of(id, FANOUT_BATCH))
        .compose(
            counted -> {
              long room = FANOUT_BATCH - counted.iterator().next().getLong("pending");
              if (room <= 0) {
                return Future.succeededFuture();
              }
              return fanOut(conn, endpoint, now, (int) room);
            });
  }

  private Future<Void> fanOut(SqlConnection conn, Row endpoint, Instant now, int limit) {
    String id = endpoint.getString("id");
    return conn.preparedQuery(EventsSql.FAN_OUT)
        .execute(
            Tuple.of(
                id,
                endpoint.getString("cursor_xid"),
                endpoint.getLong("cursor_seq"),
                limit,
                Endpoints.time(now),
                Endpoints.time(now),
                endpoint.getArrayOfStrings("enabled_events")))
        .compose(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return Future.succeededFuture();
              }
              Row last = rows.iterator().next();
              if (last.getLong("read") == limit) {
                again = true;
              }
              return conn.preparedQuery(EventsSql.UPDATE_CURSOR)
                  .execute(Tuple.of(id, last.getString("xid"), last.getLong("seq")))
                  .mapEmpty();
            });
  }

  /**
   * Reads the enabled endpoints, then claims each one's due deliveries; true if some endpoint had
   * more waiting than it took.
   */
  private Future<Boolean> claimAndSend() {
    return pool.query("SELECT id FROM webhook_endpoints WHERE status = 'enabled'")
        .execute()
        .compose(
            endpoints -> {
              enabled.clear();
              List<Future<Boolean>> claims = new ArrayList<>();
              for (Row row : endpoints) {
                String id = row.getString("id");
                enabled.add(id);
                claims.add(claim(id));
              }
              queued.keySet().removeIf(id -> !enabled.contains(id));
              return Future.all(claims).map(all -> claims.stream().anyMatch(Future::result));
            });
  }

  /**
   * Claims up to a few attempts' worth per free slot of the endpoint ({@link #CLAIM_PER_SLOT}), so
   * that a busy endpoint costs one claim per several deliveries, and starts what the slots take.
   * Claimed deliveries wait in this process's queue, leased for as long as the queue can take to
   * drain. True if it took all it asked for (more may be due).
   */
  private Future<Boolean> claim(String id) {
    int room =
        config.maxInFlightPerEndpoint() * (CLAIM_PER_SLOT + 1)
            - inFlight.getOrDefault(id, 0)
            - queued.getOrDefault(id, EMPTY).size();
    if (room <= 0 || stopped || !claiming.add(id)) {
      return Future.succeededFuture(false);
    }
    return pool.preparedQuery(EventsSql.CLAIM_DELIVERIES)
        .execute(
            Tuple.of(
                id,
                Endpoints.time(clock.get()),
                room,
                config.timeoutMs() * (CLAIM_PER_SLOT + 1) + 30_000))
        .map(
            rows -> {
              java.util.ArrayDeque<Row> queue =
                  queued.computeIfAbsent(id, k -> new java.util.ArrayDeque<>());
              rows.forEach(queue::add);
              pump(id);
              return rows.size() == room;
            })
        .onComplete(done -> claiming.remove(id));
  }

  /**
   * The delivery budget ({@code webhooks.max_per_second}): a token bucket refilled continuously,
   * holding at most a tenth of a second's worth, so that deliveries never take more than their
   * share of the process while it serves a peak, and the backlog drains once the peak is over.
   */
  private boolean takeToken() {
    if (config.maxPerSecond() == 0) {
      return true;
    }
    long now = System.nanoTime();
    double capacity = Math.max(1.0, config.maxPerSecond() / 10.0);
    tokens = Math.min(capacity, tokens + (now - refilledAt) / 1e9 * config.maxPerSecond());
    refilledAt = now;
    if (tokens < 1.0) {
      return false;
    }
    tokens -= 1.0;
    return true;
  }

  private double tokens;
  private long refilledAt = System.nanoTime();
  private boolean pumpWaiting;

  private static final long BUDGET_TICK_MS = 10;

  /** Deliveries claimed beyond the slots, per slot: fewer claims for a busy endpoint. */
  private static final int CLAIM_PER_SLOT = 4;

  private static final java.util.ArrayDeque<Row> EMPTY = new java.util.ArrayDeque<>();

  /** Starts queued deliveries while the endpoint has free slots; claims more when it runs dry. */
  private void pump(String id) {
    pumpWaiting = false;
    java.util.ArrayDeque<Row> queue = queued.getOrDefault(id, EMPTY);
    if (!enabled.contains(id)) {
      // Disabled or deleted meanwhile: what it had claimed waits for its lease to run out.
      queue.clear();
      return;
    }
    while (!stopped
        && !queue.isEmpty()
        && inFlight.getOrDefault(id, 0) < config.maxInFlightPerEndpoint()) {
      if (!takeToken()) {
        // The process's delivery budget for this moment is spent: carry on when it refills.
        if (!pumpWaiting) {
          pumpWaiting = true;
          vertx.setTimer(BUDGET_TICK_MS, t -> List.copyOf(enabled).forEach(this::pump));
        }
        return;
      }
      inFlight.merge(id, 1, Integer::sum);
      send(id, queue.poll());
    }
    if (queue.size() < config.maxInFlightPerEndpoint() && !stopped) {
      claim(id);
    }
  }

  private void send(String endpointId, Row row) {
    String eventId = row.getString("id");
    int attempt = row.getInteger("attempts") + 1;
    OffsetDateTime lease = row.getOffsetDateTime("lease_until");
    String body = Feed.body(row);
    // On the events' clock, like the schedule: the history and next_attempt_at agree.
    Instant startedAt = clock.get();
    long started = System.nanoTime();
    attempt(row.getString("url"), secrets(row, startedAt), eventId, body)
        .onComplete(
            done -> {
              int latencyMs = (int) ((System.nanoTime() - started) / 1_000_000);
              Answer answer =
                  done.succeeded() ? done.result() : new Answer(null, message(done.cause()), null);
              inFlight.merge(endpointId, -1, Integer::sum);
              record(endpointId, eventId, attempt, startedAt, latencyMs, answer, lease);
              pump(endpointId);
            });
  }

  private record Answer(Integer statusCode, String error, String body) {}

  /**
   * The secrets a claimed delivery is signed with: the endpoint's secret, and the one it replaced
   * while that still signs (as the claim read them).
   */
  private static List<String> secrets(Row claimed, Instant now) {
    List<String> secrets = new ArrayList<>(2);
    secrets.add(claimed.getString("secret"));
    String previous = claimed.getString("previous_secret");
    OffsetDateTime until = claimed.getOffsetDateTime("previous_secret_until");
    if (previous != null && until != null && until.toInstant().isAfter(now)) {
      secrets.add(previous);
    }
    return secrets;
  }

  /** One HTTP attempt, bounded by {@code webhooks.timeout_ms} in all. */
  private Future<Answer> attempt(String url, List<String> secrets, String eventId, String body) {
    URI uri;
    try {
      uri = TargetGuard.parse(url);
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    // The whole attempt, looking the host up included, is bounded by webhooks.timeout_ms.
    Promise<Answer> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            config.timeoutMs(),
            t ->
                answer.tryFail(
                    "no answer within webhooks.timeout_ms (" + config.timeoutMs() + " ms)"));
    answer.future().onComplete(done -> vertx.cancelTimer(timer));
    vertx
        .executeBlocking(() -> guard.addresses(uri), false)
        .compose(
            addresses -> {
              if (answer.future().isComplete()) {
                return Future.<Answer>failedFuture("timed out while looking the host up");
              }
              InetAddress address = addresses.get(0);
              boolean https = "https".equalsIgnoreCase(uri.getScheme());
              int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
              long timestampS = Instant.now().getEpochSecond();
              RequestOptions options =
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setAbsoluteURI(uri.toString())
                      .setServer(checkedAddress(uri, address, port))
                      .setConnectTimeout(config.timeoutMs())
                      .setIdleTimeout(config.timeoutMs())
                      .putHeader("content-type", "application/json")
                      .putHeader("user-agent", "Kopek-Webhooks/1")
                      .putHeader("webhook-id", eventId)
                      .putHeader("webhook-timestamp", Long.toString(timestampS))
                      .putHeader(
                          "webhook-signature",
                          Signer.signature(secrets, eventId, timestampS, body));
              return client
                  .request(options)
                  .compose(
                      request -> {
                        answer.future().onFailure(e -> request.reset());
                        return request.send(Buffer.buffer(body, "UTF-8"));
                      })
                  .compose(this::readAnswer);
            })
        .onComplete(
            done -> {
              if (done.succeeded()) {
                answer.tryComplete(done.result());
              } else {
                answer.tryFail(done.cause());
              }
            });
    return answer.future();
  }

  /**
   * The address checked by the guard, carrying the URL's host name: the connection goes to the
   * checked address (a name resolving elsewhere by now cannot redirect it), while TLS still names
   * and verifies the host of the URL.
   */
  private static SocketAddress checkedAddress(URI uri, InetAddress address, int port) {
    try {
      InetAddress named = InetAddress.getByAddress(uri.getHost(), address.getAddress());
      return SocketAddress.inetSocketAddress(new java.net.InetSocketAddress(named, port));
    } catch (java.net.UnknownHostException impossible) {
      return SocketAddress.inetSocketAddress(port, address.getHostAddress());
    }
  }

  /** The status and the first kilobyte of the body; the rest is read and dropped. */
  private Future<Answer> readAnswer(HttpClientResponse response) {
    Promise<Answer> read = Promise.promise();
    Buffer kept = Buffer.buffer();
    response.handler(
        chunk -> {
          int room = RESPONSE_KEPT_BYTES - kept.length();
          if (room > 0) {
            kept.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
          }
        });
    response.exceptionHandler(read::tryFail);
    response.endHandler(
        v ->
            read.tryComplete(
                new Answer(
                    response.statusCode(),
                    null,
                    new String(kept.getBytes(), StandardCharsets.UTF_8))));
    return read.future();
  }

  private static String message(Throwable error) {
    String message = error.getMessage();
    if (error instanceof dev.kopek.model.Failure.FailureException failure) {
      message = failure.failure().detail();
    }
    return message == null ? error.getClass().getSimpleName() : message;
  }

  /** Decides what an attempt leads to and queues it to be written. */
  private void record(
      String endpointId,
      String eventId,
      int attempt,
      Instant attemptedAt,
      int latencyMs,
      Answer answer,
      OffsetDateTime lease) {
    Integer code = answer.statusCode();
    String status;
    Instant next = null;
    String disable = null;
    if (code != null && code >= 200 && code < 300) {
      status = "succeeded";
    } else if (code != null && code == 410) {
      status = "failed";
      disable = "the endpoint answered 410 Gone to event " + eventId;
    } else {
      long wait =
          RetrySchedule.waitAfter(
              attempt, w -> RetrySchedule.jitter(w, ThreadLocalRandom.current().nextDouble()));
      if (wait < 0) {
        status = "failed";
        disable =
            "event "
                + eventId
                + " failed "
                + RetrySchedule.ATTEMPTS_MAX
                + " attempts; the last: "
                + (code != null ? "HTTP " + code : answer.error());
      } else {
        status = "pending";
        next = clock.get().plusMillis(wait);
      }
    }
    results.add(
        new Result(
            endpointId,
            eventId,
            attempt,
            attemptedAt,
            code,
            answer.error(),
            latencyMs,
            answer.body(),
            status,
            next,
            disable,
            lease));
    flush();
  }

  /** Writes the outcomes gathered so far, one batch at a time. */
  private void flush() {
    if (flushing || flushScheduled || results.isEmpty()) {
      return;
    }
    if (results.size() < FLUSH_BATCH) {
      // Outcomes arriving together are written together: a moment's wait gathers them.
      flushScheduled = true;
      vertx.setTimer(
          FLUSH_DELAY_MS,
          t -> {
            flushScheduled = false;
            writeResults();
          });
      return;
    }
    writeResults();
  }

  /** Outcomes written at once without waiting. */
  private static final int FLUSH_BATCH = 256;

  /** How long outcomes wait to be written with others. */
  private static final long FLUSH_DELAY_MS = 20;

  private void writeResults() {
    if (flushing || results.isEmpty()) {
      return;
    }
    flushing = true;
    List<Result> batch = new ArrayList<>(results);
    results.clear();
    write(batch)
        .onComplete(
            done -> {
              if (done.failed()) {
                // The leases run out and the deliveries are tried again: at least once.
                LOG.warn(
                    "Recording {} webhook attempt(s) failed: {}",
                    batch.size(),
                    done.cause().toString());
              }
              flushing = false;
              flush();
            });
  }

  private Future<Void> write(List<Result> batch) {
    Instant now = clock.get();
    Tuple deliveries =
        Tuple.of(
            batch.stream().map(Result::endpointId).toArray(String[]::new),
            batch.stream().map(Result::eventId).toArray(String[]::new),
            batch.stream().map(Result::status).toArray(String[]::new),
            batch.stream().map(Result::attempt).toArray(Integer[]::new),
            batch.stream()
                .map(r -> r.nextAttemptAt() == null ? null : Endpoints.time(r.nextAttemptAt()))
                .toArray(OffsetDateTime[]::new),
            Endpoints.time(now),
            batch.stream().map(Result::lease).toArray(OffsetDateTime[]::new));
    Tuple attempts =
        Tuple.of(
            batch.stream().map(Result::endpointId).toArray(String[]::new),
            batch.stream().map(Result::eventId).toArray(String[]::new),
            batch.stream().map(Result::attempt).toArray(Integer[]::new),
            batch.stream().map(r -> Endpoints.time(r.attemptedAt())).toArray(OffsetDateTime[]::new),
            batch.stream().map(Result::statusCode).toArray(Integer[]::new),
            batch.stream().map(Result::error).toArray(String[]::new),
            batch.stream().map(Result::latencyMs).toArray(Integer[]::new),
            batch.stream().map(Result::responseBody).toArray(String[]::new));
    List<Result> disabling = batch.stream().filter(r -> r.disableReason() != null).toList();
    return pool.withTransaction(
        conn -> {
          Future<?> updated = conn.preparedQuery(EventsSql.UPDATE_DELIVERIES).execute(deliveries);
          Future<?> inserted = conn.preparedQuery(EventsSql.INSERT_ATTEMPTS).execute(attempts);
          Future<Void> disabled = Future.succeededFuture();
          for (Result result : disabling) {
            disabled = disabled.compose(v -> disable(conn, result, now));
          }
          return Future.all(updated, inserted, disabled).mapEmpty();
        });
  }

  /** Disables the endpoint and records {@code endpoint.disabled}, in the same transaction. */
  private Future<Void> disable(SqlConnection conn, Result result, Instant now) {
    return conn.preparedQuery(EventsSql.DISABLE_ENDPOINT)
        .execute(Tuple.of(result.endpointId(), result.disableReason(), Endpoints.time(now)))
        .compose(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return Future.succeededFuture();
              }
              Row row = rows.iterator().next();
              JsonObject endpoint = Endpoints.view(row);
              LOG.warn(
                  "Webhook endpoint {} ({}) disabled: {}",
                  result.endpointId(),
                  endpoint.getString("url"),
                  result.disableReason());
              return EventLog.append(
                  conn,
                  List.of(
                      new Event(
                          // The fact is this disabling: an endpoint disabled, enabled and
                          // disabled again within a millisecond of the clock (a driven clock
                          // stands still) records two events.
                          Event.id(
                              EventTypes.ENDPOINT_DISABLED,
                              result.endpointId() + "_" + row.getString("disabled_by")),
                          EventTypes.ENDPOINT_DISABLED,
                          null,
                          null,
                          null,
                          now,
                          endpoint)));
            });
  }
}
