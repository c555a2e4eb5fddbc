package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectDetails;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Walks the whole tree: to write it out, and for the relations between entries (which prog arrays
 * hold which programs). Called under the namespace's lock; each walk visits every node once.
 */
final class Trees {
  private Trees() {}

  /** Every node below {@code dir}, each directory before what it holds, with its path. */
  static void forEachNode(Directory dir, String prefix, BiConsumer<String, Node> visit) {
    for (Node child : dir.children) {
      String path = prefix + "/" + child.name;
      visit.accept(path, child);
      if (child instanceof Directory d) {
        forEachNode(d, path, visit);
      }
    }
  }

  static void forEachEntry(Directory dir, String prefix, BiConsumer<String, Entry> visit) {
    for (Node child : dir.children) {
      String path = prefix + "/" + child.name;
      switch (child) {
        case Directory d -> forEachEntry(d, path, visit);
        case Entry e -> visit.accept(path, e);
      }
    }
  }

  /** "PATH slot N" of a held prog array that refers to {@code progId}, or null. */
  static String progArrayUsing(Directory root, int progId) {
    String[] found = new String[1];
    forEachEntry(
        root,
        "",
        (path, e) -> {
          if (found[0] == null && e.object.isProgArray()) {
            for (int[] slot : slotsOf(e)) {
              if (slot[1] == progId) {
                found[0] = path + " slot " + slot[0];
                return;
              }
            }
          }
        });
    return found[0];
  }

  /**
   * The entry's info with its prog array members and, where {@code visible} allows, the names
   * that hold each program.
   */
  static NodeInfo withMembers(Directory root, Entry array, Predicate<String> visible) {
    NodeInfo info = array.info();
    ObjectDetails.MapDetails m = (ObjectDetails.MapDetails) info.details();
    Map<Integer, String> holders = new HashMap<>();
    forEachEntry(
        root,
        "",
        (path, e) -> {
          int id = e.object.progId();
          if (id != 0 && !holders.containsKey(id) && visible.test(path)) {
            holders.put(id, path);
          }
        });
    List<ObjectDetails.ProgArraySlot> members = new ArrayList<>();
    for (int[] slot : slotsOf(array)) {
      members.add(
          new ObjectDetails.ProgArraySlot(slot[0], slot[1], holders.getOrDefault(slot[1], "")));
    }
    return info.withDetails(
        new ObjectDetails.MapDetails(
            m.mapType(), m.id(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), m.name(),
            members));
  }

  private static List<int[]> slotsOf(Entry e) {
    try {
      return e.object.progArraySlots();
    } catch (IOException unreadable) {
      return List.of();
    }
  }
}
