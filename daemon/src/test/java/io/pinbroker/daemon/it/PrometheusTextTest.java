package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict reader StatsIT relies on refuses what the text format does not allow. */
class PrometheusTextTest {
  private static final String GOOD =
      """
      # HELP a_total Things, with a \\\\ and a \\n.
      # TYPE a_total counter
      a_total{op="get",why="say \\"hi\\""} 3.0
      a_total{op="pin"} 1

      # TYPE d summary
      d{quantile="0.5"} 1.4207E-5
      d_sum 2.5e-3
      d_count 4
      # TYPE g gauge
      g	+Inf 1700000000000
      """;

  @Test
  void aWellFormedExpositionIsRead() {
    PrometheusText.Exposition e = PrometheusText.parse(GOOD);
    assertEquals(3, e.sample("a_total{op=\"get\",why=\"say \"hi\"\"}"));
    assertEquals(1.4207E-5, e.sample("d{quantile=\"0.5\"}"));
    assertEquals(4, e.sample("d_count"));
    assertEquals(Double.POSITIVE_INFINITY, e.sample("g"));
    assertEquals("summary", e.types().get("d"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x 1\n", // no TYPE
        "# TYPE x gauge\nx 1", // no final newline
        "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n", // a series twice
        "# TYPE x gauge\n# TYPE x gauge\nx 1\n", // a TYPE twice
        "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{b=\"2\"} 1\n", // a family split apart
        "# TYPE x gauge\nx one\n", // not a number
        "# TYPE x gauge\nx{a=1} 1\n", // an unquoted label value
        "# TYPE x gauge\nx{a=\"\\t\"} 1\n", // an escape the format lacks
        "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n", // a label twice
        "# TYPE x gauge\nx1\n", // no blank before the value
        "# TYPE x summary\nx 1\n", // a summary sample without its quantile
        "# TYPE x summary\nx{quantile=\"2\"} 1\n", // a quantile outside 0..1
        "# TYPE x counter\nx -1\n", // a negative counter
        "# TYPE x gauge\nx 1\r\n", // CR
        "# TYPE x frobnicator\nx 1\n", // no such type
        "# TYPE 1x gauge\n1x 1\n", // a bad name
      })
  void malformedExpositionsAreRefused(String text) {
    assertThrows(AssertionError.class, () -> PrometheusText.parse(text));
  }
}
