package io.pinbroker.sim;

import static io.pinbroker.sim.SimArrayTest.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.unix.Fd;
import io.pinbroker.unix.Liveness;
import io.pinbroker.unix.SharedMemory;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer lock of a process that died is taken over, and readers are not fooled by a
 * half-finished write. A lock holder is faked by writing a pid into the header.
 */
@ExtendWith(FdLeakCheck.class)
class SimLockRecoveryTest {
  private static final long LOCK = 48;
  private static final long SEQ = 52;
  private static final long COUNT = 56;

  /** A child process that does nothing until killed; no pipes to it. */
  static Process sleeper() throws Exception {
    return new ProcessBuilder("sleep", "60")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  static int deadPid() throws Exception {
    Process p = sleeper();
    p.destroyForcibly();
    p.waitFor();
    return (int) p.pid();
  }

  @Test
  void livenessTellsRunningFromGone() throws Exception {
    assertTrue(Liveness.alive((int) ProcessHandle.current().pid()));
    assertFalse(Liveness.alive(deadPid()));
    assertFalse(Liveness.alive(0));
  }

  @Test
  void aDeadWritersLockIsStolenAndTheCountsRepaired() throws Exception {
    try (Fd fd = SimMap.create(SimMapType.HASH, 4, 4, 8, "crash");
        SimMap m = SimMap.open(fd.value(), true);
        Arena a = Arena.ofConfined()) {
      for (int i = 0; i < 3; i++) {
        m.update(Bytes.u32(i), Bytes.u32(i), SimMap.ANY);
      }
      MemorySegment raw = SharedMemory.map(fd.value(), 64, true, a);
      // As if a writer was SIGKILLed in the middle of an insert: lock held, sequence odd, the
      // count already bumped.
      raw.set(SimFormat.U32, LOCK, deadPid());
      raw.set(SimFormat.U32, SEQ, raw.get(SimFormat.U32, SEQ) | 1);
      raw.set(SimFormat.U32, COUNT, 4);

      assertEquals(SimMapException.EOWNERDEAD, errno(() -> m.lookup(Bytes.u32(1))));
      m.update(Bytes.u32(9), Bytes.u32(9), SimMap.NOEXIST);
      assertEquals(0, raw.get(SimFormat.U32, LOCK));
      assertEquals(0, raw.get(SimFormat.U32, SEQ) & 1);
      assertEquals(4, m.count(), "recounted to 3, then one insert");
      assertEquals(1, Bytes.readU32(m.lookup(Bytes.u32(1))));
    }
  }

  @Test
  void aLiveHolderIsWaitedFor() throws Exception {
    Process holder = sleeper();
    try (Fd fd = SimMap.create(SimMapType.ARRAY, 4, 4, 2, "wait");
        SimMap m = SimMap.open(fd.value(), true);
        Arena a = Arena.ofConfined()) {
      MemorySegment raw = SharedMemory.map(fd.value(), 64, true, a);
      raw.set(SimFormat.U32, LOCK, (int) holder.pid());
      CompletableFuture<Void> write =
          CompletableFuture.runAsync(
              () -> {
                try {
                  m.update(Bytes.u32(1), Bytes.u32(5), SimMap.ANY);
                } catch (SimMapException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(300);
      assertFalse(write.isDone(), "blocked behind a live holder");
      assertEquals(0, Bytes.readU32(m.lookup(Bytes.u32(1))), "readers do not wait for the lock");

      holder.destroyForcibly();
      holder.waitFor();
      write.get(5, TimeUnit.SECONDS);
      assertEquals(5, Bytes.readU32(m.lookup(Bytes.u32(1))));
      assertEquals(0, raw.get(SimFormat.U32, LOCK));
    } finally {
      holder.destroyForcibly();
      holder.waitFor();
    }
  }

  @Test
  void readersRetryWhileTheSequenceIsOdd() throws Exception {
    Process writer = sleeper();
    try (Fd fd = SimMap.create(SimMapType.ARRAY, 4, 4, 2, "odd");
        SimMap m = SimMap.open(fd.value(), true);
        Arena a = Arena.ofConfined()) {
      MemorySegment raw = SharedMemory.map(fd.value(), 64, true, a);
      raw.set(SimFormat.U32, LOCK, (int) writer.pid());
      raw.set(SimFormat.U32, SEQ, 1);
      CompletableFuture<byte[]> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return m.lookup(Bytes.u32(0));
                } catch (SimMapException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(200);
      assertFalse(read.isDone(), "a live writer is mid-update");
      raw.set(SimFormat.U32, SEQ, 2);
      raw.set(SimFormat.U32, LOCK, 0);
      assertEquals(0, Bytes.readU32(read.get(5, TimeUnit.SECONDS)));
    } finally {
      writer.destroyForcibly();
      writer.waitFor();
    }
  }
}
