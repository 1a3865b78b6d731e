package dev.kopek.ledger;

/**
 * Checks of what the ledger's code assumes, made where the assumption is made (TigerBeetle's
 * assertions): a broken one is a bug, so it fails loudly with an {@link IllegalStateException}
 * rather than letting a batch misanswer its commands or write a wrong row. The writer answers the
 * batch {@code internal} and logs it; the transaction is rolled back when it is still open.
 */
final class Invariants {

  private Invariants() {}

  /**
   * @param holds the condition
   * @param format what should have held, for the message ({@link String#format})
   * @param args the values involved
   * @throws IllegalStateException when {@code holds} is false
   */
  static void check(boolean holds, String format, Object... args) {
    if (!holds) {
      throw new IllegalStateException("ledger invariant broken: " + String.format(format, args));
    }
  }
}
