package dev.kopek.ledger;

import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import io.vertx.core.json.JsonObject;

/** What became of one posting command: posted (now or by an earlier try) or rejected. */
sealed interface Outcome {

  /** The entry exists; {@code replayed} when an earlier command with the same key posted it. */
  record Posted(Entry entry, boolean replayed) implements Outcome {}

  /** Nothing was written, for the reason given. */
  record Rejected(Failure failure) implements Outcome {}

  /** The per-posting result in a {@code kopek.ledger.post.batch} reply. */
  default JsonObject toJson() {
    if (this instanceof Posted posted) {
      return new JsonObject().put("entry", posted.entry().toJson()).put("replayed", posted.replayed());
    }
    return new JsonObject().put("error", ((Rejected) this).failure().toJson());
  }
}
