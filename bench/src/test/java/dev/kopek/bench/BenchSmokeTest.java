package dev.kopek.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A few seconds of every scenario, so the benchmark keeps working; its figures mean nothing. */
@DisplayName("bench/run --smoke")
@Timeout(300)
class BenchSmokeTest {

  @Test
  @DisplayName(
      "runs every scenario against kopek.jar and the pgbench baseline and prints one JSON line each")
  void smoke() throws Exception {
    Path jar = Path.of("../modules/server/target/kopek.jar");
    assertThat(jar).as("kopek.jar is built before the bench module").exists();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        Bench.run(
            Bench.Options.parse(new String[] {"--smoke", "--jar", jar.toString()}),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertThat(exit).isZero();
    List<JsonObject> lines =
        Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n"))
            .filter(l -> !l.isBlank())
            .map(JsonObject::new)
            .toList();
    assertThat(lines)
        .extracting(l -> l.getString("scenario"))
        .containsExactly("debit_spread", "debit_hot", "mixed", "billing_run");
    for (JsonObject line : lines) {
      assertThat(line.getLong("kopek_per_s")).as(line.encode()).isPositive();
    }
    JsonObject spread = lines.get(0);
    assertThat(spread.getLong("failed")).isZero();
    assertThat(spread.getDouble("p99_ms")).isPositive();
    assertThat(Baseline.available()).as("pgbench is installed (Debian: postgresql-15)").isTrue();
    assertThat(spread.getLong("baseline_per_s")).isPositive();
    assertThat(spread.getDouble("ratio")).isPositive();
    assertThat(lines.get(3).getLong("entries")).isEqualTo(300);
  }
}
