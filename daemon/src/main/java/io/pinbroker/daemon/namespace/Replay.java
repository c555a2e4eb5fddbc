package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Applies logged {@link Change}s to a tree, as they were applied before: no clock, no permission
 * checks. A change that does not fit the tree (a journal damaged by hand) is skipped and counted.
 */
public final class Replay {
  private static final Logger LOG = Logger.getLogger(Replay.class.getName());

  /** Where replayed entries get their objects. */
  public interface Objects {
    /** The object an entry names, now owned by the tree; null if it did not come back. */
    HeldObject take(Change.PutEntry entry);
  }

  /**
   * What a replay rebuilt.
   *
   * @param names names in the tree (the root excepted)
   * @param lost paths of entries whose object did not come back, removed from the tree
   * @param skipped changes that did not fit the tree
   */
  public record Result(
      long names, long lastGeneration, long lastObjectId, List<String> lost, int skipped) {}

  private final Directory root;
  private final Objects objects;
  private long lastGeneration;
  private long lastObjectId;

  Replay(Directory root, Objects objects) {
    this.root = root;
    this.objects = objects;
  }

  Result run(Iterable<Change> changes) {
    int skipped = 0;
    for (Change c : changes) {
      try {
        apply(c);
      } catch (Misfit e) {
        skipped++;
        LOG.warning("journal: skipping " + c + ": " + e.getMessage());
      }
    }
    List<String> lost = new ArrayList<>();
    long names = prune(root, "", lost);
    return new Result(names, lastGeneration, lastObjectId, List.copyOf(lost), skipped);
  }

  private void apply(Change change) throws Misfit {
    switch (change) {
      case Change.PutDirectory p -> {
        seen(p.meta());
        slot(p.path()).put(new Directory(p.meta()));
      }
      case Change.PutEntry p -> {
        seen(p.meta());
        lastObjectId = Math.max(lastObjectId, p.objectId());
        Slot s = slot(p.path());
        s.put(new Entry(p.meta(), p.objectId(), objects.take(p), p.lifetime()));
      }
      case Change.Remove r -> release(existing(r.path()).remove());
      case Change.Move m -> {
        Slot from = existing(m.from());
        Slot to = slot(m.to());
        to.put(from.remove());
      }
      case Change.Swap w -> {
        Slot a = existing(w.a());
        Slot b = existing(w.b());
        Node na = a.remove(); // out first: attaching renames a node
        Node nb = b.remove();
        a.parent.attach(a.name, nb);
        b.parent.attach(b.name, na);
      }
      case Change.SetMeta m -> {
        seen(m.meta());
        PathName path = parse(m.path());
        Node node = path.isRoot() ? root : existing(m.path()).get();
        node.setMeta(m.meta());
      }
    }
  }

  private void seen(Change.Meta meta) {
    lastGeneration = Math.max(lastGeneration, meta.generation());
  }

  /** A place in a directory. */
  private record Slot(Directory parent, String name) {
    Node get() {
      return parent.children.get(name);
    }

    /** Puts {@code node} here, closing whatever it replaces. */
    void put(Node node) {
      release(parent.attach(name, node));
    }

    Node remove() {
      return parent.detach(name);
    }
  }

  private Slot slot(String raw) throws Misfit {
    PathName path = parse(raw);
    if (path.isRoot()) {
      throw new Misfit("the root has no parent");
    }
    Directory dir = root;
    for (String part : path.parent().components()) {
      if (!(dir.children.get(part) instanceof Directory d)) {
        throw new Misfit("no directory " + part + " on the way");
      }
      dir = d;
    }
    return new Slot(dir, path.name());
  }

  private Slot existing(String raw) throws Misfit {
    Slot s = slot(raw);
    if (s.get() == null) {
      throw new Misfit("nothing there");
    }
    return s;
  }

  private static PathName parse(String raw) throws Misfit {
    try {
      return PathName.parse(raw);
    } catch (PathSyntaxException e) {
      throw new Misfit("bad path: " + e.getMessage());
    }
  }

  /** Closes the objects of a node that left the tree, and of everything under it. */
  private static void release(Node gone) {
    switch (gone) {
      case null -> {}
      case Entry e -> {
        if (e.object != null) {
          e.object.close();
        }
      }
      case Directory d -> d.children.forEach(Replay::release);
    }
  }

  /** Removes entries that have no object, reporting their paths; returns the names left. */
  private static long prune(Directory dir, String prefix, List<String> lost) {
    long names = 0;
    List<String> gone = new ArrayList<>();
    for (Node child : dir.children) {
      String path = prefix + "/" + child.name;
      switch (child) {
        case Entry e when e.object == null -> {
          lost.add(path);
          gone.add(child.name);
        }
        case Entry _ -> names++;
        case Directory d -> names += 1 + prune(d, path, lost);
      }
    }
    gone.forEach(dir::detach);
    return names;
  }

  private static final class Misfit extends Exception {
    Misfit(String why) {
      super(why, null, false, false);
    }
  }
}
