package dev.kopek.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM of its own running what the build shipped ({@code java -jar kopek.jar}, or a class on a
 * classpath of jars), with an environment of {@code KOPEK_*} variables; its output (standard error
 * merged) is collected line by line.
 */
final class JavaProcess implements AutoCloseable {

  private static final Pattern SERVING = Pattern.compile("Kopek is serving http://[^:]+:(\\d+) ");

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private JavaProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread reader = new Thread(this::collect, name + "-log");
    reader.setDaemon(true);
    reader.start();
  }

  static Path kopekJar() {
    return Path.of(System.getProperty("kopek.jar")).toAbsolutePath().normalize();
  }

  static Path siblingJar() {
    return Path.of(System.getProperty("kopek.sibling.jar")).toAbsolutePath().normalize();
  }

  /** {@code java -jar kopek.jar}, as an operator runs it: no JVM flags beyond memory. */
  static JavaProcess kopek(String name, Path workingDirectory, Map<String, String> environment)
      throws IOException {
    return start(name, workingDirectory, environment, List.of("-jar", kopekJar().toString()));
  }

  /** {@code java -cp kopek.jar:sibling-verticle.jar dev.kopek.example.sibling.SiblingMain}. */
  static JavaProcess sibling(String name, Path workingDirectory, Map<String, String> environment)
      throws IOException {
    return start(
        name,
        workingDirectory,
        environment,
        List.of(
            "-cp",
            kopekJar() + java.io.File.pathSeparator + siblingJar(),
            "dev.kopek.example.sibling.SiblingMain"));
  }

  private static JavaProcess start(
      String name, Path workingDirectory, Map<String, String> environment, List<String> main)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A quick-starting JIT and a small heap: three of these share two cores with the database.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx256m");
    command.addAll(main);
    java.nio.file.Files.createDirectories(workingDirectory);
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(variable -> variable.startsWith("KOPEK_"));
    builder.environment().putAll(environment);
    return new JavaProcess(name, builder.start());
  }

  private void collect() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException closed) {
      // the process is gone
    } finally {
      synchronized (lines) {
        lines.add(null);
        lines.notifyAll();
      }
    }
  }

  /** Waits for the serving line; returns the HTTP port it names. */
  int awaitServing(Duration timeout) throws InterruptedException {
    Matcher matcher = SERVING.matcher(awaitLine(l -> l.contains("Kopek is serving"), timeout));
    if (!matcher.find()) {
      throw new AssertionError(name + ": no port in the serving line:\n" + log());
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** Waits for a line containing {@code text}. */
  String awaitLine(String text, Duration timeout) throws InterruptedException {
    return awaitLine(line -> line.contains(text), timeout);
  }

  /** Waits for a line that matches; fails with the log when the process ends first. */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          String line = lines.get(seen);
          if (line == null) {
            throw new AssertionError(name + " ended without the awaited line:\n" + log());
          }
          if (wanted.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              name + " did not log the awaited line within " + timeout + ":\n" + log());
        }
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  /** How many lines so far match. */
  long count(Predicate<String> wanted) {
    synchronized (lines) {
      return lines.stream().filter(l -> l != null && wanted.test(l)).count();
    }
  }

  /** Everything logged so far. */
  String log() {
    synchronized (lines) {
      return String.join("\n", lines.stream().filter(l -> l != null).toList());
    }
  }

  /** Waits for the process to end; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not end within " + timeout + ":\n" + log());
    }
    return process.exitValue();
  }

  /** SIGKILL: nothing runs in the process after it. */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.toHandle().destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
