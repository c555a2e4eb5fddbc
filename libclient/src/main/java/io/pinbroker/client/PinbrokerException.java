package io.pinbroker.client;

import io.pinbroker.protocol.Status;
import java.io.IOException;

/**
 * A request the broker refused. Each {@link Status} has exactly one final subclass, so callers
 * can catch the case they handle ({@code catch (EntryExistsException e)}) or this type for all.
 */
public abstract sealed class PinbrokerException extends IOException
    permits OperationNotPermittedException,
        TooBigException,
        QuotaExceededException, NoSuchEntryException, BadDescriptorException, TryAgainException, PermissionDeniedException, BusyException, EntryExistsException, NotADirectoryException, IsADirectoryException, InvalidArgumentException, TooManyOpenFilesException, NoSpaceException, NameTooLongException, NotImplementedException, DirectoryNotEmptyException, PathTooDeepException, ProtocolErrorException, IllegalNameException, VersionMismatchException, DescriptorsTruncatedException, TimedOutException, StaleGenerationException {
  private final Status status;
  private final String path;
  private final String detail;

  PinbrokerException(Status status, String path, String detail) {
    super(format(status, path, detail));
    this.status = status;
    this.path = path;
    this.detail = detail;
  }

  private static String format(Status status, String path, String detail) {
    String text = path.isEmpty() ? status.message() : path + ": " + status.message();
    return detail.isEmpty() ? text : text + " (" + detail + ")";
  }

  /** The status the broker answered with. */
  public Status status() {
    return status;
  }

  /** The path the request named, or empty. */
  public String path() {
    return path;
  }

  /** The broker's explanation, possibly empty. */
  public String detail() {
    return detail;
  }

  /** The exception for a refusal. */
  public static PinbrokerException of(Status status, String path, String detail) {
    return switch (status) {
      case OK -> throw new IllegalArgumentException("OK is not a refusal");
      case EPERM -> new OperationNotPermittedException(path, detail);
      case ENOENT -> new NoSuchEntryException(path, detail);
      case E2BIG -> new TooBigException(path, detail);
      case EDQUOT -> new QuotaExceededException(path, detail);
      case EBADF -> new BadDescriptorException(path, detail);
      case EAGAIN -> new TryAgainException(path, detail);
      case EACCES -> new PermissionDeniedException(path, detail);
      case EBUSY -> new BusyException(path, detail);
      case EEXIST -> new EntryExistsException(path, detail);
      case ENOTDIR -> new NotADirectoryException(path, detail);
      case EISDIR -> new IsADirectoryException(path, detail);
      case EINVAL -> new InvalidArgumentException(path, detail);
      case EMFILE -> new TooManyOpenFilesException(path, detail);
      case ENOSPC -> new NoSpaceException(path, detail);
      case ENAMETOOLONG -> new NameTooLongException(path, detail);
      case ENOSYS -> new NotImplementedException(path, detail);
      case ENOTEMPTY -> new DirectoryNotEmptyException(path, detail);
      case ELOOP -> new PathTooDeepException(path, detail);
      case EPROTO -> new ProtocolErrorException(path, detail);
      case EILSEQ -> new IllegalNameException(path, detail);
      case EPROTONOSUPPORT -> new VersionMismatchException(path, detail);
      case ENOBUFS -> new DescriptorsTruncatedException(path, detail);
      case ETIMEDOUT -> new TimedOutException(path, detail);
      case ESTALE -> new StaleGenerationException(path, detail);
    };
  }
}
