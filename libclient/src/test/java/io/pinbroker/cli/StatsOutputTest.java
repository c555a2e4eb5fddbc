package io.pinbroker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Stats;
import io.pinbroker.protocol.StatsMetric;
import io.pinbroker.protocol.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code pinbroker stats} prints for a reply built by hand, in each of its formats. */
class StatsOutputTest {
  private static final List<Stats.Quantile> QUANTILES =
      List.of(
          new Stats.Quantile(500_000, 14_200),
          new Stats.Quantile(900_000, 30_100),
          new Stats.Quantile(990_000, 1_250_000),
          new Stats.Quantile(999_000, 2_000_000_000L));

  private static Stats.Value v(StatsMetric m, long value) {
    return new Stats.Value(m.code(), value);
  }

  /** A broker up 1 h 2 min 3 s, with an fd store, that answered pins and gets. */
  static Stats sample(boolean unlimitedFds, boolean fromTheFuture) {
    List<Stats.Value> values =
        new ArrayList<>(
            List.of(
                v(StatsMetric.UPTIME_MS, 3_723_000),
                v(StatsMetric.CONNECTIONS, 2),
                v(StatsMetric.CONNECTIONS_MAX, 1024),
                v(StatsMetric.CONNECTIONS_ACCEPTED, 40),
                v(StatsMetric.CONNECTIONS_REFUSED, 1),
                v(StatsMetric.PROTOCOL_VIOLATIONS, 0),
                v(StatsMetric.NAMES_MAX, 1_000_000),
                v(StatsMetric.FDS_HELD, 4),
                v(StatsMetric.FDS_OPEN, 31),
                v(StatsMetric.FDS_LIMIT, unlimitedFds ? -1 : 20_000),
                v(StatsMetric.FD_STORE_USED, 5),
                v(StatsMetric.FD_STORE_MAX, 16_384)));
    if (fromTheFuture) {
      values.add(new Stats.Value(200, 7));
    }
    List<Stats.KindCount> names =
        List.of(
            new Stats.KindCount(ObjectKind.NONE.code(), 2),
            new Stats.KindCount(ObjectKind.FD.code(), 3),
            new Stats.KindCount(ObjectKind.BPF_MAP.code(), 1));
    List<Stats.OpStats> ops = new ArrayList<>();
    ops.add(new Stats.OpStats(0, 0, 0, 0, List.of(), List.of()));
    ops.add(new Stats.OpStats(Opcode.PIN.code(), 3, 60_000, 2_000_000_000L, QUANTILES, List.of()));
    ops.add(
        new Stats.OpStats(
            Opcode.GET.code(),
            12,
            400_000,
            41_000,
            QUANTILES,
            List.of(
                new Stats.Refusals(Status.ENOENT.code(), 2),
                new Stats.Refusals(Status.EACCES.code(), 1))));
    ops.add(new Stats.OpStats(Opcode.STAT.code(), 0, 0, 0, List.of(), List.of()));
    if (fromTheFuture) {
      ops.add(new Stats.OpStats(0x13, 1, 900, 900, List.of(), List.of(new Stats.Refusals(999, 1))));
    }
    return new Stats(values, names, ops);
  }

  @Test
  void theTableShowsTheBrokerThenEachOperationThatHadRequests() {
    assertEquals(
        String.join(
            "\n",
            "Uptime:      1h02m",
            "Names:       6 of 1000000: 2 dir, 3 fd, 1 bpf-map",
            "fds:         4 held, 31 open, limit 20000",
            "fd store:    5 of 16384 slots",
            "Connections: 2 open of 1024; 40 accepted, 1 refused at the limit, 0 protocol"
                + " violations",
            "",
            "OPERATION        REQUESTS  REFUSED      P50      P90      P99    P99.9      MAX "
                + " REFUSALS",
            "pin                     3        0   14.2µs   30.1µs   1.25ms    2.00s    2.00s",
            "get                    12        3   14.2µs   30.1µs   1.25ms    2.00s   41.0µs "
                + " ENOENT 2, EACCES 1",
            ""),
        StatsFormat.table(sample(false, false)));
  }

