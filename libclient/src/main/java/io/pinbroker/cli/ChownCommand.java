package io.pinbroker.cli;

import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.protocol.Request;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "chown",
    description = {
      "Change owner and/or group of a node (root only).",
      "Prints nothing on success."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  pinbroker chown 1000 /net/stats",
      "  pinbroker chown nobody:1234 /net/stats",
      "  pinbroker chown :1234 /net/stats"
    })
final class ChownCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "UID[:GID]", description = "Numbers or names; either may be empty.")
  String owner;

  @Parameters(index = "1", paramLabel = "PATH")
  String path;

  @Override
  public Integer call() throws Exception {
    Names names = Names.load();
    int colon = owner.indexOf(':');
    String user = colon < 0 ? owner : owner.substring(0, colon);
    String group = colon < 0 ? "" : owner.substring(colon + 1);
    if (user.isEmpty() && group.isEmpty()) {
      throw new UsageException("chown wants UID, UID:GID or :GID");
    }
    int uid = user.isEmpty() ? Request.DEFAULT_ID : names.uid(user);
    int gid = group.isEmpty() ? Request.DEFAULT_ID : names.gid(group);
    try (PinbrokerClient client = main.connect()) {
      client.chown(path, uid, gid);
    }
    return 0;
  }
}
