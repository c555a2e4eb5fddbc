package io.pinbroker.sim;

import io.pinbroker.unix.Liveness;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer spinlock and the sequence counter of a sim-map header (SIMOBJECTS.md, section
 * "Concurrency"), shared between every process that maps the file.
 *
 * <p>Writers: {@link #lock()}, then {@link #beginWrite()} (sequence odd), plain stores, {@link
 * #endWrite()} (sequence even), {@link #unlock()}. Readers: {@link #readBegin()}, plain loads,
 * {@link #readValid(int)}; retry when it is false. Readers never store, so they work on a read-only
 * mapping. Thread-safe; not reentrant.
 */
final class SeqLock {
  /** How long a writer waits for a live lock holder, or a reader for a writer, before EBUSY. */
  static final long WAIT_NANOS = 5_000_000_000L;

  private static final VarHandle WORD =
      ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
  private static final int SPINS = 200;
  private static final long CHECK_INTERVAL_NANOS = 1_000_000L;
  private static final int SELF = (int) ProcessHandle.current().pid();

  private final MemorySegment seg;

  SeqLock(MemorySegment seg) {
    this.seg = seg;
  }

  /**
   * Takes the writer lock: CAS 0 -> our pid, or CAS dead-pid -> our pid when the holder no longer
   * exists. Returns true when the previous holder died between {@link #beginWrite()} and {@link
   * #endWrite()} (the sequence is still odd): the caller must then repair what the header counts
   * inside a write section.
   *
   * @throws SimMapException EBUSY after {@link #WAIT_NANOS} behind a live holder
   */
  boolean lock() throws SimMapException {
    Backoff b = new Backoff();
    while (true) {
      int holder = (int) WORD.getVolatile(seg, MapHeader.LOCK);
      if (holder == 0) {
        if (WORD.compareAndSet(seg, MapHeader.LOCK, 0, SELF)) {
          return false;
        }
      } else if (b.timeToCheck() && holder != SELF && !Liveness.alive(holder)) {
        if (WORD.compareAndSet(seg, MapHeader.LOCK, holder, SELF)) {
          return (((int) WORD.getVolatile(seg, MapHeader.SEQ)) & 1) != 0;
        }
      }
      b.pause("writer lock held by pid " + Integer.toUnsignedString(holder));
    }
  }

  /** Releases the writer lock; every store made under it is visible before the release. */
  void unlock() {
    WORD.setRelease(seg, MapHeader.LOCK, 0);
  }

  /** Makes the sequence odd (it already is after a recovery) before any data store. */
  void beginWrite() {
    int s = (int) WORD.getOpaque(seg, MapHeader.SEQ);
    WORD.setOpaque(seg, MapHeader.SEQ, s | 1);
    VarHandle.storeStoreFence();
  }

  /** Makes the sequence even again, after (release) every data store of the section. */
  void endWrite() {
    int s = (int) WORD.getOpaque(seg, MapHeader.SEQ);
    WORD.setRelease(seg, MapHeader.SEQ, (s | 1) + 1);
  }

  /**
   * Waits for an even sequence and returns it.
   *
   * @throws SimMapException EOWNERDEAD when the sequence stays odd because its writer died, EBUSY
   *     after {@link #WAIT_NANOS} behind a live writer
   */
  int readBegin() throws SimMapException {
    Backoff b = null;
    while (true) {
      int s = (int) WORD.getAcquire(seg, MapHeader.SEQ);
      if ((s & 1) == 0) {
        return s;
      }
      if (b == null) {
        b = new Backoff();
      } else if (b.timeToCheck()) {
        int holder = (int) WORD.getAcquire(seg, MapHeader.LOCK);
        if ((int) WORD.getAcquire(seg, MapHeader.SEQ) == s
            && (holder == 0 || (holder != SELF && !Liveness.alive(holder)))) {
          throw new SimMapException(
              SimMapException.EOWNERDEAD,
              "a writer (pid "
                  + Integer.toUnsignedString(holder)
                  + ") died in the middle of an update; the next write repairs the map");
        }
      }
      b.pause("a writer keeps the sequence odd");
    }
  }

  /** True if nothing was written since {@link #readBegin()} returned {@code s}. */
  boolean readValid(int s) {
    VarHandle.loadLoadFence();
    return (int) WORD.getAcquire(seg, MapHeader.SEQ) == s;
  }

  /** The count word, read atomically (outside or inside a read section). */
  int count() {
    return (int) WORD.getAcquire(seg, MapHeader.COUNT);
  }

  /** Spin, then yield, then park, with a deadline and a pace for liveness checks. */
  private static final class Backoff {
    private final long start = System.nanoTime();
    private long lastCheck = start;
    private int rounds;

    boolean timeToCheck() {
      long now = System.nanoTime();
      if (rounds < SPINS || now - lastCheck < CHECK_INTERVAL_NANOS) {
        return false;
      }
      lastCheck = now;
      return true;
    }

    void pause(String why) throws SimMapException {
      rounds++;
      if (rounds < SPINS) {
        Thread.onSpinWait();
        return;
      }
      if (System.nanoTime() - start > WAIT_NANOS) {
        throw new SimMapException(SimMapException.EBUSY, why + " for over 5 s");
      }
      if (rounds < 2 * SPINS) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(20_000L);
      }
    }
  }
}
