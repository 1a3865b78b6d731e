package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Health and metrics")
@Timeout(60)
class OperationsTest {

  @Test
  @DisplayName("/health is UP when the ledger's database answers, and needs no token")
  void healthUp() throws Exception {
    try (ApiFixture api = ApiFixture.start()) {
      HttpResponse<Buffer> response = api.get("/health", null);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("/health is 503 DOWN when the ledger does not answer")
  void healthDown() throws Exception {
    try (ApiFixture api = ApiFixture.start(Vertx.vertx(), false)) {
      HttpResponse<Buffer> response = api.get("/health", null);
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      HttpResponse<Buffer> wallets = api.get("/v1/wallets", api.tokens.user("alice"));
      assertThat(wallets.statusCode()).isEqualTo(503);
      assertThat(wallets.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    }
  }

  @Test
  @DisplayName("a 503 unavailable, read or money-moving, carries Retry-After")
  void unavailableCarriesRetryAfter() throws Exception {
    try (ApiFixture api = ApiFixture.start(Vertx.vertx(), false)) {
      HttpResponse<Buffer> wallets = api.get("/v1/wallets", api.tokens.user("alice"));
      assertThat(wallets.statusCode()).isEqualTo(503);
      assertThat(wallets.getHeader("Retry-After")).isEqualTo("2");
      HttpResponse<Buffer> charge =
          api.post(
              "/v1/charges",
              api.tokens.user("alice"),
              "c-1",
              ApiFixture.charge(100, "USD", "coffee"));
      assertThat(charge.statusCode()).isEqualTo(503);
      assertThat(charge.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
      assertThat(charge.getHeader("Retry-After")).isEqualTo("2");
    }
  }

  @Test
  @DisplayName("/metrics answers 503 problem+json when metrics are switched off")
  void metricsOff() throws Exception {
    try (ApiFixture api = ApiFixture.start(Vertx.vertx(), true)) {
      HttpResponse<Buffer> response = api.get("/metrics", null);
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    }
  }

  @Test
  @DisplayName("/metrics serves Prometheus text including the HTTP server's request counts")
  void metrics() throws Exception {
    try (ApiFixture api = ApiFixture.start()) {
      api.get("/health", null);
      HttpResponse<Buffer> response = api.get("/metrics", null);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsString()).contains("vertx_http_server_requests_total");
    }
  }
}
