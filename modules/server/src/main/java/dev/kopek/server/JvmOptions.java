package dev.kopek.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The JVM options Kopek runs best with, checked at start-up. HotSpot never compiles a method larger
 * than 8,000 bytes of bytecode unless told to ({@code -XX:-DontCompileHugeMethods}), and the JSON
 * Schema validator that checks every request against the OpenAPI contract is one such method: left
 * interpreted, it costs a large share of the HTTP thread's time under load.
 */
final class JvmOptions {

  static final String COMPILE_HUGE_METHODS = "-XX:-DontCompileHugeMethods";

  private JvmOptions() {}

  /** Advice for the running JVM; empty when it runs as recommended (or is not HotSpot). */
  static List<String> advice() {
    HotSpotDiagnosticMXBean hotSpot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    if (hotSpot == null) {
      return List.of();
    }
    return advice(
        name -> {
          try {
            return hotSpot.getVMOption(name).getValue();
          } catch (IllegalArgumentException unknown) {
            return null;
          }
        });
  }

  /** Advice given the JVM's option values ({@code vmOption} answers null for an unknown one). */
  static List<String> advice(Function<String, String> vmOption) {
    List<String> advice = new ArrayList<>();
    if ("true".equals(vmOption.apply("DontCompileHugeMethods"))) {
      advice.add(
          "Request validation runs interpreted (the JVM does not compile huge methods): "
              + "start Kopek with java "
              + COMPILE_HUGE_METHODS
              + " -jar kopek.jar for its full speed");
    }
    return advice;
  }
}
