package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Progress of long operations (import of a bpffs tree, a takeover): drawn on stderr when stdout
 * and stderr are terminals (here a pty from script(1)), and never when they are redirected.
 */
class ProgressIT {
  private static final String SCRIPT = "/usr/bin/script";
  /** More than one page of 253 fds. */
  private static final int OBJECTS = 300;

  @Test
  void importOfABpffsTreeShowsProgressOnlyOnATerminal() throws Exception {
    Capability.requireBpf("create maps in bpffs");
    Capability.requireExecutable("/usr/sbin/bpftool");
    Capability.requireExecutable(SCRIPT);
    try (ExternalBroker broker = ExternalBroker.start()) {
      Path bpffs = Files.createTempDirectory(broker.home, "bpffs");
      Proc.Result mount = Proc.run(List.of("mount", "-t", "bpf", "bpf", bpffs.toString()), Map.of(), broker.home);
      assertEquals(0, mount.exit(), mount::toString);
      try {
        Files.createDirectories(bpffs.resolve("a/b"));
        List<String> maps = List.of("m0", "m1", "a/m2", "a/b/m3", "a/b/m4");
        for (String m : maps) {
          Proc.Result create = Proc.run(
              List.of("bpftool", "map", "create", bpffs.resolve(m).toString(), "type", "array",
                  "key", "4", "value", "4", "entries", "1", "name", m.replace("/", "_")),
              Map.of(), broker.home);
          assertEquals(0, create.exit(), create::toString);
        }
        Files.createSymbolicLink(bpffs.resolve("link"), bpffs.resolve("m0"));

        Proc.Result quiet = broker.cli("import", "--mode", "0640", bpffs.toString(), "/quiet");
        assertEquals(0, quiet.exit(), quiet::toString);
        assertEquals("", quiet.out(), "nothing on stdout");
        assertEquals("", quiet.err(), "no progress when stdout and stderr are not terminals");
        assertEquals(
            "/quiet\n├── a\n│   ├── b\n│   │   ├── m3  [bpf-map]\n│   │   └── m4  [bpf-map]\n"
                + "│   └── m2  [bpf-map]\n├── m0  [bpf-map]\n└── m1  [bpf-map]\n",
            MultiProcessIT.ok(broker.cli("tree", "/quiet")).out(),
            "the tree, without the symbolic link");
        try (PinbrokerClient c = broker.client()) {
          assertEquals(0640, c.stat("/quiet/a/b/m4").mode());
        }

        Proc.Result tty = onTerminal(broker, broker.home.resolve("dist/bin/pinbroker").toString(),
            "import", bpffs.toString(), "/tty");
        assertEquals(0, tty.exit(), tty::toString);
        assertTrue(tty.out().contains("\rimported 5/5"), tty::toString);

        Proc.Result taken = broker.cli("import", bpffs.toString(), "/quiet");
        assertEquals(1, taken.exit(), taken::toString);
        assertEquals("pinbroker: /quiet/a/b/m3: File exists\n", taken.err(), "stops at the first failure");
      } finally {
        Proc.run(List.of("umount", bpffs.toString()), Map.of(), broker.home);
      }
    }
  }

  @Test
  void takeoverShowsProgressOnlyOnATerminal() throws Exception {
    Capability.requireExecutable(SCRIPT);
    try (ExternalBroker old = ExternalBroker.start()) {
      fill(old);
      Path log = old.home.resolve("successor.log");
      Process successor =
          new ProcessBuilder(pinbrokerd(old), "--socket", old.socket.toString(), "--takeover")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        assertTrue(old.process.waitFor(30, TimeUnit.SECONDS), "the old broker exits");
        String text = Files.readString(log);
        assertFalse(text.contains("objects received") || text.contains("\r"), text);
      } finally {
        stop(successor);
      }
    }
    try (ExternalBroker old = ExternalBroker.start()) {
      fill(old);
      Path out = old.home.resolve("script.out");
      Process script =
          new ProcessBuilder(
                  SCRIPT, "-qfec",
                  shell(pinbrokerd(old), "--socket", old.socket.toString(), "--takeover"),
                  "/dev/null")
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        assertTrue(old.process.waitFor(30, TimeUnit.SECONDS), "the old broker exits");
        String text = Files.readString(out);
        assertTrue(text.contains("\rtakeover: " + OBJECTS + "/" + OBJECTS + " objects received"), text);
      } finally {
        script.descendants().forEach(ProcessHandle::destroy); // the successor: SIGTERM
        stop(script);
      }
    }
  }

  private static void fill(ExternalBroker broker) throws Exception {
    try (PinbrokerClient c = broker.client()) {
      c.mkdir("/p", 0755);
      for (int i = 0; i < OBJECTS; i++) {
        try (Fd fd = FileOps.memfd("p", 0, 0)) {
          c.pin("/p/n" + i, fd.value(), PinOptions.DEFAULT);
        }
      }
    }
  }

  private static String pinbrokerd(ExternalBroker broker) {
    return broker.home.resolve("dist/bin/pinbrokerd").toString();
  }

  /** Runs {@code command} with stdout and stderr on a pseudo-terminal; out is what it showed. */
  private static Proc.Result onTerminal(ExternalBroker broker, String... command) throws Exception {
    return Proc.run(
        List.of(SCRIPT, "-qec", shell(command), "/dev/null"),
        Map.of("PINBROKER_SOCKET", broker.socket.toString()),
        broker.home);
  }

  private static String shell(String... words) {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add("'" + w.replace("'", "'\\''") + "'");
    }
    return quoted.stream().collect(Collectors.joining(" "));
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }
}
