package dev.kopek.model;

/** JSON text written directly, the same characters as Vert.x's encoder (Jackson) writes. */
public final class JsonText {

  private JsonText() {}

  /**
   * {@code value} as a JSON string literal, or {@code null}: as it is between quotes when nothing
   * in it needs escaping (ids, kinds, currencies, most reasons), else through Vert.x's encoder.
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return io.vertx.core.json.Json.encode(value);
      }
    }
    return '"' + value + '"';
  }
}
