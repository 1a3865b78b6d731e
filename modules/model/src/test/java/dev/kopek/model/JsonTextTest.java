package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** JSON string literals are the text Vert.x's encoder writes, character for character. */
class JsonTextTest {

  @Property(tries = 20_000)
  void sameAsTheEncoder(@ForAll("texts") String value) {
    assertThat(JsonText.quote(value)).isEqualTo(Json.encode(value));
  }

  @Example
  void everyCharacterAlone() {
    for (char c = 0; c < 0x800; c++) {
      String value = "a" + c + "b";
      assertThat(JsonText.quote(value)).as("U+%04X", (int) c).isEqualTo(Json.encode(value));
    }
    for (String value : new String[] {"", "\ud800", "\udc00x", "caf\u00e9 \ud83d\udcb3", "a/b"}) {
      assertThat(JsonText.quote(value)).isEqualTo(Json.encode(value));
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("ab\"\\\n\t\u0001\u007f\u2028/").ofMaxLength(20));
  }
}
