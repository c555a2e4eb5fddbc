package io.pinbroker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SIGHUPs become reloads one at a time, merged while one waits, and only once the broker serves. */
class ReloadOnHangupTest {
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private final Semaphore started = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);

  private void reload() {
    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
    started.release();
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.decrementAndGet();
    }
  }

  @Test
  void waitsForTheStartRunsOneAtATimeAndMergesWhatArrivesMeanwhile() throws Exception {
    ReloadOnHangup hup = new ReloadOnHangup(this::reload);
    hup.hangup();
    assertFalse(started.tryAcquire(200, TimeUnit.MILLISECONDS), "no reload before the start");

    hup.serving();
    assertTrue(started.tryAcquire(5, TimeUnit.SECONDS), "the early SIGHUP reloads once serving");
    for (int i = 0; i < 5; i++) {
      hup.hangup(); // during a reload: one more reload, not five
    }
    release.countDown();
    assertTrue(started.tryAcquire(5, TimeUnit.SECONDS), "a SIGHUP during a reload is not lost");
    assertFalse(started.tryAcquire(300, TimeUnit.MILLISECONDS), "five SIGHUPs, one more reload");
    assertEquals(1, mostAtOnce.get(), "never two reloads at once");

    hup.hangup();
    assertTrue(started.tryAcquire(5, TimeUnit.SECONDS), "and the next SIGHUP reloads again");
  }
}
