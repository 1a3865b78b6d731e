package dev.kopek.model;

/** Bounds that every module and the HTTP contract share, each with the reason for its value. */
public final class Limits {

  /**
   * The largest single amount Kopek moves: ten digits of minor units (99,999,999.99 in a
   * two-decimal currency), like the payment providers' own per-payment caps. Keeping single amounts
   * this small leaves sums of many of them far from {@code long} overflow.
   */
  public static final long AMOUNT_MINOR_MAX = 99_999_999_99L;

  /** Longest idempotency key; Stripe accepts 255 characters, so clients built for it fit here. */
  public static final int IDEMPOTENCY_KEY_LENGTH_MAX = 255;

  /** Longest user id taken from a token; long enough for UUIDs, emails and "provider|id" forms. */
  public static final int USER_ID_LENGTH_MAX = 128;

  /** Longest free-text reason on an entry: a sentence, not a document. */
  public static final int REASON_LENGTH_MAX = 500;

  /** Longest reference to what caused an entry (a payment id, a billing period reference). */
  public static final int REFERENCE_LENGTH_MAX = 200;

  /** Largest page of the transaction log one request returns. */
  public static final int PAGE_LIMIT_MAX = 100;

  /** Items in a page when the request asks no number. */
  public static final int PAGE_LIMIT_DEFAULT = 20;

  /**
   * Postings in one ledger request (a batch, or the groups of one request) at most, and so in one
   * billing chunk's request.
   */
  public static final int POSTINGS_PER_REQUEST_MAX = 10_000;

  private Limits() {}
}
