package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer checks what the database answers against what it planned, and a mismatch fails the
 * batch loudly (answered {@code internal} and logged) instead of answering its commands as if all
 * were well.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The writer's checks of the database's answers")
class WriterChecksTest {

  private LedgerFixture ledger;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    LedgerFixture.deploy(vertx, TestDatabase.create())
        .onComplete(
            context.succeeding(
                deployed -> {
                  ledger = deployed;
                  context.completeNow();
                }));
  }

  @Test
  @DisplayName(
      "an account update the database skips answers the batch internal, not posted, and "
          + "the writer goes on with the next batch")
  void skippedAccountUpdate() {
    // A trigger silently drops the update of one user's wallet: one row updated for two moved.
    ledger.execute(
        """
        CREATE FUNCTION skip_mallory() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name = 'mallory' THEN
            RETURN NULL;
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER skip_mallory BEFORE UPDATE ON ledger_accounts
          FOR EACH ROW EXECUTE FUNCTION skip_mallory();
        """);

    assertThat(ledger.refused(credit("m-1", "mallory", "USD", 100)).code())
        .isEqualTo(ErrorCode.INTERNAL);

    assertThat(ledger.post(credit("a-1", "alice", "USD", 100)).getLong("balance_after_minor"))
        .isEqualTo(100);
  }
}
