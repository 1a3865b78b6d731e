package dev.kopek.storage;

import java.nio.file.Path;

/**
 * Runs an embedded PostgreSQL in a process of its own, for tests of what another process sees:
 * prints {@code ready <port>} once the server accepts connections, and stops it when standard input
 * closes (so that it never outlives the test JVM unless it is killed).
 */
public final class EmbeddedPostgresProcess {

  private EmbeddedPostgresProcess() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), false)) {
      System.out.println("ready " + server.endpoint().port());
      System.out.flush();
      while (System.in.read() != -1) {
        // wait for the parent to close standard input
      }
    }
  }
}
