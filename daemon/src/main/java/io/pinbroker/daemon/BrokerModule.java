package io.pinbroker.daemon;

import dagger.Module;
import dagger.Provides;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.NamespaceConfig;
import io.pinbroker.daemon.object.MapPolicy;
import io.pinbroker.daemon.server.ServerConfig;
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
  static Namespace namespace(NamespaceConfig config, InstantSource clock) {
    return new Namespace(config, clock);
  }
}
