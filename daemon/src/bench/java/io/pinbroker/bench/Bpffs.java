package io.pinbroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A private bpffs mount for the BPF peer, fresh per workload; unmounted on close. */
final class Bpffs implements AutoCloseable {
  private final Path where;

  private Bpffs(Path where) {
    this.where = where;
  }

  static Bpffs mount(Path where) throws IOException, InterruptedException {
    Files.createDirectories(where);
    Bench.exec(List.of("mount", "-t", "bpf", "bpf", where.toString()));
    return new Bpffs(where);
  }

  @Override
  public void close() throws IOException {
    try {
      Bench.exec(List.of("umount", where.toString()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + where, e);
    }
  }
}
