package io.pinbroker.daemon.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a HeldObject keeps in primitive fields comes back as it went in. */
class PackedStateTest {
  @Test
  void detailsOfEveryKindRoundTrip() {
    check(ObjectKind.BPF_MAP, new ObjectDetails.MapDetails(2, 77, 4, 8, 1, 0, "probe", List.of()));
    check(ObjectKind.SIM_MAP, new ObjectDetails.MapDetails(3, 0, 4, 4, 8, -1, "", List.of()));
    check(ObjectKind.BPF_PROG, new ObjectDetails.ProgDetails(1, 9, "0123456789abcdef", "p"));
    check(ObjectKind.SIM_PROG, new ObjectDetails.ProgDetails(1, -5, "ffffffff00000000", "sim"));
    check(ObjectKind.BPF_LINK, new ObjectDetails.LinkDetails(1, 3, 9));
    check(ObjectKind.FD, ObjectDetails.NONE);
  }

  private static void check(ObjectKind kind, ObjectDetails d) {
    int[] ints = new int[PackedDetails.INTS];
    String name = PackedDetails.pack(d, ints);
    assertEquals(
        d,
        PackedDetails.unpack(kind, ints[0], ints[1], ints[2], ints[3], ints[4], ints[5], name));
  }

  @Test
  void pinNamesSplitTheirNumberAndShareTheirPrefix() {
    PinName a = PinName.parse("/sys/fs/bpf/pinbroker/m3x9k2a-17");
    PinName b = PinName.parse(new String("/sys/fs/bpf/pinbroker/m3x9k2a-2147483"));
    assertEquals(new PinName("/sys/fs/bpf/pinbroker/m3x9k2a-", 17), a);
    assertSame(a.prefix(), b.prefix());
    assertEquals("/sys/fs/bpf/pinbroker/m3x9k2a-2147483", b.path());
    for (String whole : List.of("/b/pin", "/b/x-007", "/b/x-12345678901", "/b/x-")) {
      assertEquals(new PinName(whole, -1), PinName.parse(whole), whole);
      assertEquals(whole, PinName.parse(whole).path());
    }
  }
}
