package io.pinbroker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pinbroker.unix.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private long now;

  @Test
  void drawsInPlaceThrottledAndEndsTheLine() {
    StringWriter text = new StringWriter();
    try (Progress p = new Progress(new PrintWriter(text), "imported %d/%d", () -> now)) {
      p.update(0, 12);
      now += 10_000_000L;
      p.update(1, 12); // within 100 ms of the last: skipped
      now += 100_000_000L;
      p.update(9, 12);
      now += 1;
      p.update(12, 12); // the last step is always drawn
    }
    assertEquals("\rimported 0/12\rimported 9/12\rimported 12/12\n", text.toString());
  }

  @Test
  void aShorterLineBlanksWhatTheLongerOneLeft() {
    StringWriter text = new StringWriter();
    try (Progress p = new Progress(new PrintWriter(text), "%d of %d", () -> now)) {
      p.update(100, 100);
      now += 200_000_000L;
      p.update(1, 2);
    }
    assertEquals("\r100 of 100\r1 of 2    \n", text.toString());
  }

  @Test
  void quietProgressWritesNothing() {
    StringWriter text = new StringWriter();
    try (Progress p = new Progress(null, "imported %d/%d", () -> now)) {
      p.update(1, 2);
      p.update(2, 2);
    }
    assertEquals("", text.toString());
  }

  @Test
  void redirectedStreamsGetNoProgress() {
    // surefire runs this JVM with stdout and stderr on pipes, as a script would
    assertFalse(Terminal.isTerminal(Terminal.STDOUT) && Terminal.isTerminal(Terminal.STDERR));
    StringWriter text = new StringWriter();
    try (Progress p = Progress.forTerminal(new PrintWriter(text), "imported %d/%d")) {
      p.update(0, 3);
      p.update(3, 3);
    }
    assertEquals("", text.toString());
  }

  @Test
  void aClosedFdIsNoTerminal() {
    assertFalse(Terminal.isTerminal(-1));
  }
}
