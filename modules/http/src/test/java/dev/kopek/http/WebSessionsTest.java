package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.access.AccessVerticle;
import dev.kopek.client.AccessClient;
import dev.kopek.model.Failure;
import dev.kopek.testkit.TestClock;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One-time links and page sessions, on a clock the test moves. */
@DisplayName("Page sign-in: one-time links and sessions")
@Timeout(120)
class WebSessionsTest {

  private static final long IDLE_MS = 15 * 60_000L;
  private static final long LIFETIME_MS = 3600_000L;

  private static Vertx vertx;
  private static TestClock clock;
  private static AccessClient access;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    clock = TestClock.at(Instant.parse("2026-03-01T10:00:00Z"));
    JsonObject config =
        new JsonObject()
            .put("db", new JsonObject().put("url", TestDatabase.url(TestDatabase.create())));
    vertx
        .deployVerticle(new AccessVerticle(clock), new DeploymentOptions().setConfig(config))
        .await(60, TimeUnit.SECONDS);
    access = AccessClient.create(vertx, 5_000);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(60, TimeUnit.SECONDS);
  }

  private static JsonObject link(String kind, String user) throws Exception {
    return access
        .createWebLink(
            new JsonObject()
                .put("kind", kind)
                .put("user_id", user)
                .put("created_by", "root")
                .put("idle_ms", IDLE_MS)
                .put("lifetime_ms", LIFETIME_MS))
        .await(30, TimeUnit.SECONDS);
  }

  private static String code(Future<?> future) {
    try {
      future.await(30, TimeUnit.SECONDS);
      return "ok";
    } catch (Exception e) {
      return Failure.from(e).code().wireName();
    }
  }

  @Test
  @DisplayName("a link works once: of many racing uses exactly one gets a session")
  void linkWorksOnce() throws Exception {
    String token = link("console", "root").getString("link_token");
    List<Future<JsonObject>> uses = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      uses.add(access.redeemWebLink("console", token));
    }
    Future.join(uses).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    assertThat(uses.stream().filter(Future::succeeded).count()).isEqualTo(1);
    JsonObject session = uses.stream().filter(Future::succeeded).findFirst().get().result();
    assertThat(session.getString("user_id")).isEqualTo("root");
    assertThat(session.getString("session_token")).startsWith(session.getString("id") + ".");
    assertThat(session.getString("csrf_token")).hasSizeGreaterThan(40);
    assertThat(code(access.redeemWebLink("console", token))).isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("a link of another kind, a forged secret or a link past its 5 minutes is refused")
  void linksRefused() throws Exception {
    String token = link("portal", "alice").getString("link_token");
    assertThat(code(access.redeemWebLink("console", token))).isEqualTo("unauthorized");
    String forged = token.substring(0, token.indexOf('.') + 1) + "A".repeat(43);
    assertThat(code(access.redeemWebLink("portal", forged))).isEqualTo("unauthorized");
    assertThat(code(access.redeemWebLink("portal", "garbage"))).isEqualTo("unauthorized");
    clock.advance(Duration.ofMinutes(5).plusMillis(1));
    assertThat(code(access.redeemWebLink("portal", token))).isEqualTo("unauthorized");
    String fresh = link("portal", "alice").getString("link_token");
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(code(access.redeemWebLink("portal", fresh))).isEqualTo("ok");
  }

  @Test
  @DisplayName(
      "a session lives while used within its idle time, ends after it, at its lifetime, and when"
          + " signed out")
  void sessionEnds() throws Exception {
    JsonObject session =
        access
            .redeemWebLink("console", link("console", "root").getString("link_token"))
            .await(30, TimeUnit.SECONDS);
    String cookie = session.getString("session_token");
    assertThat(code(access.touchWebSession("portal", cookie))).isEqualTo("unauthorized");
    // Used every 14 minutes: alive until its hour is up.
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMinutes(14));
      assertThat(code(access.touchWebSession("console", cookie))).as("at %d", i).isEqualTo("ok");
    }
    clock.advance(Duration.ofMinutes(4).plusMillis(1));
    assertThat(code(access.touchWebSession("console", cookie))).isEqualTo("unauthorized");

    String idle =
        access
            .redeemWebLink("console", link("console", "root").getString("link_token"))
            .await(30, TimeUnit.SECONDS)
            .getString("session_token");
    clock.advance(Duration.ofMillis(IDLE_MS));
    assertThat(code(access.touchWebSession("console", idle))).isEqualTo("unauthorized");

    String ended =
        access
            .redeemWebLink("console", link("console", "root").getString("link_token"))
            .await(30, TimeUnit.SECONDS)
            .getString("session_token");
    assertThat(access.endWebSession(ended).await(30, TimeUnit.SECONDS).getBoolean("ended"))
        .isTrue();
    assertThat(code(access.touchWebSession("console", ended))).isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("bad requests name the field")
  void badRequests() {
    assertThatThrownBy(
            () ->
                access
                    .createWebLink(
                        new JsonObject()
                            .put("kind", "portal")
                            .put("user_id", "alice")
                            .put("return_url", "javascript:alert(1)")
                            .put("created_by", "root")
                            .put("idle_ms", IDLE_MS)
                            .put("lifetime_ms", LIFETIME_MS))
                    .await(30, TimeUnit.SECONDS))
        .satisfies(
            e -> assertThat(Failure.from(e).extras().getString("field")).isEqualTo("return_url"));
    assertThatThrownBy(() -> link("admin", "alice"))
        .satisfies(e -> assertThat(Failure.from(e).extras().getString("field")).isEqualTo("kind"));
  }
}
