package io.pinbroker.sim;

/** The kinds of simulated map, numbered as the kernel numbers {@code enum bpf_map_type}. */
public enum SimMapType {
  /** BPF_MAP_TYPE_HASH: arbitrary keys, open addressing. */
  HASH(1),
  /** BPF_MAP_TYPE_ARRAY: u32 index keys, every slot exists, delete is refused. */
  ARRAY(2),
  /** BPF_MAP_TYPE_PROG_ARRAY: u32 index keys, u32 program ids as values, 0 = empty. */
  PROG_ARRAY(3);

  private final int kernelNumber;

  SimMapType(int kernelNumber) {
    this.kernelNumber = kernelNumber;
  }

  /** The kernel's BPF_MAP_TYPE_* number, as stored in the header. */
  public int kernelNumber() {
    return kernelNumber;
  }

  /** The type with this kernel number, or null if it is not simulated. */
  public static SimMapType ofKernelNumber(int n) {
    for (SimMapType t : values()) {
      if (t.kernelNumber == n) {
        return t;
      }
    }
    return null;
  }
}
