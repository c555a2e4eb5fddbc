package io.pinbroker.daemon.systemd;

import io.pinbroker.unix.Environment;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.SeqpacketListener;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * systemd socket activation (sd_listen_fds(3)): the listening socket named {@value #API} among
 * the fds from 3 on, when LISTEN_PID is this process. The LISTEN_* variables are unset either way
 * so that nothing this process starts inherits them.
 */
public final class Activation {
  /** The FileDescriptorName= of the listening socket in pinbroker.socket. */
  public static final String API = "api";

  private static final Logger LOG = Logger.getLogger(Activation.class.getName());
  private static final int FIRST_FD = 3;

  private Activation() {}

  /** The inherited listener, or null when this process was not socket-activated. */
  public static SeqpacketListener listener(Map<String, String> env, long pid) throws IOException {
    String listenPid = env.get("LISTEN_PID");
    String listenFds = env.get("LISTEN_FDS");
    Environment.unset("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
    if (listenPid == null || listenFds == null || !listenPid.equals(Long.toString(pid))) {
      return null;
    }
    int count = Integer.parseInt(listenFds);
    List<String> names = Arrays.asList(env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1));
    int api = count == 1 && !names.contains(API) ? 0 : names.indexOf(API);
    if (api < 0 || api >= count) {
      throw new IOException("socket-activated, but none of the " + count + " fds is named " + API);
    }
    SeqpacketListener listener = null;
    for (int i = 0; i < count; i++) {
      Fd fd = Fd.adopt(FIRST_FD + i);
      if (i == api) {
        try {
          listener = SeqpacketListener.adopt(fd);
        } catch (IOException e) {
          fd.close();
          throw e;
        }
      } else {
        LOG.warning("ignoring inherited fd " + (FIRST_FD + i) + " (" + names.get(Math.min(i, names.size() - 1)) + ")");
        fd.close();
      }
    }
    return listener;
  }
}
