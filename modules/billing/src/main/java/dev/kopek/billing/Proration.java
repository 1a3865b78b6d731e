package dev.kopek.billing;

import java.math.BigInteger;

/**
 * The one formula of billing: what a segment owes for usage from its anchor up to an instant,
 * {@code floor(price_minor × elapsed_ms / period_ms)}. Rounding happens once, on the segment's
 * total, so N periods cost exactly N × price and no drift accumulates. Integer arithmetic only; the
 * product is computed in 128 bits when it would overflow a {@code long}.
 */
final class Proration {

  private Proration() {}

  /**
   * What a segment starting at {@code anchorMs} at {@code priceMinor} per {@code periodMs} owes for
   * usage up to {@code atMs}; zero before the anchor.
   */
  static long owed(long priceMinor, long periodMs, long anchorMs, long atMs) {
    if (atMs <= anchorMs) {
      return 0;
    }
    long elapsed = atMs - anchorMs;
    long high = Math.multiplyHigh(priceMinor, elapsed);
    long low = priceMinor * elapsed;
    if (high == 0 && low >= 0) {
      return low / periodMs;
    }
    return BigInteger.valueOf(priceMinor)
        .multiply(BigInteger.valueOf(elapsed))
        .divide(BigInteger.valueOf(periodMs))
        .longValueExact();
  }
}
