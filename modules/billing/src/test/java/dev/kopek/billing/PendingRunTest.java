package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.model.ledger.PostingRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The stored shape of a pending run, and the ledger requests a stored run makes. */
@DisplayName("PendingRun")
class PendingRunTest {

  @Test
  @DisplayName("a run stored by the previous release posts exactly the postings that release sent")
  void previousShapePostsTheSamePostings() {
    PendingRun change = PendingRun.fromJson(new JsonObject(PendingRunUpgradeTest.CHANGE_RUN));
    JsonArray postings = new JsonArray();
    change.postings().stream().map(PostingRequest::toJson).forEach(postings::add);
    assertThat(postings.encode()).isEqualTo(PendingRunUpgradeTest.CHANGE_POSTINGS);
    assertThat(change.request().id()).isEqualTo("CHANGE:sub_legacy_bob:change:c1");
    assertThat(change.request().newPlan())
        .isEqualTo(new RunRequest.PlanTerms("basic", 60, 3_600_000));
    assertThat(PendingRun.fromJson(new JsonObject(PendingRunUpgradeTest.TIMER_RUN)).request().id())
        .isEqualTo("TIMER:null:");
  }

  @Test
  @DisplayName("a run reads back as it was written, in the current shape")
  void roundTrip() {
    PendingRun change = PendingRun.fromJson(new JsonObject(PendingRunUpgradeTest.CHANGE_RUN));
    JsonObject stored = change.toJson();
    assertThat(stored.getInteger("format")).isEqualTo(PendingRun.FORMAT);
    assertThat(stored.getString("run_id")).isEqualTo(change.runId());
    assertThat(PendingRun.fromJson(new JsonObject(stored.encode()))).isEqualTo(change);
  }

  @Test
  @DisplayName("a run that cannot be read, or of an unknown shape, is refused as such")
  void unreadable() {
    assertThatThrownBy(
            () ->
                PendingRun.fromJson(
                    new JsonObject()
                        .put("run_id", "broken")
                        .put("user_id", "u4")
                        .put("currency", "USD")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("broken");
    assertThatThrownBy(
            () ->
                PendingRun.fromJson(
                    new JsonObject(PendingRunUpgradeTest.TIMER_RUN)
                        .put("format", PendingRun.FORMAT + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown shape");
  }
}
