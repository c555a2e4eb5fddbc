package io.pinbroker.daemon.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pinbroker.daemon.namespace.Event;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scope and visibility of a watch, one row per case: the watched path, whether recursive, the
 * namespace event, the paths the watcher may not know of, and what it gets (TYPE path[ -> to] gen).
 */
class WatchFilterTest {
  /** The node an event carries has generation 7; the node at /x/hid after an exchange has 9. */
  private static final NodeInfo MOVED_NODE = node(7);

  private static final Map<String, NodeInfo> TREE_AFTER = Map.of("/x/hid", node(9), "/a/b", node(9));

  private static NodeInfo node(long generation) {
    return new NodeInfo(
        NodeType.ENTRY, ObjectKind.FD, FdType.MEMFD, 0600, 1, 1, generation, 0, 0, 1, 2, 0, 0);
  }

  private static Event event(Event.Type type, String path, String to) {
    return new Event(type, path, to, MOVED_NODE);
  }

  static Arguments row(String watched, boolean recursive, Event e, Set<String> hidden, String... want) {
    return Arguments.of(watched, recursive, e, hidden, List.of(want));
  }

  static Stream<Arguments> rows() {
    Set<String> none = Set.of();
    Set<String> x = Set.of("/x/hid", "/x/other");
    return Stream.of(
        // scope
        row("/a", false, event(Event.Type.CREATED, "/a", null), none, "CREATED /a g7"),
        row("/a", false, event(Event.Type.CREATED, "/a/b", null), none, "CREATED /a/b g7"),
        row("/a", false, event(Event.Type.CREATED, "/a/b/c", null), none),
        row("/a", true, event(Event.Type.CREATED, "/a/b/c", null), none, "CREATED /a/b/c g7"),
        row("/a", true, event(Event.Type.CREATED, "/ab", null), none),
        row("/a", true, event(Event.Type.CREATED, "/", null), none),
        row("/", false, event(Event.Type.REPLACED, "/a", null), none, "REPLACED /a g7"),
        row("/", false, event(Event.Type.REMOVED, "/a/b", null), none),
        row("/", true, event(Event.Type.EXPIRED, "/a/b", null), none, "EXPIRED /a/b g7"),
        row("/a/b", false, event(Event.Type.ATTRS, "/a/b", null), none, "ATTRS /a/b g7"),
        row("/a/b", false, event(Event.Type.ATTRS, "/a", null), none),
        // a move is in scope by either end, or by carrying an ancestor of the watched path
        row("/a", false, event(Event.Type.MOVED, "/a/b", "/c"), none, "MOVED /a/b -> /c g7"),
        row("/a", false, event(Event.Type.MOVED, "/c", "/a/b"), none, "MOVED /c -> /a/b g7"),
        row("/a", false, event(Event.Type.MOVED, "/c", "/d"), none),
        row("/a/b/c", false, event(Event.Type.MOVED, "/a", "/z"), none, "MOVED /a -> /z g7"),
        row("/a/b/c", false, event(Event.Type.EXCHANGED, "/z", "/a/b"), none, "EXCHANGED /z -> /a/b g7"),
        row("/a", false, event(Event.Type.MOVED, "/a/b/c", "/a/d/e"), none),
        // visibility: hidden names never show
        row("/", true, event(Event.Type.CREATED, "/x/hid", null), x),
        row("/", true, event(Event.Type.ATTRS, "/x/hid", null), x),
        row("/", true, event(Event.Type.MOVED, "/x/hid", "/x/other"), x),
        // a move with one hidden end: a removal, or an arrival, of the end it sees
        row("/a", false, event(Event.Type.MOVED, "/a/b", "/x/hid"), x, "REMOVED /a/b g7"),
        row("/a", false, event(Event.Type.MOVED, "/x/hid", "/a/b"), x, "CREATED /a/b g7"),
        row("/a", false, event(Event.Type.MOVED, "/x/hid", "/c"), x),
        // an exchange with one hidden end: the seen end loses one node and gets the other
        row("/a", false, event(Event.Type.EXCHANGED, "/a/b", "/x/hid"), x, "REMOVED /a/b g7", "CREATED /a/b g9"),
        row("/a", false, event(Event.Type.EXCHANGED, "/x/hid", "/a/b"), x, "REMOVED /a/b g9", "CREATED /a/b g7"),
        // the seen end must still be in scope
        row("/q", false, event(Event.Type.MOVED, "/a/b", "/q/x"), Set.of("/q/x")));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("rows")
  void watchSeesWhatItShould(
      String watched, boolean recursive, Event e, Set<String> hidden, List<String> want) {
    WatchFilter f = new WatchFilter(watched, recursive, p -> !hidden.contains(p), TREE_AFTER::get);
    assertEquals(want, f.apply(e).stream().map(WatchFilterTest::show).toList());
  }

  private static String show(WatchEvent e) {
    String to = e.to().isEmpty() ? "" : " -> " + e.to();
    return e.type() + " " + e.path() + to + " g" + e.info().generation();
  }
}
