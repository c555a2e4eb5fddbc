package io.pinbroker.sim;

import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import java.util.StringJoiner;

/**
 * A child process of {@link SimMapConcurrencyTest}: opens the parent's map through
 * /proc/PARENT/fd/N and hammers it, then prints what it saw.
 *
 * <p>Arguments: parent pid, fd number, writer id (1..), milliseconds, own keys, shared keys. Own
 * keys are {@code id << 32 | k}, shared keys {@code k}; every value is four copies of the word
 * {@code writer id << 32 | counter}, so a torn read shows as copies that differ.
 *
 * <p>Output lines: {@code TORN n} (torn or impossible values seen), {@code LOST n} (own keys
 * missing or stale), {@code OPS n}, {@code FINAL c0 c1 ...} (the last counter written to each own
 * key).
 */
public final class SimMapHammer {
  private SimMapHammer() {}

  public static void main(String[] args) throws Exception {
    String path = "/proc/" + args[0] + "/fd/" + args[1];
    long id = Integer.parseInt(args[2]);
    long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L;
    int own = Integer.parseInt(args[4]);
    int shared = Integer.parseInt(args[5]);
    long[] last = new long[own];
    long torn = 0;
    long lost = 0;
    long it = 0;
    try (Fd fd = FileOps.open(path, FileOps.O_RDWR);
        Fd ro = FileOps.reopen(fd.value(), FileOps.O_RDONLY);
        SimMap map = SimMap.open(fd.value(), true);
        SimMap view = SimMap.open(ro.value(), false)) {
      // at least four rounds over its own keys, so that children contend even on a slow start
      for (; it < 4L * own || System.nanoTime() < deadline; it++) {
        int k = (int) (it % own);
        byte[] key = Bytes.u64(id << 32 | k);
        byte[] value = Bytes.selfChecking(id << 32 | it);
        if (it < own) {
          map.update(key, value, SimMap.NOEXIST);
        } else if (it % 7 == 0) {
          map.delete(key);
          map.update(key, value, SimMap.NOEXIST);
        } else {
          map.update(key, value, SimMap.EXIST);
        }
        last[k] = it;

        map.update(Bytes.u64(it % shared), Bytes.selfChecking(id << 32 | it), SimMap.ANY);

        byte[] seen = view.lookup(Bytes.u64((it * 31 + id) % shared));
        if (seen == null || !plausible(seen, -1)) {
          torn++;
        }
        int j = (int) (it * 13 % Math.min(it + 1, own)); // one of the own keys written so far
        byte[] mine = map.lookup(Bytes.u64(id << 32 | j));
        if (mine == null || !Long.valueOf(id << 32 | last[j]).equals(Bytes.checkedWord(mine))) {
          lost++;
        }
        if (it % 2000 == 0) {
          long[] bad = new long[1];
          view.forEach((kk, vv) -> bad[0] += plausible(vv, -1) ? 0 : 1);
          torn += bad[0];
        }
      }
    }
    StringJoiner fin = new StringJoiner(" ", "FINAL ", "");
    for (long c : last) {
      fin.add(Long.toString(c));
    }
    System.out.println("TORN " + torn);
    System.out.println("LOST " + lost);
    System.out.println("OPS " + it);
    System.out.println(fin);
  }

  /** Four equal copies, from writer {@code writer} (or any writer 0..4 when -1). */
  static boolean plausible(byte[] v, long writer) {
    Long w = Bytes.checkedWord(v);
    if (w == null) {
      return false;
    }
    long who = w >>> 32;
    return writer < 0 ? who <= 4 : who == writer;
  }
}
