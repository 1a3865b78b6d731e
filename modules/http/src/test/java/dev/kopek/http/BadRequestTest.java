package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.Failure;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The problem a 400 answered by Vert.x itself gets: which field to fix, and how. */
@DisplayName("A 400 from Vert.x names what to fix")
class BadRequestTest {

  @Test
  @DisplayName("a literal % in a query value names its parameter and says to write %25")
  void literalPercentInAValue() {
    assertField(Problems.badRequest("user_id=50%off"), "user_id");
    assertField(Problems.badRequest("limit=5&user_id=50%"), "user_id");
    assertField(Problems.badRequest("limit=5&user_id=ab%2"), "user_id");
    assertField(Problems.badRequest("user%5Fid=50%off"), "user_id");
    assertThat(Problems.badRequest("user_id=50%off").detail())
        .isEqualTo("user_id is not valid percent-encoding: write a % sign as %25");
  }

  @Test
  @DisplayName("a parameter name that cannot be read is named query")
  void unreadableName() {
    assertField(Problems.badRequest("a%zz=1"), "query");
    assertField(Problems.badRequest("%=1"), "query");
  }

  @Test
  @DisplayName("with a well-formed query or none, the body is what could not be read")
  void wellFormedQuery() {
    assertField(Problems.badRequest("user_id=pct%2525&limit=5"), "body");
    assertField(Problems.badRequest(null), "body");
    assertThat(Problems.badRequest(null).detail()).isEqualTo("the request body is not valid JSON");
  }

  private static void assertField(Failure failure, String field) {
    assertThat(failure.code().name()).isEqualTo("VALIDATION_FAILED");
    assertThat(failure.extras().getString("field")).isEqualTo(field);
  }
}
