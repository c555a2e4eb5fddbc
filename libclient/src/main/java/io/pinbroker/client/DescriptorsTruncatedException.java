package io.pinbroker.client;

import io.pinbroker.protocol.Status;

/** ENOBUFS: The kernel dropped fds in transit (MSG_CTRUNC). */
public final class DescriptorsTruncatedException extends PinbrokerException {
  DescriptorsTruncatedException(String path, String detail) {
    super(Status.ENOBUFS, path, detail);
  }
}
