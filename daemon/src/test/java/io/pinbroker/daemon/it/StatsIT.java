package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Stats;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code pinbroker stats} of the packaged distribution against pinbrokerd in its own process,
 * after CLI processes pinned, got and failed to get: the table, {@code --json} and {@code
 * --prometheus} (read back by a strict parser of the text format) all show the same counts.
 */
class StatsIT {
  private static final String DURATION = "(\\S+)";
  static ExternalBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = ExternalBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static Proc.Result ok(Proc.Result r) {
    assertEquals(0, r.exit(), r::toString);
    return r;
  }

  @Test
  void tableJsonAndPrometheusShowWhatWasDone() throws Exception {
    boolean bpf = Capability.optionalBpf("pin a real BPF map");
    ok(broker.cli("mkdir", "/s"));
    for (int i = 1; i <= 3; i++) {
      ok(broker.cli("pin", "--memfd", "1K", "/s/m" + i));
    }
    ok(broker.cli("map", "create", "--sim", "--type", "hash", "--key-size", "4",
        "--value-size", "8", "--max-entries", "16", "/s/sim"));
    if (bpf) {
      ok(broker.cli("map", "create", "--type", "array", "--key-size", "4", "--value-size", "8",
          "--max-entries", "4", "/s/real"));
    }
    ok(broker.cli("get", "/s/m1"));
    ok(broker.cli("get", "--ro", "/s/m2"));
    for (String missing : List.of("/s/none", "/s/nothing")) {
      Proc.Result r = broker.cli("get", missing);
      assertEquals(1, r.exit(), r::toString);
    }
    awaitGets(4);
    long held = bpf ? 5 : 4;

    String table = ok(broker.cli("stats")).out();
    row(table, "pin", 3, 0, "");
    row(table, "get", 4, 2, "ENOENT 2");
    assertTrue(table.contains("Names:       " + (held + 1) + " of 1000000: 1 dir, 3 fd, "
        + (bpf ? "1 bpf-map, " : "") + "1 sim-map\n"), table);
    assertTrue(table.contains("fds:         " + held + " held, "), table);
    assertTrue(table.contains("fd store:    off"), table);

    String json = ok(broker.cli("stats", "--json")).out();
    assertTrue(json.startsWith("{\"uptime_ms\":") && json.endsWith("]}\n"), json);
    assertEquals(1, json.lines().count(), "one line");
    assertTrue(json.contains("\"fds_held\":" + held + ","), json);
    assertTrue(json.contains("\"names\":{\"dir\":1,\"fd\":3,\"bpf-map\":" + (bpf ? 1 : 0)
        + ",\"bpf-prog\":0,\"bpf-link\":0,\"sim-map\":1,\"sim-prog\":0}"), json);
    assertTrue(json.contains("{\"op\":\"get\",\"opcode\":3,\"requests\":4,\"refused\":2,"
        + "\"refusals\":{\"ENOENT\":2},\"latency_ns\":{\"p50\":"), json);

    PrometheusText.Exposition prom =
        PrometheusText.parse(ok(broker.cli("stats", "--prometheus")).out());
    assertEquals("counter", prom.types().get("pinbroker_requests_total"));
    assertEquals("summary", prom.types().get("pinbroker_request_duration_seconds"));
    assertEquals("gauge", prom.types().get("pinbroker_names"));
    assertTrue(prom.help().keySet().containsAll(prom.types().keySet()), "HELP for each");
    assertEquals(3, prom.sample("pinbroker_requests_total{op=\"pin\"}"));
    assertEquals(4, prom.sample("pinbroker_requests_total{op=\"get\"}"));
    assertEquals(2, prom.sample("pinbroker_refusals_total{op=\"get\",status=\"ENOENT\"}"));
    assertEquals(1, prom.sample("pinbroker_names{kind=\"directory\"}"));
    assertEquals(3, prom.sample("pinbroker_names{kind=\"fd\"}"));
    assertEquals(1, prom.sample("pinbroker_names{kind=\"sim_map\"}"));
    assertEquals(bpf ? 1 : 0, prom.sample("pinbroker_names{kind=\"bpf_map\"}"));
    assertEquals(held, prom.sample("pinbroker_fds_held"));
    double open = prom.sample("pinbroker_fds_open");
    assertTrue(open >= held + 2, "held fds, the listener and this connection: " + open);
    assertTrue(prom.sample("pinbroker_fds_limit") >= open);
    assertTrue(prom.sample("pinbroker_connections") >= 1);
    assertTrue(prom.sample("pinbroker_connections_accepted_total") >= 10, "one per CLI run");
    assertTrue(prom.sample("pinbroker_uptime_seconds") > 0);
    assertEquals(4, prom.sample("pinbroker_request_duration_seconds_count{op=\"get\"}"));
    double p50 = prom.sample("pinbroker_request_duration_seconds{op=\"get\",quantile=\"0.5\"}");
    double p99 = prom.sample("pinbroker_request_duration_seconds{op=\"get\",quantile=\"0.99\"}");
    double max = prom.sample("pinbroker_request_duration_seconds_max{op=\"get\"}");
    assertTrue(0 < p50 && p50 <= p99 && p99 <= max, p50 + " <= " + p99 + " <= " + max);
    assertTrue(prom.sample("pinbroker_request_duration_seconds_sum{op=\"get\"}") > 0);
  }

  /** The table's row for {@code op}: its counts, ordered latencies, and refusals. */
  private static void row(String table, String op, int requests, int refused, String refusals) {
    Pattern p =
        Pattern.compile(
            "^" + op + " +" + requests + " +" + refused + " +" + DURATION + " +" + DURATION
                + " +" + DURATION + " +" + DURATION + " +" + DURATION
                + (refusals.isEmpty() ? "" : "  " + refusals) + "$",
            Pattern.MULTILINE);
    Matcher m = p.matcher(table);
    assertTrue(m.find(), "no row " + p + " in\n" + table);
    for (int g = 1; g <= 5; g++) {
      assertTrue(m.group(g).matches("[0-9.]+(ns|µs|ms|s)"), m.group(g));
    }
  }

  /**
   * Each CLI process is a connection of its own, counted once the broker has sent its reply:
   * wait until the last GET is.
   */
  private static void awaitGets(long expected) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (PinbrokerClient c = broker.client()) {
      while (true) {
        Stats s = c.stats();
        long gets = s.op(Opcode.GET).orElseThrow().requests();
        if (gets >= expected || System.nanoTime() > deadline) {
          assertEquals(expected, gets, "GETs answered");
          return;
        }
        Thread.sleep(20);
      }
    }
  }
}
