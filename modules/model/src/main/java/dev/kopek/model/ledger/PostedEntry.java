package dev.kopek.model.ledger;

import java.util.Objects;

/**
 * The ledger's answer to a posting sent within the process ({@link dev.kopek.model.LocalObjects}):
 * the entry, and whether an earlier posting with the same idempotency key made it. Over JSON the
 * same answer is the entry's fields with {@code "replayed"}.
 */
public record PostedEntry(Entry entry, boolean replayed) {

  /** Checks the entry is present. */
  public PostedEntry {
    Objects.requireNonNull(entry, "entry");
  }
}
