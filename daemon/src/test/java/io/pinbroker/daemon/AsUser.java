package io.pinbroker.daemon;

import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Connections made with another uid's credentials from this (root) process: a short-lived thread
 * takes the credentials, for itself alone, and connects, so that the broker's SO_PEERCRED and
 * SO_PEERGROUPS report them. The socket then serves any thread, with the credentials of its
 * connect, as it would in another process. The socket's directory must let the uid search it.
 */
final class AsUser {
  static final int NOBODY = 65534;

  private AsUser() {}

  /** A socket connected to {@code path} as {@code uid}:{@code gid} with {@code groups}. */
  static UnixSocket connect(Path path, int uid, int gid, int... groups) throws IOException {
    Capability.requireRoot("connect as uid " + uid);
    UnixSocket.connect(path).close(); // loads what connecting takes while still root
    AtomicReference<Object> out = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .name("as-uid-" + uid)
            .start(
                () -> {
                  try {
                    Syscalls.becomeOnThisThread(uid, gid, groups);
                    out.set(UnixSocket.connect(path));
                  } catch (IOException | RuntimeException e) {
                    out.set(e);
                  }
                });
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return switch (out.get()) {
      case UnixSocket s -> s;
      case IOException e -> throw e;
      case RuntimeException e -> throw e;
      default -> throw new IOException("no socket");
    };
  }
}
