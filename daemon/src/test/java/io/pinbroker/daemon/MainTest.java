package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** pinbrokerd's settings: defaults, flags, and the config file, with flags winning. */
class MainTest {
  @TempDir Path dir;

  private static BrokerConfig parse(Path config, String... args) throws IOException {
    CommandLine cmd = Main.commandLine(config);
    cmd.parseArgs(args);
    return ((Main) cmd.getCommand()).toConfig();
  }

  @Test
  void defaults() throws IOException {
    BrokerConfig c = parse(null);
    assertNull(c.socket());
    assertEquals(0666, c.socketMode());
    assertEquals(01777, c.namespace().rootMode());
    assertEquals(022, c.namespace().umask());
    assertTrue(c.namespace().rootOverride());
    assertEquals(1024, c.server().maxConnections());
    assertEquals(256, c.server().maxConnectionsPerUid());
    assertEquals(Duration.ofMinutes(10), c.server().idleTimeout());
    assertEquals(Duration.ofSeconds(10), c.server().sendTimeout());
    assertEquals(1_000_000, c.namespace().maxNames());
    assertEquals(250_000, c.namespace().maxNamesPerUid());
    assertEquals(256L << 20, c.maps().quotaBytesPerUid());
    assertEquals(256L << 20, c.maps().simQuotaBytesPerUid());
    assertTrue(Main.settings(new String[0]).audit());
  }

  @Test
  void theBoundsAndTimeoutsParse() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("pinbrokerd.conf"),
            "max-connections-per-uid=3\nidle-timeout=off\nsend-timeout=1500ms\nmax-names-per-uid=9\n"
                + "sim-map-quota=1M\naudit=false\n");
    BrokerConfig c = parse(file, "--map-quota", "2M");
    assertEquals(3, c.server().maxConnectionsPerUid());
    assertEquals(Duration.ZERO, c.server().idleTimeout(), "off: no idle timeout");
    assertEquals(Duration.ofMillis(1500), c.server().sendTimeout());
    assertEquals(9, c.namespace().maxNamesPerUid());
    assertEquals(List.of(2L << 20, 1L << 20), List.of(c.maps().quotaBytesPerUid(), c.maps().simQuotaBytesPerUid()));
    assertFalse(Main.settings(new String[] {"--config", file.toString()}).audit());
    assertEquals(Duration.ZERO, parse(null, "--send-timeout", "0").server().sendTimeout());
    assertThrows(CommandLine.ParameterException.class, () -> parse(null, "--idle-timeout", "soon"));
  }

  @Test
  void configFileSetsDefaultsAndFlagsOverrideThem() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("pinbrokerd.conf"),
            "socket=/srv/pb.sock\numask=027\nroot-mode=0755\nroot-override=false\nmax-connections=7\n");
    BrokerConfig c = parse(file, "--umask", "077");
    assertEquals(Path.of("/srv/pb.sock"), c.socket());
    assertEquals(077, c.namespace().umask());
    assertEquals(0755, c.namespace().rootMode());
    assertFalse(c.namespace().rootOverride());
    assertEquals(7, c.server().maxConnections());
  }

  @Test
  void settingsReadTheConfigFileAfreshEachTime() throws IOException {
    Path file = Files.writeString(dir.resolve("pinbrokerd.conf"), "umask=027\n");
    String[] args = {"--config", file.toString(), "--max-names", "9"};
    assertEquals(027, Main.settings(args).config().namespace().umask());
    assertEquals(Level.INFO, Main.settings(args).logLevel());

    Files.writeString(file, "umask=077\nmax-names=5\nverbose=true\n");
    Settings again = Main.settings(args);
    assertEquals(077, again.config().namespace().umask());
    assertEquals(9, again.config().namespace().maxNames(), "the command line still wins");
    assertEquals(Level.FINE, again.logLevel());
  }

  @Test
  void aConfigFileThatCannotBeReadOrParsedIsAnErrorNamingIt() throws IOException {
    Path file = dir.resolve("pinbrokerd.conf");
    String[] args = {"--config=" + file};
    IOException missing = assertThrows(IOException.class, () -> Main.settings(args));
    assertEquals("cannot read config file " + file + ": no such file", missing.getMessage());

    Files.writeString(file, "umask=9\n");
    IOException bad = assertThrows(IOException.class, () -> Main.settings(args));
    assertTrue(bad.getMessage().startsWith(file + ": "), bad.getMessage());
    assertTrue(bad.getMessage().contains("--umask"), bad.getMessage());

    Files.writeString(file, "map-types=hash,nosuchtype\n");
    bad = assertThrows(IOException.class, () -> Main.settings(args));
    assertTrue(bad.getMessage().contains("unknown map type 'nosuchtype'"), bad.getMessage());
  }

  @Test
  void aBadModeIsAUsageError() throws IOException {
    CommandLine cmd = Main.commandLine(null);
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    assertEquals(2, cmd.execute("--umask", "9"));
    assertTrue(err.toString().contains("not an octal mode"), err.toString());
  }
}
