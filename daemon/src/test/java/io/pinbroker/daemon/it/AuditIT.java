package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit log as journald gets it: pinbrokerd's stderr, one {@code <5>audit: ...} line per
 * change to the tree, granted or refused, with the peer's uid, gid and pid as the kernel gave
 * them, and none for reads.
 */
class AuditIT {
  private static final List<String> NOBODY =
      List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");

  @Test
  void oneNoticeLinePerChangeWithWhoAndTheResult() throws Exception {
    try (ExternalBroker b = ExternalBroker.start();
        PinbrokerClient c = b.client();
        Fd memfd = FileOps.memfd("a", 8, 0)) {
      long me = ProcessHandle.current().pid();
      String who = "uid=0 gid=0 pid=" + me;
      c.mkdir("/au", 01777);
      c.chmod("/au", 01777);
      long gen = c.pin("/au/stats", memfd.value(), PinOptions.DEFAULT.mode(0640)).generation();
      c.pin("/au/a b\n=\"c\"", memfd.value(), PinOptions.DEFAULT);
      c.stat("/au/stats"); // a read: not audited
      c.list("/au");
      List<String> expected =
          List.of(
              "<5>audit: op=mkdir path=/au " + who + " mode=1777 result=OK gen=2",
              "<5>audit: op=chmod path=/au " + who + " mode=1777 result=OK gen=2",
              "<5>audit: op=pin path=/au/stats " + who + " mode=0640 result=OK gen=" + gen,
              "<5>audit: op=pin path=\"/au/a b\\n=\\\"c\\\"\" " + who + " mode=0600 result=OK gen="
                  + (gen + 1));
      if (Capability.isRoot()) {
        MultiProcessIT.ok(b.as(NOBODY, "mkdir", "/au/mine"));
        Proc.Result refused = b.as(NOBODY, "rm", "/au/stats");
        assertEquals(1, refused.exit(), refused::toString);
      }
      List<String> audit = auditLines(b, expected.size() + (Capability.isRoot() ? 2 : 0));
      assertEquals(expected, audit.subList(0, expected.size()));
      if (Capability.isRoot()) {
        assertTrue(
            audit.get(4).matches("<5>audit: op=mkdir path=/au/mine uid=65534 gid=65534 pid=\\d+ mode=\\d+ result=OK gen=\\d+"),
            audit.get(4));
        assertTrue(
            audit.get(5).matches("<5>audit: op=unlink path=/au/stats uid=65534 gid=65534 pid=\\d+ result=EPERM"),
            audit.get(5));
      }
    }
  }

  @Test
  void noAuditTurnsItOff() throws Exception {
    try (ExternalBroker b = ExternalBroker.start(List.of("--no-audit"), Map.of());
        PinbrokerClient c = b.client()) {
      c.mkdir("/quiet", 0755);
      c.rmdir("/quiet");
      c.stat("/");
      assertEquals(List.of(), auditLines(b, 0));
    }
  }

  /** The audit lines logged so far, once there are at least {@code n} (or after 5 s). */
  private static List<String> auditLines(ExternalBroker b, int n) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    List<String> lines;
    do {
      lines = Files.readAllLines(b.log).stream().filter(l -> l.contains("audit:")).toList();
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return lines;
  }
}
