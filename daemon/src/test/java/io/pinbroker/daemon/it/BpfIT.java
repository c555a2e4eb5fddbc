package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real and sim maps from a shell, other uids, and bpffs interop checked with the real bpftool. */
class BpfIT {
  private static final List<String> NOBODY =
      List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
  static ExternalBroker broker;

  @BeforeAll
  static void start() throws Exception {
    Capability.requireBpf("create real maps");
    broker = ExternalBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static Proc.Result ok(Proc.Result r) {
    return MultiProcessIT.ok(r);
  }

  private static int mapId(String path) throws Exception {
    try (PinbrokerClient c = broker.client()) {
      return ((ObjectDetails.MapDetails) c.stat(path).details()).id();
    }
  }

  @Test
  void realAndSimMapsForWritersAndReaders() throws Exception {
    Capability.requireRoot("run a reader as uid 65534");
    ok(broker.cli("mkdir", "-m", "0755", "/bpf"));
    ok(broker.cli("map", "create", "--type", "array", "--key-size", "4", "--value-size", "8",
        "--max-entries", "4", "--mode", "0644", "/bpf/real"));
    ok(broker.cli("map", "create", "--sim", "--type", "hash", "--key-size", "4", "--value-size", "8",
        "--max-entries", "16", "--mode", "0644", "/bpf/sim"));
    for (String map : List.of("/bpf/real", "/bpf/sim")) {
      ok(broker.cli("map", "update", map, "01000000", "2a00000000000000"));
      assertEquals("2a00000000000000\n", ok(broker.cli("map", "lookup", map, "01000000")).out());
      assertEquals("2a00000000000000\n", ok(broker.as(NOBODY, "map", "lookup", map, "01000000")).out());
    }
    Proc.Result kernel = broker.as(NOBODY, "map", "update", "--ro", "/bpf/real", "01000000", "0000000000000000");
    assertEquals(1, kernel.exit(), kernel::toString);
    assertTrue(kernel.err().contains("Operation not permitted"), kernel::toString);
    Proc.Result mapping = broker.as(NOBODY, "map", "update", "--ro", "/bpf/sim", "01000000", "0000000000000000");
    assertEquals(1, mapping.exit(), mapping::toString);
    assertTrue(mapping.err().contains("read-only mapping"), mapping::toString);
    Proc.Result broker403 = broker.as(NOBODY, "map", "update", "/bpf/real", "01000000", "0000000000000000");
    assertTrue(broker403.err().contains("Permission denied"), broker403::toString);
    assertEquals("2a00000000000000\n", ok(broker.cli("map", "lookup", "/bpf/real", "01000000")).out());

    // a uid without CAP_BPF has the broker create a real map, within policy
    ok(broker.as(NOBODY, "map", "create", "--type", "hash", "--key-size", "4", "--value-size", "4",
        "--max-entries", "8", "/nobody-map"));
    ok(broker.as(NOBODY, "map", "update", "/nobody-map", "01000000", "02000000"));
    Proc.Result ringbuf = broker.as(NOBODY, "map", "create", "--type", "ringbuf", "--key-size", "0",
        "--value-size", "0", "--max-entries", "4096", "/nobody-rb");
    assertEquals(1, ringbuf.exit(), ringbuf::toString);
    assertTrue(ringbuf.err().contains("not allowed by policy"), ringbuf::toString);
    Proc.Result show = Proc.run(List.of("bpftool", "map", "show", "id", Integer.toString(mapId("/bpf/real"))), Map.of(), broker.home);
    assertEquals(0, show.exit(), show::toString);
    assertTrue(show.out().contains("array  name real"), show::toString);
    Proc.Result ls = ok(broker.cli("ls", "-l", "/bpf"));
    assertTrue(ls.out().contains("bpf-map") && ls.out().contains("sim-map"), ls::toString);
  }

  @Test
  void bpffsExportAndImportWorkWithBpftool() throws Exception {
    Capability.requireExecutable("/usr/sbin/bpftool");
    Path bpffs = Files.createTempDirectory(broker.home, "bpffs");
    assertEquals(0, Proc.run(List.of("mount", "-t", "bpf", "bpf", bpffs.toString()), Map.of(), broker.home).exit());
    try {
      ok(broker.cli("map", "create", "--type", "hash", "--key-size", "4", "--value-size", "4",
          "--max-entries", "8", "/shared-map"));
      String pin = bpffs.resolve("shared").toString();
      ok(broker.cli("export", "/shared-map", pin));
      Proc.Result update = Proc.run(
          List.of("bpftool", "map", "update", "pinned", pin, "key", "2", "0", "0", "0", "value", "9", "0", "0", "0"),
          Map.of(), broker.home);
      assertEquals(0, update.exit(), update::toString);
      assertEquals("09000000\n", ok(broker.cli("map", "lookup", "/shared-map", "02000000")).out(),
          "an update made with bpftool is seen by a broker client");
      ok(broker.cli("map", "update", "/shared-map", "03000000", "07000000"));
      Proc.Result lookup = Proc.run(
          List.of("bpftool", "-j", "map", "lookup", "pinned", pin, "key", "3", "0", "0", "0"), Map.of(), broker.home);
      assertTrue(lookup.out().contains("\"0x07\""), lookup::toString);

      String made = bpffs.resolve("made").toString();
      Proc.Result create = Proc.run(
          List.of("bpftool", "map", "create", made, "type", "hash", "key", "4", "value", "4", "entries", "8", "name", "fromtool"),
          Map.of(), broker.home);
      assertEquals(0, create.exit(), create::toString);
      ok(broker.cli("import", made, "/imported"));
      try (PinbrokerClient c = broker.client()) {
        var info = c.stat("/imported");
        assertEquals(ObjectKind.BPF_MAP, info.kind());
        assertEquals("fromtool", ((ObjectDetails.MapDetails) info.details()).name());
      }
    } finally {
      Proc.run(List.of("umount", bpffs.toString()), Map.of(), broker.home);
    }
  }
}
