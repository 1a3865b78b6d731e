package dev.kopek.http;

import dev.kopek.gateway.spi.PageText;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The frame of Kopek's own pages (the customer portal, the operator console, the sign-in pages):
 * server-rendered HTML, htmx for partial updates and uPlot for charts, both served by Kopek itself
 * from their WebJars under {@code /assets/webjars/}. Every page is sent with a strict
 * Content-Security-Policy (scripts and styles only with the page's nonce, nothing from elsewhere),
 * is never cached, is never framed and sends no referrer beyond Kopek.
 */
final class WebPage {

  /** htmx's WebJar path and version: kept in step with the pom. */
  static final String HTMX = "/assets/webjars/htmx.org/2.0.4/dist/htmx.min.js";

  static final String UPLOT_JS = "/assets/webjars/uplot/1.6.30/dist/uPlot.iife.min.js";
  static final String UPLOT_CSS = "/assets/webjars/uplot/1.6.30/dist/uPlot.min.css";

  private static final SecureRandom RANDOM = new SecureRandom();

  static final String STYLE =
      """
      :root{--ink:#1d2330;--muted:#5b6270;--line:#e3e6ec;--bg:#f4f5f7;--accent:#2d5bff;--ok:#12703a;--bad:#b3261e}
      *{box-sizing:border-box}
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--ink);margin:0;line-height:1.45}
      header.top{background:#fff;border-bottom:1px solid var(--line);padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
      header.top .brand{font-weight:650;margin-right:auto;display:flex;align-items:center;gap:.5rem}
      header.top .brand img{height:1.75rem}
      header.top nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem}
      header.top nav a{color:var(--ink);text-decoration:none;padding:.25rem 0}
      header.top nav a[aria-current=page]{border-bottom:2px solid var(--accent);font-weight:600}
      main{max-width:72rem;margin:1.25rem auto;padding:0 1rem}
      section.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1rem 1.25rem;margin-bottom:1rem;overflow-x:auto}
      h1{font-size:1.4rem;margin:.25rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .75rem}
      .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}
      .figure{font-size:1.6rem;font-weight:650}.muted{color:var(--muted);font-size:.9rem}
      table{border-collapse:collapse;width:100%;font-size:.92rem}
      th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);white-space:nowrap}
      td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      label{display:block;font-size:.85rem;margin:.5rem 0 .2rem}
      input,select{font:inherit;padding:.45rem .5rem;border:1px solid #c8ccd4;border-radius:6px;max-width:100%}
      button,.button{font:inherit;padding:.5rem .9rem;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
      button.secondary,.button.secondary{background:#e8ebf2;color:var(--ink)}
      button.danger{background:var(--bad)}
      button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #9db4ff;outline-offset:2px}
      form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
      .ok{color:var(--ok)}.bad{color:var(--bad)}
      .pill{display:inline-block;padding:.05rem .5rem;border-radius:99px;background:#e8ebf2;font-size:.8rem}
      .chart{width:100%;min-height:240px}
      .pager{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:.75rem}
      .actions{display:flex;flex-wrap:wrap;gap:.75rem 2rem;align-items:flex-start}
      details>summary{cursor:pointer;padding:.5rem 0;color:var(--bad)}
      @media (max-width:40rem){table.stack thead{display:none}table.stack tr{display:grid;grid-template-columns:1fr auto;gap:0 .75rem;padding:.4rem 0;border-bottom:1px solid var(--line)}table.stack td{border:0;padding:.05rem 0;white-space:normal}table.stack .reason{order:1;font-weight:600}table.stack .amount{order:2}table.stack .date{order:3}table.stack .kind{order:4;text-align:right}table.stack .after{order:5;grid-column:1/-1;color:var(--muted);font-size:.85rem}table.stack .after::before{content:"Balance after: "}}
      .gap{height:1rem}
      .grid.tiles{grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr))}.tiles .card{margin-bottom:0}
      .form-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:0 1rem}
      .form-grid input{width:100%}
      .notice{padding:.6rem .8rem;border-radius:6px;background:#eef6f0}.notice.bad{background:#fbeceb;color:var(--bad)}
      .mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em;white-space:normal;word-break:break-all}
      figure.chartbox{margin:1rem 0 0}figure.chartbox figcaption{font-size:.9rem;color:var(--muted);margin-bottom:.25rem}
      @media (max-width:40rem){main{margin:.75rem auto}th,td{padding:.35rem .3rem}.figure{font-size:1.3rem}}
      """;

  private WebPage() {}

  /** A fresh nonce for one page's scripts and styles. */
  static String nonce() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Sends a whole page.
   *
   * @param header the page's top bar (brand and navigation), already HTML
   * @param body the page's content, already HTML
   * @param script JavaScript run at the end of the page (with the nonce), or empty
   * @param charts whether uPlot is loaded
   */
  static void send(
      RoutingContext ctx,
      int status,
      String title,
      String header,
      String body,
      String nonce,
      String script,
      boolean charts) {
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,"
            + "\"allowEval\":false,\"allowScriptTags\":false}'>"
            + "<link rel=\"icon\" href=\"data:,\">"
            + "<title>"
            + PageText.html(title)
            + "</title>"
            + (charts ? "<link rel=\"stylesheet\" href=\"" + UPLOT_CSS + "\">" : "")
            + "<style nonce=\""
            + nonce
            + "\">"
            + STYLE
            + "</style></head><body>"
            + header
            + "<main id=\"main\">"
            + body
            + "</main>"
            + "<script nonce=\""
            + nonce
            + "\" src=\""
            + HTMX
            + "\"></script>"
            + (charts ? "<script nonce=\"" + nonce + "\" src=\"" + UPLOT_JS + "\"></script>" : "")
            + (script.isEmpty() ? "" : "<script nonce=\"" + nonce + "\">" + script + "</script>")
            + "</body></html>";
    headers(ctx, nonce)
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(html);
  }

  /** Sends a piece of a page, for htmx to swap in. */
  static void fragment(RoutingContext ctx, int status, String html) {
    headers(ctx, nonce())
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(html);
  }

  /** The headers of every page and fragment. */
  static io.vertx.core.http.HttpServerResponse headers(RoutingContext ctx, String nonce) {
    String csp =
        "default-src 'none'; script-src 'nonce-"
            + nonce
            + "'; style-src 'self' 'nonce-"
            + nonce
            + "'; img-src 'self' data: https:; connect-src 'self'; form-action 'self';"
            + " base-uri 'none'; frame-ancestors 'none'";
    return ctx.response()
        .putHeader("Content-Security-Policy", csp)
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY");
  }

  /** A page with a message only (signed out, link used, session over). */
  static void message(RoutingContext ctx, int status, String title, String messageHtml) {
    send(
        ctx,
        status,
        title,
        "<header class=\"top\"><span class=\"brand\">"
            + Branding.of(ctx).html()
            + "</span></header>",
        "<section class=\"card\"><h1>"
            + PageText.html(title)
            + "</h1>"
            + messageHtml
            + "</section>",
        nonce(),
        "",
        false);
  }
}
