package dev.kopek.events;

import dev.kopek.model.Failure;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where webhooks may go: http(s) URLs only, and, unless {@code webhooks.allow_private_targets} is
 * set, only to public addresses. A URL is checked when an endpoint is created or changed, and each
 * attempt connects to an address checked at that moment (a name that later resolves to a private
 * address, DNS rebinding, is refused then), so a webhook URL cannot reach Kopek's own network.
 */
final class TargetGuard {

  static final int URL_MAX = 2048;

  private final boolean allowPrivate;

  TargetGuard(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** The URL, parsed and checked for its form; a bad one fails naming {@code url}. */
  static URI parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw invalid("url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid("url must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw invalid("url must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid("url must not carry credentials (user:password@)");
    }
    if (uri.getRawFragment() != null) {
      throw invalid("url must not have a fragment (#...)");
    }
    if (uri.getPort() > 65535) {
      throw invalid("url has an invalid port");
    }
    return uri;
  }

  /**
   * The addresses of the URL's host that a delivery may connect to (blocking: resolves the name).
   * Fails naming {@code url} when none is allowed.
   */
  List<InetAddress> addresses(URI uri) {
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] resolved;
    try {
      resolved = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw invalid("url's host " + uri.getHost() + " does not resolve");
    }
    if (allowPrivate) {
      return List.of(resolved);
    }
    for (InetAddress address : resolved) {
      if (isPrivate(address)) {
        throw invalid(
            "url's host "
                + uri.getHost()
                + " resolves to "
                + address.getHostAddress()
                + ", a private, loopback or link-local address: refused (set "
                + "webhooks.allow_private_targets: true to allow it)");
      }
    }
    return List.of(resolved);
  }

  /** Whether an address is not a public one: loopback, private, link-local, reserved. */
  static boolean isPrivate(InetAddress address) {
    if (address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 // this network
          || (first == 100 && second >= 64 && second <= 127) // carrier-grade NAT
          || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          || (first == 198 && (second == 18 || second == 19)) // benchmarking
          || first >= 240; // reserved, broadcast
    }
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      boolean v4Compatible = true;
      for (int i = 0; i < 10; i++) {
        v4Compatible &= b[i] == 0;
      }
      if (v4Compatible
          && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
        try {
          return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException impossible) {
          return true;
        }
      }
      // NAT64 (64:ff9b::/96) reaches IPv4 addresses too
      if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
        try {
          return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException impossible) {
          return true;
        }
      }
    }
    return false;
  }

  private static Failure.FailureException invalid(String detail) {
    return Failure.invalid("url", detail).toException();
  }
}
