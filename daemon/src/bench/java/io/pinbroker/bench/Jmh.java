package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the JMH benchmarks of the bench profile (decode, permission check, path lookup) in a
 * forked JVM, and reads JMH's CSV result file back.
 */
final class Jmh {
  private Jmh() {}

  static String run(boolean quick, Path dir) throws IOException, InterruptedException {
    Path csv = dir.resolve("jmh.csv");
    Path log = dir.resolve("jmh.log");
    List<String> argv = new ArrayList<>(Bench.javaCommand(org.openjdk.jmh.Main.class));
    argv.addAll(
        List.of(
            "io\\.pinbroker\\..*Benchmark",
            "-f", "1",
            "-wi", quick ? "1" : "3",
            "-i", quick ? "1" : "5",
            "-w", quick ? "200ms" : "1s",
            "-r", quick ? "200ms" : "1s",
            "-rf", "csv",
            "-rff", csv.toString(),
            "-jvmArgsAppend", "--enable-native-access=ALL-UNNAMED"));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (p.waitFor() != 0 || !Files.exists(csv)) {
      throw new IOException("JMH failed; see " + log);
    }
    return markdown(Files.readAllLines(csv), quick);
  }

  /** JMH's CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",params. */
  static String markdown(List<String> csv, boolean quick) {
    StringBuilder out = new StringBuilder();
    out.append("### JMH: in-process hot paths (`jmh`)\n\n");
    out.append("| benchmark | params | score | error (99.9%) | unit |\n|---|---|---:|---:|---|\n");
    List<String> header = fields(csv.getFirst());
    for (String line : csv.subList(1, csv.size())) {
      List<String> f = fields(line);
      String name = f.get(0).replaceFirst("^io\\.pinbroker\\.", "");
      StringBuilder params = new StringBuilder();
      for (int i = 7; i < f.size() && i < header.size(); i++) {
        if (!f.get(i).isEmpty()) {
          params.append(header.get(i).replace("Param: ", "")).append('=').append(f.get(i)).append(' ');
        }
      }
      out.append("| ").append(name).append(" | ").append(params.toString().trim()).append(" | ")
          .append(score(f.get(4))).append(" | ").append(score(f.get(5))).append(" | ")
          .append(f.get(6)).append(" |\n");
    }
    if (quick) {
      out.append("\nQuick mode: one 200 ms iteration after one 200 ms warm-up; indicative only.\n");
    }
    return out.append('\n').toString();
  }

  private static String score(String s) {
    try {
      double v = Double.parseDouble(s);
      return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    } catch (NumberFormatException e) {
      return s;
    }
  }

  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
