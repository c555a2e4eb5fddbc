package io.pinbroker.daemon;

import dagger.Module;
import dagger.Provides;
import java.time.InstantSource;

/** The wall clock, for node timestamps. Tests substitute a fixed clock. */
@Module
final class SystemClockModule {
  private SystemClockModule() {}

  @Provides
  static InstantSource clock() {
    return InstantSource.system();
  }
}
