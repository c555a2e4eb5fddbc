package io.pinbroker.sim;

import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import java.io.IOException;

/** Telling simulated objects from other descriptors. Stateless and thread-safe. */
public final class SimObjects {
  private SimObjects() {}

  /**
   * What kind of simulated object {@code fd} is, judged by its magic alone: SIM_MAP for "PBSIMMAP",
   * SIM_PROG for "PBSIMPRG", null for anything else (not a regular file, unreadable, shorter than 8
   * bytes, other bytes). The first 8 bytes are read with pread, so the fd's file offset does not
   * move. The header is not validated: {@link SimMap#open} and {@link SimProg#read} do that. The fd
   * is borrowed.
   *
   * @throws ErrnoException only when the fd itself is bad (statx fails, e.g. EBADF)
   */
  public static SimObjectKind identify(int fd) throws IOException {
    FileStat st = FileOps.stat(fd);
    if (st.type() != FileStat.S_IFREG || st.size() < 8) {
      return null;
    }
    byte[] magic;
    try {
      magic = SimFormat.readPrefix(fd, 8);
    } catch (ErrnoException e) {
      return null;
    }
    return magic.length == 8 ? SimFormat.kindOf(magic) : null;
  }
}
