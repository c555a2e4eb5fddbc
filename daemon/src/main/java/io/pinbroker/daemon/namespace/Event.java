package io.pinbroker.daemon.namespace;

import io.pinbroker.protocol.NodeInfo;

/**
 * What happened to a name, as a watcher sees it. Events come in the order the tree changed; the
 * namespace delivers them under its write lock, so listeners must not block.
 *
 * @param path the name the event is about (for MOVED and EXCHANGED, the source)
 * @param to the destination of MOVED and EXCHANGED; null otherwise
 * @param info the node after the event (before it, for REMOVED and EXPIRED)
 */
public record Event(Type type, String path, String to, NodeInfo info) {
  public enum Type {
    /** A new entry or directory. */
    CREATED,
    /** An entry replaced by a new pin (a new generation). */
    REPLACED,
    /** Unlinked or removed. */
    REMOVED,
    /** Removed because its time ran out, or its ephemeral owner left. */
    EXPIRED,
    /** Renamed from {@code path} to {@code to}, replacing whatever was there. */
    MOVED,
    /** {@code path} and {@code to} traded places. */
    EXCHANGED,
    /** Mode or owner changed. */
    ATTRS
  }

  /** Receives events; called under the namespace's write lock, so it must not block. */
  public interface Listener {
    void accept(Event event);
  }
}
