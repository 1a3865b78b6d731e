package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The console-link command")
@Timeout(60)
class ConsoleLinkCommandTest {

  private static final String SECRET = "console-link-test-secret-of-48-bytes-length!!!!";

  @TempDir static Path dataDir;

  @TempDir Path otherDir;

  private static Kopek kopek;
  private static ApiClient api;

  @BeforeAll
  @Timeout(90)
  static void start() throws Exception {
    kopek =
        Kopek.start(
            Main.loadConfig(
                null,
                Map.of(
                    "KOPEK_DATA_DIR",
                    dataDir.toString(),
                    "KOPEK_HTTP_PORT",
                    "0",
                    "KOPEK_JWT_SECRET",
                    SECRET)));
    api = new ApiClient(kopek.httpPort());
  }

  @AfterAll
  @Timeout(60)
  static void stop() throws Exception {
    try {
      if (api != null) {
        api.close();
      }
    } finally {
      if (kopek != null) {
        kopek.stop();
      }
    }
  }

  @Test
  @DisplayName(
      "with the embedded database: writes a link into the running server's database and prints"
          + " its URL; the link signs in once")
  void embedded() throws Exception {
    Cli.Result result =
        Cli.run(
            Map.of(
                "KOPEK_DATA_DIR",
                dataDir.toString(),
                "KOPEK_HTTP_PORT",
                String.valueOf(kopek.httpPort())),
            "console-link",
            "--user",
            "ops");

    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isEqualTo(0);
    assertThat(result.out()).hasLineCount(1);
    String url = result.out().trim();
    assertThat(url)
        .startsWith("http://127.0.0.1:" + kopek.httpPort() + "/console/signin/")
        .matches(".*/console/signin/[A-Za-z0-9_.-]+");

    HttpResponse<Buffer> first = api.get(URI.create(url).getPath(), null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.cookies()).anyMatch(cookie -> cookie.startsWith("kopek_console="));
    HttpResponse<Buffer> second = api.get(URI.create(url).getPath(), null);
    assertThat(second.statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("with db.url: writes to that database; payments.public_url is the link's base")
  void databaseUrl() throws Exception {
    int port =
        ConsoleLinkCommand.runningPort(dataDir.resolve("postgres").toAbsolutePath()).orElseThrow();
    Cli.Result result =
        Cli.run(
            Map.of(
                "KOPEK_DATA_DIR",
                otherDir.toString(),
                "KOPEK_DB_URL",
                "postgresql://postgres@127.0.0.1:" + port + "/" + Kopek.EMBEDDED_DATABASE,
                "KOPEK_PUBLIC_URL",
                "https://pay.example.com/"),
            "console-link",
            "--user",
            "ops");

    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isEqualTo(0);
    String url = result.out().trim();
    assertThat(url).startsWith("https://pay.example.com/console/signin/");
    HttpResponse<Buffer> signIn = api.get(URI.create(url).getPath(), null);
    assertThat(signIn.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName(
      "without payments.public_url the link's base is the listening address: IPv6 in brackets,"
          + " a wildcard as 127.0.0.1")
  void baseFromListeningAddress() {
    assertThat(ConsoleLinkCommand.publicUrl(listening("::1", 8443))).isEqualTo("http://[::1]:8443");
    assertThat(ConsoleLinkCommand.publicUrl(listening("[::1]", 8443)))
        .isEqualTo("http://[::1]:8443");
    assertThat(ConsoleLinkCommand.publicUrl(listening("::", 8080)))
        .isEqualTo("http://127.0.0.1:8080");
    assertThat(ConsoleLinkCommand.publicUrl(listening("0.0.0.0", 8080)))
        .isEqualTo("http://127.0.0.1:8080");
    assertThat(ConsoleLinkCommand.publicUrl(listening("kopek.internal", 9000)))
        .isEqualTo("http://kopek.internal:9000");
    assertThat(
            ConsoleLinkCommand.publicUrl(
                listening("::1", 8443)
                    .put("payments", new JsonObject().put("public_url", "https://pay.example/"))))
        .isEqualTo("https://pay.example");
  }

  private static JsonObject listening(String host, int port) {
    return new JsonObject().put("http", new JsonObject().put("host", host).put("port", port));
  }

  @Test
  @DisplayName("no server running on the data directory: exit code 2, one line saying to start it")
  void notRunning() {
    Cli.Result result =
        Cli.run(Map.of("KOPEK_DATA_DIR", otherDir.toString()), "console-link", "--user", "ops");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "kopek: console-link: no Kopek is running on the data directory "
                + otherDir.toAbsolutePath().normalize()
                + ": start Kopek first (java -jar kopek.jar), or set KOPEK_DATA_DIR to its data"
                + " directory\n");
  }

  @Test
  @DisplayName("without --user: exit code 2 and the usage")
  void noUser() {
    Cli.Result result = Cli.run(Map.of("KOPEK_DATA_DIR", otherDir.toString()), "console-link");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).startsWith("kopek: console-link needs --user ID").endsWith(Main.USAGE);
  }
}
