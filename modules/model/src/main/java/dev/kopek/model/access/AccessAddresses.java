package dev.kopek.model.access;

import java.util.List;

/** The event-bus addresses of Kopek's API keys and audit log (docs/EVENT-BUS.md). */
public final class AccessAddresses {

  private AccessAddresses() {}

  /** The scopes an API key may carry. */
  public static final List<String> SCOPES =
      List.of("users:read", "users:write", "admin:read", "admin:write", "events:read");

  public static final String KEY_CREATE = "kopek.access.key.create";
  public static final String KEYS_LIST = "kopek.access.keys.list";
  public static final String KEY_REVOKE = "kopek.access.key.revoke";
  public static final String KEY_ROLL = "kopek.access.key.roll";

  /**
   * Checks a presented key: {@code {"id","secret"}} → the key's {@code scopes} and {@code
   * valid_until} (when this secret stops working, or null), or {@code unauthorized}.
   */
  public static final String KEY_VERIFY = "kopek.access.key.verify";

  /**
   * Published when a key is revoked or rolled: {@code {"id"}}. Whoever caches verified keys drops
   * that key's entries.
   */
  public static final String KEY_CHANGED = "kopek.access.key.changed";

  /**
   * A one-time sign-in link for Kopek's pages: {@code {"kind": "portal"|"console", "user_id",
   * "return_url"?, "created_by", "idle_ms", "lifetime_ms"}} → {@code {"id", "link_token",
   * "link_expires_at", ...}}.
   */
  public static final String WEB_LINK_CREATE = "kopek.access.web.link.create";

  /** Uses a link, once: {@code {"kind", "link_token"}} → the session with its session_token. */
  public static final String WEB_LINK_REDEEM = "kopek.access.web.link.redeem";

  /** Checks a session and restarts its idle time: {@code {"kind", "session_token"}}. */
  public static final String WEB_SESSION_TOUCH = "kopek.access.web.session.touch";

  /** Signs a session out: {@code {"session_token"}}. */
  public static final String WEB_SESSION_END = "kopek.access.web.session.end";

  public static final String AUDIT_RECORD = "kopek.access.audit.record";
  public static final String AUDIT_LIST = "kopek.access.audit.list";
}
