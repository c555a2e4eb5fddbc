package io.pinbroker.daemon.it;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format, version 0.0.4: every line must be a
 * HELP, TYPE or other comment, a blank line, or a sample; names, labels, escapes and values must
 * follow the format; a TYPE comes before its family's samples, once; a family's samples are
 * together; a summary has only its quantiles, {@code _sum} and {@code _count}; no series is
 * repeated. Anything else fails with the line it is on. (Stricter than the format in one way:
 * no blanks inside a label set.)
 */
final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*";
  private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
  private static final String FLOAT =
      "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf)|NaN";
  private static final Pattern HELP =
      Pattern.compile("# HELP (" + NAME + ") ((?:[^\\\\\\n]|\\\\[\\\\n])*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "(" + NAME + ")(\\{(?:" + LABEL + "=" + LABEL_VALUE + "(?:," + LABEL + "="
              + LABEL_VALUE + ")*,?)?\\})?[ \t]+(" + FLOAT + ")(?:[ \t]+-?[0-9]+)?");
  private static final Pattern ONE_LABEL =
      Pattern.compile("(" + LABEL + ")=(" + LABEL_VALUE + ")");

  /** What was read: each sample by its series, and each family's type and help. */
  record Exposition(
      Map<String, Double> samples, Map<String, String> types, Map<String, String> help) {
    double sample(String series) {
      Double v = samples.get(series);
      if (v == null) {
        throw new AssertionError("no sample " + series + " among " + samples.keySet());
      }
      return v;
    }
  }

  private PrometheusText() {}

  static Exposition parse(String text) {
    if (text.isEmpty() || !text.endsWith("\n") || text.contains("\r")) {
      throw new AssertionError("the exposition must end with a newline and hold no CR");
    }
    Map<String, Double> samples = new LinkedHashMap<>();
    Map<String, String> types = new HashMap<>();
    Map<String, String> help = new HashMap<>();
    Set<String> closedFamilies = new HashSet<>();
    String family = null;
    List<String> lines = List.of(text.substring(0, text.length() - 1).split("\n", -1));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String where = "line " + (i + 1) + ": " + line;
      Matcher m;
      if (line.isEmpty()) {
        continue;
      } else if ((m = HELP.matcher(line)).matches()) {
        check(help.put(m.group(1), m.group(2)) == null, "a second HELP, " + where);
      } else if ((m = TYPE.matcher(line)).matches()) {
        String name = m.group(1);
        String type = m.group(2);
        check(types.put(name, type) == null, "a second TYPE, " + where);
        check(samples.keySet().stream().noneMatch(sample -> familyOf(sample, name, type)),
            "TYPE after samples of its family, " + where);
        closedFamilies.add(family);
        family = name;
      } else if (line.startsWith("#")) {
        continue; // another comment
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        String owner = ownerOf(name, types);
        check(owner != null, "a sample of no declared family, " + where);
        if (!owner.equals(family)) {
          check(!closedFamilies.contains(owner), "a family's samples split apart, " + where);
          closedFamilies.add(family);
          family = owner;
        }
        Map<String, String> labels = labels(m.group(2), where);
        double value = Double.parseDouble(m.group(3).replace("Inf", "Infinity"));
        String type = types.get(owner);
        if (type.equals("summary") && name.equals(owner)) {
          check(labels.containsKey("quantile"), "a summary quantile without its label, " + where);
          double q = Double.parseDouble(labels.get("quantile"));
          check(q >= 0 && q <= 1, "quantile outside 0..1, " + where);
        }
        if (type.equals("counter") || name.endsWith("_count")) {
          check(value >= 0, "a negative count, " + where);
        }
        String series = series(name, labels);
        check(samples.put(series, value) == null, "a series twice, " + where);
      } else {
        throw new AssertionError("not a line of the text format: " + where);
      }
    }
    return new Exposition(samples, types, help);
  }

  /** The declared family a sample name belongs to, or null. */
  private static String ownerOf(String name, Map<String, String> types) {
    for (Map.Entry<String, String> t : types.entrySet()) {
      if (familyOf(name, t.getKey(), t.getValue())) {
        return t.getKey();
      }
    }
    return null;
  }

  private static boolean familyOf(String sample, String family, String type) {
    String bare = sample.contains("{") ? sample.substring(0, sample.indexOf('{')) : sample;
    return switch (type) {
      case "summary" ->
          bare.equals(family) || bare.equals(family + "_sum") || bare.equals(family + "_count");
      case "histogram" ->
          bare.equals(family + "_bucket") || bare.equals(family + "_sum")
              || bare.equals(family + "_count");
      default -> bare.equals(family);
    };
  }

  private static Map<String, String> labels(String group, String where) {
    Map<String, String> labels = new TreeMap<>();
    if (group == null) {
      return labels;
    }
    Matcher m = ONE_LABEL.matcher(group);
    while (m.find()) {
      String raw = m.group(2);
      String value =
          raw.substring(1, raw.length() - 1)
              .replace("\\n", "\n")
              .replace("\\\"", "\"")
              .replace("\\\\", "\\");
      check(labels.put(m.group(1), value) == null, "a label twice, " + where);
    }
    return labels;
  }

  /** {@code name{a="x",b="y"}} with the labels in name order; {@code name} without labels. */
  static String series(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append('{');
    labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
    b.setCharAt(b.length() - 1, '}');
    return b.toString();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
