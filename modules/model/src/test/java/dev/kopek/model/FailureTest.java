package dev.kopek.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Failure")
class FailureTest {

  @Test
  @DisplayName("survives the trip through an event-bus failure with its code, detail and extras")
  void roundTripsThroughReplyException() {
    Failure sent =
        new Failure(
            ErrorCode.INSUFFICIENT_FUNDS,
            "the balance does not cover 500",
            new JsonObject().put("balance_minor", 120L));
    ReplyException received =
        new ReplyException(
            ReplyFailure.RECIPIENT_FAILURE, sent.code().failureCode(), sent.toJson().encode());

    Failure read = Failure.from(received);

    assertThat(read.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(read.detail()).isEqualTo("the balance does not cover 500");
    assertThat(read.extras().getLong("balance_minor")).isEqualTo(120L);
  }

  @Test
  @DisplayName(
      "reads a timeout as TIMEOUT, a missing handler as UNAVAILABLE, anything else as INTERNAL")
  void mapsTransportFailures() {
    assertThat(Failure.from(new ReplyException(ReplyFailure.TIMEOUT, "timed out")).code())
        .isEqualTo(ErrorCode.TIMEOUT);
    assertThat(Failure.from(new ReplyException(ReplyFailure.NO_HANDLERS, "none")).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(Failure.from(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "boom")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    assertThat(Failure.from(new IllegalStateException("secret detail")))
        .isEqualTo(Failure.of(ErrorCode.INTERNAL, "internal error"));
  }

  @Test
  @DisplayName("an invalid-field failure names the field in its extras")
  void invalidNamesField() {
    Failure failure = Failure.invalid("amount_minor", "amount_minor must be an integer");

    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.extras().getString("field")).isEqualTo("amount_minor");
    assertThat(Failure.from(failure.toException())).isEqualTo(failure);
  }
}
