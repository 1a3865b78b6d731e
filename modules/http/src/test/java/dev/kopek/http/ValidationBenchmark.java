package dev.kopek.http;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatableRequest;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long validating a charge request takes, in nanoseconds per request, on one thread: the JSON
 * Schema validation of its (decoded) body alone, and the whole of {@link ContractValidator}'s work
 * (decoding the body, the Idempotency-Key header, the body's schema). Not a test: a program, run on
 * the module's test classpath ({@code CP}: target/test-classes, target/classes and the test
 * dependencies, as {@code dependency:build-classpath} lists them), once per validator and JVM
 * option to compare:
 *
 * <pre>
 * java -cp CP dev.kopek.http.ValidationBenchmark library                              # before
 * java -XX:-DontCompileHugeMethods -cp CP dev.kopek.http.ValidationBenchmark library  # flag
 * java -cp CP dev.kopek.http.ValidationBenchmark compiled                             # now
 * </pre>
 *
 * Arguments: {@code compiled} or {@code library}, then optionally the seconds of warm-up (10) and
 * of measurement (10, in one-second rounds whose median is reported).
 */
public final class ValidationBenchmark {

  private ValidationBenchmark() {}

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = ValidationWorkload.contract(vertx);
      JsonSchema chargeSchema =
          contract
              .operation("createCharge")
              .getRequestBody()
              .getContent()
              .get("application/json")
              .getSchema();
      Validator schema =
          "compiled".equals(kind)
              ? CompiledSchema.compile(contract, chargeSchema)
              : contract.getSchemaRepository().validator(chargeSchema);
      String body = ValidationWorkload.BODIES.get(0);
      Object decoded = StrictJson.decode(Buffer.buffer(body));
      ContractValidator validator = ValidationWorkload.validator(vertx, contract, kind);
      ValidatableRequest request = ValidationWorkload.charge(body, 1);

      System.out.printf(
          "%s validators, DontCompileHugeMethods=%s%n",
          kind,
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
              .getVMOption("DontCompileHugeMethods")
              .getValue());
      report(
          "body schema only",
          measure(() -> schema.validate(decoded).getValid() ? 1 : 0, warmUp, rounds));
      report(
          "whole request",
          measure(
              () -> validator.validate(request, "createCharge").succeeded() ? 1 : 0,
              warmUp,
              rounds));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Nanoseconds per operation in each measured one-second round. */
  private static double[] measure(LongSupplier operation, int warmUp, int rounds) {
    long sink = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmUp);
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        sink += operation.getAsLong();
      }
    }
    double[] perOperation = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      long stop = start + TimeUnit.SECONDS.toNanos(1);
      long count = 0;
      long now;
      do {
        for (int i = 0; i < 1000; i++) {
          sink += operation.getAsLong();
        }
        count += 1000;
        now = System.nanoTime();
      } while (now < stop);
      perOperation[round] = (double) (now - start) / count;
    }
    if (sink == 42) {
      System.out.println(); // keeps the results used
    }
    return perOperation;
  }

  private static void report(String what, double[] perOperation) {
    double[] sorted = perOperation.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%-17s median %8.0f ns/request (min %.0f, max %.0f over %d rounds)%n",
        what, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], sorted.length);
  }
}
