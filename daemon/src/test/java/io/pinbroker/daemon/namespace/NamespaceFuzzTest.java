package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pinbroker.daemon.namespace.NamespaceModel.Node;
import io.pinbroker.daemon.object.HeldObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random sequences of operations on the real {@link Namespace} and on {@link NamespaceModel}, by
 * root, two users and one group membership, over the paths of depth up to 3 named from {a, b, c}.
 * After every operation both give the same outcome (OK with the same node, or the same status);
 * after the sequence both hold the same tree, and the namespace holds exactly one memfd per entry,
 * none once it is cleared.
 *
 * <p>Jazzer drives it as a fuzz test (README, "Fuzzing"); a plain test run replays its inputs under
 * {@code NamespaceFuzzTestInputs/operations} and {@link #randomSequences} seeded sequences.
 */
class NamespaceFuzzTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static final int[] UMASKS = {0, 022, 077, 002};
  private static final int[] ROOT_MODES = {01777, 0777, 0755, 0711, 0700, 01733};
  private static final long[] MAX_NAMES = {1000, 10, 4};
  private static final int MAX_OPS = 200;

  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void operations(FuzzedDataProvider data) {
    int[] ops = {0};
    run(
        new NamespaceSequence.Choices() {
          public int pick(int n) {
            return n == 1 ? 0 : data.consumeInt(0, n - 1);
          }

          public boolean more() {
            return data.remainingBytes() > 0 && ops[0]++ < MAX_OPS;
          }
        });
  }

  @Test
  void randomSequences() {
    for (int seed = 0; seed < 300; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      int[] left = {20 + random.nextInt(60)};
      run(
          new NamespaceSequence.Choices() {
            public int pick(int n) {
              return random.nextInt(n);
            }

            public boolean more() {
              return left[0]-- > 0;
            }
          });
    }
  }

  private static void run(NamespaceSequence.Choices c) {
    int baseline = fds().size();
    assertEquals(0L, ourFds(), "memfds left open by an earlier sequence");
    int rootMode = ROOT_MODES[c.pick(ROOT_MODES.length)];
    int umask = UMASKS[c.pick(UMASKS.length)];
    boolean override = c.pick(2) == 0;
    long maxNames = MAX_NAMES[c.pick(MAX_NAMES.length)];
    Namespace ns =
        new Namespace(
            new NamespaceConfig(rootMode, umask, override, maxNames), InstantSource.fixed(NOW));
    NamespaceSequence s =
        new NamespaceSequence(ns, new NamespaceModel(rootMode, umask, override, maxNames));
    try {
      s.log.append(
          String.format(
              "root %o, umask %03o, override %s, max %d%n", rootMode, umask, override, maxNames));
      while (c.more()) {
        s.step(c);
      }
      assertEquals(s.model.nodes, tree(ns), "the trees\n" + s.log);
      long entries = s.model.nodes.values().stream().filter(n -> !n.dir()).count();
      assertEquals(entries, ourFds(), "one memfd held per entry\n" + s.log);
    } finally {
      ns.objects().values().forEach(HeldObject::close);
    }
    assertEquals(0L, ourFds(), "memfds left open once every held object is closed");
    // Not equal: the JVM may close an fd of its own meanwhile (a cleaner, a directory stream).
    int now = fds().size();
    assertTrue(
        now <= baseline, "fds open in this process: " + baseline + " before, " + now + " after");
  }

  /** The namespace's tree, whatever the permissions, as the model keeps one. */
  private static Map<String, Node> tree(Namespace ns) {
    Map<Long, HeldObject> objects = ns.objects();
    Map<String, Node> out = new TreeMap<>();
    ns.snapshot(
        change -> {
          switch (change) {
            case Change.SetMeta m -> out.put(m.path(), node(true, m.meta(), 0));
            case Change.PutDirectory d -> out.put(d.path(), node(true, d.meta(), 0));
            case Change.PutEntry e ->
                out.put(e.path(), node(false, e.meta(), objects.get(e.objectId()).ino()));
            default -> throw new AssertionError("not in a snapshot: " + change);
          }
        });
    return out;
  }

  private static Node node(boolean dir, Change.Meta m, long ino) {
    return new Node(dir, m.uid(), m.gid(), m.mode(), m.generation(), ino);
  }

  // ---- objects and fds ----

  /** The memfds of this class open in this process. */
  private static long ourFds() {
    return fds().stream()
        .filter(link -> link.startsWith("/memfd:" + NamespaceSequence.TAG))
        .count();
  }

  /** What every fd open in this process refers to. */
  private static List<String> fds() {
    List<String> links = new ArrayList<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          links.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException gone) {
          // the directory stream's own descriptor
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return links;
  }
}
