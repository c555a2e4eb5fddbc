package io.pinbroker.bench;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.Request;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.PeerCredentials;
import io.pinbroker.daemon.namespace.Refusal;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.InstantSource;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * The broker's heap per name, in process: N real one-entry BPF array maps, each kept by its pin in
 * a {@link BpfStore} on a bpffs (no fd per name), named in one directory of a {@link Namespace}.
 * Prints {@code HEAP names=N bytes=B bytes_per_name=X}: the live heap after a full GC, less the
 * live heap of the same namespace before the names. Run it with the serial collector, whose heap
 * used after {@code System.gc()} is the live heap exactly.
 *
 * <pre>HeapProbe --store DIR (on a bpffs) --names N [--histogram true]</pre>
 */
public final class HeapProbe {
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);
  /** BPF_MAP_TYPE_ARRAY. */
  private static final int ARRAY = 2;

  private HeapProbe() {}

  public static void main(String[] args) throws Exception {
    String store = null;
    int names = 0;
    boolean histogram = false;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--store" -> store = args[i + 1];
        case "--names" -> names = Integer.parseInt(args[i + 1]);
        case "--histogram" -> histogram = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (store == null || names <= 0) {
      System.err.println("usage: HeapProbe --store DIR --names N");
      System.exit(2);
    }
    BpfStore maps = BpfStore.open(store);
    if (maps.dir() == null) {
      throw new IllegalStateException(store + " is not a usable bpffs store");
    }
    Namespace ns =
        new Namespace(new NamespaceConfig(01777, 022, true, 2L * names), InstantSource.system());
    ns.mkdir(ROOT, PathName.parse("/maps"), 0755);
    ns.mkdir(ROOT, PathName.parse("/warm-up"), 0755);
    pinMaps(maps, ns, "/warm-up/", 1000); // classes loaded and caches filled before the baseline
    for (int i = 0; i < 1000; i++) {
      ns.unlink(ROOT, PathName.parse("/warm-up/" + name(i)), false);
    }
    long before = liveHeap();
    pinMaps(maps, ns, "/maps/", names);
    long bytes = liveHeap() - before;
    System.out.printf(
        Locale.ROOT, "HEAP names=%d bytes=%d bytes_per_name=%.1f%n", names, bytes,
        (double) bytes / names);
    if (histogram) {
      System.out.println(histogram());
    }
    if (ns.size() != names + 2) {
      throw new IllegalStateException("the namespace holds " + ns.size() + " names");
    }
    for (var o : ns.objects().values()) {
      o.close(); // removes the pins
    }
  }

  private static void pinMaps(BpfStore maps, Namespace ns, String dir, int count)
      throws IOException, Refusal, PathSyntaxException {
    for (int i = 0; i < count; i++) {
      HeldObject object = maps.keep(HeldObject.adopt(Bpf.createMap(ARRAY, 4, 8, 1, 0, "probe")));
      if (!object.pinned()) {
        throw new IllegalStateException("map " + i + " is kept by its fd, not by a pin");
      }
      ns.pin(ROOT, PathName.parse(dir + name(i)), 0644, Request.DEFAULT_ID, 0, 0, object);
    }
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "m%06d", i);
  }

  /** The JVM's class histogram (GC.class_histogram), its first lines. */
  private static String histogram() throws Exception {
    Object text =
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
    return String.join("\n", text.toString().lines().limit(20).toList());
  }

  /** Heap in use after full collections, until it stops shrinking. */
  private static long liveHeap() {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          used += p.getUsage().getUsed();
        }
      }
      if (used >= last) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }
}
