package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Facts about the machine a run was measured on, for the report. */
final class Machine {
  private Machine() {}

  static List<String> facts(String placement) {
    List<String> out = new ArrayList<>();
    out.add("date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
    out.add("nproc: " + Runtime.getRuntime().availableProcessors());
    out.add("CPU: " + cpuModel());
    out.add("kernel: " + read("/proc/sys/kernel/osrelease"));
    out.add("memory: " + memTotal());
    out.add("java: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
    out.add("s6: " + Bench.quietOutput(List.of("dpkg-query", "-W", "-f", "${Version}", "s6")));
    String dirty = Bench.quietOutput(List.of("git", "status", "--porcelain", "--untracked-files=no"));
    out.add("commit: " + Bench.quietOutput(List.of("git", "rev-parse", "--short", "HEAD"))
        + (dirty.equals("unknown") ? "" : " (with uncommitted changes)"));
    out.add("fd limit (RLIMIT_NOFILE hard): " + fdHardLimit());
    out.add(
        "CPU placement: "
            + (placement.equals("split")
                ? "servers on CPU 0, clients on CPU 1 (taskset)"
                : "none: the scheduler places servers and clients"));
    return out;
  }

  static String loadAverage() {
    String s = read("/proc/loadavg");
    String[] f = s.split(" ");
    return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : s;
  }

  static long fdHardLimit() {
    for (String line : lines("/proc/self/limits")) {
      if (line.startsWith("Max open files")) {
        String[] f = line.substring("Max open files".length()).trim().split("\\s+");
        try {
          return Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
          return Long.MAX_VALUE; // unlimited
        }
      }
    }
    return -1;
  }

  private static String cpuModel() {
    for (String line : lines("/proc/cpuinfo")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return "unknown";
  }

  private static String memTotal() {
    for (String line : lines("/proc/meminfo")) {
      if (line.startsWith("MemTotal:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return (kb / 1024 / 1024) + " GiB";
      }
    }
    return "unknown";
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path)).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static List<String> lines(String path) {
    try {
      return Files.readAllLines(Path.of(path));
    } catch (IOException e) {
      return List.of();
    }
  }
}