  @Test
  void theTableNamesWhatThisVersionDoesNotKnowByNumber() {
    String table = StatsFormat.table(sample(true, true));
    assertTrue(table.contains("limit unlimited"), table);
    assertTrue(table.contains("metric_200:  7"), table);
    assertTrue(table.contains("\nop_0x13 "), table);
    assertTrue(table.contains("status_999 1"), table);
  }

  @Test
  void jsonHasEveryValueNameAndOperation() {
    String json = Json.write(StatsFormat.json(sample(true, true)));
    assertTrue(
        json.startsWith(
            "{\"uptime_ms\":3723000,\"connections\":2,\"connections_max\":1024,"
                + "\"connections_accepted\":40,\"connections_refused\":1,"
                + "\"protocol_violations\":0,\"names_max\":1000000,\"fds_held\":4,"
                + "\"fds_open\":31,\"fds_limit\":18446744073709551615,\"fd_store_used\":5,"
                + "\"fd_store_max\":16384,\"metric_200\":7,"
                + "\"names\":{\"dir\":2,\"fd\":3,\"bpf-map\":1},\"ops\":["),
        json);
    assertTrue(
        json.contains(
            "{\"op\":\"get\",\"opcode\":3,\"requests\":12,\"refused\":3,"
                + "\"refusals\":{\"ENOENT\":2,\"EACCES\":1},"
                + "\"latency_ns\":{\"p50\":14200,\"p90\":30100,\"p99\":1250000,"
                + "\"p99.9\":2000000000,\"max\":41000,\"sum\":400000}}"),
        json);
    assertTrue(json.contains("{\"op\":\"op_0x13\",\"opcode\":19,"), json);
    assertTrue(json.endsWith("]}"), json);
  }

  @Test
  void prometheusHasHelpTypeAndSamplesForEachMetric() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusStats.write(sample(true, true), out);
    String text = out.toString(StandardCharsets.UTF_8);
    for (String line :
        List.of(
            "# TYPE pinbroker_requests_total counter",
            "pinbroker_requests_total{op=\"get\"} 12.0",
            "pinbroker_requests_total{op=\"op_0x13\"} 1.0",
            "pinbroker_refusals_total{op=\"get\",status=\"ENOENT\"} 2.0",
            "pinbroker_refusals_total{op=\"op_0x13\",status=\"status_999\"} 1.0",
            "# TYPE pinbroker_request_duration_seconds summary",
            "pinbroker_request_duration_seconds{op=\"get\",quantile=\"0.99\"} 0.00125",
            "pinbroker_request_duration_seconds{op=\"pin\",quantile=\"0.999\"} 2.0",
            "pinbroker_request_duration_seconds_count{op=\"get\"} 12",
            "pinbroker_request_duration_seconds_sum{op=\"get\"} 4.0E-4",
            "pinbroker_request_duration_seconds_max{op=\"pin\"} 2.0",
            "# TYPE pinbroker_names gauge",
            "pinbroker_names{kind=\"directory\"} 2.0",
            "pinbroker_names{kind=\"bpf_map\"} 1.0",
            "pinbroker_fds_held 4.0",
            "pinbroker_fds_open 31.0",
            "pinbroker_fds_limit +Inf",
            "pinbroker_fd_store_used 5.0",
            "pinbroker_connections 2.0",
            "pinbroker_connections_accepted_total 40.0",
            "pinbroker_uptime_seconds 3723.0")) {
      assertTrue(text.contains(line + "\n"), () -> "no line \"" + line + "\" in\n" + text);
    }
    assertTrue(text.contains("# HELP pinbroker_fds_open "), text);
    assertFalse(text.contains("metric_200"), "values this version cannot name are left out");
  }
}
