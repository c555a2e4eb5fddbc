package io.pinbroker.unix;

/**
 * What the kernel reports about a program ({@code struct bpf_prog_info}).
 *
 * @param type the program type, e.g. {@link Bpf#PROG_TYPE_SOCKET_FILTER}
 * @param id the program's system-wide id
 * @param tag the program tag (a hash of its instructions) as 16 lower-case hex digits
 * @param name the object name, at most 15 characters
 */
public record BpfProgInfo(int type, int id, String tag, String name) {

  /** The type's kernel name, e.g. "socket_filter". */
  public String typeName() {
    return Bpf.progTypeName(type);
  }
}
