package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HTTP on several event loops")
class HttpEventLoopsTest {

  @TempDir Path temp;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "http.event_loops 3 on port 0: the instances share one random port, and every connection is served")
  void instancesShareTheRandomPort() throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    Path file = Files.writeString(temp.resolve("kopek.yaml"), "http:\n  event_loops: 3\n");
    kopek =
        Kopek.start(
            Main.loadConfig(
                file,
                Map.of(
                    "KOPEK_DB_URL",
                    TestDatabase.url(database),
                    "KOPEK_JWT_SECRET",
                    Tokens.SECRET,
                    "KOPEK_HTTP_PORT",
                    "0")));
    assertThat(kopek.httpPort()).isPositive();
    assertThat(kopek.httpPorts())
        .containsExactly(kopek.httpPort(), kopek.httpPort(), kopek.httpPort());

    // Connections are opened together, so that they go round the instances.
    List<Socket> connections = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        connections.add(new Socket("127.0.0.1", kopek.httpPort()));
      }
      for (Socket connection : connections) {
        OutputStream out = connection.getOutputStream();
        out.write(
            ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      for (Socket connection : connections) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      }
    } finally {
      for (Socket connection : connections) {
        connection.close();
      }
    }
  }

  @Test
  @Timeout(90)
  @DisplayName("on Linux x86_64, Vert.x runs on Netty's native epoll transport, not Java NIO")
  void nativeTransportOnLinux() throws Exception {
    boolean linuxX64 =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    PostgresEndpoint database = TestDatabase.create();
    kopek =
        Kopek.start(
            Main.loadConfig(
                null,
                Map.of(
                    "KOPEK_DB_URL",
                    TestDatabase.url(database),
                    "KOPEK_JWT_SECRET",
                    Tokens.SECRET,
                    "KOPEK_HTTP_PORT",
                    "0")));
    assertThat(kopek.vertx().isNativeTransportEnabled()).isEqualTo(linuxX64);
    assertThat(kopek.vertx().unavailableNativeTransportCause() == null).isEqualTo(linuxX64);
  }
}
