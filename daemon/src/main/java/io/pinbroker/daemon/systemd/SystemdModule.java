package io.pinbroker.daemon.systemd;

import dagger.Module;
import dagger.Provides;
import javax.inject.Singleton;

/** The service manager this process reports to, from NOTIFY_SOCKET (none if unset). */
@Module
public final class SystemdModule {
  private SystemdModule() {}

  @Provides
  @Singleton
  static Notifier notifier() {
    return SdNotifier.fromEnvironment(System.getenv());
  }
}
