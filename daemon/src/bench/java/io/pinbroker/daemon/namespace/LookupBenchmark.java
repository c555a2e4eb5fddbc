package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Path lookup in a tree of about 10k names: a chain of 32 directories with 310 sibling
 * directories at every level, and an entry at depth 1, 8 and 32 (the number of path components).
 * {@code stat} is {@link Namespace#stat} (read lock, walk, search checks, NodeInfo);
 * {@code walk} is {@link Resolver#walk} alone on the same shape of tree, built directly. The peer
 * is an ordinary user, so every permission check runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBenchmark {
  private static final int CHAIN = 32;
  private static final int SIBLINGS = 310;
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  private static final PeerCredentials USER = new PeerCredentials(4242, 1000, 1000);

  @Param({"1", "8", "32"})
  public int depth;

  private Namespace namespace;
  private Resolver resolver;
  private PathName path;

  @Setup(Level.Trial)
  public void build() throws IOException, Refusal, PathSyntaxException {
    namespace = new Namespace(new NamespaceConfig(01777, 022, true, 1_000_000), InstantSource.system());
    Directory root = new Directory(0, 0, 01777, 1, 0);
    resolver = new Resolver(root, true);
    List<String> chain = new ArrayList<>();
    Directory dir = root;
    for (int level = 0; level < CHAIN; level++) {
      String parent = chain.isEmpty() ? "" : "/" + String.join("/", chain);
      for (int s = 0; s < SIBLINGS; s++) {
        String name = String.format("s%03d", s);
        namespace.mkdir(ROOT, PathName.parse(parent + "/" + name), 0755);
        dir.attach(name, new Directory(0, 0, 0755, 2, 0));
      }
      if (level + 1 == 1 || level + 1 == 8 || level + 1 == CHAIN) {
        namespace.pin(ROOT, PathName.parse(parent + "/obj"), 0644, -1, 0, 0,
            HeldObject.adopt(FileOps.memfd("lookup-bench", 16, FileOps.MFD_CLOEXEC)));
        dir.attach("obj", new Directory(0, 0, 0644, 3, 0));
      }
      String next = String.format("d%02d", level + 1);
      namespace.mkdir(ROOT, PathName.parse(parent + "/" + next), 0755);
      Directory d = new Directory(0, 0, 0755, 2, 0);
      dir.attach(next, d);
      dir = d;
      chain.add(next);
    }
    List<String> parts = new ArrayList<>(chain.subList(0, depth - 1));
    parts.add("obj");
    path = PathName.parse("/" + String.join("/", parts));
  }

  @TearDown(Level.Trial)
  public void close() {
    namespace.stopping();
  }

  @Benchmark
  public NodeInfo stat() throws Refusal {
    return namespace.stat(USER, path);
  }

  @Benchmark
  public Object walk() throws Refusal {
    return resolver.walk(USER, path);
  }
}
