package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The chaos checker finds what it must: lost objects, wrong identities, half-done changes. */
class ChaosAuditTest {
  private static final String A_LOG =
      """
      I 1 pin /c/a/n1 - a/1
      A 1
      I 2 pin /c/a/n2 - a/2
      A 2
      I 3 mv /c/a/n1 /c/a/n3 -
      A 3
      I 4 mvs /c/a/n2 /s/0 -
      A 4
      I 5 pins /s/1 - a/3
      R 5 17
      I 6 pin /c/a/n4 - a/4
      A 6
      I 7 rm /c/a/n4 - -
      U 7 1
      G 256
      """;

  private static ChaosLog log(String... idAndText) {
    Map<String, ChaosLog.Instance> m = new TreeMap<>();
    for (int i = 0; i < idAndText.length; i += 2) {
      m.put(idAndText[i], ChaosLog.replay(idAndText[i], idAndText[i + 1]));
    }
    return new ChaosLog(m);
  }

  private static Map<String, String> found(String... nameAndIdentity) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < nameAndIdentity.length; i += 2) {
      m.put(nameAndIdentity[i], nameAndIdentity[i + 1]);
    }
    return m;
  }

  @Test
  void replaysAcknowledgedAndResolvedChanges() {
    ChaosLog.Instance a = ChaosLog.replay("a", A_LOG);
    assertEquals(Map.of("/c/a/n3", "a/1", "/s/0", "a/2"), a.held);
    assertNull(a.pending);
    assertEquals(7, a.changes);
    assertEquals(5, a.acknowledged);
    assertEquals(3, a.acknowledgedPins);
    assertEquals(1, a.resolvedApplied);
    assertEquals(256, a.gets);
    assertTrue(a.anomalies.isEmpty(), a.anomalies::toString);
  }

  @Test
  void allThereIsClean() {
    ChaosAudit.Result r = ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/1", "/s/0", "a/2"));
    assertEquals(new ChaosAudit.Result(2, 0, 0, java.util.List.of()), r);
  }

  @Test
  void aMissingObjectIsLostAndAnotherOneIsWrong() {
    ChaosAudit.Result r = ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/1"));
    assertEquals(1, r.lost(), r::toString);
    r = ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/2", "/s/0", "a/1"));
    assertEquals(2, r.wrong(), r::toString);
    assertEquals(0, r.lost(), r::toString);
  }

  @Test
  void aRemovedNameThatCameBackIsWrong() {
    ChaosAudit.Result r =
        ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/1", "/s/0", "a/2", "/c/a/n4", "a/4"));
    assertEquals(1, r.wrong(), r::toString);
    r = ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/1", "/s/0", "a/2", "/c/a/n1", "a/1"));
    assertEquals(1, r.wrong(), "one object under two names: " + r);
  }

  @Test
  void aChangeInFlightMayHaveHappenedOrNotButNotHalfway() {
    String mv = A_LOG + "I 8 mv /c/a/n3 /c/a/n9 -\n";
    ChaosLog l = log("a", mv);
    assertEquals(0, ChaosAudit.check(l, found("/c/a/n3", "a/1", "/s/0", "a/2")).problems().size());
    assertEquals(0, ChaosAudit.check(l, found("/c/a/n9", "a/1", "/s/0", "a/2")).problems().size());
    ChaosAudit.Result both = ChaosAudit.check(l, found("/c/a/n3", "a/1", "/c/a/n9", "a/1", "/s/0", "a/2"));
    assertEquals(1, both.wrong(), both::toString);
    ChaosAudit.Result none = ChaosAudit.check(l, found("/s/0", "a/2"));
    assertEquals(1, none.lost(), none::toString);

    ChaosLog x = log("a", A_LOG + "I 8 xchg /c/a/n3 /s/0 -\n");
    assertEquals(0, ChaosAudit.check(x, found("/c/a/n3", "a/2", "/s/0", "a/1")).problems().size());
    ChaosAudit.Result half = ChaosAudit.check(x, found("/c/a/n3", "a/2", "/s/0", "a/2"));
    assertTrue(half.wrong() + half.lost() > 0, half::toString);
  }

  @Test
  void aLineCutShortIsIgnored() {
    ChaosLog.Instance a = ChaosLog.replay("a", A_LOG + "I 8 rm /c/a/n3");
    assertNull(a.pending);
    assertEquals(7, a.changes);
  }

  @Test
  void sharedNamesChangeHandsBetweenInstances() {
    // a's removal of /s/0 was in flight when it was killed; b then took the name
    String a = A_LOG + "I 8 rm /s/0 - -\n";
    String b =
        """
        I 1 pins /s/0 - b/1
        A 1
        """;
    ChaosAudit.Result r = ChaosAudit.check(log("a", a, "b", b), found("/c/a/n3", "a/1", "/s/0", "b/1"));
    assertEquals(0, r.problems().size(), r::toString);
    ChaosAudit.Result foreign =
        ChaosAudit.check(log("a", a, "b", b), found("/c/a/n3", "a/1", "/s/0", "b/1", "/c/a/n7", "b/1"));
    assertEquals(1, foreign.wrong(), foreign::toString);
    ChaosAudit.Result stranger = ChaosAudit.check(log("a", A_LOG), found("/c/a/n3", "a/1", "/s/0", "a/2", "/s/5", "zz/1"));
    assertEquals(1, stranger.wrong(), stranger::toString);
  }
}
