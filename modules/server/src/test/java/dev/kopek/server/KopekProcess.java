package dev.kopek.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kopek's {@code main} in a JVM of its own, as an operator runs it: on the test classpath, with an
 * environment naming a temporary data directory and a port picked by the system. Its log (standard
 * error, merged into standard output) is collected line by line.
 */
final class KopekProcess implements AutoCloseable {

  private static final Pattern SERVING = Pattern.compile("Kopek is serving http://[^:]+:(\\d+) ");

  private final Process process;
  private final Path dataDir;
  private final List<String> lines = new ArrayList<>();

  private KopekProcess(Process process, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
    Thread reader = new Thread(this::collect, "kopek-process-log");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code dev.kopek.server.Main} with {@code KOPEK_DATA_DIR=dataDir} and port 0. */
  static KopekProcess start(Path dataDir, Path workingDirectory) throws IOException {
    return start(dataDir, workingDirectory, Map.of());
  }

  /**
   * Starts {@code dev.kopek.server.Main} with {@code KOPEK_DATA_DIR=dataDir}, port 0, and the
   * {@code KOPEK_*} variables of {@code environment} (which may override those two).
   */
  static KopekProcess start(Path dataDir, Path workingDirectory, Map<String, String> environment)
      throws IOException {
    String classPath =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .orElse(System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Files.createDirectories(workingDirectory);
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                // The flags kopek.jar's manifest adds; a quick-starting JIT, as start-up is what is
                // timed.
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
                "-Xmx256m",
                "-cp",
                classPath,
                Main.class.getName())
            .directory(workingDirectory.toFile())
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KOPEK_"));
    env.put("KOPEK_DATA_DIR", dataDir.toString());
    env.put("KOPEK_HTTP_PORT", "0");
    env.putAll(environment);
    return new KopekProcess(builder.start(), dataDir);
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

  /** Waits for the line saying Kopek is serving; returns the HTTP port it names. */
  int awaitServing(Duration timeout) throws InterruptedException {
    Matcher matcher = SERVING.matcher(awaitLine("Kopek is serving", timeout));
    if (!matcher.find()) {
      throw new AssertionError("no port in the serving line:\n" + log());
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** Waits for a line containing {@code text}; fails with the log when the process ends first. */
  String awaitLine(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          String line = lines.get(seen);
          if (line == null) {
            throw new AssertionError("Kopek ended without logging \"" + text + "\":\n" + log());
          }
          if (line.contains(text)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "Kopek did not log \"" + text + "\" within " + timeout + ":\n" + log());
        }
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  /** Everything logged so far. */
  String log() {
    synchronized (lines) {
      return String.join("\n", lines.stream().filter(l -> l != null).toList());
    }
  }

  /** Waits until the log is complete (the process closed its output). */
  String awaitLogEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (lines.isEmpty() || lines.get(lines.size() - 1) != null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the log did not end within " + timeout);
        }
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
    return log();
  }

  Process process() {
    return process;
  }

  /**
   * Sends SIGTERM, as {@code Process.destroy()} does, but through the process handle: {@code
   * Process.destroy()} also closes the pipes, and the log written while shutting down would be
   * lost.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Sends SIGKILL: nothing runs in the process after it, no shutdown hook either. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /** The pid in the embedded PostgreSQL's postmaster.pid, if the file exists. */
  Optional<Long> postmasterPid() throws IOException {
    return postmasterPid(dataDir);
  }

  static Optional<Long> postmasterPid(Path dataDir) throws IOException {
    Path file = dataDir.resolve("postgres").resolve("postmaster.pid");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(Files.readAllLines(file).get(0).trim()));
  }

  /**
   * Kills the process if it still runs, and the postmaster it may have left behind, so that a
   * failing test leaves nothing running.
   */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
    Optional<ProcessHandle> postmaster =
        postmasterPid()
            .flatMap(ProcessHandle::of)
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    if (postmaster.isPresent()) {
      postmaster.get().destroy();
      postmaster.get().onExit().get(20, TimeUnit.SECONDS);
    }
  }
}
