package io.pinbroker.daemon.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the broker's names at the end of a chaos run against the clients' logs ({@link
 * ChaosLog}): every name an instance holds for certain holds exactly that object (else it is
 * lost, or a wrong identity); the names a change in flight at a kill touched are all as before it
 * or all as after it; and every object found is where its owner left it, under no other name.
 * Pure: the names come in as a map from path to the identity read from the object.
 */
final class ChaosAudit {
  /** What the check found; {@code problems} says where, one line each, by name. */
  record Result(long namesFound, long lost, long wrong, List<String> problems) {}

  private final Map<String, String> found;
  private final Map<String, String> foundAt = new HashMap<>(); // identity -> a name holding it
  private final Map<String, String> problems = new LinkedHashMap<>();
  private long lost;
  private long wrong;

  private ChaosAudit(Map<String, String> found) {
    this.found = found;
    found.forEach((name, identity) -> foundAt.put(identity, name));
  }

  /** {@code found}: every entry under /c and /s, path to the identity its object holds. */
  static Result check(ChaosLog log, Map<String, String> found) {
    ChaosAudit audit = new ChaosAudit(found);
    for (ChaosLog.Instance in : log.instances.values()) {
      audit.instance(in);
    }
    audit.everyObjectWhereItsOwnerLeftIt(log);
    return new Result(found.size(), audit.lost, audit.wrong, List.copyOf(audit.problems.values()));
  }

  private void instance(ChaosLog.Instance in) {
    Map<String, String> before = in.held;
    Map<String, String> after = in.ifApplied();
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    List<String> inFlight = new ArrayList<>();
    for (String name : names) {
      String expected = before.get(name);
      if (!Objects.equals(expected, after.get(name))) {
        inFlight.add(name);
      } else if (!expected.equals(found.get(name))) {
        missing(name, expected);
      }
    }
    if (inFlight.isEmpty()) {
      return;
    }
    List<String> now = inFlight.stream().map(n -> ownedBy(in.id, found.get(n))).toList();
    List<String> asBefore = inFlight.stream().map(before::get).toList();
    List<String> asAfter = inFlight.stream().map(after::get).toList();
    if (now.equals(asBefore) || now.equals(asAfter)) {
      return;
    }
    Set<String> inBoth = new HashSet<>(before.values());
    inBoth.retainAll(after.values());
    for (String name : inFlight) {
      String identity = before.get(name);
      if (identity != null && inBoth.contains(identity) && !foundAt.containsKey(identity)) {
        lost++;
        problems.putIfAbsent(name, "lost: " + identity + " (at " + name + " or where " + in.pending + " took it) is nowhere");
        return;
      }
    }
    wrong++;
    problems.putIfAbsent(
        inFlight.getFirst(),
        "wrong: " + in.pending + " left " + inFlight + " as " + now + ", neither " + asBefore + " nor " + asAfter);
  }

  private void missing(String name, String expected) {
    String there = found.get(name);
    if (there == null) {
      lost++;
      String elsewhere = foundAt.get(expected);
      problems.putIfAbsent(name, "lost: " + name + " should hold " + expected
          + (elsewhere == null ? ", which is nowhere" : ", which is at " + elsewhere));
    } else {
      wrong++;
      problems.putIfAbsent(name, "wrong: " + name + " holds " + there + ", not " + expected);
    }
  }

  /** An object found is where its owner's log puts it, before or after its change in flight. */
  private void everyObjectWhereItsOwnerLeftIt(ChaosLog log) {
    for (Map.Entry<String, String> e : found.entrySet()) {
      String name = e.getKey();
      String identity = e.getValue();
      String owner = ChaosLog.owner(identity);
      ChaosLog.Instance in = owner == null ? null : log.instances.get(owner);
      String why = null;
      if (in == null) {
        why = "holds '" + identity + "', which no instance made";
      } else if (name.startsWith("/c/") && !name.startsWith("/c/" + owner + "/")) {
        why = "holds " + identity + ", made by another instance that never moves objects there";
      } else if (!identity.equals(in.held.get(name)) && !identity.equals(in.ifApplied().get(name))) {
        why = "holds " + identity + ", which its owner never left there";
      }
      if (why != null && !problems.containsKey(name)) {
        wrong++;
        problems.put(name, "wrong: " + name + " " + why);
      }
    }
  }

  private static String ownedBy(String id, String identity) {
    return identity != null && id.equals(ChaosLog.owner(identity)) ? identity : null;
  }
}
