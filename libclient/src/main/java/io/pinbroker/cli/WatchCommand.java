package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.Watch;
import io.pinbroker.protocol.EventType;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Reply.WatchEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "watch",
    description = {
      "Print one line per change to PATH and the names in it (with -r, everything below it), as"
          + " the changes happen, until interrupted. Only what this user may search is shown.",
      "Watching a directory needs r and x on it, as ls does."
    },
    footer = {
      "",
      "Lines: created PATH KIND gen N | replaced PATH gen N | removed PATH | expired PATH |"
          + " moved FROM -> TO | exchanged A <-> B | attrs PATH mode MODE owner UID:GID |"
          + " overflow: events were lost; re-list",
      "",
      "Exit status: 0 when interrupted (SIGINT, SIGTERM); 1 if the broker refuses the watch or"
          + " ends it (it stopped or handed over); 3 if it cannot be reached.",
      "",
      "Examples:",
      "  pinbroker watch /net",
      "  pinbroker watch -r --json /"
    })
final class WatchCommand implements Callable<Integer> {
  /** How long one wait for an event lasts before it begins again. */
  private static final Duration POLL = Duration.ofMinutes(1);

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Option(names = {"-r", "--recursive"}, description = "Watch the whole subtree.")
  boolean recursive;

  @Option(names = "--json", description = "One JSON object per line.")
  boolean json;

  @Parameters(paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Names names = Names.load();
    try (PinbrokerClient client = main.connect();
        Watch watch = client.watch(path, recursive)) {
      Thread exitOnSignal = new Thread(() -> Runtime.getRuntime().halt(0));
      Runtime.getRuntime().addShutdownHook(exitOnSignal);
      err.println("pinbroker: watching " + path + (recursive ? " and everything below it" : ""));
      err.flush();
      try {
        while (true) {
          WatchEvent e = watch.next(POLL);
          if (e != null) {
            out.println(json ? Json.write(json(e, names)) : line(e));
            out.flush();
          }
        }
      } catch (IOException ended) {
        err.println("pinbroker: " + ended.getMessage());
        err.flush();
        return Main.REFUSED;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(exitOnSignal);
        } catch (IllegalStateException exiting) {
          // a signal came in meanwhile: the hook exits with 0
        }
      }
    }
  }

  /** The text line for an event, e.g. {@code created /net/stats fd/memfd gen 5}. */
  static String line(WatchEvent e) {
    NodeInfo n = e.info();
    return switch (e.type()) {
      case CREATED -> "created " + e.path() + " " + NodeFormat.kind(n) + " gen " + n.generation();
      case REPLACED -> "replaced " + e.path() + " gen " + n.generation();
      case REMOVED, EXPIRED -> e.type().label() + " " + e.path();
      case MOVED -> "moved " + e.path() + " -> " + e.to();
      case EXCHANGED -> "exchanged " + e.path() + " <-> " + e.to();
      case ATTRS ->
          String.format(
              "attrs %s mode %s owner %s:%s",
              e.path(),
              NodeFormat.octal(n.mode()),
              Integer.toUnsignedString(n.uid()),
              Integer.toUnsignedString(n.gid()));
      case OVERFLOW -> "overflow: events were lost; re-list";
    };
  }

  /**
   * The JSON object for an event: {@code event}, {@code path}, {@code to} (moved and exchanged
   * only) and {@code node}, the node as {@code stat --json} shows it, at its new place.
   */
  static Map<String, Object> json(WatchEvent e, Names names) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.type().label());
    if (e.type() == EventType.OVERFLOW) {
      return m;
    }
    m.put("path", e.path());
    if (e.type().hasDestination()) {
      m.put("to", e.to());
    }
    m.put("node", NodeFormat.json(e.type().hasDestination() ? e.to() : e.path(), e.info(), names));
    return m;
  }
}
