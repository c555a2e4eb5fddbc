package io.pinbroker.daemon.object;

import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Logger;

/**
 * Keeps BPF maps, programs and links alive without an fd: each is pinned (BPF_OBJ_PIN) in the
 * broker's own directory of a bpffs, its fd closed, and opened again from the pin for a GET. So
 * the names the broker can hold are not bounded by its fd limit, and the objects outlive the
 * broker process itself (until the bpffs is unmounted or the host reboots). Other fds are held
 * as they are.
 */
public final class BpfStore {
  /** The setting that picks {@code /sys/fs/bpf/pinbroker} when /sys/fs/bpf is a bpffs. */
  public static final String AUTO = "auto";
  /** The setting that keeps every object by its fd. */
  public static final String OFF = "off";

  private static final Logger LOG = Logger.getLogger(BpfStore.class.getName());
  private static final Path SYSTEM_BPFFS = Path.of("/sys/fs/bpf");

  private final Path dir;
  /** The pins' shared prefix: the directory and a name for this run (and for every 2^31 pins). */
  private String prefix;
  private int lastNumber = Integer.MAX_VALUE;
  private boolean warned;

  private BpfStore(Path dir) {
    this.dir = dir;
  }

  /** No store: every object is kept by its fd. */
  public static BpfStore none() {
    return new BpfStore(null);
  }

  /**
   * The store a setting names: {@value #OFF}; {@value #AUTO} (the directory {@code pinbroker} of
   * /sys/fs/bpf if that is a bpffs the broker can write, else off); or a directory, which gets a
   * bpffs of its own mounted if it is not on one (needs CAP_SYS_ADMIN; the mount lives in the
   * broker's mount namespace, so under a service manager mount it beforehand).
   */
  public static BpfStore open(String setting) throws IOException {
    if (setting.equals(OFF)) {
      return none();
    }
    if (setting.equals(AUTO)) {
      Path dir = SYSTEM_BPFFS.resolve("pinbroker");
      if (!isBpffs(SYSTEM_BPFFS)) {
        LOG.info("no bpffs on " + SYSTEM_BPFFS + ": BPF objects are kept by their fds");
        return none();
      }
      try {
        return at(dir);
      } catch (IOException e) {
        LOG.warning("cannot use " + dir + " (" + e.getMessage() + "): BPF objects are kept by their fds");
        return none();
      }
    }
    return at(Path.of(setting));
  }

  private static BpfStore at(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    if (!isBpffs(dir)) {
      Bpf.mountFs(dir.toString());
      LOG.info("mounted a bpffs on " + dir);
    }
    if (!Files.isWritable(dir)) {
      throw new IOException(dir + " is not writable");
    }
    LOG.info("BPF objects are kept pinned in " + dir);
    return new BpfStore(dir);
  }

  private static boolean isBpffs(Path p) {
    try {
      return Files.getFileStore(p).type().equals("bpf");
    } catch (IOException e) {
      return false;
    }
  }

  /** The directory objects are pinned in; null if there is none. */
  public Path dir() {
    return dir;
  }

  /**
   * {@code object} kept by a pin if it is a BPF object and there is a store; else {@code object}
   * itself. If pinning fails the object stays kept by its fd, and the failure is logged once.
   */
  public HeldObject keep(HeldObject object) {
    if (dir == null || !isBpf(object.kind())) {
      return object;
    }
    PinName pin = nextPin();
    try {
      Bpf.pin(object.fd(), pin.path());
    } catch (IOException e) {
      synchronized (this) {
        if (!warned) {
          LOG.warning("cannot pin in " + dir + ", keeping BPF objects by their fds: " + e.getMessage());
          warned = true;
        }
      }
      return object;
    }
    return object.pinnedAt(pin);
  }

  /** A name no pin has: a new prefix for each run, and whenever the numbers of one run out. */
  private synchronized PinName nextPin() {
    if (lastNumber == Integer.MAX_VALUE) {
      prefix = dir.resolve(Long.toString(System.currentTimeMillis(), 36) + "-").toString();
      lastNumber = 0;
    }
    return new PinName(prefix, ++lastNumber);
  }

  private static boolean isBpf(ObjectKind kind) {
    return kind == ObjectKind.BPF_MAP || kind == ObjectKind.BPF_PROG || kind == ObjectKind.BPF_LINK;
  }
}
