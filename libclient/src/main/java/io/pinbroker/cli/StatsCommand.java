package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.Stats;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "stats",
    description = {
      "Show the broker's names by kind, held and open fds and the fd limit, connections, and per"
          + " operation its requests, refusals and latency percentiles (since the broker started;"
          + " latency runs from request received to reply sent).",
      "Anyone who may connect may ask: the numbers name no node."
    },
    footer = {
      "",
      "Examples:",
      "  pinbroker stats",
      "  pinbroker stats --json",
      "  pinbroker stats --prometheus > /var/lib/node_exporter/pinbroker.prom"
    })
final class StatsCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true)
  Format format;

  static final class Format {
    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Option(
        names = "--prometheus",
        description =
            "The Prometheus text exposition format (version 0.0.4), e.g. for node_exporter's"
                + " textfile collector.")
    boolean prometheus;
  }

  @Override
  public Integer call() throws Exception {
    Stats stats;
    try (PinbrokerClient client = main.connect()) {
      stats = client.stats();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format != null && format.prometheus) {
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      PrometheusStats.write(stats, text);
      out.print(text.toString(StandardCharsets.UTF_8));
    } else if (format != null && format.json) {
      out.println(Json.write(StatsFormat.json(stats)));
    } else {
      out.print(StatsFormat.table(stats));
    }
    out.flush();
    return 0;
  }
}
