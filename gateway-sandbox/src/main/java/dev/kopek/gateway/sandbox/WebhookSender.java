package dev.kopek.gateway.sandbox;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers signed webhooks in the background and retries failed deliveries with exponential
 * backoff, as a real provider does. Each attempt is signed afresh, so a retry that comes minutes
 * later still falls within the receiver's timestamp tolerance; the body, and so the event id the
 * receiver dedupes by, stays the same.
 */
final class WebhookSender implements Webhooks {

  /**
   * How a delivery ended.
   *
   * @param attempts how many requests were made
   * @param status the last HTTP status, or 0 when the last attempt got no response
   * @param delivered whether the receiver acknowledged with a 2xx
   */
  record Delivery(int attempts, int status, boolean delivered) {}

  private static final System.Logger LOG = System.getLogger(WebhookSender.class.getName());
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX_DELAY = Duration.ofMinutes(1);

  private final String secret;
  private final Clock clock;
  private final int retryMax;
  private final Duration baseDelay;
  private final Set<Pending> inFlight = ConcurrentHashMap.newKeySet();

  /** Created on the first webhook, so gateways that never send one start no threads. */
  private Transport transport;

  private boolean closed;

  private record Transport(
      HttpClient client, ExecutorService http, ScheduledExecutorService scheduler) {}

  /** One webhook on its way; its attempts run one after another, never at once. */
  private static final class Pending {
    final URI url;
    final String eventId;
    final byte[] body;
    final CompletableFuture<Delivery> done = new CompletableFuture<>();
    volatile int attempts;
    volatile int status;

    Pending(URI url, String eventId, byte[] body) {
      this.url = url;
      this.eventId = eventId;
      this.body = body;
    }

    void giveUp() {
      done.complete(new Delivery(attempts, status, false));
    }
  }

  /**
   * Creates a sender; its threads start with the first webhook.
   *
   * @param secret the webhook secret each attempt is signed with
   * @param clock the clock the signatures' timestamps come from
   * @param retryMax how many times a failed delivery is retried
   * @param baseDelay the wait before the first retry; each further retry waits twice as long, up to
   *     a minute
   */
  WebhookSender(String secret, Clock clock, int retryMax, Duration baseDelay) {
    this.secret = secret;
    this.clock = clock;
    this.retryMax = retryMax;
    this.baseDelay = baseDelay;
  }

  @Override
  public CompletableFuture<Delivery> send(URI url, String eventId, byte[] body) {
    Pending pending = new Pending(url, eventId, body);
    Transport current = transport();
    if (current == null) {
      pending.giveUp();
      return pending.done;
    }
    inFlight.add(pending);
    pending.done.whenComplete((delivery, error) -> inFlight.remove(pending));
    schedule(current, Duration.ZERO, pending);
    return pending.done;
  }

  private void attempt(Transport current, Pending pending) {
    int attempt = ++pending.attempts;
    CompletableFuture<HttpResponse<Void>> response;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(pending.url)
              .timeout(REQUEST_TIMEOUT)
              .header("Content-Type", "application/json")
              .header(
                  SandboxSignature.HEADER,
                  SandboxSignature.sign(secret, clock.instant().getEpochSecond(), pending.body))
              .POST(HttpRequest.BodyPublishers.ofByteArray(pending.body))
              .build();
      response = current.client().sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) {
      // Rejected by a closed executor or the URL; counted as a failed attempt, never lost.
      response = CompletableFuture.failedFuture(e);
    }
    response.whenComplete(
        (reply, error) -> {
          int status = reply == null ? 0 : reply.statusCode();
          pending.status = status;
          if (error == null && status >= 200 && status < 300) {
            pending.done.complete(new Delivery(attempt, status, true));
            return;
          }
          String why =
              error == null
                  ? "HTTP " + status
                  : String.valueOf(error.getCause() != null ? error.getCause() : error);
          if (attempt > retryMax) {
            LOG.log(
                Level.WARNING,
                "Gave up delivering webhook {0} to {1} after {2} attempts: {3}",
                pending.eventId,
                pending.url,
                attempt,
                why);
            pending.giveUp();
            return;
          }
          Duration delay = backoff(attempt);
          LOG.log(
              Level.DEBUG,
              "Webhook {0} to {1} failed ({2}); retrying in {3} ms",
              pending.eventId,
              pending.url,
              why,
              delay.toMillis());
          schedule(current, delay, pending);
        });
  }

  private Duration backoff(int attempt) {
    Duration delay = baseDelay.multipliedBy(1L << Math.min(attempt - 1, 20));
    return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
  }

  private void schedule(Transport current, Duration delay, Pending pending) {
    try {
      current
          .scheduler()
          .schedule(() -> attempt(current, pending), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      pending.giveUp();
    }
  }

  private synchronized Transport transport() {
    if (closed) {
      return null;
    }
    if (transport == null) {
      ExecutorService http = Executors.newCachedThreadPool(daemons("kopek-sandbox-webhook-http-"));
      ScheduledExecutorService scheduler =
          Executors.newSingleThreadScheduledExecutor(daemons("kopek-sandbox-webhook-"));
      HttpClient client =
          HttpClient.newBuilder()
              .executor(http)
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(CONNECT_TIMEOUT)
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      transport = new Transport(client, http, scheduler);
    }
    return transport;
  }

  /** Stops the delivery threads; deliveries still in progress or waiting to retry are dropped. */
  @Override
  public synchronized void close() {
    closed = true;
    if (transport != null) {
      transport.scheduler().shutdownNow();
      transport.http().shutdownNow();
    }
    for (Pending pending : inFlight) {
      pending.giveUp();
    }
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
