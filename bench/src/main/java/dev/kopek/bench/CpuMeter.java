package dev.kopek.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where a run's CPU goes: the time (user and system, from {@code /proc}) that Kopek's JVM, the
 * PostgreSQL server's processes and this load generator spend, and how busy the whole machine is,
 * read before and after Kopek's peak runs. Linux only: elsewhere every figure is null, and so is
 * PostgreSQL's when it runs on another machine (no {@code postgres} process here).
 */
final class CpuMeter {

  /** Clock ticks per second of {@code /proc}'s times (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  /** What was spent up to a moment, in ticks; -1 where it could not be read. */
  record Reading(long kopek, long postgres, long bench, long machineBusy, long machineAll) {}

  /** Sums of the differences between readings taken around runs. */
  static final class Total {
    private long kopek;
    private long postgres;
    private long bench;
    private long busy;
    private long all;
    private long requests;
    private boolean missing;

    void add(Reading before, Reading after, long requestsInBetween) {
      if (before == null || after == null || before.kopek() < 0 || after.kopek() < 0) {
        missing = true;
        return;
      }
      kopek += after.kopek() - before.kopek();
      postgres += after.postgres() - before.postgres();
      bench += after.bench() - before.bench();
      busy += after.machineBusy() - before.machineBusy();
      all += after.machineAll() - before.machineAll();
      requests += requestsInBetween;
    }

    /**
     * {@code {"kopek":µs,"postgres":µs,"load_generator":µs}} per request and the machine's busy
     * cores ({@code busy_cores}), or null when nothing was measured.
     */
    JsonObject json(int cores) {
      if (missing || requests == 0) {
        return null;
      }
      return new JsonObject()
          .put("kopek", micros(kopek))
          .put("postgres", postgres <= 0 ? null : micros(postgres))
          .put("load_generator", micros(bench))
          .put("busy_cores", all == 0 ? null : Math.round(100.0 * cores * busy / all) / 100.0);
    }

    private double micros(long ticks) {
      return Math.round(10.0 * ticks / TICKS_PER_SECOND * 1_000_000 / requests) / 10.0;
    }
  }

  private final long kopekPid;

  CpuMeter(long kopekPid) {
    this.kopekPid = kopekPid;
  }

  /** The times spent so far; its fields are -1 off Linux. */
  Reading read() {
    long kopek = ticks(Path.of("/proc", Long.toString(kopekPid), "stat"));
    long bench = ticks(Path.of("/proc/self/stat"));
    long postgres = 0;
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String stat = stat(process.resolve("stat"));
        if (stat != null && stat.contains("(postgres)")) {
          postgres += ticks(stat);
        }
      }
    } catch (IOException | RuntimeException notLinux) {
      postgres = -1;
    }
    long busy = -1;
    long all = -1;
    String cpu = firstLine(Path.of("/proc/stat"));
    if (cpu != null && cpu.startsWith("cpu ")) {
      String[] fields = cpu.trim().split("\\s+");
      all = 0;
      long idle = 0;
      for (int i = 1; i < fields.length && i <= 8; i++) {
        long value = Long.parseLong(fields[i]);
        all += value;
        if (i == 4 || i == 5) { // idle, iowait
          idle += value;
        }
      }
      busy = all - idle;
    }
    return new Reading(kopek, postgres, bench, busy, all);
  }

  private static long ticks(Path statFile) {
    String stat = stat(statFile);
    return stat == null ? -1 : ticks(stat);
  }

  /** utime + stime: the 14th and 15th fields, counted after the command name's parenthesis. */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static String stat(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }

  private static String firstLine(Path file) {
    String text = stat(file);
    if (text == null) {
      return null;
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
