package io.pinbroker.daemon.object;

import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class InternerTest {
  @Test
  void equalValuesShareOneInstanceUpToTheBound() {
    Interner<String> interner = new Interner<>(2);
    String a = new String("a");
    String b = new String("b");
    assertSame(a, interner.intern(a));
    assertSame(a, interner.intern(new String("a")));
    assertSame(b, interner.intern(b));
    String c = new String("c");
    assertSame(c, interner.intern(c), "past the bound a value is returned as it is");
    assertSame(c, interner.intern(c));
    String c2 = new String("c");
    assertSame(c2, interner.intern(c2), "and not kept");
    assertSame(b, interner.intern(new String("b")), "shared values stay shared past the bound");
  }
}
