package io.pinbroker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One line per event, as `pinbroker watch` prints it, and its JSON form. */
class WatchCommandTest {
  private static final NodeInfo MEMFD =
      new NodeInfo(NodeType.ENTRY, ObjectKind.FD, FdType.MEMFD, 0600, 1000, 1000, 5, 0, 0, 1, 2, 4096, 0);
  private static final NodeInfo DIR =
      new NodeInfo(NodeType.DIRECTORY, ObjectKind.NONE, FdType.NONE, 0755, 0, 0, 7, 0, 0, 0, 0, 0, 1);

  static Stream<Arguments> events() {
    return Stream.of(
        Arguments.of(new WatchEvent(EventType.CREATED, "/net/stats", "", MEMFD), "created /net/stats fd/memfd gen 5"),
        Arguments.of(new WatchEvent(EventType.CREATED, "/net", "", DIR), "created /net dir gen 7"),
        Arguments.of(new WatchEvent(EventType.REPLACED, "/net/stats", "", MEMFD), "replaced /net/stats gen 5"),
        Arguments.of(new WatchEvent(EventType.REMOVED, "/net/stats", "", MEMFD), "removed /net/stats"),
        Arguments.of(new WatchEvent(EventType.EXPIRED, "/net/stats", "", MEMFD), "expired /net/stats"),
        Arguments.of(new WatchEvent(EventType.MOVED, "/a", "/b", MEMFD), "moved /a -> /b"),
        Arguments.of(new WatchEvent(EventType.EXCHANGED, "/a", "/b", MEMFD), "exchanged /a <-> /b"),
        Arguments.of(new WatchEvent(EventType.ATTRS, "/x", "", MEMFD), "attrs /x mode 0600 owner 1000:1000"),
        Arguments.of(WatchEvent.overflow(), "overflow: events were lost; re-list"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("events")
  void eachEventIsOneLine(WatchEvent e, String line) {
    assertEquals(line, WatchCommand.line(e));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("events")
  void eachEventIsOneJsonObjectWithItsNodeAtItsNewPlace(WatchEvent e, String line) {
    String json = Json.write(WatchCommand.json(e, Names.load()));
    String type = e.type().label();
    if (e.type() == EventType.OVERFLOW) {
      assertEquals("{\"event\":\"overflow\"}", json);
    } else if (e.type().hasDestination()) {
      assertTrue(
          json.startsWith("{\"event\":\"" + type + "\",\"path\":\"/a\",\"to\":\"/b\",\"node\":{\"path\":\"/b\","),
          json);
    } else {
      assertTrue(
          json.startsWith("{\"event\":\"" + type + "\",\"path\":\"" + e.path() + "\",\"node\":{\"path\":\""),
          json);
    }
  }
}
