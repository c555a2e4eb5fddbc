package io.pinbroker.daemon.object;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal immutable values, so that thousands of objects of one kind hold one instance
 * instead of a copy each. It keeps at most {@code max} values: past the bound a new value is
 * returned as it is, so an unexpected variety of values costs no more than not sharing.
 */
final class Interner<T> {
  private final Map<T, T> shared = new ConcurrentHashMap<>();
  private final int max;

  Interner(int max) {
    this.max = max;
  }

  /** The shared instance equal to {@code value}; {@code value} itself if none is (or can be). */
  T intern(T value) {
    if (shared.size() >= max) {
      return shared.getOrDefault(value, value);
    }
    return shared.computeIfAbsent(value, v -> v);
  }
}
