package dev.kopek.http;

import dev.kopek.client.BillingClient;
import dev.kopek.client.Plan;
import dev.kopek.client.Subscription;
import dev.kopek.gateway.spi.PageText;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The portal's subscriptions: each one's plan, status and next charge, with a plan change and a
 * cancel form. Both go through {@link BillingClient} exactly as {@code PATCH} and {@code DELETE
 * /v1/subscriptions/{id}} do, under the idempotency key the form was rendered with; afterwards the
 * browser is sent back to the list (303), so reloading it repeats nothing.
 */
final class PortalSubscriptions {

  private final BillingClient billing;

  PortalSubscriptions(BillingClient billing) {
    this.billing = billing;
  }

  void page(RoutingContext ctx) {
    String userId = PortalPages.userId(ctx);
    Future<List<Subscription>> subscriptions = billing.subscriptions(userId);
    Future<List<Plan>> plans = billing.plans(false);
    Future.all(subscriptions, plans)
        .onSuccess(all -> render(ctx, subscriptions.result(), plans.result()))
        .onFailure(error -> PortalPages.failed(ctx, error));
  }

  private static void render(
      RoutingContext ctx, List<Subscription> subscriptions, List<Plan> plans) {
    Map<String, Plan> byCode =
        plans.stream().collect(Collectors.toMap(Plan::code, Function.identity(), (a, b) -> a));
    StringBuilder body = new StringBuilder("<h1>Subscriptions</h1>");
    String done = ctx.request().getParam("done");
    if ("changed".equals(done) || "cancelled".equals(done)) {
      body.append("<p class=\"card ok\" role=\"status\" id=\"notice\">")
          .append(
              "changed".equals(done)
                  ? "Your plan was changed."
                  : "Your subscription was cancelled.")
          .append("</p>");
    }
    List<Subscription> current =
        subscriptions.stream().filter(s -> !"cancelled".equals(s.status())).toList();
    List<Subscription> ended =
        subscriptions.stream().filter(s -> "cancelled".equals(s.status())).toList();
    if (current.isEmpty()) {
      body.append("<section class=\"card\"><p>You have no active subscriptions.</p></section>");
    }
    for (Subscription s : current) {
      Plan plan = byCode.get(s.plan());
      body.append("<section class=\"card subscription\" id=\"sub-")
          .append(PageText.html(s.id()))
          .append("\" data-subscription-id=\"")
          .append(PageText.html(s.id()))
          .append("\" data-status=\"")
          .append(PageText.html(s.status()))
          .append("\"><h2>")
          .append(PageText.html(plan == null ? s.plan() : plan.name()))
          .append(" <span class=\"pill\">")
          .append(PageText.html(s.status()))
          .append("</span></h2><p>")
          .append(PageText.html(PageText.amount(s.priceMinor(), s.currency())))
          .append(" every ")
          .append(PageText.html(period(s.periodMs())))
          .append(", paid from your ")
          .append(PageText.html(s.currency()))
          .append(" balance.</p><p class=\"muted\">");
      if ("active".equals(s.status())) {
        body.append("Next charge: ")
            .append(
                PageText.html(s.nextChargeAt() == null ? "—" : PortalPages.time(s.nextChargeAt())));
        if (s.runwayMs() != null) {
          body.append(" · your balance covers it for ")
              .append(PageText.html(PortalPages.duration(s.runwayMs())));
        }
      } else {
        body.append("Suspended")
            .append(
                s.suspendedAt() == null
                    ? ""
                    : " since " + PageText.html(PortalPages.time(s.suspendedAt())))
            .append(": your balance ran out. <a href=\"/portal#topup\">Top up</a> to resume it.");
      }
      body.append("</p>");
      String base = "/portal/subscriptions/" + PageText.html(urlSegment(s.id()));
      List<Plan> others =
          plans.stream()
              .filter(p -> p.currency().equals(s.currency()) && !p.code().equals(s.plan()))
              .toList();
      body.append("<div class=\"actions\">");
      if (!others.isEmpty()) {
        String selectId = "plan-" + PageText.html(s.id());
        body.append("<form class=\"inline change\" method=\"post\" action=\"")
            .append(base)
            .append("/change\">")
            .append(WebAccess.csrfField(ctx))
            .append(PortalPages.idempotencyField())
            .append("<div><label for=\"")
            .append(selectId)
            .append("\">Change plan to</label><select id=\"")
            .append(selectId)
            .append("\" name=\"plan\">");
        for (Plan p : others) {
          body.append("<option value=\"")
              .append(PageText.html(p.code()))
              .append("\">")
              .append(PageText.html(p.name()))
              .append(" — ")
              .append(PageText.html(PageText.amount(p.priceMinor(), p.currency())))
              .append(" / ")
              .append(PageText.html(period(p.periodMs())))
              .append("</option>");
        }
        body.append("</select></div><button type=\"submit\">Change plan</button></form>");
      }
      // Cancelling asks once more, without a script: the button is inside a disclosure.
      body.append("<details class=\"cancel\"><summary>Cancel subscription</summary>")
          .append("<p>It ends now; the part of the current period used so far is charged.</p>")
          .append("<form class=\"inline cancel\" method=\"post\" action=\"")
          .append(base)
          .append("/cancel\">")
          .append(WebAccess.csrfField(ctx))
          .append(PortalPages.idempotencyField())
          .append("<button class=\"danger\" type=\"submit\">Cancel it now</button></form>")
          .append("</details></div><p class=\"muted\">A plan change takes effect now; the part")
          .append(" of the current period used so far is charged at the old plan's price.</p>")
          .append("</section>");
    }
    if (!ended.isEmpty()) {
      body.append(
          "<section class=\"card\"><h2>Ended</h2><table><thead><tr><th scope=\"col\">Plan</th>"
              + "<th scope=\"col\">Cancelled</th></tr></thead><tbody>");
      for (Subscription s : ended) {
        Plan plan = byCode.get(s.plan());
        body.append("<tr data-subscription-id=\"")
            .append(PageText.html(s.id()))
            .append("\"><td>")
            .append(PageText.html(plan == null ? s.plan() : plan.name()))
            .append("</td><td>")
            .append(PageText.html(PortalPages.time(s.cancelledAt())))
            .append("</td></tr>");
      }
      body.append("</tbody></table></section>");
    }
    WebPage.send(
        ctx,
        200,
        "Subscriptions · " + Branding.of(ctx).name(),
        PortalPages.header(ctx, "subscriptions"),
        body.toString(),
        WebPage.nonce(),
        "",
        false);
  }

