package dev.kopek.gateway.sandbox;

import java.util.Arrays;
import java.util.List;

/**
 * What a card number does in the sandbox. The numbers are Stripe's documented test cards, so people
 * who know them need not learn new ones; every other valid number is refused.
 */
enum TestCard {
  SUCCEEDS("4242424242424242", "succeeds", null, null),
  DECLINED("4000000000000002", "is declined", "card_declined", "Your card was declined."),
  INSUFFICIENT_FUNDS(
      "4000000000009995",
      "is declined for insufficient funds",
      "insufficient_funds",
      "Your card has insufficient funds."),
  REQUIRES_AUTHENTICATION("4000002500003155", "needs authentication and stays pending", null, null),
  SUCCEEDS_UNREPORTED(
      "4000000000003063",
      "succeeds without telling the page or sending a webhook (found by polling)",
      null,
      null),
  /** Any other card number that passes the checks. */
  NOT_SUPPORTED(
      null,
      null,
      "card_not_supported",
      "This card is not accepted in test mode; use one of the test cards.");

  private final String number;
  private final String effect;
  private final String declineCode;
  private final String declineMessage;

  TestCard(String number, String effect, String declineCode, String declineMessage) {
    this.number = number;
    this.effect = effect;
    this.declineCode = declineCode;
    this.declineMessage = declineMessage;
  }

  /** The card for a number of digits only. */
  static TestCard of(String digits) {
    for (TestCard card : values()) {
      if (digits.equals(card.number)) {
        return card;
      }
    }
    return NOT_SUPPORTED;
  }

  /** The cards a payer may use, in the order the page lists them. */
  static List<TestCard> listed() {
    return Arrays.stream(values()).filter(card -> card.number != null).toList();
  }

  /** The message of a decline code the sandbox produces, or null for a code it does not. */
  static String declineMessage(String code) {
    for (TestCard card : values()) {
      if (code.equals(card.declineCode)) {
        return card.declineMessage;
      }
    }
    return null;
  }

  /** The number in groups of four, as printed on a card. */
  String grouped() {
    return number.replaceAll("(.{4})(?!$)", "$1 ");
  }

  String effect() {
    return effect;
  }

  String declineCode() {
    return declineCode;
  }

  String declineMessage() {
    return declineMessage;
  }
}
