package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The distribution carries the AOT caches of both launchers (lib/pinbroker.aot and
 * lib/pinbrokerd.aot, trained at build time by src/aot/train.sh), both programs load classes from
 * them, and a cache that is missing, damaged, made by another JVM build or for another JDK changes
 * nothing anyone sees: the same output, nothing on stderr, no JVM log lines in the broker's log.
 */
class DistAotIT {
  private static final Path DIST = Path.of(System.getProperty("pinbroker.dist", "target/pinbroker"));
  private static final List<String> CACHES = List.of("pinbroker", "pinbrokerd");
  /** Keeps the cache (lib/aot.sh leaves out only class-data-sharing options). */
  private static final Map<String, String> CLASS_LOAD_LOG =
      Map.of("PINBROKER_JAVA_OPTS", "-Xlog:class+load");

  @Test
  void theDistributionHasACacheForEachProgramAndTheJdkThatMadeThem() throws IOException {
    for (String name : CACHES) {
      Path cache = DIST.resolve("lib/" + name + ".aot");
      assertTrue(Files.isRegularFile(cache), "no " + cache);
      assertTrue(Files.size(cache) > 1 << 20, cache + " is " + Files.size(cache) + " bytes");
    }
    List<String> jdk = Files.readAllLines(DIST.resolve("lib/aot.jdk"));
    assertTrue(Files.isExecutable(Path.of(jdk.get(0))), "aot.jdk names " + jdk.get(0));
    assertTrue(jdk.stream().anyMatch(l -> l.startsWith("JAVA_VERSION=")), "aot.jdk: " + jdk);
  }

  @Test
  void bothProgramsLoadTheirClassesFromTheCache() throws Exception {
    Path home = Files.createTempDirectory("pinbroker-aot");
    try {
      Proc.Result cli = run(DIST, home, CLASS_LOAD_LOG, "pinbroker", "--version");
      assertEquals(0, cli.exit(), cli::toString);
      assertTrue(shared("io.pinbroker.cli.").matcher(cli.out()).find(), cli::toString);
      Proc.Result daemon = run(DIST, home, CLASS_LOAD_LOG, "pinbrokerd", "--version");
      assertEquals(0, daemon.exit(), daemon::toString);
      assertTrue(shared("io.pinbroker.daemon.").matcher(daemon.out()).find(), daemon::toString);
    } finally {
      TempTree.delete(home);
    }
  }

  /** A class of the package {@code prefix} loaded from the cache, in -Xlog:class+load lines. */
  private static Pattern shared(String prefix) {
    return Pattern.compile("\\] " + Pattern.quote(prefix) + "\\S+ source: shared objects file$",
        Pattern.MULTILINE);
  }

  /** What can be wrong with the caches of a distribution. */
  enum Damage {
    MISSING,
    /** Not a cache at all. */
    GARBAGE,
    TRUNCATED,
    /** A cache that names another JVM build, as one made before a JDK update does. */
    OTHER_JVM_BUILD,
    /** lib/aot.jdk names another JDK than the launchers find: they do not even try the caches. */
    OTHER_JDK;

    void apply(Path lib) throws IOException {
      for (String name : CACHES) {
        Path cache = lib.resolve(name + ".aot");
        switch (this) {
          case MISSING -> Files.delete(cache);
          case GARBAGE -> {
            byte[] bytes = new byte[1 << 16];
            Arrays.fill(bytes, (byte) 0x5a);
            Files.write(cache, bytes);
          }
          case TRUNCATED -> {
            byte[] bytes = Files.readAllBytes(cache);
            Files.write(cache, Arrays.copyOf(bytes, bytes.length / 2));
          }
          case OTHER_JVM_BUILD -> {
            // The header names the JVM that made it, "... Server VM (25.0.3+9-LTS) for ...".
            byte[] bytes = Files.readAllBytes(cache);
            String header = new String(bytes, 0, 4096, StandardCharsets.ISO_8859_1);
            int at = header.indexOf(" VM (");
            assertTrue(at > 0, "no JVM name in the header of " + cache);
            bytes[at + 5] = (byte) (bytes[at + 5] == '9' ? '8' : '9');
            Files.write(cache, bytes);
          }
          case OTHER_JDK -> {}
        }
      }
      if (this == OTHER_JDK) {
        Path jdk = lib.resolve("aot.jdk");
        Files.writeString(jdk, Files.readString(jdk).replace("JAVA_VERSION=\"", "JAVA_VERSION=\"1"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aBadCacheChangesNothingButTheTime(Damage damage) throws Exception {
    Path home = Files.createTempDirectory("pinbroker-aot");
    try {
      Path dist = home.resolve("dist");
      ExternalBroker.copyTree(DIST, dist);
      damage.apply(dist.resolve("lib"));

      Proc.Result good = run(DIST, home, Map.of(), "pinbroker", "--help");
      Proc.Result bad = run(dist, home, Map.of(), "pinbroker", "--help");
      assertEquals(good, bad);
      assertEquals("", bad.err(), bad::toString);
      Proc.Result version = run(dist, home, Map.of(), "pinbrokerd", "--version");
      assertEquals(run(DIST, home, Map.of(), "pinbrokerd", "--version"), version);
      assertEquals("", version.err(), version::toString);

      ExternalBroker broker = ExternalBroker.start(dist, List.of(), List.of(), Map.of());
      String log;
      try {
        assertEquals(new Proc.Result(0, "", ""), broker.cli("mkdir", "/aot"));
        assertEquals(new Proc.Result(0, "aot\n", ""), broker.cli("ls", "/"));
        log = Files.readString(broker.log);
      } finally {
        broker.close();
      }
      for (String jvmLog : List.of("[aot", "[cds", "][warning", "][error")) {
        assertFalse(log.contains(jvmLog), "pinbrokerd's log:\n" + log);
      }
    } finally {
      TempTree.delete(home);
    }
  }

  private static Proc.Result run(Path dist, Path home, Map<String, String> env, String program,
      String arg) throws IOException, InterruptedException {
    return Proc.run(List.of(dist.resolve("bin/" + program).toString(), arg), env, home);
  }
}
