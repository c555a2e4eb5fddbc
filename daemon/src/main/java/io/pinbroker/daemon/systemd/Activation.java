package io.pinbroker.daemon.systemd;

import io.pinbroker.unix.Environment;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * systemd socket activation (sd_listen_fds_with_names(3)): the fds from 3 on, when LISTEN_PID is
 * this process: the listening socket named {@value #API}, and whatever the fd store gives back,
 * by FDNAME. A single fd with another name (as systemd-socket-activate passes) is the listener.
 * The LISTEN_* variables are unset either way so that nothing this process starts
 * inherits them.
 */
public final class Activation {
  /** The FileDescriptorName= of the listening socket in pinbroker.socket. */
  public static final String API = "api";

  private static final Logger LOG = Logger.getLogger(Activation.class.getName());
  private static final int FIRST_FD = 3;

  /**
   * What the service manager passed.
   *
   * @param listener the listening socket, or null when this process was not socket-activated
   * @param stored the fd store's fds by name, owned by the caller
   */
  public record Inherited(SeqpacketListener listener, Map<String, Fd> stored) {
    public static final Inherited NOTHING = new Inherited(null, Map.of());
  }

  private Activation() {}

  /** The fds passed to this process, if LISTEN_PID names it. */
  public static Inherited inherit(Map<String, String> env, long pid) throws IOException {
    String listenPid = env.get("LISTEN_PID");
    String listenFds = env.get("LISTEN_FDS");
    Environment.unset("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
    if (listenPid == null || listenFds == null || !listenPid.equals(Long.toString(pid))) {
      return Inherited.NOTHING;
    }
    int count = Integer.parseInt(listenFds);
    List<String> names = Arrays.asList(env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1));
    SeqpacketListener listener = null;
    Map<String, Fd> stored = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      Fd fd = Fd.adopt(FIRST_FD + i);
      String name = i < names.size() ? names.get(i) : "unknown";
      if (name.equals(API) || (count == 1 && !isStoreName(name))) {
        try {
          listener = SeqpacketListener.adopt(fd);
        } catch (IOException e) {
          fd.close();
          throw e;
        }
      } else if (stored.putIfAbsent(name, fd) != null) {
        LOG.warning("ignoring a second inherited fd named " + name + " (fd " + (FIRST_FD + i) + ")");
        fd.close();
      }
    }
    return new Inherited(listener, stored);
  }

  /** Names the broker gives what it keeps in the fd store: {@code o<id>}, {@code journal-<n>}. */
  private static boolean isStoreName(String name) {
    return name.startsWith("journal-") || name.matches("o[0-9a-z]+");
  }
}
