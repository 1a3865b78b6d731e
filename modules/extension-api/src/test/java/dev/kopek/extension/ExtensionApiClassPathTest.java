package dev.kopek.extension;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The extension API brings Vert.x and Kopek's contract, nothing else: this test runs on exactly the
 * class path an extension compiles against (the module's dependencies), so a library that slips
 * into it shows here, and the contract's classes must work without it.
 */
@DisplayName("The extension API's class path")
class ExtensionApiClassPathTest {

  @Test
  @DisplayName("holds no database client and no logging API")
  void nothingButVertxAndTheContract() {
    assertThat(loadable("io.vertx.sqlclient.DatabaseException")).isFalse();
    assertThat(loadable("io.vertx.pgclient.PgException")).isFalse();
    assertThat(loadable("org.slf4j.Logger")).isFalse();
    assertThat(loadable("io.vertx.core.Vertx")).isTrue();
    assertThat(loadable("dev.kopek.client.LedgerClient")).isTrue();
  }

  @Test
  @DisplayName("typed failures are read there: a refusal, a timeout and a missing consumer")
  void failuresWithoutTheDatabaseClient() throws Exception {
    assertThat(Failure.from(new ReplyException(ReplyFailure.TIMEOUT, "slow")).code())
        .isEqualTo(ErrorCode.TIMEOUT);
    assertThat(Failure.from(new IllegalStateException("boom")).code())
        .isEqualTo(ErrorCode.INTERNAL);
    Vertx vertx = Vertx.vertx();
    try {
      Throwable unanswered =
          LedgerClient.create(vertx, 1_000)
              .health()
              .transform(done -> io.vertx.core.Future.succeededFuture(done.cause()))
              .await(10, TimeUnit.SECONDS);
      assertThat(Failure.from(unanswered).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static boolean loadable(String name) {
    try {
      Class.forName(name, false, ExtensionApiClassPathTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
