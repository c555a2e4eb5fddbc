package io.pinbroker.daemon.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The logs of the chaos client instances (daemon/src/test/c/chaos.c, which documents the
 * format), replayed into what each instance holds at the end: its names and the identity of the
 * object under each. A change logged with no outcome was in flight when the instance was killed;
 * {@link Instance#ifApplied} is what it holds if that change happened.
 */
final class ChaosLog {
  /** A change as logged: {@code I SEQ OP A B OBJ}, "-" read as null. */
  record Change(long seq, String op, String a, String b, String obj) {
    boolean pins() {
      return op.startsWith("pin") || op.equals("repin");
    }
  }

  /** One client instance, its log replayed. */
  static final class Instance {
    final String id;
    /** Name to object identity: what it holds for certain (before {@link #pending}). */
    final Map<String, String> held = new HashMap<>();
    /** The change logged without an outcome, or null. */
    Change pending;
    long changes;
    long acknowledged;
    long acknowledgedPins;
    long resolvedApplied;
    /** Refusals by errno. */
    final Map<Integer, Long> refusals = new TreeMap<>();
    long gets;
    long reconnects;
    boolean cleanEnd;
    /** X lines and anything in the log that does not add up, as "KIND text". */
    final List<String> anomalies = new ArrayList<>();

    Instance(String id) {
      this.id = id;
    }

    /** What it holds if {@link #pending} happened (the same as {@link #held} if none). */
    Map<String, String> ifApplied() {
      Map<String, String> after = new HashMap<>(held);
      if (pending != null) {
        apply(after, pending, null);
      }
      return after;
    }
  }

  final Map<String, Instance> instances;

  ChaosLog(Map<String, Instance> instances) {
    this.instances = instances;
  }

  /** Reads every {@code ID.log} in {@code dir}. */
  static ChaosLog read(Path dir) throws IOException {
    Map<String, Instance> instances = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        String name = f.getFileName().toString();
        String id = name.substring(0, name.length() - ".log".length());
        instances.put(id, replay(id, Files.readString(f, StandardCharsets.UTF_8)));
      }
    }
    return new ChaosLog(instances);
  }

  /** Replays one instance's log; a last line without its newline was cut short and is ignored. */
  static Instance replay(String id, String text) {
    Instance in = new Instance(id);
    String[] lines = text.split("\n", -1); // the last piece is "" or a line cut short
    for (int i = 0; i < lines.length - 1; i++) {
      try {
        line(in, lines[i]);
      } catch (RuntimeException e) {
        in.anomalies.add("log line not understood: " + lines[i]);
      }
    }
    return in;
  }

  private static void line(Instance in, String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "I" -> {
        if (in.pending != null) {
          in.anomalies.add("log change " + in.pending.seq() + " has no outcome, yet " + f[1] + " follows");
        }
        in.pending = new Change(Long.parseLong(f[1]), f[2], field(f[3]), field(f[4]), field(f[5]));
        in.changes++;
      }
      case "A" -> {
        Change c = outcome(in, f[1]);
        if (c != null) {
          in.acknowledged++;
          in.acknowledgedPins += c.pins() ? 1 : 0;
          apply(in.held, c, in);
        }
      }
      case "R" -> {
        if (outcome(in, f[1]) != null) {
          in.refusals.merge(Integer.parseInt(f[2]), 1L, Long::sum);
        }
      }
      case "U" -> {
        Change c = outcome(in, f[1]);
        if (c != null && f[2].equals("1")) {
          in.resolvedApplied++;
          apply(in.held, c, in);
        }
      }
      case "X" -> in.anomalies.add(line.substring(2));
      case "G" -> in.gets = Long.parseLong(f[1]);
      case "C" -> in.reconnects = Long.parseLong(f[1]);
      case "E" -> in.cleanEnd = true;
      default -> in.anomalies.add("log line not understood: " + line);
    }
  }

  private static String field(String s) {
    return s.equals("-") ? null : s;
  }

  private static Change outcome(Instance in, String seq) {
    Change c = in.pending;
    if (c == null || c.seq() != Long.parseLong(seq)) {
      in.anomalies.add("log outcome for change " + seq + ", which is not the one in flight");
      return null;
    }
    in.pending = null;
    return c;
  }

  /** The change's effect on what an instance holds, as chaos.c's apply() has it. */
  private static void apply(Map<String, String> held, Change c, Instance in) {
    switch (c.op()) {
      case "pin", "pins", "repin" -> held.put(c.a(), c.obj());
      case "rm" -> held.remove(c.a());
      case "xchg" -> {
        String a = held.get(c.a());
        String b = held.get(c.b());
        held.put(c.a(), b);
        held.put(c.b(), a);
      }
      default -> { // mv, mvs, mvr, mvx
        String a = held.remove(c.a());
        if (a == null && in != null) {
          in.anomalies.add("log change " + c.seq() + " moves " + c.a() + ", which it does not hold");
        }
        held.put(c.b(), a);
      }
    }
    held.values().removeIf(v -> v == null);
  }

  /** The instance that made an object: its identity is "ID/SEQ". Null if malformed. */
  static String owner(String identity) {
    int slash = identity.indexOf('/');
    if (slash <= 0 || slash == identity.length() - 1) {
      return null;
    }
    for (int i = slash + 1; i < identity.length(); i++) {
      if (!Character.isDigit(identity.charAt(i))) {
        return null;
      }
    }
    return identity.substring(0, slash);
  }
}
