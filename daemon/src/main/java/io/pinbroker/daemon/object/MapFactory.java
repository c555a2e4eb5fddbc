package io.pinbroker.daemon.object;

import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.sim.SimMap;
import io.pinbroker.sim.SimMapType;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * Creates maps for clients that may not (CREATE_MAP): real BPF maps with the broker's privileges,
 * or sim maps. Each is charged to the client's uid, in the quota of its kind (real or sim), until
 * the broker lets go of it. The policy may
 * be replaced while running (a configuration reload); maps already created stay as they are.
 */
@Singleton
public final class MapFactory {
  private volatile MapPolicy policy;
  private final MemoryQuota quota;
  private final Interner<Refund> refunds = new Interner<>(1024);
  private final BpfStore store;

  @Inject
  MapFactory(MapPolicy policy, MemoryQuota quota, BpfStore store) {
    this.policy = policy;
    this.quota = quota;
    this.store = store;
  }

  /**
   * Applies {@code next} to maps created from now on, its per-uid quotas included. A lower quota
   * frees nothing; it refuses further maps until enough are released.
   */
  public void reconfigure(MapPolicy next) {
    policy = next;
    quota.limit(next);
  }

  /** A new map for {@code who}; the caller owns the result. */
  public HeldObject create(PeerCredentials who, Request.CreateMap r) throws Refusal {
    MapPolicy policy = this.policy;
    if (!policy.allowedTypes().contains(r.mapType())) {
      throw new Refusal(
          Status.EPERM, "map type " + Bpf.mapTypeName(r.mapType()) + " is not allowed by policy");
    }
    if (r.keySize() < 0 || r.valueSize() < 0 || r.maxEntries() <= 0) {
      throw new Refusal(Status.EINVAL, "sizes must not be negative, and max entries positive");
    }
    long bytes = MapPolicy.estimate(r.keySize(), r.valueSize(), r.maxEntries());
    if (bytes > policy.maxMapBytes()) {
      throw new Refusal(
          Status.E2BIG, "map of about " + bytes + " bytes exceeds " + policy.maxMapBytes());
    }
    Charge charge = new Charge(who.uid(), bytes);
    quota.charge(charge, r.sim());
    Fd fd = null;
    try {
      fd = r.sim() ? sim(r) : real(r);
      HeldObject object = charged(fd, charge, r.sim());
      fd = null;
      return store.keep(object);
    } finally {
      if (fd != null) {
        fd.close();
        quota.release(charge, r.sim());
      }
    }
  }

  /**
   * Holds again an object the broker created before a restart, charging it as it was charged then
   * even past the quota (which may have been lowered since). On refusal the fd is the caller's.
   */
  public HeldObject restore(Fd fd, Charge charge) throws Refusal {
    if (charge.bytes() == 0) {
      return HeldObject.adopt(fd);
    }
    boolean simMap = isMemfd(fd); // a real map is an anonymous inode; the journal does not say
    quota.restore(charge, simMap);
    try {
      return charged(fd, charge, simMap);
    } catch (Refusal r) {
      quota.release(charge, simMap);
      throw r;
    }
  }

  /**
   * {@link #restore(Fd, Charge)} for an object kept by its pin at {@code pin}: it is opened to
   * learn what it is, then kept by the pin again. Refused if the pin is gone or not a BPF object.
   */
  public HeldObject restore(String pin, Charge charge) throws Refusal {
    Fd fd;
    try {
      fd = Bpf.get(pin, 0);
    } catch (IOException e) {
      throw new Refusal(Status.ENOENT, "the pin " + pin + " is gone: " + e.getMessage());
    }
    try {
      return restore(fd, charge).pinnedAt(PinName.parse(pin));
    } catch (Refusal r) {
      fd.close();
      throw r;
    }
  }

  private HeldObject charged(Fd fd, Charge charge, boolean simMap) throws Refusal {
    Refund refund = refunds.intern(new Refund(quota, charge, simMap));
    return HeldObject.adopt(fd, refund.charge(), refund);
  }

  /**
   * Gives a charge back when its object is closed. Equal refunds are shared, up to a bound: maps of
   * one uid and size (the common case, thousands of one kind) then cost no heap for their charge.
   */
  private record Refund(MemoryQuota quota, Charge charge, boolean simMap) implements Runnable {
    @Override
    public void run() {
      quota.release(charge, simMap);
    }
  }

  private static boolean isMemfd(Fd fd) {
    try {
      return FileOps.stat(fd.value()).type() == FileStat.S_IFREG;
    } catch (IOException e) {
      return false;
    }
  }

  private static Fd real(Request.CreateMap r) throws Refusal {
    try {
      return Bpf.createMap(
          r.mapType(), r.keySize(), r.valueSize(), r.maxEntries(), r.mapFlags(), r.name());
    } catch (ErrnoException e) {
      Status s = Status.valueOf(e.errno());
      throw new Refusal(s == null || s == Status.OK ? Status.EINVAL : s, e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Status.EINVAL, e.getMessage());
    }
  }

  private static Fd sim(Request.CreateMap r) throws Refusal {
    SimMapType type = SimMapType.ofKernelNumber(r.mapType());
    if (type == null) {
      throw new Refusal(
          Status.EINVAL, "sim maps are hash, array or prog_array, not " + Bpf.mapTypeName(r.mapType()));
    }
    try {
      return SimMap.create(type, r.keySize(), r.valueSize(), r.maxEntries(), r.name());
    } catch (IllegalArgumentException e) {
      throw new Refusal(Status.EINVAL, e.getMessage());
    } catch (IOException e) {
      throw new Refusal(Status.ENOSPC, "cannot create the sim map: " + e.getMessage());
    }
  }
}
