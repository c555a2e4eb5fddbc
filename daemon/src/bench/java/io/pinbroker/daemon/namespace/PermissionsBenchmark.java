package io.pinbroker.daemon.namespace;

import io.pinbroker.unix.PeerCredentials;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Permissions#check} of a read-write GET at the end of a chain of {@code depth}
 * directories, for a user who is neither owner nor root: every directory is searched through its
 * group class, by a supplementary group (the last one the peer has), and the entry through its
 * group class too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PermissionsBenchmark {
  @Param({"1", "8", "32"})
  public int depth;

  private final PeerCredentials who = new PeerCredentials(4242, 1000, 1000, 2000, 2001, 2002, 3000);
  private List<Attrs> chain;
  private Attrs target;

  @Setup
  public void build() {
    chain = new ArrayList<>();
    chain.add(new Attrs(0, 0, 01777, true));
    for (int i = 1; i < depth; i++) {
      chain.add(new Attrs(0, 3000, 0750, true));
    }
    target = new Attrs(0, 3000, 0660, false);
  }

  @Benchmark
  public Decision check() {
    return Permissions.check(who, true, chain, target, Operation.READ_WRITE);
  }
}
