package io.pinbroker.protocol;

/**
 * The single values a STATS reply may carry, by their wire code (PROTOCOL.md §6.14). A reply
 * from a newer broker may carry codes this version does not know; {@link Stats} keeps them as
 * numbers.
 */
public enum StatsMetric implements WireCode {
  /** Milliseconds since the broker started. */
  UPTIME_MS(1, "uptime_ms"),
  /** Connections open now, the one asking included. */
  CONNECTIONS(2, "connections"),
  /** The most connections served at once ({@code --max-connections}). */
  CONNECTIONS_MAX(3, "connections_max"),
  /** Connections accepted and served since the start. */
  CONNECTIONS_ACCEPTED(4, "connections_accepted"),
  /** Connections closed at accept because the limit was reached. */
  CONNECTIONS_REFUSED(5, "connections_refused"),
  /** Connections ended because their client broke the protocol. */
  PROTOCOL_VIOLATIONS(6, "protocol_violations"),
  /** The most names the broker holds ({@code --max-names}). */
  NAMES_MAX(7, "names_max"),
  /** fds held for entries: one per entry. */
  FDS_HELD(8, "fds_held"),
  /** fds open in the broker process now, whatever they are for. */
  FDS_OPEN(9, "fds_open"),
  /** The broker process's fd limit: the soft RLIMIT_NOFILE. */
  FDS_LIMIT(10, "fds_limit"),
  /** fds in the service manager's fd store: held objects and the journal. Only with a store. */
  FD_STORE_USED(11, "fd_store_used"),
  /** Slots of the service manager's fd store. Only with a store. */
  FD_STORE_MAX(12, "fd_store_max");

  private final int code;
  private final String label;

  StatsMetric(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public int code() {
    return code;
  }

  /** A short lower-case name, for output such as JSON keys. */
  public String label() {
    return label;
  }

  /** The metric for a wire code, or {@code null} if this version does not know it. */
  public static StatsMetric valueOf(int code) {
    return WireCode.lookup(values(), code);
  }
}
