package io.pinbroker.daemon.it;

import io.pinbroker.protocol.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a chaos run went: what the clients' logs add up to, and what {@link ChaosAudit} found.
 * {@code lost} and {@code wrong} count both what the audit found at the end and what the clients
 * saw while running (their X lines); {@code unexpected} counts refusals or successes that should
 * not have been, log lines that do not add up, and clients that failed. Those three must be 0.
 */
record ChaosReport(
    long operations,
    long changes,
    long gets,
    long kills,
    long killedMidChange,
    long acknowledgedPins,
    long acknowledgedChanges,
    long resolvedAfterReconnect,
    long reconnects,
    Map<String, Long> refusals,
    long namesFound,
    long lost,
    long wrong,
    long unexpected,
    List<String> problems) {
  private static final int SHOWN_PROBLEMS = 30;

  /**
   * @param failures clients that ended with an error on their own, one line each
   * @param kills clients SIGKILLed
   */
  static ChaosReport of(ChaosLog log, ChaosAudit.Result audit, List<String> failures, long kills) {
    long changes = 0;
    long gets = 0;
    long midChange = 0;
    long pins = 0;
    long acknowledged = 0;
    long resolved = 0;
    long reconnects = 0;
    Map<String, Long> refusals = new TreeMap<>();
    long lost = audit.lost();
    long wrong = audit.wrong();
    long unexpected = failures.size();
    List<String> problems = new ArrayList<>(audit.problems());
    problems.addAll(failures);
    for (ChaosLog.Instance in : log.instances.values()) {
      changes += in.changes;
      gets += in.gets;
      midChange += in.pending != null ? 1 : 0;
      pins += in.acknowledgedPins;
      acknowledged += in.acknowledged;
      resolved += in.resolvedApplied;
      reconnects += in.reconnects;
      in.refusals.forEach(
          (errno, n) -> {
            Status st = Status.valueOf(errno);
            refusals.merge(st == null ? "errno " + errno : st.name(), n, Long::sum);
          });
      for (String a : in.anomalies) {
        if (a.startsWith("lost ")) {
          lost++;
        } else if (a.startsWith("wrong ")) {
          wrong++;
        } else {
          unexpected++;
        }
        problems.add(in.id + ": " + a);
      }
    }
    if (problems.size() > SHOWN_PROBLEMS) {
      int more = problems.size() - SHOWN_PROBLEMS;
      problems = new ArrayList<>(problems.subList(0, SHOWN_PROBLEMS));
      problems.add("... and " + more + " more");
    }
    return new ChaosReport(
        changes + gets, changes, gets, kills, midChange, pins, acknowledged, resolved, reconnects,
        refusals, audit.namesFound(), lost, wrong, unexpected, List.copyOf(problems));
  }

  /** Nothing lost, nothing misplaced, nothing unexpected, and something was pinned. */
  boolean clean() {
    return acknowledgedPins > 0 && lost == 0 && wrong == 0 && unexpected == 0;
  }

  @Override
  public String toString() {
    return String.format(
        "operations %d (%d changes, %d gets), client kills %d (%d with a change in flight),"
            + " acknowledged pins %d, acknowledged changes %d, resolved after a reconnect %d,"
            + " reconnects %d, refusals %s, names at the end %d, lost %d, wrong identities %d,"
            + " unexpected %d%s",
        operations, changes, gets, kills, killedMidChange, acknowledgedPins, acknowledgedChanges,
        resolvedAfterReconnect, reconnects, refusals, namesFound, lost, wrong, unexpected,
        problems.isEmpty() ? "" : "\n  " + String.join("\n  ", problems));
  }
}
