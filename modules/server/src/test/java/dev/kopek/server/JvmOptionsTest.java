package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JvmOptionsTest {

  @Test
  void advisesCompilingHugeMethodsWhenTheJvmDoesNot() {
    assertThat(JvmOptions.advice(Map.of("DontCompileHugeMethods", "true")::get))
        .singleElement()
        .asString()
        .contains("-XX:-DontCompileHugeMethods");
  }

  @Test
  void isQuietWhenHugeMethodsAreCompiledOrTheOptionIsUnknown() {
    assertThat(JvmOptions.advice(Map.of("DontCompileHugeMethods", "false")::get)).isEmpty();
    assertThat(JvmOptions.advice(Map.<String, String>of()::get)).isEmpty();
  }

  @Test
  void readsTheRunningJvm() {
    // Surefire runs the tests with the recommended option (see the server's pom).
    assertThat(JvmOptions.advice()).isEmpty();
  }
}
