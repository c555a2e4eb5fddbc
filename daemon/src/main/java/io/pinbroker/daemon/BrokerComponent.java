package io.pinbroker.daemon;

import dagger.BindsInstance;
import dagger.Component;
import io.pinbroker.daemon.systemd.SystemdModule;
import javax.inject.Singleton;

/** The daemon's object graph. Its only entry point is the broker. */
@Singleton
@Component(modules = {BrokerModule.class, SystemClockModule.class, SystemdModule.class})
interface BrokerComponent {
  Broker broker();

  @Component.Factory
  interface Factory {
    BrokerComponent create(@BindsInstance BrokerConfig config);
  }
}
