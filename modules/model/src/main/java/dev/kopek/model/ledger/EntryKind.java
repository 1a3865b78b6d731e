package dev.kopek.model.ledger;

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

  private static final EntryKind[] ALL = values();

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The wire form, e.g. {@code "charge"}. */
  public String wireName() {
    return wireName;
  }

  /** Finds the kind with this wire form. */
  public static Optional<EntryKind> fromWireName(String wireName) {
    for (EntryKind kind : ALL) {
      if (kind.wireName.equals(wireName)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
