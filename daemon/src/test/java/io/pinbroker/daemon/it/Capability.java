package io.pinbroker.daemon.it;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Capability gates. Where a capability is missing the test is skipped with a printed reason,
 * unless the environment says it must be there ({@code PINBROKER_REQUIRE_ROOT=1}, as CI sets),
 * which turns the skip into a failure.
 */
final class Capability {
  private Capability() {}

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static void requireRoot(String why) {
    require(isRoot(), "PINBROKER_REQUIRE_ROOT", "needs root to " + why);
  }

  static void requireExecutable(String path) {
    require(Files.isExecutable(Path.of(path)), "PINBROKER_REQUIRE_ROOT", "needs " + path);
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
