package io.pinbroker.unix;

import java.util.Arrays;

/**
 * Who is at the other end of a Unix socket, as the kernel reported it at connect time
 * (SO_PEERCRED and SO_PEERGROUPS). Never taken from message contents.
 */
public final class PeerCredentials {
  private final int pid;
  private final int uid;
  private final int gid;
  private final int[] groups;

  public PeerCredentials(int pid, int uid, int gid, int... groups) {
    this.pid = pid;
    this.uid = uid;
    this.gid = gid;
    this.groups = groups.clone();
    Arrays.sort(this.groups);
  }

  public int pid() {
    return pid;
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  /** True if {@code g} is the primary group or one of the supplementary groups. */
  public boolean inGroup(int g) {
    return g == gid || Arrays.binarySearch(groups, g) >= 0;
  }

  public int[] groups() {
    return groups.clone();
  }

  @Override
  public String toString() {
    return "pid=" + pid + " uid=" + uid + " gid=" + gid + " groups=" + Arrays.toString(groups);
  }
}
