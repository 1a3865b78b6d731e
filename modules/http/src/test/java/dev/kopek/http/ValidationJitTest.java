package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kopek validates requests at full speed on a JVM started without options ({@code java -jar
 * kopek.jar}): no method on the validation path is larger than HotSpot's limit for compiling
 * ({@code HugeMethodLimit}, 8,000 bytes of bytecode), above which a method stays interpreted unless
 * the JVM runs with {@code -XX:-DontCompileHugeMethods}. With vertx-json-schema's validators,
 * {@code SchemaValidatorImpl.validate} was such a method.
 *
 * <p>{@link ValidationWorkload} validates charge requests (the whole of {@link ContractValidator}'s
 * work: body decoding, parameters, schemas) in JVMs of their own that print what they compile
 * ({@code -XX:+PrintCompilation}): one without options, whose JIT compiles Kopek's validation; and
 * one allowed to compile huge methods, so that a huge method the validation runs often shows among
 * what it compiles: none with Kopek's compiled schemas, and vertx-json-schema's with its validators
 * (which shows that this test sees a huge method when there is one).
 */
@DisplayName("Request validation on a JVM started without options")
@Timeout(90)
class ValidationJitTest {

  /** HotSpot's {@code HugeMethodLimit}, a develop flag: fixed in product builds. */
  private static final int HUGE_METHOD_LIMIT = 8000;

  /**
   * A {@code -XX:+PrintCompilation} line: time, id, attributes, tier, method (with {@code @ bci}
   * for an on-stack replacement), size.
   */
  private static final Pattern COMPILATION =
      Pattern.compile(
          "^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*?(\\d)\\s+(\\S+::\\S+)(?:\\s+@\\s+\\d+)?\\s+\\((\\d+) bytes\\)");

  /** Compilations on a JVM without options, validating with Kopek's compiled schemas. */
  private static List<Compiled> plain;

  /** Compilations allowing huge methods, during the start-up (loading the contract). */
  private static List<Compiled> startUp;

  /** Compilations allowing huge methods, validating with Kopek's compiled schemas. */
  private static List<Compiled> compiledSchemas;

  /** Compilations allowing huge methods, validating with vertx-json-schema's validators. */
  private static List<Compiled> librarySchemas;

  /** A compilation printed while the workload validated. */
  private record Compiled(int tier, String method, int bytes) {}

  @BeforeAll
  static void runWorkloads() throws Exception {
    CompletableFuture<List<List<Compiled>>> withoutOptions =
        start(List.of("-XX:+PrintCompilation"), "compiled:2000");
    CompletableFuture<List<List<Compiled>>> hugeAllowed =
        start(
            List.of("-XX:-DontCompileHugeMethods", "-XX:+PrintCompilation"),
            "compiled:2000",
            "library:300");
    plain = withoutOptions.get(80, TimeUnit.SECONDS).get(1);
    startUp = hugeAllowed.get(80, TimeUnit.SECONDS).get(0);
    compiledSchemas = hugeAllowed.get(80, TimeUnit.SECONDS).get(1);
    librarySchemas = hugeAllowed.get(80, TimeUnit.SECONDS).get(2);
  }

  @Test
  @DisplayName("compiles Kopek's request validation, its hottest method with C2")
  void compiledWithoutOptions() {
    assertThat(plain)
        .extracting(Compiled::method)
        .contains(
            "dev.kopek.http.CompiledSchema::validate",
            "dev.kopek.http.CompiledSchema$Properties::check",
            "dev.kopek.http.CompiledSchema$Type::check");
    assertThat(plain)
        .filteredOn(compiled -> compiled.tier() == 4)
        .extracting(Compiled::method)
        .contains("dev.kopek.http.CompiledSchema$Keywords::check");
  }

  @Test
  @DisplayName("runs no huge method often")
  void noHugeMethod() {
    // A method compiled with C2 before the validation starts would not be compiled again while it
    // validates: the start-up's huge methods (vertx-json-schema's, checking the contract against
    // OpenAPI's schema) must have stopped short of C2 for their absence below to mean anything.
    assertThat(startUp)
        .as("huge methods the start-up compiled with C2")
        .filteredOn(compiled -> compiled.bytes() > HUGE_METHOD_LIMIT && compiled.tier() == 4)
        .isEmpty();
    assertThat(compiledSchemas).isNotEmpty();
    assertThat(compiledSchemas)
        .filteredOn(compiled -> compiled.bytes() > HUGE_METHOD_LIMIT)
        .isEmpty();
  }

  @Test
  @DisplayName("would see vertx-json-schema's huge validation method")
  void seesTheLibrarysHugeMethod() {
    assertThat(librarySchemas)
        .filteredOn(compiled -> compiled.bytes() > HUGE_METHOD_LIMIT)
        .extracting(Compiled::method)
        .contains("io.vertx.json.schema.impl.SchemaValidatorImpl::validate");
  }

  /**
   * Runs {@link ValidationWorkload} with {@code options} and {@code phases}; completes with the
   * start-up's compilations, then each phase's.
   */
  private static CompletableFuture<List<List<Compiled>>> start(
      List<String> options, String... phases) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), ValidationWorkload.class.getName()));
    command.addAll(List.of(phases));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return CompletableFuture.supplyAsync(
        () -> {
          try (InputStream out = process.getInputStream()) {
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            if (exit != 0) {
              throw new IllegalStateException(
                  String.join(" ", command) + " exited with " + exit + ":\n" + output);
            }
            List<List<Compiled>> compiled = compilations(output);
            String expected =
                "DontCompileHugeMethods=" + !options.contains("-XX:-DontCompileHugeMethods");
            if (compiled.size() != phases.length + 1 || !output.contains(expected)) {
              throw new IllegalStateException(
                  "unexpected output, not " + expected + ":\n" + output);
            }
            return compiled;
          } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
            throw new IllegalStateException(e);
          }
        });
  }

  /**
   * The compilations printed before the first {@link ValidationWorkload#START}, then in each phase:
   * between a {@link ValidationWorkload#START} and its end.
   */
  private static List<List<Compiled>> compilations(String output) {
    List<List<Compiled>> phases = new ArrayList<>();
    List<Compiled> phase = new ArrayList<>();
    phases.add(phase);
    for (String line : output.split("\n")) {
      if (line.contains(ValidationWorkload.START)) {
        phase = new ArrayList<>();
        phases.add(phase);
      } else if (line.contains(ValidationWorkload.END)) {
        phase = null;
      } else if (phase != null) {
        Matcher matcher = COMPILATION.matcher(line);
        if (matcher.find()) {
          phase.add(
              new Compiled(
                  Integer.parseInt(matcher.group(1)),
                  matcher.group(2),
                  Integer.parseInt(matcher.group(3))));
        }
      }
    }
    return phases;
  }
}
