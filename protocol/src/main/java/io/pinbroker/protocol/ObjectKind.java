package io.pinbroker.protocol;

/** What an entry holds. Directories hold {@link #NONE}. */
public enum ObjectKind implements WireCode {
  NONE(0, "dir"),
  /** Any other fd: a memfd, file, pipe, socket, device. */
  FD(1, "fd"),
  BPF_MAP(2, "bpf-map"),
  BPF_PROG(3, "bpf-prog"),
  BPF_LINK(4, "bpf-link"),
  /** A memfd in the sim-map layout of SIMOBJECTS.md. */
  SIM_MAP(5, "sim-map"),
  /** A sealed memfd in the sim-prog layout of SIMOBJECTS.md. */
  SIM_PROG(6, "sim-prog");

  private final int code;
  private final String label;

  ObjectKind(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public int code() {
    return code;
  }

  public boolean isMap() {
    return this == BPF_MAP || this == SIM_MAP;
  }

  public boolean isProg() {
    return this == BPF_PROG || this == SIM_PROG;
  }

  /** The short name shown by the CLI. */
  public String label() {
    return label;
  }

  /** The kind for a wire byte, or {@code null} if unknown. */
  public static ObjectKind valueOf(byte code) {
    return WireCode.lookup(values(), code & 0xFF);
  }
}
