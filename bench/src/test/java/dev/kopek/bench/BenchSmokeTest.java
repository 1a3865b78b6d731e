package dev.kopek.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    for (JsonObject debits : lines.subList(0, 2)) {
      assertBaselineAtItsBest(debits);
    }
    // Where the CPU went, per request: each part spent some, and the machine was partly busy.
    for (JsonObject requests : lines.subList(0, 3)) {
      JsonObject cpu = requests.getJsonObject("cpu_us_per_request");
      assertThat(cpu).as(requests.encode()).isNotNull();
      assertThat(cpu.getDouble("kopek")).as(requests.encode()).isPositive();
      assertThat(cpu.getDouble("postgres")).as(requests.encode()).isPositive();
      assertThat(cpu.getDouble("load_generator")).as(requests.encode()).isPositive();
      assertThat(cpu.getDouble("busy_cores"))
          .as(requests.encode())
          .isPositive()
          .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }
    JsonObject mixed = lines.get(2);
    assertThat(mixed.getValue("baseline_per_s")).isNull();
    assertThat(mixed.getValue("baseline_sweep")).isNull();
    assertThat(mixed.getValue("ceiling_per_s")).isNull();
    assertThat(lines.get(3).getLong("entries")).isEqualTo(300);
  }

  /**
   * The baseline of a debit scenario: pgbench with prepared statements at the fastest client count
   * of its sweep, the default mode's figure for reference, and the batched ceiling.
   */
  private static void assertBaselineAtItsBest(JsonObject line) {
    String scenario = line.encode();
    assertThat(line.getString("baseline_mode")).as(scenario).isEqualTo("prepared");
    assertThat(line.getLong("baseline_per_s")).as(scenario).isPositive();
    assertThat(line.getDouble("ratio")).as(scenario).isPositive();
    assertThat(line.getLong("baseline_simple16_per_s")).as(scenario).isPositive();
    assertSweep(line, "baseline_sweep", "baseline_clients");
    assertSweep(line, "ceiling_sweep", "ceiling_clients");
    long ceiling = line.getLong("ceiling_per_s");
    assertThat(ceiling)
        .as(scenario)
        .isEqualTo(
            line.getJsonObject("ceiling_sweep")
                .getLong(line.getInteger("ceiling_clients").toString()));
    double share = line.getDouble("ceiling_share");
    assertThat(share).as(scenario).isGreaterThan(0).isLessThanOrEqualTo(1.5);
    assertThat(share)
        .as(scenario)
        .isCloseTo(line.getLong("kopek_per_s") / (double) ceiling, within(0.01));
  }

  /** Every client count measured, each faster than nothing, and the chosen one the fastest. */
  private static void assertSweep(JsonObject line, String sweepField, String clientsField) {
    JsonObject sweep = line.getJsonObject(sweepField);
    assertThat(sweep.fieldNames())
        .as(line.encode())
        .containsExactly(Baseline.CLIENTS.stream().map(String::valueOf).toArray(String[]::new));
    for (String clients : sweep.fieldNames()) {
      assertThat(sweep.getLong(clients)).as(line.encode()).isPositive();
    }
    long fastest = sweep.fieldNames().stream().mapToLong(sweep::getLong).max().orElseThrow();
    Integer chosen = line.getInteger(clientsField);
    assertThat(Baseline.CLIENTS).as(line.encode()).contains(chosen);
    assertThat(sweep.getLong(chosen.toString())).as(line.encode()).isEqualTo(fastest);
  }
}
