package io.pinbroker.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileOpsTest {
  /** reopen writes the fd's number itself: every digit count must name the right fd. */
  @ParameterizedTest
  @ValueSource(ints = {0, 9, 10, 99, 100, 999, 1000, 9999, 10000})
  void reopenOpensTheObjectBehindAnyFdNumber(int min) throws IOException {
    try (Fd memfd = FileOps.memfd("file-ops-test", 7, 0);
        Fd numbered = FileOps.duplicate(memfd.value(), min);
        Fd again = FileOps.reopen(numbered.value(), FileOps.O_RDONLY)) {
      assertNotEquals(numbered.value(), again.value());
      assertEquals(FileOps.stat(memfd.value()).ino(), FileOps.stat(again.value()).ino());
      assertEquals(7, FileOps.size(again.value()));
      assertEquals(FileOps.O_RDONLY, FileOps.statusFlags(again.value()) & FileOps.O_ACCMODE);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {12345, 19999})
  void reopenOfAClosedFdIsAnError(int fd) {
    assertThrows(IOException.class, () -> FileOps.reopen(fd, FileOps.O_RDONLY));
  }
}
