package io.pinbroker.protocol;

/**
 * Reply statuses. The numeric values are Linux errno numbers, so a C client can hand them to
 * {@code strerror}; the messages are strerror's, except ELOOP and ESTALE, whose broker meanings
 * (path too deep, generation mismatch) differ from the kernel's. PROTOCOL.md lists every status
 * once, with the operations that return it.
 */
public enum Status {
  OK(0, "Success"),
  EPERM(1, "Operation not permitted"),
  ENOENT(2, "No such file or directory"),
  E2BIG(7, "Argument list too long"),
  EBADF(9, "Bad file descriptor"),
  EAGAIN(11, "Resource temporarily unavailable"),
  EACCES(13, "Permission denied"),
  EBUSY(16, "Device or resource busy"),
  EEXIST(17, "File exists"),
  ENOTDIR(20, "Not a directory"),
  EISDIR(21, "Is a directory"),
  EINVAL(22, "Invalid argument"),
  EMFILE(24, "Too many open files"),
  ENOSPC(28, "No space left on device"),
  ENAMETOOLONG(36, "File name too long"),
  ENOSYS(38, "Function not implemented"),
  ENOTEMPTY(39, "Directory not empty"),
  ELOOP(40, "Path too deep"),
  EPROTO(71, "Protocol error"),
  EILSEQ(84, "Invalid or incomplete multibyte or wide character"),
  EPROTONOSUPPORT(93, "Protocol not supported"),
  ENOBUFS(105, "No buffer space available"),
  ETIMEDOUT(110, "Connection timed out"),
  ESTALE(116, "Stale generation"),
  EDQUOT(122, "Disk quota exceeded");

  private final int code;
  private final String message;

  Status(int code, String message) {
    this.code = code;
    this.message = message;
  }

  /** The errno number carried on the wire. */
  public int code() {
    return code;
  }

  /** The human-readable text, as {@code strerror} would print it. */
  public String message() {
    return message;
  }

  /** The status for a wire code, or {@code null} if this version does not know it. */
  public static Status valueOf(int code) {
    for (Status s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return null;
  }
}
