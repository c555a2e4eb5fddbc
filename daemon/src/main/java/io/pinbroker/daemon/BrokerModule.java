package io.pinbroker.daemon;

import dagger.Module;
import dagger.Provides;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.ServerConfig;
import java.io.IOException;
import java.time.InstantSource;
import javax.inject.Singleton;

/** Wires the namespace and server from the configuration. The clock comes from another module. */
@Module
final class BrokerModule {
  private BrokerModule() {}

  @Provides
  static NamespaceConfig namespaceConfig(BrokerConfig config) {
    return config.namespace();
  }

  @Provides
  static ServerConfig serverConfig(BrokerConfig config) {
    return config.server();
  }

  @Provides
  static MapPolicy mapPolicy(BrokerConfig config) {
    return config.maps();
  }

  @Provides
  @Singleton
  static BpfStore bpfStore(BrokerConfig config) {
    try {
      return BpfStore.open(config.bpfStore());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot keep BPF objects in " + config.bpfStore() + ": " + e.getMessage(), e);
    }
  }

  @Provides
  @Singleton
  static Namespace namespace(NamespaceConfig config, InstantSource clock) {
    return new Namespace(config, clock);
  }
}
