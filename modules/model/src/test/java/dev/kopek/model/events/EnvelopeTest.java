package dev.kopek.model.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The envelope built as an object is the envelope's text read back: equal, and the same text. */
class EnvelopeTest {

  @Property(tries = 5_000)
  void builtEqualsParsed(
      @ForAll("texts") String id,
      @ForAll("texts") String user,
      @ForAll("sequences") Long sequence,
      @ForAll("amounts") long amount,
      @ForAll("texts") String reason,
      @ForAll boolean withWallet) {
    Instant at = Instant.ofEpochSecond(1_790_000_000L + Math.floorMod(amount, 1_000_000), 123_000);
    String object =
        new JsonObject()
            .put("id", amount)
            .put("amount_minor", amount)
            .put("reason", reason)
            .put("reference", null)
            .put("nested", new JsonObject().put("x", 1.5))
            .encode();
    String userId = withWallet ? user : null;
    String currency = withWallet ? "USD" : null;
    Long seq = withWallet ? sequence : null;
    JsonObject parsed =
        Envelope.json(Envelope.body(id, "entry.posted", at, userId, currency, seq, object));
    JsonObject built = Envelope.json(id, "entry.posted", at, userId, currency, seq, object);
    assertThat(built).isEqualTo(parsed);
    assertThat(built.encode()).isEqualTo(parsed.encode());
    if (seq != null) {
      assertThat(built.getJsonObject("wallet").getValue("sequence").getClass())
          .isEqualTo(parsed.getJsonObject("wallet").getValue("sequence").getClass());
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(16);
  }

  @Provide
  Arbitrary<Long> sequences() {
    return Arbitraries.oneOf(
        Arbitraries.longs().between(1, 1_000),
        Arbitraries.longs().between(Integer.MAX_VALUE - 2L, Integer.MAX_VALUE + 2L),
        Arbitraries.longs().between(1, Long.MAX_VALUE));
  }

  @Provide
  Arbitrary<Long> amounts() {
    return Arbitraries.longs();
  }
}
