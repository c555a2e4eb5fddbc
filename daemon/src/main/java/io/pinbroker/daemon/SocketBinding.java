package io.pinbroker.daemon;

import io.pinbroker.client.SocketLocation;
import io.pinbroker.unix.SeqpacketListener;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Chooses and binds the listening socket. */
final class SocketBinding {
  /**
   * Clients that connect while the broker is not accepting (a handoff, a busy moment) wait here;
   * as systemd's Backlog= default, the kernel caps it at net.core.somaxconn.
   */
  private static final int BACKLOG = 4096;

  private SocketBinding() {}

  /**
   * The configured path, else {@code PINBROKER_SOCKET}, else the first standard location whose
   * directory this process can create and write (see {@link SocketLocation}).
   */
  static Path choose(Path configured, Map<String, String> env) throws IOException {
    if (configured != null) {
      return configured;
    }
    Path fromEnv = SocketLocation.fromEnvironment(env);
    if (fromEnv != null) {
      return fromEnv;
    }
    List<Path> candidates = SocketLocation.candidates(env);
    for (Path p : candidates) {
      if (usableDirectory(p.getParent())) {
        return p;
      }
    }
    throw new IOException("no writable directory for the socket among " + candidates);
  }

  private static boolean usableDirectory(Path dir) {
    try {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && Files.isWritable(dir);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Binds {@code path}, replacing a stale socket file but never a live broker's. */
  static SeqpacketListener bind(Path path, int mode) throws IOException {
    Files.createDirectories(path.getParent());
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!"s".equals(fileType(path))) {
        throw new IOException(path + " exists and is not a socket");
      }
      if (isLive(path)) {
        throw new IOException("another broker is listening on " + path);
      }
      Files.delete(path);
    }
    SeqpacketListener listener = SeqpacketListener.bind(path, BACKLOG);
    try {
      Files.setPosixFilePermissions(path, permissions(mode));
      return listener;
    } catch (IOException e) {
      listener.close();
      throw e;
    }
  }

  private static boolean isLive(Path path) {
    try {
      UnixSocket.connect(path).close();
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static String fileType(Path path) throws IOException {
    Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return ((Integer) mode & 0170000) == 0140000 ? "s" : "other";
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }
}
