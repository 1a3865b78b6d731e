package dev.kopek.gateway.braintree;

import com.braintreegateway.BraintreeGateway;
import com.braintreegateway.ClientTokenRequest;
import com.braintreegateway.Environment;
import com.braintreegateway.Result;
import com.braintreegateway.Transaction;
import com.braintreegateway.TransactionRefundRequest;
import com.braintreegateway.TransactionRequest;
import com.braintreegateway.TransactionSearchRequest;
import com.braintreegateway.ValidationError;
import com.braintreegateway.ValidationErrors;
import com.braintreegateway.exceptions.NotFoundException;
import com.braintreegateway.util.Http;
import com.braintreegateway.util.NodeWrapper;
import com.braintreegateway.util.StringUtils;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.HostedPage;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.SubmitResult;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The Braintree provider's gateway; see {@link BraintreeProvider} for what it does. */
final class BraintreeAdapter implements Gateway {

  static final String NONCE = "payment_method_nonce";
  static final String DEVICE_DATA = "device_data";

  /** Braintree nonces are short printable tokens; anything else is not one. */
  private static final Pattern NONCE_FORMAT = Pattern.compile("[\\x21-\\x7e]{1,512}");

  /** Device data is a small JSON string; a larger value is dropped, not sent. */
  private static final int DEVICE_DATA_LENGTH_MAX = 8192;

  /** Transactions read per order id; an order has one, or a few after races and retries. */
  private static final int SEARCH_MAX = 20;

  /** Submissions for the same payment run one at a time, so the duplicate check sees the first. */
  private static final int LOCK_STRIPES = 64;

  private static final System.Logger LOG = System.getLogger(BraintreeAdapter.class.getName());

  private final BraintreeGateway sdk;

  /** The SDK's HTTP client, for the client token, whose SDK method hides a refusal's reason. */
  private final Http http;

  private final MerchantAccounts accounts;
  private final Webhooks webhooks;
  private final Object[] locks = new Object[LOCK_STRIPES];

  BraintreeAdapter(BraintreeConfig config) {
    this.sdk =
        new BraintreeGateway(
            environment(config), config.merchantId(), config.publicKey(), config.privateKey());
    this.sdk.getConfiguration().setTimeout(config.timeoutMs());
    this.sdk.getConfiguration().setConnectTimeout(config.timeoutMs());
    quiet(this.sdk.getConfiguration().getLogger());
    this.http = new Http(this.sdk.getConfiguration());
    this.accounts = new MerchantAccounts(config, sdk);
    this.webhooks = new Webhooks(sdk);
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Lowers the SDK's logger (java.util.logging {@code Braintree}, shared by every gateway of the
   * process) to WARNING: at INFO it logs a line per request. A level set higher is kept.
   */
  static void quiet(java.util.logging.Logger logger) {
    if (logger == null) {
      return;
    }
    java.util.logging.Level level = logger.getLevel();
    if (level == null || level.intValue() < java.util.logging.Level.WARNING.intValue()) {
      logger.setLevel(java.util.logging.Level.WARNING);
    }
  }

  /**
   * Braintree's sandbox or production, or the {@code api_base} stand-in. The SDK trusts only
   * Braintree's own certificate authorities over https; a stand-in is usually plain http.
   */
  static Environment environment(BraintreeConfig config) {
    if (config.apiBase() == null) {
      return config.production() ? Environment.PRODUCTION : Environment.SANDBOX;
    }
    String[] certificates =
        config.apiBase().regionMatches(true, 0, "https:", 0, 6)
            ? Environment.SANDBOX.certificateFilenames.clone()
            : new String[0];
    return new Environment(config.apiBase(), "http://127.0.0.1:1", certificates, "custom");
  }

  @Override
  public String id() {
    return BraintreeProvider.ID;
  }

  /**
   * Issues a client token for the Drop-in UI. Braintree creates the transaction only when the payer
   * submits, so there is no reference yet and nothing to duplicate on a retry.
   */
  @Override
  public CheckoutResult startCheckout(CheckoutRequest request) {
    String currency = upper(request.currency());
    GatewayFailure notTaken = Amounts.refusal(request.amountMinor(), currency);
    if (notTaken != null) {
      return new CheckoutResult.Failed(notTaken);
    }
    try {
      MerchantAccounts.Choice account = accounts.forCurrency(currency);
      if (account.refusal() != null) {
        return new CheckoutResult.Failed(account.refusal());
      }
      return clientToken(account.accountId());
    } catch (RuntimeException e) {
      return new CheckoutResult.Failed(Outcomes.failure(e, "client token"));
    }
  }

