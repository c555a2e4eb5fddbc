package io.pinbroker.protocol;

import java.util.List;

/**
 * What the broker knows of a BPF or sim object beyond its fd. Which record a node carries follows
 * from its {@link ObjectKind}: maps carry {@link MapDetails}, programs {@link ProgDetails}, links
 * {@link LinkDetails}, everything else {@link None}.
 */
public sealed interface ObjectDetails {
  None NONE = new None();

  /** No details: directories and plain fds. */
  record None() implements ObjectDetails {}

  /**
   * A map, real or simulated.
   *
   * @param mapType the kernel's BPF map type number (1 hash, 2 array, 3 prog_array, ...)
   * @param id the kernel's map id; 0 for sim maps
   * @param members for prog arrays in a STAT reply: the occupied slots; empty otherwise
   */
  record MapDetails(
      int mapType,
      int id,
      int keySize,
      int valueSize,
      int maxEntries,
      int flags,
      String name,
      List<ProgArraySlot> members)
      implements ObjectDetails {
    public MapDetails {
      members = List.copyOf(members);
    }
  }

  /**
   * One occupied slot of a prog array.
   *
   * @param progId the program's id (for sim prog arrays, the sim program's id)
   * @param holder a broker name holding that program, or empty if the broker holds none
   */
  record ProgArraySlot(int slot, int progId, String holder) {}

  /**
   * A program, real or simulated.
   *
   * @param progType the kernel's BPF program type number (1 socket_filter, ...)
   * @param id the kernel's program id; for sim programs a 32-bit id derived from the memfd
   * @param tag 16 hex digits: the first 8 bytes of SHA-1 over the instructions
   */
  record ProgDetails(int progType, int id, String tag, String name) implements ObjectDetails {
    public ProgDetails {
      if (!tag.matches("[0-9a-f]{16}")) {
        throw new IllegalArgumentException("tag must be 16 lower-case hex digits: " + tag);
      }
    }
  }

  /** A BPF link and the program it attaches. */
  record LinkDetails(int linkType, int id, int progId) implements ObjectDetails {}
}
