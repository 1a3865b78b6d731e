package dev.kopek.server;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the listening sockets of Vert.x's servers ahead of their shutdown, so that a stopping
 * Kopek refuses new connections instead of accepting and dropping them.
 *
 * <p>The HTTP verticle's instances share one listening socket. Vert.x 5.0 closes it only when the
 * last instance has left, after each instance has stopped taking connections: meanwhile the socket
 * still accepts, and a connection accepted then has no instance left to go to (Netty logs "Failed
 * to register an accepted channel" with a stack trace and drops it; Vert.x issue 6087). Vert.x has
 * no public call that closes the socket alone, so its shared servers' bound channels are looked up
 * here and closed first; the servers then shut down as usual, letting their open connections
 * finish. If the Vert.x internals differ (another version), nothing is closed early and the
 * shutdown proceeds as before.
 */
final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private Listeners() {}

  /**
   * Closes every listening socket of {@code vertx}'s TCP servers (HTTP included); returns how many
   * were closed.
   */
  static int close(Vertx vertx, long timeoutMs) {
    List<Channel> channels = new ArrayList<>();
    try {
      for (Object server : List.copyOf(((VertxInternal) vertx).sharedTcpServers().values())) {
        Channel channel = boundChannel(server);
        if (channel != null) {
          channels.add(channel);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException notThisVersion) {
      LOG.debug("Cannot close the listening sockets ahead of the shutdown", notThisVersion);
      return 0;
    }
    for (Channel channel : channels) {
      channel.close().awaitUninterruptibly(timeoutMs, TimeUnit.MILLISECONDS);
    }
    return channels.size();
  }

  /** The server's bound channel ({@code NetServerImpl.bindFuture}), or null. */
  private static Channel boundChannel(Object server) throws ReflectiveOperationException {
    for (Class<?> type = server.getClass(); type != null; type = type.getSuperclass()) {
      Field field;
      try {
        field = type.getDeclaredField("bindFuture");
      } catch (NoSuchFieldException notHere) {
        continue;
      }
      field.setAccessible(true);
      if (field.get(server) instanceof Future<?> bound
          && bound.succeeded()
          && bound.result() instanceof Channel channel) {
        return channel;
      }
      return null;
    }
    return null;
  }
}
