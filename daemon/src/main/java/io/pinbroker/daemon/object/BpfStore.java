package io.pinbroker.daemon.object;

import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps BPF maps, programs and links alive without an fd: each is pinned (BPF_OBJ_PIN) in the
 * broker's own directory of a bpffs, its fd closed, and opened again from the pin for a GET. So
 * the names the broker can hold are not bounded by its fd limit, and the objects outlive the
 * broker process itself (until the bpffs is unmounted or the host reboots). Other fds are held
 * as they are.
 *
 * <p>A pin's name is its run's prefix, a base-36 timestamp and a dash, then a number: {@code
 * m3x9k2a-17}. A run claims its prefix with its first pin (BPF_OBJ_PIN fails if the name exists),
 * so every pin under a prefix was made by that one run, even where brokers share the directory
 * ({@value #AUTO} picks the same one for every broker on the host).
 */
public final class BpfStore {
  /** The setting that picks {@code /sys/fs/bpf/pinbroker} when /sys/fs/bpf is a bpffs. */
  public static final String AUTO = "auto";
  /** The setting that keeps every object by its fd. */
  public static final String OFF = "off";

  private static final Logger LOG = Logger.getLogger(BpfStore.class.getName());
  private static final Path SYSTEM_BPFFS = Path.of("/sys/fs/bpf");
  private static final int EEXIST = 17;
  /** Tries at claiming a prefix before giving up on pinning (each one a millisecond later). */
  private static final int CLAIM_TRIES = 16;
  /** A file name as {@link #keep} names pins: the run's prefix (group 1) and the number. */
  private static final Pattern PIN_FILE = Pattern.compile("([0-9a-z]+-)[1-9][0-9]{0,9}");

  private final Path dir;
  /** The pins' shared prefix: the directory and a name for this run (and for every 2^31 pins). */
  private String prefix;
  private int lastNumber = Integer.MAX_VALUE;
  /** The timestamp of the last prefix tried, so that a retry never tries it again. */
  private long lastStamp;
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
    PinName pin;
    try {
      pin = pin(object.fd());
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

  /**
   * Pins {@code fd} under a name no pin has: the next number of this run's prefix. The first pin
   * of a run (and of every 2^31 pins) claims a new prefix under the lock, so that no other pin
   * goes under a prefix before it is known to be this run's alone; if another run has it (a
   * broker sharing the directory that took the same millisecond), the next millisecond is tried.
   */
  private PinName pin(int fd) throws IOException {
    PinName pin;
    synchronized (this) {
      for (int tries = 1; lastNumber == Integer.MAX_VALUE; tries++) {
        lastStamp = Math.max(System.currentTimeMillis(), lastStamp + 1);
        String candidate = dir.resolve(Long.toString(lastStamp, 36) + "-").toString();
        try {
          Bpf.pin(fd, candidate + 1);
        } catch (ErrnoException e) {
          if (e.errno() == EEXIST && tries < CLAIM_TRIES) {
            continue;
          }
          throw e;
        }
        prefix = candidate;
        lastNumber = 1;
        return new PinName(prefix, 1);
      }
      pin = new PinName(prefix, ++lastNumber);
    }
    Bpf.pin(fd, pin.path());
    return pin;
  }

  /**
   * Removes the stray pins of this broker's earlier runs: every pin in the store directory whose
   * name has the prefix of a pin in {@code named} (pins a restored journal named, so runs of this
   * broker's own history) but whose path is not in {@code held} (pins the restored tree holds).
   * Such a pin was made but never acknowledged (a crash before its journal record), or outlived
   * its name (a crash between the journal and the unlink). Pins of other runs are left alone, as
   * another broker may be using them, and so is anything not named like a pin, or not a file.
   * Call it only while no pin of this run can be in the making. Returns how many were removed.
   */
  public int sweep(Collection<String> named, Collection<String> held) {
    if (dir == null) {
      return 0;
    }
    Path here = dir.toAbsolutePath().normalize();
    Set<String> ownRuns = new HashSet<>();
    for (String pin : named) {
      Path p = Path.of(pin).toAbsolutePath().normalize();
      Matcher m = PIN_FILE.matcher(p.getFileName().toString());
      if (here.equals(p.getParent()) && m.matches()) {
        ownRuns.add(m.group(1));
      }
    }
    Set<Path> kept = new HashSet<>();
    for (String pin : held) {
      kept.add(Path.of(pin).toAbsolutePath().normalize());
    }
    int removed = 0;
    int othersRuns = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(here)) {
      for (Path p : files) {
        Matcher m = PIN_FILE.matcher(p.getFileName().toString());
        boolean aPin = m.matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
        if (!aPin || kept.contains(p)) {
          continue;
        }
        if (!ownRuns.contains(m.group(1))) {
          othersRuns++;
          continue;
        }
        try {
          Files.delete(p);
          removed++;
        } catch (IOException e) {
          LOG.warning("cannot remove the stray pin " + p + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.warning("cannot look for stray pins in " + dir + ": " + e.getMessage());
    }
    if (othersRuns > 0) {
      LOG.info(
          othersRuns + " pins in " + dir + " are of runs no restored journal names: left alone, as"
              + " another broker may share the directory (remove them by hand if none does)");
    }
    return removed;
  }

  private static boolean isBpf(ObjectKind kind) {
    return kind == ObjectKind.BPF_MAP || kind == ObjectKind.BPF_PROG || kind == ObjectKind.BPF_LINK;
  }
}
