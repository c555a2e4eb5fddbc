package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;

/**
 * The sizes of the objects one LIST page reports: a size that can change (a file or an unsealed
 * memfd) is read from the kernel once per inode and page, however many names hold it, rather than
 * once per name. Within a page, which is one snapshot, two names for one inode show one size.
 */
final class PageSizes {
  private long[] devs = new long[16];
  private long[] inos = new long[16];
  private long[] sizes = new long[16];
  private boolean[] used = new boolean[16];
  private int count;

  long of(HeldObject object) {
    if (!object.sizeChanges()) {
      return object.size();
    }
    long dev = object.dev();
    long ino = object.ino();
    int mask = used.length - 1;
    int i = (int) mix(dev, ino) & mask;
    while (used[i]) {
      if (devs[i] == dev && inos[i] == ino) {
        return sizes[i];
      }
      i = (i + 1) & mask;
    }
    long size = object.size();
    used[i] = true;
    devs[i] = dev;
    inos[i] = ino;
    sizes[i] = size;
    if (++count * 2 > used.length) {
      grow();
    }
    return size;
  }

  private static long mix(long dev, long ino) {
    long h = (ino ^ (dev * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
    return h ^ (h >>> 31);
  }

  private void grow() {
    long[] d = devs;
    long[] n = inos;
    long[] s = sizes;
    boolean[] u = used;
    devs = new long[u.length * 2];
    inos = new long[u.length * 2];
    sizes = new long[u.length * 2];
    used = new boolean[u.length * 2];
    int mask = used.length - 1;
    for (int j = 0; j < u.length; j++) {
      if (u[j]) {
        int i = (int) mix(d[j], n[j]) & mask;
        while (used[i]) {
          i = (i + 1) & mask;
        }
        used[i] = true;
        devs[i] = d[j];
        inos[i] = n[j];
        sizes[i] = s[j];
      }
    }
  }
}
