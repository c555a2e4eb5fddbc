package io.pinbroker.unix;

/**
 * What statx(2) says of an open file.
 *
 * @param mode st_mode: type and permission bits
 * @param dev the device number, encoded as st_dev is (as {@code stat -c %d} prints it)
 */
public record FileStat(int mode, int uid, int gid, long dev, long ino, long size) {
  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  public int type() {
    return mode & S_IFMT;
  }

  /** "dev:ino", the identity of the object behind an fd. */
  public String identity() {
    return Long.toUnsignedString(dev) + ":" + Long.toUnsignedString(ino);
  }
}
