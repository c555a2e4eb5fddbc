// A client process for the e2e load steps, run as a single-file source program with the
// broker's own jars on the class path:
//   java -cp '/opt/pinbroker/lib/*' Load.java pin WORKER SECONDS DIR [MAX]
//       pins fresh 4 KiB memfds as /load-WORKER-1, -2, ... (at most MAX); each acknowledged pin
//       is a line "MILLIS NAME" in DIR/WORKER.ack, each one that failed or went unanswered is in
//       DIR/WORKER.nack
//   java -cp '/opt/pinbroker/lib/*' Load.java get WORKER SECONDS DIR NAME
//       gets NAME over and over; prints "gets=N enoent=E errors=X reconnects=R" at the end
// A connection the broker drops (it was killed, or handed over) is replaced by a new one.
import io.pinbroker.client.Access;
import io.pinbroker.client.NoSuchEntryException;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.PinbrokerException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

public final class Load {
  private PinbrokerClient client;
  private long reconnects;

  public static void main(String[] args) throws Exception {
    String worker = args[1];
    long end = System.currentTimeMillis() + 1000L * Integer.parseInt(args[2]);
    Path dir = Path.of(args[3]);
    Load load = new Load();
    load.client = connect(end);
    if (args[0].equals("pin")) {
      load.pins(worker, end, dir, args.length > 4 ? Integer.parseInt(args[4]) : Integer.MAX_VALUE);
    } else {
      load.gets(args[4], end);
    }
  }

  private static PinbrokerClient connect(long end) throws IOException, InterruptedException {
    while (true) {
      try {
        return PinbrokerClient.builder().callTimeout(Duration.ofSeconds(5)).build();
      } catch (IOException e) {
        if (System.currentTimeMillis() > end + 15_000) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  private void reconnect(long end) throws IOException, InterruptedException {
    client.close();
    reconnects++;
    client = connect(end);
  }

  private void pins(String worker, long end, Path dir, int max) throws Exception {
    try (PrintWriter ack = writer(dir.resolve(worker + ".ack"));
        PrintWriter nack = writer(dir.resolve(worker + ".nack"))) {
      for (int i = 1; i <= max && System.currentTimeMillis() < end; i++) {
        String name = "/load-" + worker + "-" + i;
        try (Fd fd = FileOps.memfd("load", 4096, 0)) {
          client.pin(name, fd.value(), PinOptions.DEFAULT);
          ack.println(System.currentTimeMillis() + " " + name);
        } catch (PinbrokerException e) {
          nack.println(System.currentTimeMillis() + " " + name + " " + e.getMessage());
        } catch (IOException e) {
          nack.println(System.currentTimeMillis() + " " + name + " unanswered: " + e.getMessage());
          reconnect(end);
        }
      }
    }
  }

  private void gets(String name, long end) throws Exception {
    long gets = 0;
    long enoent = 0;
    long errors = 0;
    while (System.currentTimeMillis() < end) {
      try {
        client.get(name, Access.READ_ONLY).close();
        gets++;
      } catch (NoSuchEntryException e) {
        enoent++;
      } catch (PinbrokerException e) {
        errors++;
      } catch (IOException e) {
        reconnect(end);
      }
    }
    System.out.println(
        "gets=" + gets + " enoent=" + enoent + " errors=" + errors + " reconnects=" + reconnects);
  }

  private static PrintWriter writer(Path file) throws IOException {
    return new PrintWriter(
        Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
  }
}
