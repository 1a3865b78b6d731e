package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What the refund-fault tests share: the provider played by WireMock, Kopek started against it, an
 * administrator who refunds, and the user's refund entries they check.
 */
final class RefundFaults implements AutoCloseable {

  /** The provider's API, as WireMock plays it. */
  final WireMockServer provider;

  /** Kopek, with the provider as its default gateway. */
  final ProviderFlow kopek;

  private final String admin;
  private final AtomicInteger users = new AtomicInteger();

  private RefundFaults(WireMockServer provider, ProviderFlow kopek) {
    this.provider = provider;
    this.kopek = kopek;
    this.admin = Tokens.signedWith(kopek.api.vertx(), ProviderFlow.JWT_SECRET).admin("ops");
  }

  /**
   * Starts WireMock, then Kopek with {@code gateway} as its default gateway.
   *
   * @param gateways the {@code payments.gateways} section, given WireMock's base URL
   */
  static RefundFaults start(Path dir, String gateway, Function<String, String> gateways)
      throws Exception {
    WireMockServer provider = ProviderFlow.wiremock();
    try {
      return new RefundFaults(
          provider, ProviderFlow.start(dir, gateway, gateways.apply(provider.baseUrl())));
    } catch (Exception | Error failed) {
      provider.stop();
      throw failed;
    }
  }

  /** Forgets what WireMock was told and asked; before each test. */
  void reset() {
    provider.resetAll();
  }

  /** A number no earlier user of this fixture had. */
  int nextUser() {
    return users.incrementAndGet();
  }

  /**
   * Refunds {@code amount} of the user's top-up with an administrator's key of its own per user
   * (keys are the admin's, not the top-up's).
   */
  HttpResponse<Buffer> refund(String user, String topupId, String key, long amount)
      throws Exception {
    return kopek.api.post(
        "/v1/admin/topups/" + topupId + "/refund",
        admin,
        user + "-" + key,
        new JsonObject().put("amount_minor", amount));
  }

  /** The amounts of the user's refund entries in the ledger, all of the top-up, newest first. */
  List<Long> refundEntries(String token, String topupId) throws Exception {
    HttpResponse<Buffer> listed = kopek.api.get("/v1/transactions?kind=refund", token);
    assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    JsonArray entries = listed.bodyAsJsonObject().getJsonArray("data");
    List<Long> amounts = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      assertThat(entries.getJsonObject(i).getString("reference")).isEqualTo(topupId);
      amounts.add(entries.getJsonObject(i).getLong("amount_minor"));
    }
    return amounts;
  }

  /** The sum of the user's refund entries of the top-up. */
  long refundEntriesSum(String token, String topupId) throws Exception {
    return refundEntries(token, topupId).stream().mapToLong(Long::longValue).sum();
  }

  /** Stops Kopek, then WireMock. */
  @Override
  public void close() throws Exception {
    try {
      kopek.close();
    } finally {
      provider.stop();
    }
  }
}
