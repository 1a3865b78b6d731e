package dev.kopek.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Drives HTTP requests and records their latency in an HdrHistogram. Two modes: closed loop (a
 * fixed number of requests in flight, for peak throughput) and constant rate (requests scheduled at
 * fixed intervals and timed from their intended start, so a stalled server shows up as latency
 * instead of hiding behind fewer requests: no coordinated omission).
 */
final class LoadGenerator {

  /** One request to send. */
  record Call(HttpMethod method, String path, String token, String idempotencyKey, Buffer body) {}

  /** What a run measured. */
  record Result(long completed, long failed, long elapsedNanos, Histogram latencyMicros) {
    long perSecond() {
      return completed * 1_000_000_000L / Math.max(1, elapsedNanos);
    }

    double millis(double percentile) {
      return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  /** Latency recorded up to a minute, three significant digits. */
  private static Histogram histogram() {
    return new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
  }

  private final Vertx vertx;
  private final HttpClientAgent client;

  /**
   * A generator for the server at 127.0.0.1:{@code port}, with up to {@code connections} kept
   * alive. It uses Vert.x's plain HTTP client (not the web client) and pre-encoded bodies, so that
   * it takes as little as possible of the CPU it shares with the server under test.
   */
  LoadGenerator(Vertx vertx, int port, int connections) {
    this.vertx = vertx;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setKeepAlive(true)
                .setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(connections));
  }

  Result closedLoop(int inFlight, long durationMs, Supplier<Call> calls) throws Exception {
    Histogram histogram = histogram();
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(durationMs);
    Promise<Void> done = Promise.promise();
    AtomicLong running = new AtomicLong(inFlight);
    vertx.runOnContext(
        v -> {
          for (int i = 0; i < inFlight; i++) {
            loop(calls, deadline, histogram, completed, failed, running, done);
          }
        });
    done.future().await(durationMs + 60_000, TimeUnit.MILLISECONDS);
    return new Result(completed.get(), failed.get(), System.nanoTime() - start, histogram);
  }

  private void loop(
      Supplier<Call> calls,
      long deadline,
      Histogram histogram,
      AtomicLong completed,
      AtomicLong failed,
      AtomicLong running,
      Promise<Void> done) {
    if (System.nanoTime() >= deadline) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    long sent = System.nanoTime();
    send(calls.get())
        .onComplete(
            result -> {
              record(
                  result.succeeded() ? result.result() : null, sent, histogram, completed, failed);
              loop(calls, deadline, histogram, completed, failed, running, done);
            });
  }

  Result constantRate(int perSecond, long durationMs, Supplier<Call> calls) throws Exception {
    Histogram histogram = histogram();
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long total = (long) perSecond * durationMs / 1000;
    long intervalNanos = 1_000_000_000L / perSecond;
    long start = System.nanoTime();
    AtomicLong scheduled = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    Promise<Void> done = Promise.promise();
    long timer =
        vertx.setPeriodic(
            1,
            id -> {
              long now = System.nanoTime();
              while (scheduled.get() < total && start + scheduled.get() * intervalNanos <= now) {
                long intended = start + scheduled.getAndIncrement() * intervalNanos;
                send(calls.get())
                    .onComplete(
                        result -> {
                          record(
                              result.succeeded() ? result.result() : null,
                              intended,
                              histogram,
                              completed,
                              failed);
                          if (finished.incrementAndGet() == total) {
                            done.tryComplete();
                          }
                        });
              }
            });
    try {
      done.future().await(durationMs + 60_000, TimeUnit.MILLISECONDS);
    } finally {
      vertx.cancelTimer(timer);
    }
    return new Result(completed.get(), failed.get(), System.nanoTime() - start, histogram);
  }

  private static void record(
      Integer status,
      long sentNanos,
      Histogram histogram,
      AtomicLong completed,
      AtomicLong failed) {
    long micros = (System.nanoTime() - sentNanos) / 1000;
    synchronized (histogram) {
      histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
    }
    if (status != null && status < 300) {
      completed.incrementAndGet();
    } else {
      failed.incrementAndGet();
    }
  }

  /** Sends the call and reads the whole response; the future holds its status code. */
  private Future<Integer> send(Call call) {
    RequestOptions request = new RequestOptions().setMethod(call.method()).setURI(call.path());
    if (call.token() != null) {
      request.putHeader("Authorization", "Bearer " + call.token());
    }
    if (call.idempotencyKey() != null) {
      request.putHeader("Idempotency-Key", call.idempotencyKey());
    }
    if (call.body() != null) {
      request.putHeader("Content-Type", "application/json");
    }
    return client
        .request(request)
        .compose(sending -> call.body() != null ? sending.send(call.body()) : sending.send())
        .compose(response -> response.body().map(body -> response.statusCode()));
  }
}
