package io.pinbroker.unix;

import java.lang.foreign.Arena;

/** The process environment as libc sees it (what exec'd children inherit). */
public final class Environment {
  private Environment() {}

  /** unsetenv(3) each name, so that children do not inherit it. */
  public static void unset(String... names) {
    for (String name : names) {
      try (Arena a = Arena.ofConfined()) {
        int unused = (int) Libc.UNSETENV.invokeExact(Libc.state(), a.allocateFrom(name));
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    }
  }
}
