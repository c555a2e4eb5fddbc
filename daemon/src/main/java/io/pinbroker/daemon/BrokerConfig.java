package io.pinbroker.daemon;

import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.ServerConfig;
import java.nio.file.Path;

/**
 * Everything the broker is configured with.
 *
 * @param socket where to listen; null to pick the first usable standard location
 * @param maps what CREATE_MAP may create
 * @param socketMode permission bits of the socket file (access control happens per path)
 * @param fdStoreMax fds the service manager's fd store takes (its FileDescriptorStoreMax=)
 * @param bpfStore where BPF objects are pinned instead of held by fds: a directory, {@link
 *     BpfStore#AUTO} or {@link BpfStore#OFF}
 */
public record BrokerConfig(
    Path socket,
    int socketMode,
    NamespaceConfig namespace,
    ServerConfig server,
    MapPolicy maps,
    long fdStoreMax,
    String bpfStore) {
  /** A configuration that keeps BPF objects by their fds. */
  public BrokerConfig(
      Path socket,
      int socketMode,
      NamespaceConfig namespace,
      ServerConfig server,
      MapPolicy maps,
      long fdStoreMax) {
    this(socket, socketMode, namespace, server, maps, fdStoreMax, BpfStore.OFF);
  }
}
