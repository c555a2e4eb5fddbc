package io.pinbroker.cli;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.maps.MapHandle;
import io.pinbroker.maps.MapHandles;
import io.pinbroker.sim.SimMapException;
import io.pinbroker.unix.ErrnoException;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The shared part of the element commands: get the map, open it, act, release it. */
abstract class MapElementCommand implements Callable<Integer> {
  @ParentCommand MapCommand map;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH")
  String path;

  @picocli.CommandLine.Option(
      names = "--ro",
      description =
          "Get the map read-only even to change it: the kernel (real maps) or the read-only"
              + " mapping (sim maps) then refuses the change. Shows what a reader cannot do.")
  boolean readOnly;

  /** Whether the command changes the map (and so needs a read-write get). */
  abstract boolean writes();

  abstract int act(PinbrokerClient client, MapHandle handle) throws IOException, UsageException;

  @Override
  public Integer call() throws Exception {
    try (PinbrokerClient client = map.main.connect();
        ReceivedFd got = client.get(path, writes() && !readOnly ? Access.READ_WRITE : Access.READ_ONLY)) {
      MapHandle handle;
      try {
        handle = MapHandles.open(got, writes() && !readOnly);
      } catch (IllegalArgumentException notAMap) {
        throw new UsageException(path + ": " + notAMap.getMessage());
      }
      try (handle) {
        return act(client, handle);
      } catch (ErrnoException e) {
        throw new ErrnoException(path + ": " + e.call(), e.errno()); // the kernel refused
      } catch (SimMapException e) {
        String why = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
        throw new SimMapException(e.errno(), path + ": " + why); // the read-only mapping refused
      }
    }
  }
}
