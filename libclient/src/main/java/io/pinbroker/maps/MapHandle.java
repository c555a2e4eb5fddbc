package io.pinbroker.maps;

import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * Element access to a map the broker handed out, real or simulated: real maps through bpf(2) on
 * the fd, sim maps through their shared mapping. Keys and values are raw bytes (little-endian
 * numbers, as the kernel stores them). Closing releases the mapping, not the fd.
 */
public interface MapHandle extends AutoCloseable {
  int keySize();

  int valueSize();

  /** The value, or null if the key is absent. */
  byte[] lookup(byte[] key) throws IOException;

  /** flags: 0 any, 1 only if absent, 2 only if present (BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
  void update(byte[] key, byte[] value, int flags) throws IOException;

  /** False if the key was absent. */
  boolean delete(byte[] key) throws IOException;

  /** Every element, in the map's own order. */
  void forEach(BiConsumer<byte[], byte[]> action) throws IOException;

  @Override
  void close();
}
