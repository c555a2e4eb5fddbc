package io.pinbroker.protocol;

/** What a WATCH_EVENT frame reports (PROTOCOL.md §6.13). */
public enum EventType implements WireCode {
  /** A new entry or directory. */
  CREATED(1, "created"),
  /** An entry rebound by a PIN with replace: the node now has a new generation. */
  REPLACED(2, "replaced"),
  /** An entry unlinked or a directory removed. */
  REMOVED(3, "removed"),
  /** An entry removed because its time ran out, or its ephemeral owner left. */
  EXPIRED(4, "expired"),
  /** A node renamed from {@code path} to {@code to}, replacing whatever was there. */
  MOVED(5, "moved"),
  /** The nodes at {@code path} and {@code to} traded places. */
  EXCHANGED(6, "exchanged"),
  /** A node's mode, owner or group changed. */
  ATTRS(7, "attrs"),
  /** The watcher fell behind and events were dropped: re-read what it watches. */
  OVERFLOW(8, "overflow");

  private final int code;
  private final String label;

  EventType(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public int code() {
    return code;
  }

  /** The lower-case name the CLI shows. */
  public String label() {
    return label;
  }

  /** Whether events of this type carry a destination ({@code to}). */
  public boolean hasDestination() {
    return this == MOVED || this == EXCHANGED;
  }

  /** The type for a wire byte, or {@code null} if unknown. */
  public static EventType valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
