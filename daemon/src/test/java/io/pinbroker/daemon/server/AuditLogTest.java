package io.pinbroker.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.PeerCredentials;
import org.junit.jupiter.api.Test;

/** The audit log's lines: fields, what each operation adds, and values no name can forge. */
class AuditLogTest {
  private static final PeerCredentials WHO = new PeerCredentials(4242, 1000, 1000);
  private static final Reply OK = new Reply.Done();

  private static Reply node(long generation) {
    return new Reply.NodeReply(
        new NodeInfo(
            NodeType.ENTRY, ObjectKind.FD, FdType.MEMFD, 0640, 1000, 1000, generation, 0, 0, 0, 0,
            0, 0));
  }

  private static String line(Request r, Reply reply) {
    return AuditLog.line(WHO, r, reply);
  }

  @Test
  void eachOperationWithItsArgumentsAndResult() {
    String who = " uid=1000 gid=1000 pid=4242";
    assertEquals(
        "audit: op=pin path=/net/stats" + who + " mode=0640 result=OK gen=7",
        line(new Request.Pin("/net/stats", 0640, Request.DEFAULT_ID, 0, 0), node(7)));
    assertEquals(
        "audit: op=pin path=/a" + who + " mode=0600 group=20 flags=replace,cas,ephemeral,ttl,0x10"
            + " ttl_ms=5000 result=ESTALE",
        line(
            new Request.Pin("/a", 0600, 20, 0x1F, 3, 5000),
            new Reply.Failure(Status.ESTALE, "")));
    assertEquals(
        "audit: op=unlink path=/a" + who + " flags=force result=EPERM",
        line(new Request.Unlink("/a", 1), new Reply.Failure(Status.EPERM, "sticky")));
    assertEquals(
        "audit: op=rename path=/a to=/b" + who + " how=exchange result=OK",
        line(new Request.Rename("/a", "/b", RenameMode.EXCHANGE), OK));
    assertEquals(
        "audit: op=chown path=/a" + who + " owner=0:- result=OK gen=3",
        line(new Request.Chown("/a", 0, Request.DEFAULT_ID), node(3)));
    assertEquals(
        "audit: op=create_map path=/m" + who + " mode=0600 map=hash sim=1 result=EDQUOT",
        line(
            new Request.CreateMap("/m", 0600, Request.DEFAULT_ID, true, 1, 4, 8, 16, 0, "m"),
            new Reply.Failure(Status.EDQUOT, "")));
    assertEquals(
        "audit: op=takeover_begin" + who + " result=EPERM",
        line(new Request.TakeoverBegin(), new Reply.Failure(Status.EPERM, "")));
    assertEquals(
        "audit: op=rmdir path=/d uid=4294967294 gid=1000 pid=4242 result=OK",
        AuditLog.line(new PeerCredentials(4242, -2, 1000), new Request.Rmdir("/d"), OK));
  }

  @Test
  void aValueThatCouldForgeAFieldOrALineIsQuotedAndEscaped() {
    assertEquals("/plain/näme", value("/plain/näme"));
    assertEquals("\"/a b\"", value("/a b"));
    assertEquals("\"/a\\nresult=OK\"", value("/a\nresult=OK"));
    assertEquals("\"/x=1\"", value("/x=1"));
    assertEquals("\"/q\\\"\\\\\"", value("/q\"\\"));
    assertEquals("\"/t\\t\\x01\\x7f\\x85\"", value("/t\t\u0001\u007f\u0085"));
    assertEquals("\"/rtl\\u{202e}gpj.exe\"", value("/rtl\u202egpj.exe"));
    assertEquals("\"/lone\\u{d800}\"", value("/lone\ud800"));
    assertEquals("\"\"", value(""));
    String longPath = "/" + "a".repeat(5000);
    String cut = value(longPath);
    assertTrue(cut.startsWith("\"/aaa") && cut.endsWith("...\" len=5001"), cut);
    assertEquals(4096 + "\"...\" len=5001".length(), cut.length());
  }

  private static String value(String v) {
    StringBuilder b = new StringBuilder();
    AuditLog.value(b, v);
    return b.toString();
  }
}
