package dev.kopek.model.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("PostingRequest.fromJson")
class PostingRequestTest {

  private static JsonObject valid() {
    return new JsonObject()
        .put("idempotency_key", "charge:alice:k1")
        .put("user_id", "alice")
        .put("currency", "USD")
        .put("amount_minor", -1250)
        .put("kind", "charge")
        .put("reason", "Coffee beans")
        .put("reference", "order-77")
        .put("counter_account", "revenue");
  }

  private static Failure failureReading(JsonObject json) {
    Failure.FailureException thrown =
        catchThrowableOfType(Failure.FailureException.class, () -> PostingRequest.fromJson(json));
    assertThat(thrown).as("fromJson(%s) must be refused", json.encode()).isNotNull();
    return thrown.failure();
  }

  @Test
  @DisplayName("reads every field of a valid posting and writes the same JSON back")
  void readsValidPosting() {
    PostingRequest request = PostingRequest.fromJson(valid());

    assertThat(request)
        .isEqualTo(
            new PostingRequest(
                "charge:alice:k1",
                "alice",
                "USD",
                -1250,
                EntryKind.CHARGE,
                "Coffee beans",
                "order-77",
                "revenue"));
    assertThat(request.toJson()).isEqualTo(valid());
  }

  @Test
  @DisplayName("accepts a missing reference and the largest amounts in both directions")
  void acceptsBounds() {
    assertThat(PostingRequest.fromJson(valid().put("reference", null)).reference()).isNull();
    JsonObject noReference = valid();
    noReference.remove("reference");
    assertThat(PostingRequest.fromJson(noReference).reference()).isNull();
    assertThat(
            PostingRequest.fromJson(valid().put("amount_minor", Limits.AMOUNT_MINOR_MAX))
                .amountMinor())
        .isEqualTo(Limits.AMOUNT_MINOR_MAX);
    assertThat(
            PostingRequest.fromJson(valid().put("amount_minor", -Limits.AMOUNT_MINOR_MAX))
                .amountMinor())
        .isEqualTo(-Limits.AMOUNT_MINOR_MAX);
    assertThat(
            PostingRequest.fromJson(valid().put("counter_account", "gateway:stripe-eu_1"))
                .counterAccount())
        .isEqualTo("gateway:stripe-eu_1");
  }

  @ParameterizedTest(name = "missing {0}")
  @ValueSource(
      strings = {
        "idempotency_key",
        "user_id",
        "currency",
        "amount_minor",
        "kind",
        "reason",
        "counter_account"
      })
  @DisplayName("names a required field that is missing")
  void namesMissingField(String field) {
    JsonObject json = valid();
    json.remove(field);

    Failure failure = failureReading(json);

    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.extras().getString("field")).isEqualTo(field);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("idempotency_key", "   "),
        Arguments.of("idempotency_key", "k".repeat(Limits.IDEMPOTENCY_KEY_LENGTH_MAX + 65)),
        Arguments.of("user_id", "u".repeat(Limits.USER_ID_LENGTH_MAX + 1)),
        Arguments.of("user_id", "ali\nce"),
        Arguments.of("user_id", 42),
        Arguments.of("currency", "usd"),
        Arguments.of("currency", "XAU"),
        Arguments.of("currency", "XXX"),
        Arguments.of("currency", "ABC"),
        Arguments.of("currency", "USDT"),
        Arguments.of("amount_minor", 0),
        Arguments.of("amount_minor", Limits.AMOUNT_MINOR_MAX + 1),
        Arguments.of("amount_minor", -Limits.AMOUNT_MINOR_MAX - 1),
        Arguments.of("amount_minor", Long.MAX_VALUE),
        Arguments.of("amount_minor", Long.MIN_VALUE),
        Arguments.of("amount_minor", 12.5),
        Arguments.of("amount_minor", "100"),
        Arguments.of("kind", "gift"),
        Arguments.of("kind", "CHARGE"),
        Arguments.of("reason", ""),
        Arguments.of("reason", "r".repeat(Limits.REASON_LENGTH_MAX + 1)),
        Arguments.of("reference", "r".repeat(Limits.REFERENCE_LENGTH_MAX + 1)),
        Arguments.of("reference", 7),
        Arguments.of("counter_account", "Revenue"),
        Arguments.of("counter_account", "gateway:"),
        Arguments.of("counter_account", "revenue:usd:extra"),
        Arguments.of("counter_account", "a".repeat(65)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badValues")
  @DisplayName("names the field holding a bad value")
  void namesBadField(String field, Object value) {
    Failure failure = failureReading(valid().put(field, value));

    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.extras().getString("field")).isEqualTo(field);
    assertThat(failure.detail()).contains(field);
  }
}
