package dev.kopek.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.regex.Pattern;

/**
 * A clustered Vert.x as Kopek's nodes run it ({@code cluster.*} settings): Hazelcast finds the
 * members by TCP-IP join with the listed addresses (never multicast), the event bus connects the
 * nodes directly, over TLS with client certificates when the PEM files are set. A sibling JVM calls
 * {@link #join} with the same settings to share Kopek's addresses.
 */
public final class KopekCluster {

  static {
    Logging.configure();
  }

  private static final Pattern IP = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?");

  private KopekCluster() {}

  /**
   * Joins the cluster the configuration's {@code cluster} section describes (whether or not {@code
   * cluster.enabled} is set: a sibling is clustered by calling this).
   *
   * @param config a configuration as {@link KopekConfig#load} returns it
   * @param options further options of the Vert.x (event loops, metrics); its event bus options are
   *     replaced
   * @return the clustered Vert.x, once it has joined
   * @throws IllegalArgumentException for invalid {@code cluster.*} settings, naming the key
   */
  public static Future<Vertx> join(JsonObject config, VertxOptions options) {
    return join(ClusterSettings.from(config), options);
  }

  /** {@link #join(JsonObject, VertxOptions)} with Vert.x's default options. */
  public static Future<Vertx> join(JsonObject config) {
    return join(config, new VertxOptions());
  }

  static Future<Vertx> join(ClusterSettings settings, VertxOptions options) {
    EventBusOptions bus =
        new EventBusOptions()
            .setHost(settings.host())
            .setPort(settings.busPort())
            .setClusterPublicHost(settings.host());
    if (settings.tls()) {
      bus.setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(settings.tlsCert().toString())
                  .setKeyPath(settings.tlsKey().toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(settings.tlsCa().toString()))
          // Both ends show a certificate of the cluster's authority: a stranger can neither
          // listen in nor send.
          .setClientAuth(ClientAuth.REQUIRED);
    }
    options.setEventBusOptions(bus);
    return Vertx.builder()
        .with(options)
        .withClusterManager(new HazelcastClusterManager(hazelcast(settings)))
        .buildClustered();
  }

  /** Hazelcast's configuration: Vert.x's maps, TCP-IP join with the listed members only. */
  static Config hazelcast(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Kopek leaves the cluster in its own shutdown, after its verticles have stopped.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // The members are listed: nothing to wait for before joining them.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    // A member that stops answering (killed, cut off) is dropped within seconds, not a minute:
    // requests stop going to its consumers.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", settings.host());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.port()).setPortAutoIncrement(false);
    network.setPublicAddress(settings.address());
    if (IP.matcher(settings.host()).matches()) {
      network.getInterfaces().setEnabled(true).addInterface(settings.host());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(settings.address());
    settings.members().forEach(member -> join.getTcpIpConfig().addMember(member));
    return config;
  }
}
