package dev.kopek.model.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** An entry's reply text, written directly, is its JSON object's encoding, and reads back equal. */
class EntryTextTest {

  @Property(tries = 5_000)
  void sameAsTheEncodedObject(@ForAll("entries") Entry entry) {
    assertThat(entry.toJsonText()).isEqualTo(entry.toJson().encode());
    assertThat(Entry.fromJson(new io.vertx.core.json.JsonObject(entry.toJsonText())))
        .isEqualTo(entry);
  }

  @Provide
  Arbitrary<Entry> entries() {
    Arbitrary<String> text =
        Arbitraries.oneOf(
            Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20),
            Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20));
    Arbitrary<Instant> at =
        Arbitraries.longs()
            .between(0, 4_102_444_800_000_000L)
            .map(micros -> Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1_000));
    return Combinators.combine(
            Arbitraries.longs().greaterOrEqual(1),
            text,
            Arbitraries.of("USD", "EUR", "JPY"),
            Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.of(EntryKind.class),
            text,
            text.injectNull(0.5))
        .flatAs(
            (id, user, currency, amount, balance, kind, reason, reference) ->
                at.map(
                    createdAt ->
                        new Entry(
                            id,
                            user,
                            currency,
                            amount,
                            balance,
                            kind,
                            reason,
                            reference,
                            "revenue:" + currency,
                            createdAt)));
  }
}
