package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HTTPS from PEM files (http.tls)")
@Timeout(120)
class HttpsTest {

  @TempDir Path temp;

  private Kopek kopek;
  private Vertx client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close().await(30, TimeUnit.SECONDS);
    }
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @DisplayName(
      "a self-signed certificate: HTTPS over HTTP/1.1 and HTTP/2 (ALPN) succeed, plain HTTP to the"
          + " port fails, and a replaced certificate is served after the reload")
  void httpsHttp2AndReload() throws Exception {
    SelfSigned first = SelfSigned.make(temp.resolve("first"), "kopek-first");
    Path cert = temp.resolve("server.crt.pem");
    Path key = temp.resolve("server.key.pem");
    Files.copy(first.certificate(), cert);
    Files.copy(first.key(), key);
    Path file = Files.writeString(temp.resolve("kopek.yaml"), "http:\n  tls:\n    watch_ms: 200\n");
    kopek =
        Kopek.start(
            Main.loadConfig(
                file,
                Map.of(
                    "KOPEK_DB_URL",
                    TestDatabase.url(TestDatabase.create()),
                    "KOPEK_JWT_SECRET",
                    Tokens.SECRET,
                    "KOPEK_HTTP_PORT",
                    "0",
                    "KOPEK_TLS_CERT",
                    cert.toString(),
                    "KOPEK_TLS_KEY",
                    key.toString())));
    int port = kopek.httpPort();
    client = Vertx.vertx();

    // HTTP/1.1 over TLS, the certificate checked against the one made here (host 127.0.0.1).
    WebClient https =
        WebClient.create(
            client,
            new WebClientOptions()
                .setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(
                    new PemTrustOptions().addCertPath(first.certificate().toString())));
    HttpResponse<Buffer> health =
        https.get(port, "127.0.0.1", "/health").send().await(30, TimeUnit.SECONDS);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.version()).isEqualTo(HttpVersion.HTTP_1_1);
    HttpResponse<Buffer> wallets =
        https
            .get(port, "127.0.0.1", "/v1/wallets")
            .bearerTokenAuthentication(Tokens.standard(client).user("alice"))
            .send()
            .await(30, TimeUnit.SECONDS);
    assertThat(wallets.statusCode()).as(wallets.bodyAsString()).isEqualTo(200);

    // HTTP/2, negotiated by ALPN.
    WebClient h2 =
        WebClient.create(
            client,
            new WebClientOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setTrustOptions(
                    new PemTrustOptions().addCertPath(first.certificate().toString())));
    HttpResponse<Buffer> overH2 =
        h2.get(port, "127.0.0.1", "/health").send().await(30, TimeUnit.SECONDS);
    assertThat(overH2.statusCode()).isEqualTo(200);
    assertThat(overH2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(overH2.bodyAsJsonObject().getString("status")).isEqualTo("UP");

    // Plain HTTP to the TLS port gets no HTTP answer.
    assertThat(plainHttp(port)).doesNotStartWith("HTTP/");
    WebClient plain = WebClient.create(client);
    assertThatThrownBy(
            () -> plain.get(port, "127.0.0.1", "/health").send().await(30, TimeUnit.SECONDS))
        .isNotNull();

    assertThat(servedCertificate(port)).isEqualTo(first.x509());

    // The certificate is renewed in place: new files moved over the old ones.
    SelfSigned second = SelfSigned.make(temp.resolve("second"), "kopek-second");
    Files.copy(second.key(), temp.resolve("new.key"));
    Files.copy(second.certificate(), temp.resolve("new.crt"));
    Files.move(temp.resolve("new.key"), key, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp.resolve("new.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
    Poll.until(
        Duration.ofSeconds(20),
        "the new certificate to be served",
        () -> second.x509().equals(servedCertificate(port)));
    WebClient renewed =
        WebClient.create(
            client,
            new WebClientOptions()
                .setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(
                    new PemTrustOptions().addCertPath(second.certificate().toString())));
    assertThat(
            renewed
                .get(port, "127.0.0.1", "/health")
                .send()
                .await(30, TimeUnit.SECONDS)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  @DisplayName("http.tls.cert_pem without http.tls.key_pem stops start-up naming both")
  void certificateWithoutKey() throws Exception {
    SelfSigned pair = SelfSigned.make(temp, "kopek-half");
    Cli.Result result =
        Cli.run(
            Map.of(
                "KOPEK_DATA_DIR",
                temp.resolve("data").toString(),
                "KOPEK_TLS_CERT",
                pair.certificate().toString()));
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "kopek: cannot start: http.tls.cert_pem (KOPEK_TLS_CERT) and http.tls.key_pem "
                + "(KOPEK_TLS_KEY) must be set together: the PEM files of the server's certificate "
                + "chain and of its private key\n");
    assertThat(temp.resolve("data")).doesNotExist();
  }

  /** What a plain-HTTP request to {@code port} gets back, as text (empty when nothing). */
  private static String plainHttp(int port) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      try {
        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
          received.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException closed) {
        // nothing more
      }
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** The certificate a new TLS connection to {@code port} is shown. */
  private static X509Certificate servedCertificate(int port) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustEverything()}, null);
      try (SSLSocket socket =
          (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Only to read which certificate is served; the requests above verify it properly. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
