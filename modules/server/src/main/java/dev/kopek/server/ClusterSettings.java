package dev.kopek.server;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code cluster} section: whether this process joins a cluster of Kopek nodes and sibling
 * JVMs, where it listens, which members it asks to join, and the event bus's TLS.
 *
 * @param enabled whether the event bus is clustered
 * @param name the cluster's name; only nodes of the same name join each other
 * @param host the address this node binds and announces, for Hazelcast and the event bus
 * @param port Hazelcast's port on {@code host}
 * @param busPort the event bus's port on {@code host} (0: any free one, announced through
 *     Hazelcast)
 * @param members other members' Hazelcast addresses, {@code host:port}
 * @param tlsCert PEM certificate (chain) of this node, or null for a plain-TCP event bus
 * @param tlsKey PEM private key of {@code tlsCert}
 * @param tlsCa PEM certificate of the authority that signed every node's certificate
 */
record ClusterSettings(
    boolean enabled,
    String name,
    String host,
    int port,
    int busPort,
    List<String> members,
    Path tlsCert,
    Path tlsKey,
    Path tlsCa) {

  private static final Pattern MEMBER = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:\\d{1,5}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  static ClusterSettings from(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    boolean enabled = cluster.getBoolean("enabled", false);
    String name = cluster.getString("name", "kopek");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "cluster.name (KOPEK_CLUSTER_NAME) must be 1 to 64 letters, digits, '.', '_' or '-', was \""
              + name
              + "\"");
    }
    String host = cluster.getString("host", "127.0.0.1");
    if (host.isBlank()) {
      throw new IllegalArgumentException(
          "cluster.host (KOPEK_CLUSTER_HOST) must name this node's address on the cluster's network");
    }
    int port = cluster.getInteger("port", 5701);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "cluster.port (KOPEK_CLUSTER_PORT) must be between 1 and 65535, was " + port);
    }
    int busPort = cluster.getInteger("bus_port", 0);
    if (busPort < 0 || busPort > 65535) {
      throw new IllegalArgumentException(
          "cluster.bus_port (KOPEK_CLUSTER_BUS_PORT) must be between 0 and 65535, was " + busPort);
    }
    List<String> members = new ArrayList<>();
    for (String member : cluster.getString("members", "").split(",")) {
      String trimmed = member.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!MEMBER.matcher(trimmed).matches()) {
        throw new IllegalArgumentException(
            "cluster.members (KOPEK_CLUSTER_MEMBERS) must be host:port pairs separated by commas,"
                + " e.g. 10.0.0.1:5701,10.0.0.2:5701; \""
                + trimmed
                + "\" is not one");
      }
      members.add(trimmed);
    }
    Path cert = path(cluster, "tls_cert_path");
    Path key = path(cluster, "tls_key_path");
    Path ca = path(cluster, "tls_ca_path");
    if (cert != null || key != null || ca != null) {
      if (cert == null || key == null || ca == null) {
        throw new IllegalArgumentException(
            "cluster.tls_cert_path, cluster.tls_key_path and cluster.tls_ca_path go together: set"
                + " all three for a TLS event bus, or none");
      }
      if (enabled) {
        for (String keyName : List.of("tls_cert_path", "tls_key_path", "tls_ca_path")) {
          Path file = path(cluster, keyName);
          if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(
                "cluster." + keyName + ": " + file + " cannot be read (a PEM file)");
          }
        }
      }
    }
    return new ClusterSettings(
        enabled, name, host, port, busPort, List.copyOf(members), cert, key, ca);
  }

  private static Path path(JsonObject cluster, String key) {
    String value = cluster.getString(key, "");
    return value.isBlank() ? null : Path.of(value);
  }

  boolean tls() {
    return tlsCert != null;
  }

  /** This node's Hazelcast address, as other members name it. */
  String address() {
    return host + ":" + port;
  }
}