  /**
   * A client token for the merchant account. Asked through the SDK's HTTP client rather than {@code
   * clientToken().generate()}, which answers null both for a refusal and for an answer that is not
   * a client token: only the first is a definite refusal.
   */
  private CheckoutResult clientToken(String accountId) {
    NodeWrapper answer =
        http.post(
            sdk.getConfiguration().getMerchantPath() + "/client_token",
            new ClientTokenRequest().merchantAccountId(accountId));
    String element = answer == null ? null : answer.getElementName();
    if ("client-token".equals(element)) {
      String token = answer.findString("value");
      if (token != null && !token.isBlank()) {
        return new CheckoutResult.Started(null, null, StringUtils.unescapeUtf8(token));
      }
    } else if ("api-error-response".equals(element)) {
      NodeWrapper errors = answer.findFirst("errors");
      List<ValidationError> refused =
          errors == null ? List.of() : new ValidationErrors(errors).getAllDeepValidationErrors();
      return new CheckoutResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST,
              "Braintree refused a client token for merchant account "
                  + accountId
                  + ": "
                  + describe(refused, answer.findString("message"))));
    }
    return new CheckoutResult.Failed(
        Outcomes.unusable("client token", "<" + element + "> without a client token"));
  }

  @Override
  public HostedPage checkoutPage(HostedCheckout checkout) {
    return CheckoutPage.render(checkout);
  }

  /**
   * Completes the payment from the Drop-in nonce. Braintree's REST API takes no idempotency key, so
   * the sale carries Kopek's payment id as its order id, and a transaction already made for that
   * order id is answered instead of charging again (a retry after a lost reply, a second click).
   * Submissions for the same payment are serialized within this process; two Kopek processes
   * submitting the same payment at the same instant remain a window the search cannot close.
   */
  @Override
  public SubmitResult submitCheckout(HostedCheckout checkout, Map<String, String> form) {
    String nonce = form == null ? null : form.get(NONCE);
    if (nonce == null || nonce.isBlank()) {
      return new SubmitResult.Invalid(
          NONCE, "Choose a payment method and enter its details, " + "then pay.");
    }
    nonce = nonce.trim();
    if (!NONCE_FORMAT.matcher(nonce).matches()) {
      return new SubmitResult.Invalid(
          NONCE, "The payment details could not be read; enter them " + "again.");
    }
    String deviceData = form.get(DEVICE_DATA);
    if (deviceData != null
        && (deviceData.isBlank() || deviceData.length() > DEVICE_DATA_LENGTH_MAX)) {
      deviceData = null;
    }
    String currency = upper(checkout.currency());
    BigDecimal amount = Amounts.toDecimal(checkout.amountMinor(), currency);
    if (amount == null) {
      return new SubmitResult.Failed(Amounts.refusal(checkout.amountMinor(), currency));
    }
    synchronized (locks[Math.floorMod(checkout.paymentId().hashCode(), LOCK_STRIPES)]) {
      try {
        // Refused before anything is sent; a lost sale of the payment is still found by polling.
        MerchantAccounts.Choice account = accounts.forCurrency(currency);
        if (account.refusal() != null) {
          return new SubmitResult.Failed(account.refusal());
        }
        Optional<Transaction> earlier = best(sales(checkout.paymentId()));
        if (earlier.isPresent()) {
          LOG.log(
              Level.INFO,
              "Payment {0} was already submitted to Braintree as {1} ({2}); "
                  + "not charging again",
              checkout.paymentId(),
              earlier.get().getId(),
              earlier.get().getStatus());
          return accepted(earlier.get(), checkout);
        }
        TransactionRequest sale =
            new TransactionRequest()
                .amount(amount)
                .merchantAccountId(account.accountId())
                .orderId(checkout.paymentId())
                .paymentMethodNonce(nonce);
        if (deviceData != null) {
          sale.deviceData(deviceData);
        }
        sale.options().submitForSettlement(true).done();
        Result<Transaction> result = sdk.transaction().sale(sale);
        if (result.isSuccess() && result.getTarget() != null) {
          return accepted(result.getTarget(), checkout);
        }
        Transaction refused = result.getTransaction();
        if (refused != null && Outcomes.duplicateRejection(refused)) {
          // Braintree's own duplicate checking: if it names this payment's sale, that one counts.
          Optional<Transaction> original =
              best(sales(checkout.paymentId()))
                  .filter(found -> !Outcomes.duplicateRejection(found));
          if (original.isPresent()) {
            return accepted(original.get(), checkout);
          }
        }
        return refused != null ? accepted(refused, checkout) : saleRefused(result);
      } catch (RuntimeException e) {
        return new SubmitResult.Failed(Outcomes.failure(e, "sale"));
      }
    }
  }

  /**
   * Kopek credits a succeeded submission with the amount it asked for, so a transaction for another
   * amount or currency (a misconfigured merchant account) is reported as unknown: the poll that
   * follows reports its real amount, which Kopek flags instead of crediting.
   */
  private static SubmitResult accepted(Transaction transaction, HostedCheckout checkout) {
    PaymentOutcome outcome = Outcomes.of(transaction);
    if (outcome instanceof PaymentOutcome.Succeeded) {
      OptionalLong charged =
          Amounts.toMinor(transaction.getAmount(), transaction.getCurrencyIsoCode());
      if (!upper(checkout.currency()).equals(upper(transaction.getCurrencyIsoCode()))
          || charged.isEmpty()
          || charged.getAsLong() != checkout.amountMinor()) {
        LOG.log(
            Level.WARNING,
            "Braintree transaction {0} for payment {1} is for {2} {3}, the "
                + "payment for {4} minor units of {5}; not reporting it as succeeded",
            transaction.getId(),
            checkout.paymentId(),
            transaction.getAmount(),
            transaction.getCurrencyIsoCode(),
            String.valueOf(checkout.amountMinor()),
            checkout.currency());
        return new SubmitResult.Accepted(PaymentOutcome.UNKNOWN, transaction.getId());
      }
    }
    return new SubmitResult.Accepted(outcome, transaction.getId());
  }

  /** A sale refused with validation errors and no transaction: nothing was charged. */
  private static SubmitResult saleRefused(Result<Transaction> result) {
    List<ValidationError> errors =
        result.getErrors() == null ? List.of() : result.getErrors().getAllDeepValidationErrors();
    for (ValidationError error : errors) {
      String code = error.getCode() == null ? "" : error.getCode().name();
      String attribute = String.valueOf(error.getAttribute());
      if (code.contains("PAYMENT_INSTRUMENT_TYPE") || code.contains("CARD_TYPE_IS_NOT_ACCEPTED")) {
        return new SubmitResult.Invalid(
            NONCE, "This payment method is not accepted here; " + "choose another.");
      }
      if (attribute.contains("nonce") || code.contains("NONCE")) {
        return new SubmitResult.Invalid(
            NONCE, "The payment details expired or were already " + "used; enter them again.");
      }
    }
    return new SubmitResult.Failed(
        new GatewayFailure(
            GatewayFailure.Kind.INVALID_REQUEST,
            "Braintree refused the sale: " + describe(errors, result.getMessage())));
  }

  @Override
  public WebhookResult parseWebhook(WebhookRequest request) {
    return webhooks.parse(request);
  }

  /**
   * The referenced transaction when its money is captured; otherwise the strongest transaction of
   * the order (a sale the payer retried, a reply that was lost before the reference was recorded).
   */
  @Override
  public StatusResult fetchStatus(String paymentId, String providerReference) {
    try {
      Transaction referenced = find(providerReference);
      if (referenced != null && Outcomes.captured(referenced)) {
        return known(referenced);
      }
      List<Transaction> candidates = new ArrayList<>();
      if (paymentId != null && !paymentId.isBlank()) {
        candidates.addAll(sales(paymentId));
      }
      if (referenced != null) {
        candidates.add(referenced);
      }
      Optional<Transaction> best = best(candidates);
      if (best.isEmpty()) {
        return new StatusResult.Failed(
            new GatewayFailure(
                GatewayFailure.Kind.NOT_FOUND,
                "Braintree has no transaction for payment "
                    + paymentId
                    + (providerReference == null ? "" : " or reference " + providerReference)));
      }
      return known(best.get());
    } catch (RuntimeException e) {
      return new StatusResult.Failed(Outcomes.failure(e, "status"));
    }
  }

  private static StatusResult known(Transaction transaction) {
    String currency = upper(transaction.getCurrencyIsoCode());
    OptionalLong amount = Amounts.toMinor(transaction.getAmount(), currency);
    if (amount.isEmpty()) {
      return new StatusResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INTERNAL,
              "Braintree reports "
                  + transaction.getAmount()
                  + " "
                  + currency
                  + " for "
                  + transaction.getId()
                  + ", which has no exact value in minor units"));
    }
    return new StatusResult.Known(
        Outcomes.of(transaction), transaction.getId(), amount.getAsLong(), currency);
  }

  /**
   * Refunds a settled sale, or voids a whole sale that has not settled yet (Braintree refunds only
   * settled transactions). A refund carries the idempotency key as its order id, and a refund of
   * the sale with that order id is answered instead of refunding again; a void is recognized by the
   * sale being voided already.
   */
  @Override
  public RefundResult refund(RefundRequest request) {
    String key = request.idempotencyKey();
    if (key == null || key.isBlank()) {
      return new RefundResult.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST, "a refund needs an idempotency key"));
    }
    String currency = upper(request.currency());
    BigDecimal amount = Amounts.toDecimal(request.amountMinor(), currency);
    if (amount == null) {
      return new RefundResult.Failed(Amounts.refusal(request.amountMinor(), currency));
    }
    try {
      Transaction sale = saleToRefund(request);
      if (sale == null) {
        return new RefundResult.Failed(
            new GatewayFailure(
                GatewayFailure.Kind.NOT_FOUND,
                "Braintree has no captured sale for payment " + request.paymentId()));
      }
      Optional<Transaction> earlier = earlierRefund(sale, key);
      if (earlier.isPresent()) {
        LOG.log(
            Level.INFO,
            "Refund {0} of {1} was already made as {2} ({3}); not refunding " + "again",
            key,
            sale.getId(),
            earlier.get().getId(),
            earlier.get().getStatus());
        // The same key answers the same way: a declined refund is not made again under it.
        RefundLookup found = refundOutcome(earlier.get());
        if (found instanceof RefundLookup.Declined declined) {
          return new RefundResult.Declined(declined.code(), declined.message());
        }
        if (found instanceof RefundLookup.Failed failed) {
          return new RefundResult.Failed(failed.failure());
        }
        return new RefundResult.Refunded(earlier.get().getId());
      }
      if (!currency.equals(upper(sale.getCurrencyIsoCode()))) {
        return new RefundResult.Declined(
            "currency_mismatch",
            sale.getId() + " is in " + sale.getCurrencyIsoCode() + ", the refund in " + currency);
      }
      boolean whole =
          Amounts.toMinor(sale.getAmount(), currency).orElse(-1) == request.amountMinor();
      Transaction.Status status = sale.getStatus();
      if (status == Transaction.Status.VOIDED) {
        // A void leaves no refund to find: a retry of a whole refund finds the sale voided.
        return whole
            ? new RefundResult.Refunded(sale.getId())
            : new RefundResult.Declined(
                "voided", sale.getId() + " was voided; nothing is left " + "to refund");
      }
      if (status == Transaction.Status.AUTHORIZED
          || status == Transaction.Status.SUBMITTED_FOR_SETTLEMENT
          || status == Transaction.Status.SETTLEMENT_PENDING) {
        if (!whole) {
          return new RefundResult.Declined(
              "not_settled",
              sale.getId()
                  + " has not settled yet "
                  + "("
                  + status
                  + "): Braintree voids only whole sales before settlement; refund "
                  + "part of it once it has settled, usually the next day");
        }
        Result<Transaction> voided = sdk.transaction().voidTransaction(sale.getId());
        if (voided.isSuccess()) {
          Transaction target = voided.getTarget();
          if (target == null
              || !sale.getId().equals(target.getId())
              || target.getStatus() != Transaction.Status.VOIDED) {
            return new RefundResult.Failed(
                Outcomes.unusable("void", "not " + sale.getId() + " voided"));
          }
          return new RefundResult.Refunded(sale.getId());
        }
        // Refused because it is voided already: an earlier void whose answer was lost (or a
        // PUT the JDK's HTTP client sent again by itself after a dropped connection) did it.
        Transaction now = sdk.transaction().find(sale.getId());
        if (now.getStatus() == Transaction.Status.VOIDED) {
          return new RefundResult.Refunded(sale.getId());
        }
        // It may have started settling since it was read: then it is refunded instead.
        if (now.getStatus() != Transaction.Status.SETTLING
            && now.getStatus() != Transaction.Status.SETTLED) {
          return declined(voided, "void");
        }
      } else if (status != Transaction.Status.SETTLING
          && status != Transaction.Status.SETTLED
          && status != Transaction.Status.SETTLEMENT_CONFIRMED) {
        return new RefundResult.Declined(
            "not_refundable", sale.getId() + " is " + status + " and cannot be refunded");
      }
      Result<Transaction> refunded =
          sdk.transaction()
              .refund(sale.getId(), new TransactionRefundRequest().amount(amount).orderId(key));
      if (refunded.isSuccess()) {
        Transaction target = refunded.getTarget();
        if (target == null || target.getId() == null || target.getStatus() == null) {
          return new RefundResult.Failed(Outcomes.unusable("refund", "no refund transaction"));
        }
        return new RefundResult.Refunded(target.getId());
      }
      return declined(refunded, "refund");
    } catch (RuntimeException e) {
      return new RefundResult.Failed(Outcomes.failure(e, "refund"));
    }
  }

  /**
   * Looks up the refund made with {@code request}'s idempotency key: the sale's refunds (listed on
   * the sale as soon as they exist) are read for the one whose order id is the key. It is refunded
   * when submitted, settling or settled, declined when the processor declined it, the gateway
   * rejected it, or it failed or was voided. A whole refund of a sale that had not settled was made
   * as a void: a voided sale answers for a refund of its whole amount. Anything else is absent, as
   * is a sale Braintree does not know (nothing can have been refunded).
   */
  @Override
  public RefundLookup fetchRefund(RefundRequest request) {
    String key = request.idempotencyKey();
    if (key == null || key.isBlank()) {
      return new RefundLookup.Failed(
          new GatewayFailure(
              GatewayFailure.Kind.INVALID_REQUEST,
              "a refund is looked up by its idempotency key, and none was given"));
    }
    try {
      Transaction sale = saleToRefund(request);
      if (sale == null) {
        return new RefundLookup.Absent();
      }
      Optional<Transaction> refund = earlierRefund(sale, key);
      if (refund.isPresent()) {
        return refundOutcome(refund.get());
      }
      if (sale.getStatus() == Transaction.Status.VOIDED
          && upper(request.currency()).equals(upper(sale.getCurrencyIsoCode()))
          && Amounts.toMinor(sale.getAmount(), upper(request.currency())).orElse(-1)
              == request.amountMinor()) {
        return new RefundLookup.Refunded(sale.getId());
      }
      return new RefundLookup.Absent();
    } catch (RuntimeException e) {
      return new RefundLookup.Failed(Outcomes.failure(e, "refund lookup"));
    }
  }

  /**
   * The sale a refund applies to: the referenced one, or, as Kopek records no reference for a
   * payment confirmed by webhook or poll alone, the payment's captured sale. A voided sale counts:
   * it is what a retry of a void finds.
   *
   * @return the sale, or null when Braintree has none
   */
  private Transaction saleToRefund(RefundRequest request) {
    Transaction sale = find(request.providerReference());
    if (sale != null) {
      return sale;
    }
    List<Transaction> sales = sales(request.paymentId());
    return best(sales)
        .filter(Outcomes::captured)
        .orElseGet(
            () ->
                sales.stream()
                    .filter(found -> found.getStatus() == Transaction.Status.VOIDED)
                    .findFirst()
                    .orElse(null));
  }

  /** Where a refund transaction Braintree holds stands. */
  private static RefundLookup refundOutcome(Transaction refund) {
    if (refund.getId() == null || refund.getStatus() == null) {
      return new RefundLookup.Failed(
          Outcomes.unusable("refund lookup", "a refund transaction without an id or a status"));
    }
    PaymentOutcome outcome = Outcomes.of(refund);
    if (outcome instanceof PaymentOutcome.Declined declined) {
      return new RefundLookup.Declined(
          declined.code(),
          "Braintree refund "
              + refund.getId()
              + " is "
              + refund.getStatus().name().toLowerCase(Locale.ROOT)
              + ": "
              + declined.message());
    }
    if (outcome instanceof PaymentOutcome.Unknown) {
      return new RefundLookup.Failed(
          Outcomes.unusable(
              "refund lookup", "refund " + refund.getId() + " has status " + refund.getStatus()));
    }
    // Submitted for settlement, settling, settled; or still authorizing: Braintree completes it.
    return new RefundLookup.Refunded(refund.getId());
  }

  /**
   * A refund of this sale made with this key. The sale lists its refunds as soon as they exist,
   * unlike the search index, so a retry right after a lost reply still finds it.
   */
  private Optional<Transaction> earlierRefund(Transaction sale, String key) {
    List<String> ids = sale.getRefundIds() == null ? List.of() : sale.getRefundIds();
    for (String id : ids) {
      Transaction refund;
      try {
        refund = sdk.transaction().find(id);
      } catch (NotFoundException missing) {
        // Not a definite answer: the sale lists it, so a refund may exist.
        throw new IllegalStateException(
            "Braintree lists refund "
                + id
                + " on sale "
                + sale.getId()
                + " but knows no such transaction",
            missing);
      }
      if (key.equals(refund.getOrderId())) {
        return Optional.of(refund);
      }
    }
    return Optional.empty();
  }

  private static RefundResult declined(Result<Transaction> result, String operation) {
    Transaction transaction = result.getTransaction();
    if (transaction != null) {
      PaymentOutcome outcome = Outcomes.of(transaction);
      if (outcome instanceof PaymentOutcome.Declined declined) {
        return new RefundResult.Declined(
            declined.code(), "Braintree declined the " + operation + ": " + declined.message());
      }
    }
    List<ValidationError> errors =
        result.getErrors() == null ? List.of() : result.getErrors().getAllDeepValidationErrors();
    String code =
        errors.isEmpty() || errors.get(0).getCode() == null
            ? operation + "_refused"
            : errors.get(0).getCode().name().toLowerCase(Locale.ROOT);
    return new RefundResult.Declined(
        code, "Braintree refused the " + operation + ": " + describe(errors, result.getMessage()));
  }

  /** The transaction with this id, or null when there is no id or Braintree knows none. */
  private Transaction find(String id) {
    if (id == null || id.isBlank()) {
      return null;
    }
    try {
      return sdk.transaction().find(id.trim());
    } catch (NotFoundException unknown) {
      return null;
    }
  }

  /** The sales carrying this order id (Kopek's payment id). */
  private List<Transaction> sales(String orderId) {
    List<Transaction> found = new ArrayList<>();
    if (orderId == null || orderId.isBlank()) {
      return found;
    }
    for (Transaction transaction :
        sdk.transaction()
            .search(
                new TransactionSearchRequest()
                    .orderId()
                    .is(orderId)
                    .type()
                    .is(Transaction.Type.SALE))) {
      if (orderId.equals(transaction.getOrderId())) {
        found.add(transaction);
      }
      if (found.size() >= SEARCH_MAX) {
        break;
      }
    }
    return found;
  }

  /** The transaction that speaks for an order: the strongest outcome, then the latest. */
  private static Optional<Transaction> best(List<Transaction> transactions) {
    return transactions.stream()
        .max(Comparator.comparingInt(Outcomes::rank).thenComparing(BraintreeAdapter::createdAt));
  }

  private static long createdAt(Transaction transaction) {
    Calendar created = transaction.getCreatedAt();
    return created == null ? Long.MIN_VALUE : created.getTimeInMillis();
  }

  private static String describe(List<ValidationError> errors, String fallback) {
    if (errors.isEmpty()) {
      return fallback == null ? "no reason given" : fallback;
    }
    return errors.stream()
        .map(
            error ->
                (error.getCode() == null ? "?" : error.getCode().code) + " " + error.getMessage())
        .collect(Collectors.joining("; "));
  }

  private static String upper(String text) {
    return text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
  }
}
