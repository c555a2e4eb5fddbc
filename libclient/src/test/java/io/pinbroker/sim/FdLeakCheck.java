package io.pinbroker.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pinbroker.unix.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Fails a test that ends with more or fewer entries in /proc/self/fd than it started with. */
final class FdLeakCheck implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(FdLeakCheck.class);

  static {
    // The JDK's security provider opens /dev/random and /dev/urandom once, for the life of the
    // JVM, the first time it is used (SimProg computes SHA-1): do that before any count.
    // Likewise FileOps.reopen opens /proc/self/fd once for the life of the process.
    FileOps.procFds();
    try {
      MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static int count() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return (int) s.count();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    context.getStore(NS).put("before", count());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    int before = context.getStore(NS).get("before", Integer.class);
    int after = count();
    for (int i = 0; i < 50 && after != before; i++) {
      Thread.sleep(20); // a reaped child's descriptors may close a moment later
      after = count();
    }
    assertEquals(before, after, "open descriptors before and after the test");
  }
}
