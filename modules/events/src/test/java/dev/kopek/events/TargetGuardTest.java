package dev.kopek.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.events.EventsAddresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No SSRF through a webhook URL: private, loopback and link-local targets are refused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Webhook targets")
class TargetGuardTest {

  @ParameterizedTest(name = "{0} is not public")
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.255.0.9",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "192.0.0.8",
        "198.18.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::a00:1",
        "64:ff9b::a00:1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe"
      })
  void privateAddresses(String address) throws Exception {
    assertThat(TargetGuard.isPrivate(InetAddress.getByName(address))).isTrue();
  }

  @ParameterizedTest(name = "{0} is public")
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "100.63.255.255",
        "100.128.0.1",
        "172.32.0.1",
        "192.169.0.1",
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808"
      })
  void publicAddresses(String address) throws Exception {
    assertThat(TargetGuard.isPrivate(InetAddress.getByName(address))).isFalse();
  }

  @Test
  @DisplayName(
      "without webhooks.allow_private_targets, an endpoint at a private, loopback or link-local"
          + " address is refused naming url; a public one is accepted")
  void privateTargetsRefused() {
    try (EventsFixture events =
        EventsFixture.start(new JsonObject().put("allow_private_targets", false))) {
      for (String url :
          new String[] {
            "http://127.0.0.1:8080/hooks",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:9000/",
            "https://100.64.1.1/"
          }) {
        Failure refused =
            events.failure(
                EventsAddresses.ENDPOINT_CREATE,
                new JsonObject().put("url", url).put("enabled_events", new JsonArray().add("*")));
        assertThat(refused.code()).as(url).isEqualTo(ErrorCode.VALIDATION_FAILED);
        assertThat(refused.extras().getString("field")).as(url).isEqualTo("url");
      }
      for (String url : new String[] {"ftp://8.8.8.8/", "http://user:pw@8.8.8.8/", "hooks"}) {
        Failure refused =
            events.failure(
                EventsAddresses.ENDPOINT_CREATE,
                new JsonObject().put("url", url).put("enabled_events", new JsonArray().add("*")));
        assertThat(refused.code()).as(url).isEqualTo(ErrorCode.VALIDATION_FAILED);
        assertThat(refused.extras().getString("field")).as(url).isEqualTo("url");
      }
      assertThat(
              events.request(EventsAddresses.ENDPOINTS_LIST, new JsonObject()).getJsonArray("data"))
          .isEmpty();

      // A public address is accepted; moving it to a private one is refused.
      JsonObject created = events.createEndpoint("http://8.8.8.8/hooks", "wallet.depleted");
      assertThat(created.getString("url")).isEqualTo("http://8.8.8.8/hooks");
      Failure moved =
          events.failure(
              EventsAddresses.ENDPOINT_UPDATE,
              new JsonObject()
                  .put("id", created.getString("id"))
                  .put("url", "http://192.168.0.10/hooks"));
      assertThat(moved.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(moved.extras().getString("field")).isEqualTo("url");
      assertThat(events.endpoint(created.getString("id")).getString("url"))
          .isEqualTo("http://8.8.8.8/hooks");
    }
  }
}