  /** {@code POST /portal/subscriptions/:id/change}: {@code plan}, {@code idempotency_key}. */
  void change(RoutingContext ctx) {
    String key = ctx.request().getFormAttribute("idempotency_key");
    String plan = ctx.request().getFormAttribute("plan");
    if (!PortalPages.validKey(key)) {
      PortalPages.problem(
          ctx, 400, "Reload the page", "The form is incomplete. Reload the page and try again.");
      return;
    }
    if (plan == null || plan.isBlank() || plan.length() > 64) {
      PortalPages.problem(ctx, 400, "Choose a plan", "Choose the plan to change to.");
      return;
    }
    billing
        .changePlan(PortalPages.userId(ctx), ctx.pathParam("id"), plan, "portal:" + key)
        .onSuccess(changed -> back(ctx, "changed"))
        .onFailure(error -> PortalPages.failed(ctx, error));
  }

  /** {@code POST /portal/subscriptions/:id/cancel}: {@code idempotency_key}. */
  void cancel(RoutingContext ctx) {
    String key = ctx.request().getFormAttribute("idempotency_key");
    if (!PortalPages.validKey(key)) {
      PortalPages.problem(
          ctx, 400, "Reload the page", "The form is incomplete. Reload the page and try again.");
      return;
    }
    billing
        .cancel(PortalPages.userId(ctx), ctx.pathParam("id"), "portal:" + key)
        .onSuccess(cancelled -> back(ctx, "cancelled"))
        .onFailure(error -> PortalPages.failed(ctx, error));
  }

  private static void back(RoutingContext ctx, String done) {
    ctx.response()
        .setStatusCode(303)
        .putHeader("Location", "/portal/subscriptions?done=" + done)
        .putHeader("Cache-Control", "no-store")
        .end();
  }

  private static String urlSegment(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A plan's period as words: {@code hour}, {@code 30 days}, {@code 90 seconds}. */
  static String period(long periodMs) {
    Duration d = Duration.ofMillis(periodMs);
    if (periodMs % 86_400_000L == 0) {
      long days = d.toDays();
      return days == 1 ? "day" : days + " days";
    }
    if (periodMs % 3_600_000L == 0) {
      long hours = d.toHours();
      return hours == 1 ? "hour" : hours + " hours";
    }
    if (periodMs % 60_000L == 0) {
      long minutes = d.toMinutes();
      return minutes == 1 ? "minute" : minutes + " minutes";
    }
    long seconds = d.toSeconds();
    return seconds == 1 ? "second" : seconds + " seconds";
  }
}
