package io.pinbroker.daemon;

import io.pinbroker.daemon.systemd.Notifier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A service manager that only remembers what it was told. */
final class RecordingNotifier implements Notifier {
  private final List<String> messages = new CopyOnWriteArrayList<>();

  @Override
  public void send(String state) {
    messages.add(state);
  }

  List<String> messages() {
    return List.copyOf(messages);
  }
}
