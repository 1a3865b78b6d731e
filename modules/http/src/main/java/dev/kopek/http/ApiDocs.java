package dev.kopek.http;

import io.vertx.ext.web.RoutingContext;

/**
 * {@code /docs}: Swagger UI over the contract Kopek serves at {@code /openapi.yaml}, from the
 * swagger-ui WebJar. Swagger UI sets style attributes on its elements, so this page's policy allows
 * inline styles; scripts still need the page's nonce.
 */
final class ApiDocs {

  static final String SWAGGER = "/assets/webjars/swagger-ui/5.35.0/";

  private ApiDocs() {}

  static void page(RoutingContext ctx) {
    String nonce = WebPage.nonce();
    String html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            + "<link rel=\"icon\" href=\"data:,\">"
            + "<title>API · "
            + dev.kopek.gateway.spi.PageText.html(Branding.of(ctx).name())
            + "</title><link rel=\"stylesheet\" href=\""
            + SWAGGER
            + "swagger-ui.css\"></head><body><div id=\"swagger\"></div>"
            + "<script nonce=\""
            + nonce
            + "\" src=\""
            + SWAGGER
            + "swagger-ui-bundle.js\"></script><script nonce=\""
            + nonce
            + "\">window.ui = SwaggerUIBundle({url: '/openapi.yaml', dom_id: '#swagger',"
            + " deepLinking: true, tryItOutEnabled: false});</script></body></html>";
    ctx.response()
        .putHeader(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'nonce-"
                + nonce
                + "'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self';"
                + " font-src 'self' data:; form-action 'none'; base-uri 'none';"
                + " frame-ancestors 'none'")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(html);
  }
}
