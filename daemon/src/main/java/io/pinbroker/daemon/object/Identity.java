package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Status;
import io.pinbroker.sim.SimFormatException;
import io.pinbroker.sim.SimMap;
import io.pinbroker.sim.SimMapInfo;
import io.pinbroker.sim.SimObjectKind;
import io.pinbroker.sim.SimObjects;
import io.pinbroker.sim.SimProg;
import io.pinbroker.sim.SimProgInfo;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.BpfLinkInfo;
import io.pinbroker.unix.BpfMapInfo;
import io.pinbroker.unix.BpfObjectType;
import io.pinbroker.unix.BpfProgInfo;
import io.pinbroker.unix.FileStat;
import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.util.List;

/**
 * What a pinned fd is: a BPF map, program or link (from the kernel), a sim map or program (from
 * its memfd header), or any other fd; with the kernel's or the header's details.
 */
record Identity(ObjectKind kind, ObjectDetails details) {
  static final Identity PLAIN = new Identity(ObjectKind.FD, ObjectDetails.NONE);

  static Identity of(int fd, FdType type, FileStat stat) throws Refusal {
    try {
      return switch (type) {
        case ANON_INODE -> bpf(fd);
        case MEMFD -> sim(fd, stat);
        default -> PLAIN;
      };
    } catch (SimFormatException e) {
      throw new Refusal(Status.EINVAL, "malformed sim object: " + e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Status.EBADF, "cannot inspect the fd: " + e.getMessage());
    }
  }

  private static Identity bpf(int fd) throws IOException {
    BpfObjectType t = Bpf.objectType(fd);
    if (t == null) {
      return PLAIN;
    }
    return switch (t) {
      case MAP -> {
        BpfMapInfo m = Bpf.mapInfo(fd);
        yield new Identity(
            ObjectKind.BPF_MAP,
            new ObjectDetails.MapDetails(
                m.type(), m.id(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(),
                m.name().intern(), // names repeat across objects: one copy each
                List.of()));
      }
      case PROG -> {
        BpfProgInfo p = Bpf.progInfo(fd);
        yield new Identity(
            ObjectKind.BPF_PROG,
            new ObjectDetails.ProgDetails(p.type(), p.id(), p.tag(), p.name().intern()));
      }
      case LINK -> {
        BpfLinkInfo l = Bpf.linkInfo(fd);
        yield new Identity(
            ObjectKind.BPF_LINK, new ObjectDetails.LinkDetails(l.type(), l.id(), l.progId()));
      }
    };
  }

  private static Identity sim(int fd, FileStat stat) throws IOException {
    SimObjectKind k = SimObjects.identify(fd);
    if (k == null) {
      return PLAIN;
    }
    return switch (k) {
      case SIM_MAP -> {
        SimMapInfo m = SimMap.info(fd);
        yield new Identity(
            ObjectKind.SIM_MAP,
            new ObjectDetails.MapDetails(
                m.type().kernelNumber(), 0, m.keySize(), m.valueSize(), m.maxEntries(), m.flags(),
                m.name().intern(), List.of()));
      }
      case SIM_PROG -> {
        sealForever(fd);
        SimProgInfo p = SimProg.read(fd);
        yield new Identity(
            ObjectKind.SIM_PROG,
            new ObjectDetails.ProgDetails(p.type(), simProgId(stat), p.tag(), p.name().intern()));
      }
    };
  }

  private static final int ALL_SEALS =
      SharedMemory.F_SEAL_SEAL | SharedMemory.F_SEAL_SHRINK | SharedMemory.F_SEAL_GROW
          | SharedMemory.F_SEAL_WRITE;

  /**
   * A pinned sim program is immutable like a loaded one: seal what its creator left unsealed. Fails
   * (and the pin is refused) if it is still mapped writable somewhere or already sealed against
   * more seals.
   */
  private static void sealForever(int fd) throws IOException {
    int seals = SharedMemory.seals(fd);
    if ((seals & ALL_SEALS) != ALL_SEALS && (seals & SharedMemory.F_SEAL_SEAL) == 0) {
      SharedMemory.addSeals(fd, ALL_SEALS);
    }
  }

  /** A sim program's id: the low 32 bits of its memfd's inode number, never 0. */
  static int simProgId(FileStat stat) {
    int id = (int) stat.ino();
    return id == 0 ? 1 : id;
  }
}
