package io.pinbroker.daemon;

import dagger.BindsInstance;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import io.pinbroker.daemon.systemd.Notifier;
import java.time.InstantSource;
import javax.inject.Singleton;

/**
 * The daemon's real graph with fakes for the outside world: a given clock, and a recording service
 * manager with an fd store (which outlives a broker, as systemd's does).
 */
@Singleton
@Component(modules = {BrokerModule.class, TestComponent.Fakes.class})
interface TestComponent {
  Broker broker();

  RecordingNotifier notifier();

  @Component.Factory
  interface Factory {
    TestComponent create(
        @BindsInstance BrokerConfig config,
        @BindsInstance InstantSource clock,
        @BindsInstance RecordingNotifier manager);
  }

  @Module
  final class Fakes {
    private Fakes() {}

    @Provides
    static Notifier notifier(RecordingNotifier recorder) {
      return recorder;
    }
  }
}
