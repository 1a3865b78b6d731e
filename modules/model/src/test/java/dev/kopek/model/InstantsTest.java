package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Instants} against {@code java.time}: the same text and the same instants. */
class InstantsTest {

  @Property(tries = 20_000)
  void formatsAsInstantToString(@ForAll("instants") Instant instant) {
    assertThat(Instants.format(instant)).isEqualTo(instant.toString());
  }

  @Property(tries = 20_000)
  void parsesWhatInstantParses(@ForAll("instants") Instant instant) {
    String text = instant.toString();
    assertThat(Instants.parse(text)).isEqualTo(Instant.parse(text)).isEqualTo(instant);
  }

  /** Text that is nearly an instant: either both read the same instant, or both refuse it. */
  @Property(tries = 20_000)
  void refusesWhatInstantParseRefuses(
      @ForAll("instants") Instant instant,
      @ForAll("positions") int position,
      @ForAll("characters") char replacement) {
    String text = instant.toString();
    String mutated =
        text.substring(0, position % text.length())
            + replacement
            + text.substring(Math.min(text.length(), position % text.length() + 1));
    Instant expected;
    try {
      expected = Instant.parse(mutated);
    } catch (DateTimeException refused) {
      assertThatThrownBy(() -> Instants.parse(mutated)).isInstanceOf(DateTimeException.class);
      return;
    }
    assertThat(Instants.parse(mutated)).isEqualTo(expected);
  }

  @Example
  void edges() {
    for (String text :
        new String[] {
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "2024-02-29T12:00:00.1Z",
          "2026-12-06T10:00:00.120Z",
          "1969-12-31T23:59:59.000001Z",
          "2016-12-31T23:59:60Z",
          "-0001-01-01T00:00:00Z",
          "+10000-01-01T00:00:00Z"
        }) {
      assertThat(Instants.parse(text)).as(text).isEqualTo(Instant.parse(text));
      Instant instant = Instant.parse(text);
      assertThat(Instants.format(instant)).as(text).isEqualTo(instant.toString());
    }
    // Refused, or (2023-02-29, 24:00) resolved: whatever java.time does.
    for (String text :
        new String[] {
          "2023-02-29T00:00:00Z",
          "2026-12-06T24:00:00Z",
          "2026-12-06T10:00:00.Z",
          "2026-12-06T10:00:00",
          ""
        }) {
      Instant expected;
      try {
        expected = Instant.parse(text);
      } catch (DateTimeException refused) {
        assertThatThrownBy(() -> Instants.parse(text))
            .as(text)
            .isInstanceOf(DateTimeException.class);
        continue;
      }
      assertThat(Instants.parse(text)).as(text).isEqualTo(expected);
    }
    assertThat(Instants.format(Instant.MIN)).isEqualTo(Instant.MIN.toString());
    assertThat(Instants.format(Instant.MAX)).isEqualTo(Instant.MAX.toString());
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-62_167_219_200L - 1_000_000, 253_402_300_800L + 1_000_000),
            Arbitraries.longs().between(1_700_000_000L, 1_900_000_000L));
    Arbitrary<Integer> nanos =
        Arbitraries.oneOf(
            Arbitraries.just(0),
            Arbitraries.integers().between(0, 999).map(n -> n * 1_000_000),
            Arbitraries.integers().between(0, 999_999).map(n -> n * 1_000),
            Arbitraries.integers().between(0, 999_999_999));
    return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 40);
  }

  @Provide
  Arbitrary<Character> characters() {
    return Arbitraries.of('0', '9', '5', '-', ':', 'T', 'Z', '.', '+', 'x', ' ', '3');
  }
}
