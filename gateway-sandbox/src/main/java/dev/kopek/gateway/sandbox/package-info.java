/**
 * The sandbox payment provider: Kopek's built-in test mode, found through {@link
 * java.util.ServiceLoader} as {@link dev.kopek.gateway.sandbox.SandboxProvider}. {@link
 * dev.kopek.gateway.sandbox.SandboxSignature} signs and verifies its webhooks.
 */
package dev.kopek.gateway.sandbox;
