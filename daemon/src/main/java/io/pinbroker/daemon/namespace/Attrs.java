package io.pinbroker.daemon.namespace;

/** The owner, group and mode of a node: all the permission check looks at. */
public record Attrs(int uid, int gid, int mode, boolean directory) {
  public static final int STICKY = 01000;

  public boolean sticky() {
    return (mode & STICKY) != 0;
  }
}
