package io.pinbroker.maps;

import io.pinbroker.sim.SimMap;
import java.io.IOException;
import java.util.function.BiConsumer;

/** A sim map, through its shared mapping (read-only if the fd is). */
final class SimMapHandle implements MapHandle {
  private final SimMap map;

  SimMapHandle(SimMap map) {
    this.map = map;
  }

  @Override
  public int keySize() {
    return map.keySize();
  }

  @Override
  public int valueSize() {
    return map.valueSize();
  }

  @Override
  public byte[] lookup(byte[] key) throws IOException {
    return map.lookup(key);
  }

  @Override
  public void update(byte[] key, byte[] value, int flags) throws IOException {
    map.update(key, value, flags);
  }

  @Override
  public boolean delete(byte[] key) throws IOException {
    return map.delete(key);
  }

  @Override
  public void forEach(BiConsumer<byte[], byte[]> action) throws IOException {
    map.forEach(action);
  }

  @Override
  public void close() {
    map.close();
  }
}
