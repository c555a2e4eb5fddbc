package io.pinbroker.maps;

import io.pinbroker.unix.Bpf;
import java.io.IOException;
import java.util.function.BiConsumer;

/** A real BPF map, through bpf(2) on an fd the caller keeps open. */
final class BpfMapHandle implements MapHandle {
  private final int fd;
  private final int keySize;
  private final int valueSize;

  BpfMapHandle(int fd, int keySize, int valueSize) {
    this.fd = fd;
    this.keySize = keySize;
    this.valueSize = valueSize;
  }

  @Override
  public int keySize() {
    return keySize;
  }

  @Override
  public int valueSize() {
    return valueSize;
  }

  @Override
  public byte[] lookup(byte[] key) throws IOException {
    byte[] value = new byte[valueSize];
    return Bpf.lookup(fd, key, value) ? value : null;
  }

  @Override
  public void update(byte[] key, byte[] value, int flags) throws IOException {
    Bpf.update(fd, key, value, flags);
  }

  @Override
  public boolean delete(byte[] key) throws IOException {
    return Bpf.delete(fd, key);
  }

  @Override
  public void forEach(BiConsumer<byte[], byte[]> action) throws IOException {
    byte[] key = Bpf.nextKey(fd, null, keySize);
    while (key != null) {
      byte[] value = lookup(key);
      if (value != null) {
        action.accept(key, value);
      }
      key = Bpf.nextKey(fd, key, keySize);
    }
  }

  @Override
  public void close() {}
}
