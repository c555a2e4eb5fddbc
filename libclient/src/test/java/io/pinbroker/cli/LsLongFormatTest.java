package io.pinbroker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ls -l as ls(1) has it: mode string, owner and group names, kind, size or details, generation. */
class LsLongFormatTest {
  private static final long MTIME = 1_764_000_000_000_000_000L;
  private static final int NAMELESS = 2_000_000_123;

  private static DirEntry entry(String name, NodeType type, ObjectKind kind, FdType fdType, int mode,
      int uid, int gid, long generation, long size, int children, ObjectDetails details) {
    return new DirEntry(
        name,
        new NodeInfo(type, kind, fdType, mode, uid, gid, generation, MTIME, MTIME, 1, 2, size,
            children, details));
  }

  @Test
  void columnsAreThoseOfLsAndLineUp() {
    String time = NodeFormat.lsTime(MTIME);
    List<String> lines =
        LsCommand.longLines(
            List.of(
                entry("net", NodeType.DIRECTORY, ObjectKind.NONE, FdType.NONE, 01777, 0, 0, 2, 0, 5,
                    ObjectDetails.NONE),
                entry("stats", NodeType.ENTRY, ObjectKind.FD, FdType.MEMFD, 0640, 0, NAMELESS, 3,
                    4096, 0, ObjectDetails.NONE),
                entry("m", NodeType.ENTRY, ObjectKind.BPF_MAP, FdType.ANON_INODE, 0600, NAMELESS, 0,
                    12345, 0, 0,
                    new ObjectDetails.MapDetails(Bpf.HASH, 7, 4, 8, 16, 0, "m", List.of()))),
            Names.load());
    assertEquals(
        List.of(
            "drwxrwxrwt root       root       dir                 5 gen 2     " + time + " net",
            "-rw-r----- root       2000000123 fd/memfd         4096 gen 3     " + time + " stats",
            "-rw------- 2000000123 root       bpf-map             0 gen 12345 " + time
                + " m  [hash id=7 key=4 value=8 max=16 flags=0 name=m]"),
        lines);
  }
}
