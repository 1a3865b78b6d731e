package dev.kopek.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The merchant's name and logo on every page a payer or user sees ({@code branding.name}, {@code
 * branding.logo_url}).
 *
 * @param name shown at the top of every page and in titles
 * @param logoUrl an https image URL, or null for none
 */
record Branding(String name, String logoUrl) {

  static final String KEY = "kopek.branding";

  static final int NAME_LENGTH_MAX = 80;

  Branding {
    if (name == null
        || name.isBlank()
        || name.length() > NAME_LENGTH_MAX
        || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "branding.name must be 1 to " + NAME_LENGTH_MAX + " characters");
    }
    if (logoUrl != null && !logoUrl.matches("^https://[^\\s\"'<>]{1,2000}$")) {
      throw new IllegalArgumentException(
          "branding.logo_url must be an https URL (or empty for none)");
    }
  }

  static Branding from(JsonObject config) {
    JsonObject section = config.getJsonObject("branding", new JsonObject());
    String logo = section.getString("logo_url", "");
    return new Branding(section.getString("name", "Kopek"), logo.isBlank() ? null : logo);
  }

  /** The branding of the server handling {@code ctx}. */
  static Branding of(RoutingContext ctx) {
    Branding branding = ctx.get(KEY);
    return branding != null ? branding : new Branding("Kopek", null);
  }

  /** The name, with the logo before it when there is one, as HTML. */
  String html() {
    String name = dev.kopek.gateway.spi.PageText.html(this.name);
    return logoUrl == null
        ? name
        : "<img src=\"" + dev.kopek.gateway.spi.PageText.html(logoUrl) + "\" alt=\"\">" + name;
  }
}
