package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results section of BENCHMARKS.md: machine facts, the targets, then every table. */
final class Report {
  static final String BEGIN = "<!-- bench:results:begin -->";
  static final String END = "<!-- bench:results:end -->";

  private final Bench.Options options;
  private final List<String> facts;
  private final String loadBefore = Machine.loadAverage();
  private String loadAfter = "";
  private final Map<String, Table> tables = new LinkedHashMap<>();
  /** Tables and ready-made Markdown, in the order the workloads ran. */
  private final List<Object> sections = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  Report(Bench.Options options, List<String> facts) {
    this.options = options;
    this.facts = facts;
  }

  void add(Table t) {
    tables.put(t.id, t);
    sections.add(t);
  }

  void addSection(String markdown) {
    sections.add(markdown);
  }

  void failed(String workload, String why) {
    failures.add(workload + ": " + why);
  }

  void finish() {
    loadAfter = Machine.loadAverage();
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    if (options.quick()) {
      out.append("## Smoke run (`--quick`): NOT results\n\n")
          .append("Tiny rounds and durations, to prove that every peer and workload runs. ")
          .append("Figures from a quick run say nothing about performance.\n\n");
    } else {
      out.append("## Results\n\n");
    }
    out.append("Command: `").append(options.command()).append("`\n\n");
    for (String f : facts) {
      out.append("- ").append(f).append('\n');
    }
    out.append("- load average before / after: ").append(loadBefore).append(" / ")
        .append(loadAfter).append('\n');
    out.append(String.format(Locale.ROOT,
        "- rounds: %d measured + %d warm-up (discarded), peers alternating in every round; "
            + "%.1f s measured + %.1f s unmeasured warm-up per client run; %d calls per CLI round; "
            + "%d restore rounds%n",
        options.rounds(), options.warmupRounds(), options.seconds(), options.clientWarmup(),
        options.cliCalls(), options.restoreRounds()));
    out.append("\nValues are medians over rounds; a ratio is the median of the per-round ratios ")
        .append("(throughput: above 1 is faster than the reference; time: below 1 is faster).\n\n");
    out.append(targets());
    for (Object s : sections) {
      out.append(s instanceof Table t ? t.markdown() : s.toString());
    }
    if (!failures.isEmpty()) {
      out.append("### Failures\n\n");
      failures.forEach(f -> out.append("- ").append(f).append('\n'));
      out.append('\n');
    }
    return out.toString();
  }

  private String targets() {
    StringBuilder out = new StringBuilder("### Targets (ratios from this run)\n\n");
    out.append("| target | value |\n|---|---:|\n");
    for (String id : List.of("get-1", "get-8")) {
      Table g = tables.get(id);
      if (g == null) {
        continue;
      }
      for (String peer : List.of("pinbroker-java", "pinbroker-c")) {
        for (String ref : List.of("s6", "raw-c")) {
          row(out, "GET, " + clients(id) + ": " + peer + " / " + ref + " (ops/s)",
              Table.ratio(g.ratio(peer, ref, false)));
        }
      }
      if (id.equals("get-8")) {
        for (String peer : List.of("pinbroker-java", "pinbroker-c")) {
          row(out, "GET, 8 clients: p99 " + peer + " / raw-c (lower is better)",
              Table.ratio(g.ratio(peer, "raw-c", true)));
        }
      }
    }
    Table pu = tables.get("pinunlink");
    if (pu != null) {
      for (String peer : List.of("pinbroker-java", "pinbroker-c", "pinbroker-c+fdstore")) {
        row(out, "PIN+UNLINK: " + peer + " / s6 store+delete (ops/s)",
            Table.ratio(pu.ratio(peer, "s6", false)));
      }
    }
    Table cs = tables.get("coldstart");
    if (cs != null) {
      String peer = Workloads.COLD_ACTIVATED;
      double v = cs.medianValue(peer);
      row(out, "cold start to READY=1, " + peer + " (target ≤ 0.5 s)",
          Table.time(v) + (Double.isNaN(v) ? "" : v <= 0.5 ? " (met)" : " (missed)"));
    }
    Table sg = tables.get("scale-get");
    if (sg != null) {
      List<String> rows = sg.rowNames();
      String first = rows.get(0);
      String last = rows.get(rows.size() - 1);
      double r = sg.medianP50(last) / sg.medianP50(first);
      row(out, "GET p50 latency, " + last + " / " + first + " (target ≤ 1.2×)",
          Table.ratio(r) + (Double.isNaN(r) ? "" : r <= 1.2 ? " (met)" : " (missed)"));
    }
    for (String id : List.of("heap", "scale-heap")) {
      Table h = tables.get(id);
      if (h != null) {
        for (String rowName : h.rowNames()) {
          double v = h.medianValue(rowName);
          row(out, "heap per name, " + rowName + " (`" + id + "`, target ≤ 200 B)",
              Table.num(v) + " B" + (Double.isNaN(v) ? "" : v <= 200 ? " (met)" : " (missed)"));
        }
      }
    }
    return out.append('\n').toString();
  }

  private static String clients(String id) {
    String n = id.substring(id.indexOf('-') + 1);
    return n + (n.equals("1") ? " client" : " clients");
  }

  private static void row(StringBuilder out, String what, String value) {
    out.append("| ").append(what).append(" | ").append(value).append(" |\n");
  }

  /** Replaces the results section of {@code file} (between the markers), or appends one. */
  void write(Path file, String section) throws IOException {
    String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\n";
    String block = BEGIN + "\n" + section.strip() + "\n" + END;
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    if (b >= 0 && e > b) {
      text = text.substring(0, b) + block + text.substring(e + END.length());
    } else {
      text = text.stripTrailing() + "\n\n" + block + "\n";
    }
    Files.writeString(file, text);
  }
}
