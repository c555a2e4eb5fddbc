package io.pinbroker.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.unix.Fd;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four JVMs hammer one HASH map through /proc/PARENT/fd/N: disjoint own keys (with deletes and
 * reinserts, so tombstones and rebuilds happen) and a few shared keys everyone overwrites. No read
 * may be torn and no entry lost.
 */
@ExtendWith(FdLeakCheck.class)
class SimMapConcurrencyTest {
  private static final int CHILDREN = 4;
  private static final int OWN = 400;
  private static final int SHARED = 8;
  private static final long MILLIS = 3000;

  @Test
  void fourProcessesHammeringOneMap(@TempDir Path dir) throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 8, 32, 4096, "hammer");
        SimMap map = SimMap.open(fd.value(), true)) {
      for (int s = 0; s < SHARED; s++) {
        map.update(Bytes.u64(s), Bytes.selfChecking(0), SimMap.NOEXIST);
      }
      List<Process> children = new ArrayList<>();
      for (int id = 1; id <= CHILDREN; id++) {
        children.add(start(dir, id, fd.value()));
      }
      Map<Integer, Map<String, String>> reports = new HashMap<>();
      for (int id = 1; id <= CHILDREN; id++) {
        Process p = children.get(id - 1);
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        if (!done) {
          p.destroyForcibly();
          p.waitFor();
        }
        String err = Files.readString(dir.resolve("err" + id));
        assertTrue(done, "child " + id + " hung; stderr: " + err);
        assertEquals(0, p.exitValue(), "child " + id + " failed; stderr: " + err);
        reports.put(id, parse(Files.readAllLines(dir.resolve("out" + id))));
      }

      for (int id = 1; id <= CHILDREN; id++) {
        Map<String, String> r = reports.get(id);
        assertEquals("0", r.get("TORN"), "torn reads seen by child " + id);
        assertEquals("0", r.get("LOST"), "own entries missing or stale for child " + id);
        String[] last = r.get("FINAL").split(" ");
        assertEquals(OWN, last.length);
        for (int k = 0; k < OWN; k++) {
          long word = (long) id << 32 | Long.parseLong(last[k]);
          assertArrayEquals(
              Bytes.selfChecking(word),
              map.lookup(Bytes.u64((long) id << 32 | k)),
              "final value of key " + k + " of child " + id);
        }
      }
      assertEquals(CHILDREN * OWN + SHARED, map.count());
      int[] entries = new int[1];
      map.forEach(
          (k, v) -> {
            entries[0]++;
            assertTrue(SimMapHammer.plausible(v, -1), "a consistent value");
          });
      assertEquals(CHILDREN * OWN + SHARED, entries[0]);
    }
  }

  private static Process start(Path dir, int id, int fd) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    return new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            SimMapHammer.class.getName(),
            Long.toString(ProcessHandle.current().pid()),
            Integer.toString(fd),
            Integer.toString(id),
            Long.toString(MILLIS),
            Integer.toString(OWN),
            Integer.toString(SHARED))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(dir.resolve("out" + id).toFile())
        .redirectError(dir.resolve("err" + id).toFile())
        .start();
  }

  private static Map<String, String> parse(List<String> lines) {
    Map<String, String> r = new HashMap<>();
    for (String l : lines) {
      int sp = l.indexOf(' ');
      if (sp > 0) {
        r.put(l.substring(0, sp), l.substring(sp + 1));
      }
    }
    return r;
  }
}
