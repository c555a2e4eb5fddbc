package io.pinbroker.unix;

/**
 * What the kernel reports about a map ({@code struct bpf_map_info}).
 *
 * @param type the map type, e.g. {@link Bpf#HASH}
 * @param id the map's system-wide id
 * @param keySize key size in bytes
 * @param valueSize value size in bytes (per CPU for per-CPU maps)
 * @param maxEntries the capacity
 * @param flags the map_flags it was created with
 * @param name the object name, at most 15 characters
 */
public record BpfMapInfo(
    int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {

  /** The type's kernel name, e.g. "hash". */
  public String typeName() {
    return Bpf.mapTypeName(type);
  }
}
