package io.pinbroker.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.client.Access;
import io.pinbroker.client.BusyException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.client.TakeoverStart;
import io.pinbroker.client.TryAgainException;
import io.pinbroker.daemon.Capability;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code pinbrokerd --takeover}: a second broker process takes the running one's socket, tree
 * and fds over while client processes keep reading and pinning; the old one exits.
 */
class TakeoverIT {
  /** More than two pages of 253 fds. */
  private static final int NAMES = 600;

  @Test
  void aSuccessorTakesEverythingOverWhileClientsKeepGoing() throws Exception {
    try (ExternalBroker old = ExternalBroker.start()) {
      Map<String, NodeInfo> before = new LinkedHashMap<>();
      try (PinbrokerClient c = old.client()) {
        c.mkdir("/t", 0755);
        for (int i = 0; i < NAMES; i++) {
          try (Fd fd = FileOps.memfd("t", 0, 0)) {
            Files.writeString(Path.of("/proc/self/fd/" + fd.value()), "v" + i);
            c.pin("/t/n" + i, fd.value(), PinOptions.DEFAULT.mode(i % 2 == 0 ? 0640 : 0600));
          }
        }
        c.chown("/t/n7", 1234, 5678);
        c.mkdir("/w", 0755);
        for (DirEntry e : c.list("/t")) {
          before.put(e.name(), e.info());
        }
      }
      Object socketInode = Files.getAttribute(old.socket, "unix:ino");
      Path stop = old.home.resolve("stop");
      Path acks = old.home.resolve("acks");
      List<Process> load = new ArrayList<>();
      List<BufferedReader> outs = new ArrayList<>();
      for (String[] args :
          List.of(
              new String[] {"get", "/t/n", Integer.toString(NAMES), stop.toString()},
              new String[] {"get", "/t/n", Integer.toString(NAMES), stop.toString()},
              new String[] {"pin", "/w/p", acks.toString(), stop.toString()})) {
        List<String> cmd = new ArrayList<>(List.of(old.socket.toString()));
        cmd.addAll(List.of(args));
        Process p =
            new ProcessBuilder(old.java(TakeoverLoad.class.getName(), cmd.toArray(String[]::new)))
                .redirectError(old.home.resolve("load" + load.size() + ".err").toFile())
                .start();
        load.add(p);
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        outs.add(out);
        assertEquals("ready", out.readLine());
      }
      Thread.sleep(500);

      Path log = old.home.resolve("successor.log");
      Process successor =
          new ProcessBuilder(
                  old.home.resolve("dist/bin/pinbrokerd").toString(),
                  "--socket", old.socket.toString(), "--takeover")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        assertTrue(old.process.waitFor(30, TimeUnit.SECONDS), "the old broker exits");
        assertEquals(0, old.process.exitValue(), "the old broker exits cleanly");
        assertTrue(successor.isAlive(), Files.readString(log));
        Thread.sleep(500); // the load goes on against the successor
        Files.createFile(stop);
        List<String> summaries = new ArrayList<>();
        for (int i = 0; i < load.size(); i++) {
          assertTrue(load.get(i).waitFor(30, TimeUnit.SECONDS));
          summaries.add(outs.get(i).readLine());
        }
        System.out.println("takeover: " + NAMES + " names; load: " + summaries);
        for (int i = 0; i < 2; i++) {
          Matcher m =
              Pattern.compile("gets=(\\d+) enoent=(\\d+) errors=(\\d+) reconnects=(\\d+)")
                  .matcher(String.valueOf(summaries.get(i)));
          assertTrue(m.matches(), summaries.get(i) + err(old, i));
          assertTrue(Long.parseLong(m.group(1)) > 0, summaries.get(i));
          assertEquals("0", m.group(2), "no ENOENT during the switch: " + summaries.get(i));
          assertEquals("0", m.group(3), summaries.get(i) + err(old, i));
        }
        Matcher pins =
            Pattern.compile("acked=(\\d+) eagain=(\\d+) errors=0 reconnects=(\\d+)")
                .matcher(String.valueOf(summaries.get(2)));
        assertTrue(pins.matches(), summaries.get(2) + err(old, 2));

        assertEquals(socketInode, Files.getAttribute(old.socket, "unix:ino"), "the same socket");
        try (PinbrokerClient c = PinbrokerClient.builder().socket(old.socket).build()) {
          Map<String, NodeInfo> after = new LinkedHashMap<>();
          for (DirEntry e : c.list("/t")) {
            after.put(e.name(), e.info());
          }
          assertEquals(before, after, "names, owners, modes, generations, times, dev:ino");
          try (ReceivedFd got = c.get("/t/n599", Access.READ_ONLY)) {
            assertEquals("v599", Files.readString(Path.of("/proc/self/fd/" + got.fd().value())));
          }
          List<String> acked = Files.exists(acks) ? Files.readAllLines(acks) : List.of();
          assertEquals(Long.parseLong(pins.group(1)), acked.size());
          for (String name : acked) {
            c.stat(name); // every acknowledged pin is there
          }
        }
      } finally {
        successor.destroy();
        successor.waitFor(10, TimeUnit.SECONDS);
        load.forEach(Process::destroyForcibly);
      }
      assertFalse(Files.exists(old.socket), "the successor removes the socket file it now owns");
    }
  }

  @Test
  void anAbandonedHandoffLeavesTheOldBrokerServingAndChanging() throws Exception {
    try (ExternalBroker broker = ExternalBroker.start();
        PinbrokerClient operator = broker.client()) {
      operator.mkdir("/kept", 0755);
      try (PinbrokerClient successor = broker.client();
          TakeoverStart start = successor.takeoverBegin()) {
        assertEquals(0, start.objectCount());
        assertThrows(TryAgainException.class, () -> operator.mkdir("/refused", 0755));
        assertEquals(0755, operator.stat("/kept").mode(), "reads go on");
        // no new connection is accepted now; one made before may not start a second handoff
        assertThrows(BusyException.class, operator::takeoverBegin);
      }
      // the successor's connection ended before DONE: the broker carries on
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (true) {
        try {
          operator.mkdir("/again", 0755);
          break;
        } catch (TryAgainException e) {
          assertTrue(System.nanoTime() < deadline, "still frozen after the successor left");
          Thread.sleep(20);
        }
      }
      try (PinbrokerClient fresh = broker.client()) {
        assertEquals(0755, fresh.stat("/again").mode(), "and accepts new clients");
      }
    }
  }

  @Test
  void aSuccessorOfAnotherUidIsRefusedAndChangesNothing() throws Exception {
    Capability.requireRoot("a successor of another uid needs setpriv");
    try (ExternalBroker broker = ExternalBroker.start()) {
      Proc.Result r =
          Proc.run(
              List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                  broker.home.resolve("dist/bin/pinbrokerd").toString(),
                  "--socket", broker.socket.toString(), "--takeover"),
              Map.of(),
              broker.home);
      assertEquals(1, r.exit(), r.toString());
      assertTrue(r.err().contains("only root or the broker's own uid may take it over"), r.toString());
      try (PinbrokerClient c = broker.client()) {
        c.mkdir("/still", 0755);
      }
      assertTrue(broker.process.isAlive());
    }
  }

  private static String err(ExternalBroker b, int i) throws IOException {
    return "\n" + Files.readString(b.home.resolve("load" + i + ".err"));
  }
}
