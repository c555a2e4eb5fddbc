package io.pinbroker.daemon;

import io.pinbroker.unix.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Capability gates. Where a capability is missing the test is skipped with a printed reason,
 * unless the environment says it must be there ({@code PINBROKER_REQUIRE_ROOT=1} or {@code
 * PINBROKER_REQUIRE_BPF=1}, as CI sets),
 * which turns the skip into a failure.
 */
public final class Capability {
  private Capability() {}

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  public static void requireRoot(String why) {
    require(isRoot(), "PINBROKER_REQUIRE_ROOT", "needs root to " + why);
  }

  public static void requireExecutable(String path) {
    require(Files.isExecutable(Path.of(path)), "PINBROKER_REQUIRE_ROOT", "needs " + path);
  }

  /** Real bpf(2): map creation and, for read-only handouts, CAP_SYS_ADMIN. */
  public static void requireBpf(String why) {
    require(Bpf.available() && isRoot(), "PINBROKER_REQUIRE_BPF", "needs bpf(2) as root to " + why);
  }

  /**
   * Whether real bpf(2) is here, for a test that does part of its work with it. Where it is
   * missing that part is skipped with a printed reason, unless {@code PINBROKER_REQUIRE_BPF=1},
   * which makes it a failure.
   */
  public static boolean optionalBpf(String why) {
    boolean present = Bpf.available() && isRoot();
    if (!present) {
      String reason = "needs bpf(2) as root to " + why;
      if ("1".equals(System.getenv("PINBROKER_REQUIRE_BPF"))) {
        Assertions.fail(reason + ", and PINBROKER_REQUIRE_BPF=1 says it must be there");
      }
      System.err.println("SKIPPED (this part): " + reason);
    }
    return present;
  }

  private static void require(boolean present, String env, String reason) {
    if (present) {
      return;
    }
    if ("1".equals(System.getenv(env))) {
      Assertions.fail(reason + ", and " + env + "=1 says it must be there");
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
  }
}
