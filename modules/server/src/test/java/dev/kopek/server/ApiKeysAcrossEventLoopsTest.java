package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys in the server as deployed: the access verticle is up, and a key revoked through one HTTP
 * verticle is refused at once by every other, although each remembers the keys it verified.
 */
@DisplayName("API keys across HTTP event loops")
class ApiKeysAcrossEventLoopsTest {

  @TempDir Path temp;

  private Kopek kopek;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** One request on a connection of its own (so requests go round the HTTP verticles). */
  private String[] send(String method, String path, String bearer, JsonObject body)
      throws Exception {
    try (Socket connection = new Socket("127.0.0.1", kopek.httpPort())) {
      byte[] content = body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8);
      OutputStream out = connection.getOutputStream();
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  + "Authorization: Bearer "
                  + bearer
                  + "\r\n"
                  + (body == null
                      ? ""
                      : "Content-Type: application/json\r\nContent-Length: "
                          + content.length
                          + "\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(content);
      out.flush();
      InputStream in = connection.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      String status = response.substring(9, 12);
      String rest = response.substring(response.indexOf("\r\n\r\n") + 4);
      return new String[] {status, rest};
    }
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "a key revoked through one of three HTTP verticles is refused by all of them at once")
  void revocationReachesEveryEventLoop() throws Exception {
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
    vertx = Vertx.vertx();
    String admin = Tokens.standard(vertx).admin("root");

    String[] created =
        send(
            "POST",
            "/v1/admin/api_keys",
            admin,
            new JsonObject()
                .put("name", "reader")
                .put("scopes", new JsonArray().add("admin:read")));
    assertThat(created[0]).as(created[1]).isEqualTo("201");
    JsonObject key = new JsonObject(created[1]);
    // Every verticle verifies the key and remembers it.
    for (int i = 0; i < 6; i++) {
      String[] read = send("GET", "/v1/admin/transactions", key.getString("key"), null);
      assertThat(read[0]).as(read[1]).isEqualTo("200");
    }
    String[] revoked = send("DELETE", "/v1/admin/api_keys/" + key.getString("id"), admin, null);
    assertThat(revoked[0]).as(revoked[1]).isEqualTo("200");
    for (int i = 0; i < 6; i++) {
      String[] read = send("GET", "/v1/admin/transactions", key.getString("key"), null);
      assertThat(read[0]).as(read[1]).isEqualTo("401");
    }
    // And the server's audit log has both administrative changes.
    dev.kopek.testkit.Poll.eventually(
        java.time.Duration.ofSeconds(20),
        () -> {
          String[] audit = send("GET", "/v1/admin/audit?actor=root", admin, null);
          assertThat(audit[0]).as(audit[1]).isEqualTo("200");
          assertThat(
                  new JsonObject(audit[1])
                      .getJsonArray("data").stream()
                          .map(row -> ((JsonObject) row).getString("action"))
                          .toList())
              .containsExactly("DELETE /v1/admin/api_keys/{id}", "POST /v1/admin/api_keys");
        });
  }
}
