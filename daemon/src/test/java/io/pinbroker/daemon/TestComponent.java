package io.pinbroker.daemon;

import dagger.BindsInstance;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import io.pinbroker.daemon.systemd.Notifier;
import java.time.InstantSource;
import javax.inject.Singleton;

/** The daemon's real graph with fakes for the outside world: a given clock, a recording notifier. */
@Singleton
@Component(modules = {BrokerModule.class, TestComponent.Fakes.class})
interface TestComponent {
  Broker broker();

  RecordingNotifier notifier();

  @Component.Factory
  interface Factory {
    TestComponent create(@BindsInstance BrokerConfig config, @BindsInstance InstantSource clock);
  }

  @Module
  final class Fakes {
    private Fakes() {}

    @Provides
    @Singleton
    static RecordingNotifier recorder() {
      return new RecordingNotifier();
    }

    @Provides
    static Notifier notifier(RecordingNotifier recorder) {
      return recorder;
    }
  }
}
