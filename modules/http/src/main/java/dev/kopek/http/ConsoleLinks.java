package dev.kopek.http;

import dev.kopek.client.AccessClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One-time sign-in links to the operator console for code outside the HTTP verticle (the {@code
 * console-link} command): the same link, with the same {@code console.*} session settings, as
 * {@code POST /v1/admin/console_links} makes.
 */
public final class ConsoleLinks {

  private ConsoleLinks() {}

  /**
   * Asks the access verticle {@code access} reaches for a console link for {@code userId}.
   *
   * @param config Kopek's whole configuration (its {@code console} section is read)
   * @param publicUrl the address browsers reach Kopek at, without a trailing slash
   * @param createdBy who asked, as the sessions table records it
   * @return {@code {"url","expires_at","user_id",...}}
   */
  public static Future<JsonObject> create(
      AccessClient access, JsonObject config, String userId, String publicUrl, String createdBy) {
    WebAccess console =
        WebAccess.from(
            access,
            config,
            "console",
            WebRoutes.CONSOLE_IDLE_MS,
            WebRoutes.CONSOLE_LIFETIME_MS,
            () -> publicUrl);
    return console.createLink(userId, null, createdBy);
  }
}
