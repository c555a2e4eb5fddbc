package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Event;
import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which namespace events one watch reports, and as what (PROTOCOL.md §6.13). Pure: the tree is
 * asked only through the two functions given, at the time of the event.
 *
 * <p>Scope: the watched path itself and the names directly in it, or, recursive, everything below
 * it; a MOVED or EXCHANGED is in scope if either end is, or is an ancestor of the watched path
 * (it carries the watched name away, or brings a node to it). Visibility: the watcher learns only
 * of paths it may search its way to. A MOVED with one end hidden becomes a REMOVED of the end it
 * sees, or a CREATED; an EXCHANGED with one end hidden becomes a REMOVED and a CREATED of the end
 * it sees.
 */
final class WatchFilter {
  private final String watched;
  private final boolean recursive;
  private final Predicate<String> visible;
  private final Function<String, NodeInfo> nodeAt;

  /**
   * @param watched the watched path, valid and absolute
   * @param visible whether the watcher may know of a path now
   * @param nodeAt the node at a path now, or null
   */
  WatchFilter(
      String watched,
      boolean recursive,
      Predicate<String> visible,
      Function<String, NodeInfo> nodeAt) {
    this.watched = watched;
    this.recursive = recursive;
    this.visible = visible;
    this.nodeAt = nodeAt;
  }

  /** What the watcher gets of {@code e}: nothing, one event, or two for a half-hidden exchange. */
  List<WatchEvent> apply(Event e) {
    EventType type = EventType.valueOf(e.type().name());
    if (type.hasDestination()) {
      return related(e.path()) || related(e.to()) ? move(type, e) : List.of();
    }
    if (!covers(e.path()) || !visible.test(e.path())) {
      return List.of();
    }
    return List.of(new WatchEvent(type, e.path(), "", e.info()));
  }

  private List<WatchEvent> move(EventType type, Event e) {
    boolean seeFrom = visible.test(e.path());
    boolean seeTo = visible.test(e.to());
    if (seeFrom && seeTo) {
      return List.of(new WatchEvent(type, e.path(), e.to(), e.info()));
    }
    // e.info() is the node that left path and is now at to; the node now at path came from to.
    if (seeFrom && related(e.path())) {
      WatchEvent left = removed(e.path(), e.info());
      NodeInfo arrived = type == EventType.EXCHANGED ? nodeAt.apply(e.path()) : null;
      return arrived == null ? List.of(left) : List.of(left, created(e.path(), arrived));
    }
    if (seeTo && related(e.to())) {
      WatchEvent arrived = created(e.to(), e.info());
      NodeInfo left = type == EventType.EXCHANGED ? nodeAt.apply(e.path()) : null;
      return left == null ? List.of(arrived) : List.of(removed(e.to(), left), arrived);
    }
    return List.of();
  }

  private static WatchEvent removed(String path, NodeInfo info) {
    return new WatchEvent(EventType.REMOVED, path, "", info);
  }

  private static WatchEvent created(String path, NodeInfo info) {
    return new WatchEvent(EventType.CREATED, path, "", info);
  }

  /** The watched path, or a name in it (below it, if recursive). */
  boolean covers(String path) {
    if (path.equals(watched)) {
      return true;
    }
    String prefix = watched.equals("/") ? "/" : watched + "/";
    return path.startsWith(prefix) && (recursive || path.indexOf('/', prefix.length()) < 0);
  }

  /** Covered, or an ancestor of the watched path. */
  private boolean related(String path) {
    return covers(path) || watched.startsWith(path.equals("/") ? "/" : path + "/");
  }
}
