package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.daemon.Capability;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An operator swaps v1 and v2 of a program under one name, 1000 times, by compare-and-swap and by
 * exchange, while a reader in another process loops on GET: it never sees the name missing or a
 * third object.
 */
class UpgradeIT {
  private static final int SWAPS = 1000;

  @Test
  void readersNeverSeeAHalfDoneUpgrade() throws Exception {
    Capability.requireBpf("load real programs");
    try (ExternalBroker broker = ExternalBroker.start();
        PinbrokerClient operator = broker.client();
        Fd v1 = Bpf.loadSocketFilter("v1");
        Fd v2 = Bpf.loadSocketFilter("v2")) {
      int id1 = Bpf.progInfo(v1.value()).id();
      int id2 = Bpf.progInfo(v2.value()).id();
      operator.mkdir("/prog", 0755);
      long generation = operator.pin("/prog/current", v1.value(), PinOptions.DEFAULT.mode(0644)).generation();
      operator.pin("/prog/next", v2.value(), PinOptions.DEFAULT.mode(0644));
      Path stop = broker.home.resolve("stop");
      Process reader =
          new ProcessBuilder(
                  broker.java(UpgradeReader.class.getName(), broker.socket.toString(), "/prog/current",
                      stop.toString(), Integer.toString(id1), Integer.toString(id2)))
              .redirectError(broker.home.resolve("reader.err").toFile())
              .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine());
      for (int i = 0; i < SWAPS; i++) {
        if (i % 2 == 0) {
          Fd next = i % 4 == 0 ? v2 : v1;
          generation =
              operator.pin("/prog/current", next.value(), PinOptions.DEFAULT.mode(0644).replacingGeneration(generation))
                  .generation();
        } else {
          operator.rename("/prog/current", "/prog/next", RenameMode.EXCHANGE);
          generation = operator.stat("/prog/current").generation();
        }
      }
      Files.createFile(stop);
      assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
      String summary = out.readLine();
      Matcher m = Pattern.compile("gets=(\\d+) failures=(\\d+)").matcher(summary == null ? "" : summary);
      assertTrue(m.matches(), "reader said: " + summary + "\n" + Files.readString(broker.home.resolve("reader.err")));
      System.out.println("upgrade: " + SWAPS + " swaps while the reader did " + summary);
      assertTrue(Long.parseLong(m.group(1)) > 100, "the reader overlapped the swaps: " + summary);
      assertEquals("0", m.group(2), summary);
    }
  }
}
