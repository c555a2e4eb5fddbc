package io.pinbroker.daemon.it;

import io.pinbroker.client.Access;
import io.pinbroker.client.EntryExistsException;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.client.TryAgainException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;

/**
 * A client process that keeps going through a broker handoff, reconnecting when its connection
 * ends. Usage: {@code TakeoverLoad SOCKET get PREFIX COUNT STOPFILE} gets PREFIX0..PREFIX(COUNT-1)
 * at random and prints {@code gets=N enoent=E errors=X reconnects=R}; {@code TakeoverLoad SOCKET
 * pin PREFIX ACKFILE STOPFILE} pins PREFIX1, PREFIX2, ... appending each acknowledged name to
 * ACKFILE (at most 4000) and prints {@code acked=N eagain=A errors=X reconnects=R}. Prints {@code
 * ready} first.
 */
public final class TakeoverLoad {
  /** Pins held by the pinning load at most: well under the fd limit of both brokers. */
  private static final int MAX_PINS = 4000;

  private final Path socket;
  private PinbrokerClient client;
  private long reconnects;

  private TakeoverLoad(Path socket) throws IOException {
    this.socket = socket;
    this.client = connect();
  }

  private PinbrokerClient connect() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(10)).build();
  }

  /** After the connection ended (the old broker drained it): a new one, to whoever serves. */
  private void reconnect() throws IOException, InterruptedException {
    client.close();
    reconnects++;
    for (int tries = 0; ; tries++) {
      try {
        client = connect();
        return;
      } catch (IOException e) {
        if (tries == 100) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    TakeoverLoad load = new TakeoverLoad(Path.of(args[0]));
    System.out.println("ready");
    System.out.flush();
    String result =
        args[1].equals("get")
            ? load.gets(args[2], Integer.parseInt(args[3]), Path.of(args[4]))
            : load.pins(args[2], Path.of(args[3]), Path.of(args[4]));
    System.out.println(result + " reconnects=" + load.reconnects);
  }

  private String gets(String prefix, int count, Path stop) throws Exception {
    Random random = new Random();
    long gets = 0;
    long enoent = 0;
    long errors = 0;
    while (!Files.exists(stop)) {
      String name = prefix + random.nextInt(count);
      try {
        client.get(name, Access.READ_ONLY).close();
        gets++;
      } catch (NoSuchEntryException e) {
        enoent++;
        System.err.println("ENOENT: " + name);
      } catch (PinbrokerException e) {
        errors++;
        System.err.println(name + ": " + e);
      } catch (IOException e) {
        reconnect();
      }
    }
    return "gets=" + gets + " enoent=" + enoent + " errors=" + errors;
  }

  private String pins(String prefix, Path acks, Path stop) throws Exception {
    long acked = 0;
    long eagain = 0;
    long errors = 0;
    int i = 1;
    boolean retry = false;
    while (!Files.exists(stop)) {
      if (acked >= MAX_PINS) {
        Thread.sleep(10); // enough: a broker near its fd limit could not hand over
        continue;
      }
      String name = prefix + i;
      try (Fd fd = FileOps.memfd("load", 8, 0)) {
        client.pin(name, fd.value(), PinOptions.DEFAULT);
        ack(acks, name);
        acked++;
        i++;
        retry = false;
      } catch (TryAgainException e) {
        eagain++;
        Thread.sleep(5);
      } catch (EntryExistsException e) {
        if (!retry) {
          throw e;
        }
        ack(acks, name); // the pin whose reply the ended connection took with it did happen
        acked++;
        i++;
        retry = false;
      } catch (PinbrokerException e) {
        errors++;
        System.err.println(name + ": " + e);
        i++;
      } catch (IOException e) {
        reconnect();
        retry = true;
      }
    }
    return "acked=" + acked + " eagain=" + eagain + " errors=" + errors;
  }

  private static void ack(Path acks, String name) throws IOException {
    Files.writeString(acks, name + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
