package dev.kopek.payments;

import dev.kopek.gateway.spi.Gateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs provider calls (blocking SDK code) on a worker pool of their own, never on the event loop,
 * each bounded by {@code payments.gateway_timeout_ms}. A call that overruns completes the future
 * with a {@link TimeoutException}; the provider may still act, which is why every call carries an
 * idempotency key and pending payments are reconciled by polling.
 */
final class GatewayCalls implements AutoCloseable {

  /** Threads for provider calls: they mostly wait on the network. */
  private static final int POOL_SIZE = 16;

  private static final Logger LOG = LoggerFactory.getLogger(GatewayCalls.class);

  private final WorkerExecutor executor;
  private final long timeoutMs;

  GatewayCalls(Vertx vertx, long timeoutMs) {
    this.executor = vertx.createSharedWorkerExecutor("kopek-gateways", POOL_SIZE,
        timeoutMs * 4, TimeUnit.MILLISECONDS);
    this.timeoutMs = timeoutMs;
  }

  <T> Future<T> call(Gateway gateway, String operation, Function<Gateway, T> call) {
    return executor.<T>executeBlocking(() -> call.apply(gateway), false)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onFailure(error -> LOG.warn("{} {} failed: {}", gateway.id(), operation, error.toString()));
  }

  @Override
  public void close() {
    executor.close();
  }
}
