package io.pinbroker.daemon.it;

import io.pinbroker.client.Access;
import io.pinbroker.client.PinbrokerClient;
import io.pinbroker.client.ReceivedFd;
import io.pinbroker.protocol.ObjectDetails;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Loops on GET of one name until a stop file appears, and counts every get that failed or
 * returned a program that is neither v1 nor v2. Usage: {@code UpgradeReader SOCKET NAME STOPFILE
 * ID1 ID2}. Prints {@code ready}, then at the end {@code gets=N failures=F}.
 */
public final class UpgradeReader {
  private UpgradeReader() {}

  public static void main(String[] args) throws Exception {
    Path stop = Path.of(args[2]);
    Set<Integer> allowed = Set.of(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    long gets = 0;
    long failures = 0;
    try (PinbrokerClient c = PinbrokerClient.builder().socket(Path.of(args[0])).build()) {
      System.out.println("ready");
      System.out.flush();
      while (!Files.exists(stop)) {
        gets++;
        try (ReceivedFd got = c.get(args[1], Access.READ_ONLY)) {
          if (!(got.info().details() instanceof ObjectDetails.ProgDetails p) || !allowed.contains(p.id())) {
            failures++;
          }
        } catch (Exception e) {
          failures++;
          System.err.println("get failed: " + e);
        }
      }
    }
    System.out.println("gets=" + gets + " failures=" + failures);
  }
}
