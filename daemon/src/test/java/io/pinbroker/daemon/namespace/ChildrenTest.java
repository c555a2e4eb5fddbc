package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Children against a TreeMap, the structure it replaces, through random changes. */
class ChildrenTest {
  private static Node node(String name) {
    Directory d = new Directory(0, 0, 0755, 1, 0);
    d.name = name;
    return d;
  }

  @Test
  void behavesAsATreeMapThroughRandomPutsRemovesAndPages() {
    Random r = new Random(42);
    for (int keys : new int[] {5, 300, 5000}) {
      Children c = new Children();
      TreeMap<String, Node> model = new TreeMap<>();
      for (int step = 0; step < 40_000; step++) {
        String name = "n" + r.nextInt(keys) + (r.nextBoolean() ? "" : "\ue000😀".substring(0, 1 + r.nextInt(2)));
        switch (r.nextInt(4)) {
          case 0, 1 -> {
            Node n = node(name);
            assertSame(model.put(name, n), c.put(n), name);
          }
          case 2 -> assertSame(model.remove(name), c.remove(name), name);
          default -> {
            assertSame(model.get(name), c.get(name), name);
            assertEquals(names(model.tailMap(name, false).values().iterator()), names(c.after(name)));
          }
        }
        assertEquals(model.size(), c.size());
        assertEquals(model.isEmpty(), c.isEmpty());
      }
      assertEquals(names(model.values().iterator()), names(c.iterator()));
    }
  }

  @Test
  void namesAddedInOrderFillTheirChunks() {
    Children c = new Children();
    for (int i = 0; i < 10 * Children.CHUNK; i++) {
      c.put(node(String.format("m%06d", i)));
    }
    assertEquals(10 * Children.CHUNK, c.size());
    assertEquals("m000000", c.iterator().next().name);
    assertFalse(c.after("m" + 10 * Children.CHUNK).hasNext());
    assertTrue(c.after("").hasNext());
    assertNull(c.get("m"));
  }

  @Test
  void namesAfterEveryOneAreAbsentWhateverTheChunkTableHolds() {
    Children c = new Children();
    for (int i = 0; i < 20 * Children.CHUNK; i++) {
      c.put(node(String.format("m%06d", i)));
      assertNull(c.get("z"), "after " + (i + 1) + " names");
      assertNull(c.remove("z"));
      assertFalse(c.after("z").hasNext());
    }
  }

  @Test
  void emptiesAndFillsAgain() {
    Children c = new Children();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add("x" + i);
      c.put(node("x" + i));
    }
    for (String n : all) {
      assertEquals(n, c.remove(n).name);
    }
    assertTrue(c.isEmpty());
    assertFalse(c.iterator().hasNext());
    assertNull(c.remove("x1"));
    c.put(node("again"));
    assertEquals(Map.of("again", 1), Map.of(c.iterator().next().name, c.size()));
  }

  private static List<String> names(Iterator<Node> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(n -> out.add(n.name));
    return out;
  }
}
