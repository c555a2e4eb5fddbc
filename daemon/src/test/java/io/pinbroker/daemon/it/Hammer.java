package io.pinbroker.daemon.it;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinOptions;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.nio.file.Path;

/**
 * A client process that pins, gets, renames and unlinks under {@code DIR} until it is killed.
 * Usage: {@code Hammer SOCKET DIR}. Tests SIGKILL it at random moments.
 */
public final class Hammer {
  private Hammer() {}

  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    String dir = args[1];
    try (PinbrokerClient c = PinbrokerClient.builder().socket(socket).build()) {
      c.mkdir(dir, 0755);
      System.out.println("ready");
      System.out.flush();
      for (long i = 0; ; i++) {
        String name = dir + "/" + (i % 16);
        try (Fd m = FileOps.memfd("h", 64, 0)) {
          c.pin(name, m.value(), PinOptions.DEFAULT.replacing());
        }
        try (ReceivedFd got = c.get(name, Access.READ_ONLY)) {
          if (got.info().generation() != c.stat(name).generation()) {
            throw new IllegalStateException("only this process writes " + name);
          }
        }
        c.rename(name, name + "-moved", RenameMode.REPLACE);
        if (i % 3 == 0) {
          c.unlink(name + "-moved");
        }
      }
    }
  }
}
