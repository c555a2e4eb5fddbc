package io.pinbroker.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A watcher's queue stays bounded, and a watcher that fell behind gets exactly one OVERFLOW. */
class WatchQueueTest {
  private final AtomicInteger rings = new AtomicInteger();

  private static WatchEvent created(int n) {
    NodeInfo info =
        new NodeInfo(NodeType.ENTRY, ObjectKind.FD, FdType.PIPE, 0600, 0, 0, n, 0, 0, 0, 0, 0, 0);
    return new WatchEvent(EventType.CREATED, "/e" + n, "", info);
  }

  private static List<String> drain(WatchQueue q) {
    List<String> got = new ArrayList<>();
    for (WatchEvent e = q.poll(); e != null; e = q.poll()) {
      got.add(e.type() == EventType.OVERFLOW ? "OVERFLOW" : e.path());
    }
    return got;
  }

  @Test
  void eventsComeOutInOrderAndTheBellRingsOnlyForAnEmptyQueue() {
    WatchQueue q = new WatchQueue(8, rings::incrementAndGet);
    q.offer(created(1));
    q.offer(created(2));
    assertEquals(1, rings.get());
    assertEquals(List.of("/e1", "/e2"), drain(q));
    q.offer(created(3));
    assertEquals(2, rings.get());
  }

  @Test
  void aWatcherThatDoesNotReadCostsAtMostTheCapacity() {
    WatchQueue q = new WatchQueue(WatchQueue.CAPACITY, rings::incrementAndGet);
    for (int i = 0; i < 10 * WatchQueue.CAPACITY; i++) {
      q.offer(created(i));
    }
    assertEquals(WatchQueue.CAPACITY, q.size());
    List<String> got = drain(q);
    assertEquals(WatchQueue.CAPACITY + 1, got.size());
    assertEquals("/e0", got.getFirst());
    assertEquals("/e" + (WatchQueue.CAPACITY - 1), got.get(WatchQueue.CAPACITY - 1));
    assertEquals("OVERFLOW", got.getLast(), "the overflow comes after what was queued before it");
  }

  @Test
  void oneOverflowCoversEveryLossUntilItIsDelivered() {
    WatchQueue q = new WatchQueue(4, rings::incrementAndGet);
    for (int i = 0; i < 6; i++) { // 4 queued, 2 lost
      q.offer(created(i));
    }
    assertEquals("/e0", q.poll().path()); // room: an OVERFLOW goes in at the tail
    q.offer(created(6)); // full again: lost, but the queued OVERFLOW comes after this loss
    q.offer(created(7));
    assertEquals("/e1", q.poll().path());
    q.offer(created(8)); // room for one: queued after the OVERFLOW
    assertEquals(List.of("/e2", "/e3", "OVERFLOW", "/e8"), drain(q));
    q.offer(created(9));
    assertEquals(List.of("/e9"), drain(q), "no second OVERFLOW without a new loss");
  }

  @Test
  void aNewLossAfterTheOverflowWentOutGetsAnotherOne() {
    WatchQueue q = new WatchQueue(2, rings::incrementAndGet);
    for (int i = 0; i < 3; i++) {
      q.offer(created(i));
    }
    assertEquals(List.of("/e0", "/e1", "OVERFLOW"), drain(q));
    for (int i = 3; i < 6; i++) {
      q.offer(created(i));
    }
    assertEquals(List.of("/e3", "/e4", "OVERFLOW"), drain(q));
  }

  @Test
  void aClosedQueueTakesNothingAndRingsNoMore() {
    WatchQueue q = new WatchQueue(4, rings::incrementAndGet);
    q.offer(created(1));
    q.close();
    q.offer(created(2));
    assertNull(q.poll());
    assertEquals(1, rings.get());
  }
}
