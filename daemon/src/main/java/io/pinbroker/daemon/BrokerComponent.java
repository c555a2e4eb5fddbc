package io.pinbroker.daemon;

import dagger.BindsInstance;
import dagger.Component;
import javax.inject.Singleton;

/** The daemon's object graph. Its only entry point is the broker. */
@Singleton
@Component(modules = {BrokerModule.class, SystemClockModule.class})
interface BrokerComponent {
  Broker broker();

  @Component.Factory
  interface Factory {
    BrokerComponent create(@BindsInstance BrokerConfig config);
  }
}
