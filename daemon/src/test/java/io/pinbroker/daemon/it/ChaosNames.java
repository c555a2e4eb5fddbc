package io.pinbroker.daemon.it;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.NodeType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The names a chaos run makes: /c/ID/... for each client instance, and the shared /s/... */
final class ChaosNames {
  private ChaosNames() {}

  /** Every entry under /c/* and /s: its path and the identity its object holds. */
  static Map<String, String> read(PinbrokerClient broker) throws IOException {
    Map<String, String> found = new HashMap<>();
    List<String> dirs = new ArrayList<>(List.of("/s"));
    for (DirEntry d : broker.list("/c")) {
      if (d.info().type() == NodeType.DIRECTORY) {
        dirs.add("/c/" + d.name());
      } else {
        found.put("/c/" + d.name(), identity(broker, "/c/" + d.name()));
      }
    }
    for (String dir : dirs) {
      for (DirEntry e : broker.list(dir)) {
        String path = dir + "/" + e.name();
        found.put(path, e.info().type() == NodeType.DIRECTORY ? "(a directory)" : identity(broker, path));
      }
    }
    return found;
  }

  private static String identity(PinbrokerClient broker, String path) throws IOException {
    try (ReceivedFd got = broker.get(path, Access.READ_ONLY)) {
      return Files.readString(Path.of("/proc/self/fd/" + got.fd().value()), StandardCharsets.UTF_8);
    }
  }

  /** Removes /c and /s and everything below them. */
  static void removeAll(PinbrokerClient broker) throws IOException {
    for (String top : List.of("/c", "/s")) {
      for (DirEntry d : broker.list(top)) {
        String path = top + "/" + d.name();
        if (d.info().type() == NodeType.DIRECTORY) {
          for (DirEntry e : broker.list(path)) {
            if (e.info().type() == NodeType.DIRECTORY) {
              broker.rmdir(path + "/" + e.name());
            } else {
              broker.unlink(path + "/" + e.name());
            }
          }
          broker.rmdir(path);
        } else {
          broker.unlink(path);
        }
      }
      broker.rmdir(top);
    }
  }
}
