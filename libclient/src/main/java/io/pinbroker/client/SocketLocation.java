package io.pinbroker.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the broker's socket is. An explicit path wins, then {@code PINBROKER_SOCKET}, then the
 * standard path {@value #DEFAULT}. A broker that cannot create {@code /run/pinbroker} (not root)
 * falls back to {@code $XDG_RUNTIME_DIR/pinbroker/} or {@code $TMPDIR/pinbroker-UID/}; clients look
 * in the same places, in the same order.
 */
public final class SocketLocation {
  public static final String DEFAULT = "/run/pinbroker/pinbroker.sock";
  public static final String ENV = "PINBROKER_SOCKET";
  private static final String FILE = "pinbroker.sock";

  private SocketLocation() {}

  /** The explicitly configured socket ({@code PINBROKER_SOCKET}), if any. */
  public static Path fromEnvironment(Map<String, String> env) {
    String v = env.get(ENV);
    return v == null || v.isEmpty() ? null : Path.of(v);
  }

  /** The standard path first, then the unprivileged fallbacks. */
  public static List<Path> candidates(Map<String, String> env) {
    List<Path> paths = new ArrayList<>();
    paths.add(Path.of(DEFAULT));
    String xdg = env.get("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isEmpty()) {
      paths.add(Path.of(xdg, "pinbroker", FILE));
    }
    paths.add(Path.of(System.getProperty("java.io.tmpdir"), "pinbroker-" + currentUid(), FILE));
    return paths;
  }

  /** For a client: the configured socket, else the first candidate that exists, else DEFAULT. */
  public static Path forClient(Map<String, String> env) {
    Path configured = fromEnvironment(env);
    if (configured != null) {
      return configured;
    }
    for (Path p : candidates(env)) {
      if (Files.exists(p)) {
        return p;
      }
    }
    return Path.of(DEFAULT);
  }

  public static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }
}
