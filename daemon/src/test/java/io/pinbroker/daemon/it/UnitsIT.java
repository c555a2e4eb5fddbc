package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.Capability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd units pass systemd's own static checks: {@code systemd-analyze verify}
 * prints nothing, and the offline security exposure of the service is at most 3.0.
 */
class UnitsIT {
  private static final double MAX_EXPOSURE = 3.0;

  /** A copy of the units whose ExecStart= names the launcher this build produced. */
  private static Path installedCopy() throws Exception {
    Path units = Path.of(System.getProperty("pinbroker.units", "../systemd"));
    Path dist = Path.of(System.getProperty("pinbroker.dist", "target/pinbroker")).toAbsolutePath();
    Path dir = Files.createTempDirectory("pinbroker-units");
    Files.copy(units.resolve("pinbroker.socket"), dir.resolve("pinbroker.socket"));
    String service = Files.readString(units.resolve("pinbroker.service"));
    assertTrue(service.contains("ExecStart=/opt/pinbroker/bin/pinbrokerd"), "the documented install path");
    Files.writeString(
        dir.resolve("pinbroker.service"),
        service.replace("/opt/pinbroker/bin/pinbrokerd", dist.resolve("bin/pinbrokerd").toString()));
    return dir;
  }

  @Test
  void verifyPrintsNothingAndTheExposureIsLow() throws Exception {
    Capability.requireExecutable("/usr/bin/systemd-analyze");
    Path dir = installedCopy();
    try {
      Proc.Result verify =
          Proc.run(
              List.of("systemd-analyze", "verify", dir.resolve("pinbroker.socket").toString(),
                  dir.resolve("pinbroker.service").toString()),
              Map.of(), dir);
      assertEquals(0, verify.exit(), verify::toString);
      assertEquals("", verify.out() + verify.err(), "systemd-analyze verify exits 0 on warnings: any output fails");

      Proc.Result security =
          Proc.run(
              List.of("systemd-analyze", "security", "--offline=true", dir.resolve("pinbroker.service").toString()),
              Map.of(), dir);
      Matcher m = Pattern.compile("Overall exposure level for pinbroker.service: ([0-9.]+)").matcher(security.out());
      assertTrue(m.find(), security::toString);
      double exposure = Double.parseDouble(m.group(1));
      System.out.println("systemd-analyze security --offline=true: exposure " + exposure);
      assertTrue(exposure <= MAX_EXPOSURE, "exposure " + exposure + " > " + MAX_EXPOSURE);
    } finally {
      TempTree.delete(dir);
    }
  }
}
