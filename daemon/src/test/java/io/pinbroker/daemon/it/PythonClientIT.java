package io.pinbroker.daemon.it;

import io.pinbroker.daemon.Capability;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.unix.FileOps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A non-Java client, written from PROTOCOL.md alone, against pinbrokerd in its own process. */
class PythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";
  static ExternalBroker broker;
  static Path python;

  @BeforeAll
  static void start() throws Exception {
    Capability.requireExecutable(PYTHON);
    python = Path.of(System.getProperty("pinbroker.testsrc", "src/test"), "python").toAbsolutePath();
    broker = ExternalBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static Proc.Result python(String script, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, "-B", "-c", script, python.toString()));
    cmd.addAll(List.of(args));
    return Proc.run(cmd, Map.of(), broker.home);
  }

  @Test
  void theProtocolCheckPasses() throws Exception {
    Proc.Result r =
        Proc.run(
            List.of(PYTHON, "-B", python.resolve("python_client_check.py").toString(), broker.socket.toString()),
            Map.of(),
            broker.home);
    assertEquals(0, r.exit(), r::toString);
    Matcher m = Pattern.compile("python client: (\\d+) passed, 0 failed").matcher(r.out());
    assertTrue(m.find(), r::toString);
    assertTrue(Integer.parseInt(m.group(1)) >= 15, r::toString);
  }

  @Test
  void javaAndPythonHandTheSameObjectsBackAndForth() throws Exception {
    MultiProcessIT.ok(broker.cli("mkdir", "-p", "/xl"));
    MultiProcessIT.ok(broker.cli("pin", "--memfd", "4K", "--mode", "0644", "/xl/java"));
    MultiProcessIT.ok(broker.cli("exec", "--fd", "s=/xl/java", "--", "sh", "-c", "printf from-java >&3"));
    String javaIdentity = MultiProcessIT.identity(MultiProcessIT.ok(broker.cli("get", "--ro", "/xl/java")));

    String script =
        """
        import os, sys
        sys.path.insert(0, sys.argv[1])
        import pinbroker_client as pb
        with pb.Client(sys.argv[2]) as c:
            fd, info, handout = c.get("/xl/java", read_only=True)
            st = os.fstat(fd)
            print(f"java-object {st.st_dev}:{st.st_ino} {os.pread(fd, 9, 0).decode()}")
            os.close(fd)
            m = os.memfd_create("py")
            os.write(m, b"from-python")
            c.pin("/xl/py", m, 0o644)
            st = os.fstat(m)
            print(f"python-object {st.st_dev}:{st.st_ino}")
            os.close(m)
        """;
    Proc.Result r = python(script, broker.socket.toString());
    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.out().contains("java-object " + javaIdentity + " from-java"), r::toString);
    Matcher m = Pattern.compile("python-object (\\d+:\\d+)").matcher(r.out());
    assertTrue(m.find(), r::toString);

    try (PinbrokerClient c = broker.client(); ReceivedFd got = c.get("/xl/py", Access.READ_ONLY)) {
      assertEquals(m.group(1), FileOps.stat(got.fd().value()).identity());
      byte[] data = Files.readAllBytes(Path.of("/proc/self/fd/" + got.fd().value()));
      assertEquals("from-python", new String(data, StandardCharsets.UTF_8));
    }
  }

  @Test
  void anOverlongDatagramIsDroppedAndOthersAreStillServed() throws Exception {
    String script =
        """
        import socket, struct, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.connect(sys.argv[2])
        s.sendall(b"PB" + bytes(70000 - 2))
        notice = s.recv(70000)
        magic, op, flags, rid, status = struct.unpack_from("<HBBIH", notice)
        print(f"notice request_id={rid} status={status}")
        print("closed" if s.recv(70000) == b"" else "still open")
        """;
    Proc.Result r = python(script, broker.socket.toString());
    assertEquals(0, r.exit(), r::toString);
    assertEquals("notice request_id=0 status=71\nclosed\n", r.out());
    try (PinbrokerClient c = broker.client()) {
      assertTrue(c.session().version() >= 1);
    }
  }

  /**
   * A client keeps the credentials of its connect: one that connects as root, then drops to uid
   * 65534 (setgroups, setgid, setuid) before its HELLO, is still root to the broker, and what it
   * pins is root's. A connection it makes after the drop is 65534's.
   */
  @Test
  void aClientKeepsTheCredentialsItConnectedWith() throws Exception {
    Capability.requireRoot("connect as root and then become another uid");
    String script =
        """
        import os, socket, sys
        sys.path.insert(0, sys.argv[1])
        import pinbroker_client as pb
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET | socket.SOCK_CLOEXEC)
        s.connect(sys.argv[2])
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        print(f"now uid={os.getuid()} euid={os.geteuid()} gid={os.getgid()}")
        with pb.Client(None, sock=s) as early:
            print(f"early hello uid={early.peer_uid} gid={early.peer_gid}")
            m = os.memfd_create("creds")
            info = early.pin("/creds-kept", m, 0o600)
            print(f"early pin owner={info.uid}:{info.gid}")
            early.chown("/creds-kept", 65534, 65534)  # root only: allowed on this connection
        with pb.Client(sys.argv[2]) as late:
            print(f"late hello uid={late.peer_uid} gid={late.peer_gid}")
            try:
                late.chown("/creds-kept", 0, 0)
                print("late chown allowed")
            except pb.PinbrokerError as e:
                print(f"late chown {pb.STATUS_NAMES[e.status]}")
        """;
    Proc.Result r = python(script, broker.socket.toString());
    assertEquals(0, r.exit(), r::toString);
    assertEquals(
        "now uid=65534 euid=65534 gid=65534\n"
            + "early hello uid=0 gid=0\n"
            + "early pin owner=0:0\n"
            + "late hello uid=65534 gid=65534\n"
            + "late chown EPERM\n",
        r.out());
    try (PinbrokerClient c = broker.client()) {
      assertEquals(65534, c.stat("/creds-kept").uid(), "chowned by the connection made as root");
      c.unlink("/creds-kept");
    }
    String log = Files.readString(broker.log);
    assertTrue(log.matches("(?s).*<5>audit: op=pin path=/creds-kept uid=0 gid=0 pid=\\d+ mode=0600 result=OK.*"), log);
  }
}
