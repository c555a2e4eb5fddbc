package io.pinbroker.maps;

import io.pinbroker.client.ReceivedFd;
import io.pinbroker.protocol.ObjectDetails;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.sim.SimMap;
import java.io.IOException;

/** Opens element access to a map a GET returned, whichever kind it is. */
public final class MapHandles {
  private MapHandles() {}

  /**
   * Element access through {@code got}'s fd, which stays owned by {@code got} and must outlive the
   * handle. Writes through a read-only fd fail: EPERM from the kernel for real maps, from the
   * read-only mapping for sim maps.
   *
   * @throws IllegalArgumentException if the entry is not a map
   */
  public static MapHandle open(ReceivedFd got, boolean writable) throws IOException {
    if (!(got.info().details() instanceof ObjectDetails.MapDetails m)) {
      throw new IllegalArgumentException("not a map: " + got.info().kind().label());
    }
    if (got.info().kind() == ObjectKind.BPF_MAP) {
      return new BpfMapHandle(got.fd().value(), m.keySize(), m.valueSize());
    }
    return new SimMapHandle(SimMap.open(got.fd().value(), writable));
  }
}
