package dev.kopek.http;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Charge requests ({@code POST /v1/charges}, as the router extracts them: the Idempotency-Key
 * header and the JSON body) validated by {@link ContractValidator} with Kopek's compiled schemas or
 * with vertx-json-schema's validators, for {@link ValidationJitTest} (run as a program in a JVM of
 * its own, whose compilations the test reads) and {@link ValidationBenchmark}.
 */
final class ValidationWorkload {

  /** Printed when the validation starts, after the start-up's compilations. */
  static final String START = "-- validating --";

  /** Printed when the validation has ended. */
  static final String END = "-- validated --";

  /** Bodies of charges: valid ones, and ones refused for each kind of error. */
  static final List<String> BODIES =
      List.of(
          "{\"amount_minor\":1250,\"currency\":\"USD\",\"reason\":\"order 1042\"}",
          "{\"amount_minor\":99,\"currency\":\"EUR\",\"reason\":\"coffee\",\"reference\":\"o-7\"}",
          "{\"amount_minor\":0,\"currency\":\"USD\",\"reason\":\"zero\"}",
          "{\"amount_minor\":1250,\"currency\":\"usd\",\"reason\":\"lower case\"}",
          "{\"amount_minor\":1250,\"currency\":\"USD\"}",
          "{\"amount_minor\":\"1250\",\"currency\":\"USD\",\"reason\":\"a string\"}",
          "{\"amount_minor\":1250,\"currency\":\"USD\",\"reason\":\"\",\"tip\":5}");

  /** How many of {@link #BODIES} the contract accepts. */
  static final int VALID_BODIES = 2;

  private ValidationWorkload() {}

  /** The contract's request validator: {@code compiled} (Kopek's) or {@code library}. */
  static ContractValidator validator(Vertx vertx, OpenAPIContract contract, String kind) {
    return switch (kind) {
      case "compiled" -> ContractValidator.of(vertx, contract);
      case "library" ->
          ContractValidator.of(
              vertx, contract, (api, schema) -> api.getSchemaRepository().validator(schema));
      default -> throw new IllegalArgumentException("compiled or library, not " + kind);
    };
  }

  static OpenAPIContract contract(Vertx vertx) throws Exception {
    return Contract.load(vertx, HttpVerticle.CONTRACT).await(60, TimeUnit.SECONDS).openApi();
  }

  /** A charge request with {@code body}, as the router's extractor makes it. */
  static ValidatableRequest charge(String body, int key) {
    Map<String, RequestParameter> headers =
        Map.of("Idempotency-Key", new RequestParameterImpl("key-" + key));
    return new ValidatableRequestImpl(
        Map.of(),
        headers,
        Map.of(),
        Map.of(),
        new RequestParameterImpl(Buffer.buffer(body)),
        "application/json");
  }

  /** Validates {@code rounds} times each of {@link #BODIES}; returns how many were accepted. */
  static long run(ContractValidator validator, int rounds) {
    long accepted = 0;
    for (int i = 0; i < rounds; i++) {
      for (String body : BODIES) {
        if (validator.validate(charge(body, i), "createCharge").succeeded()) {
          accepted++;
        }
      }
    }
    return accepted;
  }

  /**
   * Arguments: phases, each {@code compiled} or {@code library} and a number of rounds ({@code
   * compiled:3000}). For each, prints {@link #START}, the validators' kind and the JVM's {@code
   * DontCompileHugeMethods} once the previous compilations are over, validates, then prints {@link
   * #END} once the validation's compilations are.
   */
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = contract(vertx);
      for (String phase : args) {
        String kind = phase.substring(0, phase.indexOf(':'));
        int rounds = Integer.parseInt(phase.substring(phase.indexOf(':') + 1));
        ContractValidator validator = validator(vertx, contract, kind);
        awaitQuietCompiler();
        System.out.println(
            START + " " + kind + " DontCompileHugeMethods=" + dontCompileHugeMethods());
        long accepted = run(validator, rounds);
        if (accepted != (long) rounds * VALID_BODIES) {
          throw new IllegalStateException(accepted + " accepted out of " + rounds + " rounds");
        }
        awaitQuietCompiler();
        System.out.println(END);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String dontCompileHugeMethods() {
    return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .getVMOption("DontCompileHugeMethods")
        .getValue();
  }

  /**
   * Waits, 30 seconds at most, for the JIT to have nothing to compile (as {@code jcmd PID
   * Compiler.queue} tells), so that what it compiles after is what the next phase makes it.
   */
  private static void awaitQuietCompiler() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName commands = new ObjectName("com.sun.management:type=DiagnosticCommand");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      String queue =
          (String)
              server.invoke(
                  commands,
                  "compilerQueue",
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      if (!queue.contains(" bytes)")) {
        return;
      }
      Thread.sleep(50);
    }
  }
}
