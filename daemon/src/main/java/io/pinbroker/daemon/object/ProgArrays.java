package io.pinbroker.daemon.object;

import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.sim.SimMap;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.Fd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Reads which programs a prog array holds: the kernel for real ones, the memfd for sim ones. */
final class ProgArrays {
  private ProgArrays() {}

  /** The occupied slots as {slot, prog id}; empty for anything that is not a prog array. */
  static List<int[]> slots(HeldObject array) throws IOException {
    List<int[]> slots = new ArrayList<>();
    if (!(array.details() instanceof ObjectDetails.MapDetails m) || !array.isProgArray()) {
      return slots;
    }
    if (array.kind() == ObjectKind.BPF_MAP) {
      try (Fd fd = array.open(Bpf.F_RDONLY)) {
        for (int slot = 0; slot < m.maxEntries(); slot++) {
          int id = Bpf.progArrayMember(fd.value(), slot);
          if (id != 0) {
            slots.add(new int[] {slot, id});
          }
        }
      }
      return slots;
    }
    try (SimMap sim = SimMap.open(array.fd(), false)) {
      for (int slot = 0; slot < m.maxEntries(); slot++) {
        byte[] value = sim.lookup(le32(slot));
        int id = value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (id != 0) {
          slots.add(new int[] {slot, id});
        }
      }
    }
    return slots;
  }

  static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }
}
