package io.pinbroker.daemon;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.MapFactory;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.AuditLog;
import io.pinbroker.daemon.server.Server;
import io.pinbroker.daemon.server.ServerConfig;
import io.pinbroker.daemon.systemd.Notifier;
import io.pinbroker.unix.Bpf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Singleton;

/**
 * A configuration reload as systemd expects it: RELOADING=1 with MONOTONIC_USEC, then the new
 * settings, then READY=1. The reloadable settings (umask, root-override, max-names,
 * max-names-per-uid, max-connections-per-uid, idle-timeout, send-timeout, map-types,
 * max-map-bytes, map-quota, sim-map-quota, audit, verbose) apply at once, the timeouts to
 * connections accepted from then on; the others (socket, socket-mode, root-mode, max-connections)
 * are compared and a change is logged as taking effect at the next start. A configuration that
 * cannot be read or parsed changes nothing. Not thread-safe: {@link Broker} runs one reload at a
 * time.
 */
@Singleton
final class Reloader {
  private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

  private final Namespace namespace;
  private final MapFactory maps;
  private final Server server;
  private final Notifier notifier;
  /** The configuration in force: as started, with the reloadable settings as last reloaded. */
  private BrokerConfig running;
  /** Whether the audit log is on: as started (on, unless Main turned it off), then as reloaded. */
  private boolean audit = AuditLog.isEnabled();

  @Inject
  Reloader(
      BrokerConfig config, Namespace namespace, MapFactory maps, Server server, Notifier notifier) {
    this.running = config;
    this.server = server;
    this.namespace = namespace;
    this.maps = maps;
    this.notifier = notifier;
  }

  /**
   * Reloads from {@code next}, which reads the configuration afresh and throws if it is invalid.
   * Ends with READY=1 and {@code status} whatever happened.
   */
  void reload(Callable<Settings> next, Supplier<String> status) {
    notifier.send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros());
    try {
      Settings settings;
      try {
        settings = next.call();
      } catch (Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.severe("reload failed, the running configuration stays: " + why);
        return;
      }
      apply(settings);
    } finally {
      notifier.send("READY=1\nSTATUS=" + status.get());
    }
  }

  /**
   * CLOCK_MONOTONIC in microseconds, as systemd wants it with RELOADING=1. On Linux, HotSpot's
   * System.nanoTime() is clock_gettime(CLOCK_MONOTONIC) with no offset, so the same clock as
   * systemd's, not one private to this JVM.
   */
  static long monotonicMicros() {
    return System.nanoTime() / 1000;
  }

  private void apply(Settings settings) {
    BrokerConfig next = settings.config();
    restartOnly("socket", running.socket(), next.socket(), p -> p == null ? "default" : p.toString());
    restartOnly("socket-mode", running.socketMode(), next.socketMode(), Reloader::mode);
    restartOnly(
        "root-mode", running.namespace().rootMode(), next.namespace().rootMode(), Reloader::mode);
    restartOnly(
        "max-connections",
        running.server().maxConnections(),
        next.server().maxConnections(),
        String::valueOf);
    restartOnly("fd-store-max", running.fdStoreMax(), next.fdStoreMax(), String::valueOf);
    restartOnly("bpf-store", running.bpfStore(), next.bpfStore(), String::valueOf);

    NamespaceConfig ns = running.namespace();
    NamespaceConfig newNs = next.namespace();
    ServerConfig sc = running.server();
    ServerConfig newSc = next.server();
    MapPolicy mp = running.maps();
    MapPolicy newMp = next.maps();
    Level level = SdDaemonLogging.level();
    List<String> changed = new ArrayList<>();
    compare(changed, "umask", ns.umask(), newNs.umask(), u -> String.format("%03o", u));
    compare(changed, "root-override", ns.rootOverride(), newNs.rootOverride(), String::valueOf);
    compare(changed, "max-names", ns.maxNames(), newNs.maxNames(), String::valueOf);
    compare(
        changed, "max-names-per-uid", ns.maxNamesPerUid(), newNs.maxNamesPerUid(), String::valueOf);
    compare(
        changed,
        "max-connections-per-uid",
        sc.maxConnectionsPerUid(),
        newSc.maxConnectionsPerUid(),
        String::valueOf);
    compare(changed, "idle-timeout", sc.idleTimeout(), newSc.idleTimeout(), Reloader::duration);
    compare(changed, "send-timeout", sc.sendTimeout(), newSc.sendTimeout(), Reloader::duration);
    compare(changed, "map-types", mp.allowedTypes(), newMp.allowedTypes(), Reloader::mapTypes);
    compare(changed, "max-map-bytes", mp.maxMapBytes(), newMp.maxMapBytes(), String::valueOf);
    compare(changed, "map-quota", mp.quotaBytesPerUid(), newMp.quotaBytesPerUid(), String::valueOf);
    compare(
        changed,
        "sim-map-quota",
        mp.simQuotaBytesPerUid(),
        newMp.simQuotaBytesPerUid(),
        String::valueOf);
    compare(changed, "audit", audit, settings.audit(), String::valueOf);
    compare(changed, "verbose", isVerbose(level), isVerbose(settings.logLevel()), String::valueOf);

    NamespaceConfig applied =
        new NamespaceConfig(
            ns.rootMode(), newNs.umask(), newNs.rootOverride(), newNs.maxNames(),
            newNs.maxNamesPerUid());
    ServerConfig appliedServer =
        new ServerConfig(
            sc.maxConnections(), newSc.maxConnectionsPerUid(), newSc.idleTimeout(),
            newSc.sendTimeout());
    namespace.reconfigure(applied);
    server.reconfigure(appliedServer);
    maps.reconfigure(newMp);
    SdDaemonLogging.level(settings.logLevel());
    AuditLog.enabled(settings.audit());
    audit = settings.audit();
    running =
        new BrokerConfig(
            running.socket(), running.socketMode(), applied, appliedServer, newMp,
            running.fdStoreMax(), running.bpfStore());
    LOG.info("reloaded: " + (changed.isEmpty() ? "nothing changed" : String.join(", ", changed)));
  }

  private static <T> void restartOnly(String name, T old, T now, Function<T, String> show) {
    if (!Objects.equals(old, now)) {
      LOG.warning(
          name + " changed in the config (" + show.apply(old) + " -> " + show.apply(now)
              + "); takes effect at the next start");
    }
  }

  private static <T> void compare(
      List<String> changed, String name, T old, T now, Function<T, String> show) {
    if (!Objects.equals(old, now)) {
      changed.add(name + " " + show.apply(old) + " -> " + show.apply(now));
    }
  }

  private static boolean isVerbose(Level level) {
    return level != null && level.intValue() < Level.INFO.intValue();
  }

  private static String duration(Duration d) {
    return d.isZero() ? "off" : d.toMillis() + "ms";
  }

  private static String mode(int mode) {
    return String.format("%04o", mode);
  }

  private static String mapTypes(Iterable<Integer> types) {
    List<String> names = new ArrayList<>();
    for (int t : types) {
      names.add(Bpf.mapTypeName(t));
    }
    names.sort(null);
    return String.join(",", names);
  }
}
