package io.pinbroker.sim;

import static io.pinbroker.sim.SimFormat.U32;

import io.pinbroker.unix.SharedMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The immutable part of a sim-map header and the geometry it implies. Read once when a map is
 * opened and never again, so a process scribbling over the header later cannot move a reader out of
 * bounds.
 *
 * @param slots buckets (HASH) or slots (ARRAY, PROG_ARRAY) in the data area
 * @param slotBytes bytes from one bucket or slot to the next
 */
record MapHeader(
    SimMapType type,
    int keySize,
    int valueSize,
    int maxEntries,
    int flags,
    String name,
    long slots,
    long slotBytes) {
  static final long MAGIC = 0;
  static final long VERSION = 8;
  static final long TYPE = 12;
  static final long KEY_SIZE = 16;
  static final long VALUE_SIZE = 20;
  static final long MAX_ENTRIES = 24;
  static final long MAP_FLAGS = 28;
  static final long NAME = 32;
  static final long LOCK = 48;
  static final long SEQ = 52;
  static final long COUNT = 56;
  static final long TOMBSTONES = 60;
  static final long DATA = SimFormat.HEADER_BYTES;

  /** The total file size this header requires. */
  long fileBytes() {
    return DATA + slots * slotBytes;
  }

  /** Offset of bucket or slot {@code i}. */
  long slot(long i) {
    return DATA + i * slotBytes;
  }

  /**
   * The geometry for these parameters, checking them (not the name; see {@link
   * SimFormat#encodeName}).
   *
   * @throws IllegalArgumentException naming the offending parameter
   */
  static MapHeader of(
      SimMapType type, int keySize, int valueSize, int maxEntries, int flags, String name) {
    if (type == null) {
      throw new IllegalArgumentException("map type must not be null");
    }
    if (keySize <= 0 || valueSize <= 0 || maxEntries <= 0) {
      throw new IllegalArgumentException(
          "key_size, value_size and max_entries must be positive, got "
              + keySize
              + ", "
              + valueSize
              + ", "
              + maxEntries);
    }
    if (type != SimMapType.HASH && keySize != 4) {
      throw new IllegalArgumentException(type + " needs key_size 4 (a u32 index), got " + keySize);
    }
    if (type == SimMapType.PROG_ARRAY && valueSize != 4) {
      throw new IllegalArgumentException(
          "PROG_ARRAY needs value_size 4 (a u32 program id), got " + valueSize);
    }
    long slots;
    long slotBytes;
    if (type == SimMapType.HASH) {
      slots = 2;
      while (slots < 2L * maxEntries) {
        slots <<= 1;
      }
      slotBytes = SimFormat.roundUp8(4L + keySize + valueSize);
    } else {
      slots = maxEntries;
      slotBytes = SimFormat.roundUp8(valueSize);
    }
    MapHeader h =
        new MapHeader(type, keySize, valueSize, maxEntries, flags, name, slots, slotBytes);
    if (slots > SimFormat.MAX_FILE_BYTES || h.fileBytes() > SimFormat.MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          "map would take "
              + slots
              + " slots of "
              + slotBytes
              + " bytes, over the cap of "
              + SimFormat.MAX_FILE_BYTES
              + " bytes");
    }
    return h;
  }

  /** Writes the whole header of a fresh map: lock free, sequence 0, tombstones 0. */
  void writeTo(MemorySegment seg) {
    MemorySegment.copy(SimFormat.MAP_MAGIC, 0, seg, ValueLayout.JAVA_BYTE, MAGIC, 8);
    seg.set(U32, VERSION, SimFormat.VERSION);
    seg.set(U32, TYPE, type.kernelNumber());
    seg.set(U32, KEY_SIZE, keySize);
    seg.set(U32, VALUE_SIZE, valueSize);
    seg.set(U32, MAX_ENTRIES, maxEntries);
    seg.set(U32, MAP_FLAGS, flags);
    MemorySegment.copy(
        SimFormat.encodeName(name), 0, seg, ValueLayout.JAVA_BYTE, NAME, SimFormat.NAME_BYTES);
    seg.set(U32, LOCK, 0);
    seg.set(U32, SEQ, 0);
    seg.set(U32, COUNT, type == SimMapType.ARRAY ? maxEntries : 0);
    seg.set(U32, TOMBSTONES, 0);
  }

  /**
   * Parses and checks the first 64 bytes of a file that claims to be a sim-map.
   *
   * @param fileBytes the file's actual size, which must be exactly what the header implies
   */
  static MapHeader parse(MemorySegment hdr, long fileBytes) throws SimFormatException {
    if (fileBytes < DATA || hdr.byteSize() < DATA) {
      throw new SimFormatException("file of " + fileBytes + " bytes is too short for a sim-map");
    }
    byte[] magic = hdr.asSlice(MAGIC, 8).toArray(ValueLayout.JAVA_BYTE);
    if (SimFormat.kindOf(magic) != SimObjectKind.SIM_MAP) {
      throw new SimFormatException("bad magic: not a sim-map (PBSIMMAP)");
    }
    int version = hdr.get(U32, VERSION);
    if (version != SimFormat.VERSION) {
      throw new SimFormatException(
          "unsupported sim-map version " + Integer.toUnsignedString(version));
    }
    int typeNumber = hdr.get(U32, TYPE);
    SimMapType type = SimMapType.ofKernelNumber(typeNumber);
    if (type == null) {
      throw new SimFormatException("unknown sim-map type " + Integer.toUnsignedString(typeNumber));
    }
    MapHeader h;
    try {
      h =
          of(
              type,
              hdr.get(U32, KEY_SIZE),
              hdr.get(U32, VALUE_SIZE),
              hdr.get(U32, MAX_ENTRIES),
              hdr.get(U32, MAP_FLAGS),
              SimFormat.decodeName(hdr, NAME));
    } catch (IllegalArgumentException e) {
      throw new SimFormatException("bad sim-map header: " + e.getMessage());
    }
    if (h.fileBytes() != fileBytes) {
      throw new SimFormatException(
          "sim-map header implies " + h.fileBytes() + " bytes but the file has " + fileBytes);
    }
    return h;
  }

  /** A checked header and the count word read with it. */
  record Read(MapHeader header, int count) {}

  /**
   * Reads (pread, no mapping) and checks the header of the sim-map behind {@code fd}: magic, seals,
   * fields, and the file size they imply.
   */
  static Read read(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment hdr = a.allocate(DATA, 8);
      long got = SharedMemory.readAt(fd, hdr, 0);
      if (got < 8
          || SimFormat.kindOf(hdr.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE))
              != SimObjectKind.SIM_MAP) {
        throw new SimFormatException("bad magic: not a sim-map (PBSIMMAP)");
      }
      SimFormat.requireSeals(fd, SharedMemory.F_SEAL_SHRINK | SharedMemory.F_SEAL_GROW, "sim-map");
      return new Read(parse(hdr, SharedMemory.size(fd)), hdr.get(U32, COUNT));
    }
  }
}
