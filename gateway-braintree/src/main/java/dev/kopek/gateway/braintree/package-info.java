/**
 * The Braintree payment provider, found through {@link java.util.ServiceLoader} as {@link
 * dev.kopek.gateway.braintree.BraintreeProvider}: the Drop-in UI on Kopek's hosted page, sales
 * completed from the payer's nonce with a duplicate check by order id, signed webhooks, status
 * polling, refunds and voids, all through the braintree-java SDK.
 */
package dev.kopek.gateway.braintree;
