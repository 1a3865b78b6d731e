package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("GET /v1/transactions and /v1/transactions.csv")
@Timeout(60)
class TransactionsApiTest {

  private static ApiFixture api;
  private static String token;
  private static Instant middle;

  @BeforeAll
  static void start() throws Exception {
    api = ApiFixture.start();
    token = api.tokens.user("alice");
    api.credit("alice", 10_000, "USD");
    api.credit("alice", 500, "JPY");
    for (int i = 1; i <= 24; i++) {
      if (i == 13) {
        Thread.sleep(5);
        middle = Instant.now();
        Thread.sleep(5);
      }
      assertThat(
              api.post("/v1/charges", token, "c" + i, ApiFixture.charge(i, "USD", "item " + i))
                  .statusCode())
          .isEqualTo(201);
    }
    api.post(
        "/v1/charges", token, "csv", ApiFixture.charge(7, "USD", "=HYPERLINK(\"x\"), \"quoted\""));
    api.credit("bob", 100, "USD");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  @Test
  @DisplayName(
      "a query value is URL-decoded once: user_id=ann%2Bops%40example.com is ann+ops@example.com,"
          + " and %2525 stays %25")
  void queryDecodedOnce() throws Exception {
    api.credit("ann+ops@example.com", 700, "USD");
    api.credit("ann ops@example.com", 900, "USD");
    String admin = api.tokens.admin("root");
    io.vertx.core.json.JsonArray plus =
        api.get("/v1/admin/transactions?user_id=ann%2Bops%40example.com", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(plus).hasSize(1);
    assertThat(plus.getJsonObject(0).getString("user_id")).isEqualTo("ann+ops@example.com");
    assertThat(plus.getJsonObject(0).getLong("amount_minor")).isEqualTo(700);
    // A plus sign in a query is a space (form encoding), as Vert.x reads it.
    io.vertx.core.json.JsonArray space =
        api.get("/v1/admin/transactions?user_id=ann+ops%40example.com", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(space).hasSize(1);
    assertThat(space.getJsonObject(0).getLong("amount_minor")).isEqualTo(900);
    api.credit("pct%25", 300, "USD");
    io.vertx.core.json.JsonArray percent =
        api.get("/v1/admin/transactions?user_id=pct%2525", admin)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(percent).hasSize(1);
    assertThat(percent.getJsonObject(0).getString("user_id")).isEqualTo("pct%25");
  }

  @Test
  @DisplayName(
      "a literal % in a query value is a 400 naming the parameter and how to write a % sign")
  void malformedPercentEncoding() throws Exception {
    String admin = api.tokens.admin("root");
    var response = api.get("/v1/admin/transactions?limit=5&user_id=50%off", admin);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("content-type")).startsWith("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("field")).isEqualTo("user_id");
    assertThat(problem.getString("detail")).contains("%25");
  }

  @Test
  @DisplayName("pages newest first; the cursor walks every entry exactly once")
  void cursorPaging() throws Exception {
    List<Long> ids = new ArrayList<>();
    String cursor = "";
    boolean more = true;
    int pages = 0;
    while (more) {
      JsonObject page = api.get("/v1/transactions?limit=10" + cursor, token).bodyAsJsonObject();
      JsonArray data = page.getJsonArray("data");
      data.forEach(e -> ids.add(((JsonObject) e).getLong("id")));
      more = page.getBoolean("has_more");
      cursor = "&starting_after=" + data.getJsonObject(data.size() - 1).getLong("id");
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(ids).hasSize(27).doesNotHaveDuplicates();
    assertThat(ids).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    JsonObject defaults = api.get("/v1/transactions", token).bodyAsJsonObject();
    assertThat(defaults.getJsonArray("data")).hasSize(20);
    assertThat(defaults.getBoolean("has_more")).isTrue();
  }

  @Test
  @DisplayName("filters by currency, kind and time")
  void filters() throws Exception {
    JsonArray jpy =
        api.get("/v1/transactions?currency=JPY", token).bodyAsJsonObject().getJsonArray("data");
    assertThat(jpy).hasSize(1);
    assertThat(jpy.getJsonObject(0).getLong("amount_minor")).isEqualTo(500);
    JsonArray adjustments =
        api.get("/v1/transactions?kind=adjustment", token).bodyAsJsonObject().getJsonArray("data");
    assertThat(adjustments).hasSize(2);
    JsonArray before =
        api.get("/v1/transactions?kind=charge&limit=100&to=" + middle, token)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(before).hasSize(12);
    JsonArray after =
        api.get("/v1/transactions?kind=charge&limit=100&from=" + middle, token)
            .bodyAsJsonObject()
            .getJsonArray("data");
    assertThat(after).hasSize(13);
  }

  @Test
  @DisplayName("balance_after_minor is the running sum of the wallet's amounts")
  void runningBalance() throws Exception {
    JsonArray usd =
        api.get("/v1/transactions?currency=USD&limit=100", token)
            .bodyAsJsonObject()
            .getJsonArray("data");
    long running = 0;
    for (int i = usd.size() - 1; i >= 0; i--) {
      running += usd.getJsonObject(i).getLong("amount_minor");
      assertThat(usd.getJsonObject(i).getLong("balance_after_minor")).isEqualTo(running);
    }
    assertThat(running).isEqualTo(10_000 - 300 - 7);
  }

  @Test
  @DisplayName("the CSV export streams every entry with a header, quoted and formula-safe")
  void csvExport() throws Exception {
    HttpResponse<Buffer> response = api.get("/v1/transactions.csv?currency=USD", token);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/csv");
    assertThat(response.getHeader("Content-Disposition")).contains("transactions.csv");
    String[] lines = response.bodyAsString().split("\r\n");
    assertThat(lines[0])
        .isEqualTo("id,created_at,currency,amount_minor,balance_after_minor,kind,reason,reference");
    assertThat(lines).hasSize(1 + 26);
    assertThat(lines[1])
        .contains(",USD,-7,9693,charge,\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\",");
    assertThat(lines[lines.length - 1]).contains(",USD,10000,10000,adjustment,test credit,");
  }

  @Test
  @DisplayName("the CSV export of a log longer than one ledger page is complete")
  void csvExportAcrossPages() throws Exception {
    String many = api.tokens.user("carol");
    api.credit("carol", 1_000_000, "USD");
    List<io.vertx.core.Future<HttpResponse<Buffer>>> charges = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      charges.add(
          api.send(
              io.vertx.core.http.HttpMethod.POST,
              "/v1/charges",
              many,
              "m" + i,
              ApiFixture.charge(1, "USD", "tick")));
    }
    io.vertx.core.Future.all(charges).await(60, TimeUnit.SECONDS);
    String[] lines = api.get("/v1/transactions.csv", many).bodyAsString().split("\r\n");
    assertThat(lines).hasSize(1 + 1101);
    assertThat(lines[1101]).contains(",1000000,1000000,adjustment,");
  }
}
