package dev.kopek.model.ledger;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What caused an entry; the wire form is the lower-case name ({@code "charge"}). */
public enum EntryKind {
  /** A one-off payment from the balance ({@code POST /v1/charges}). */
  CHARGE,
  /** A correction by an administrator, credit or debit. */
  ADJUSTMENT,
  /** Money paid in through a payment provider. */
  TOPUP,
  /** Money returned to the payer through a payment provider. */
  REFUND,
  /** A subscription period charged by billing. */
  BILLING;

  /** The wire form, e.g. {@code "charge"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Finds the kind with this wire form. */
  public static Optional<EntryKind> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(k -> k.wireName().equals(wireName)).findFirst();
  }
}
