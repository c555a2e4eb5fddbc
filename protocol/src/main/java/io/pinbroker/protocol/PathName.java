package io.pinbroker.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated absolute path: {@code /} alone, or {@code /}-separated components of 1 to {@link
 * Limits#MAX_COMPONENT_BYTES} bytes with no NUL, no {@code .} and no {@code ..}.
 *
 * @param components the components from the root down; empty for the root itself
 */
public record PathName(List<String> components) {
  public static final PathName ROOT = new PathName(List.of());

  public PathName {
    components = List.copyOf(components);
  }

  /**
   * Parses and validates a path. Each rule has its own status: not absolute, empty component,
   * {@code .} or {@code ..} are {@link Status#EINVAL}; NUL is {@link Status#EILSEQ}; an over-long
   * component or path is {@link Status#ENAMETOOLONG}; too many components is {@link Status#ELOOP}.
   */
  public static PathName parse(String path) throws PathSyntaxException {
    int bytes = path.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.MAX_PATH_BYTES) {
      throw new PathSyntaxException(
          Status.ENAMETOOLONG, "path is " + bytes + " bytes, limit " + Limits.MAX_PATH_BYTES);
    }
    if (path.indexOf('\0') >= 0) {
      throw new PathSyntaxException(Status.EILSEQ, "path contains NUL");
    }
    if (!path.startsWith("/")) {
      throw new PathSyntaxException(Status.EINVAL, "path must be absolute");
    }
    if (path.length() == 1) {
      return ROOT;
    }
    List<String> parts = new ArrayList<>();
    int start = 1;
    while (true) {
      int end = path.indexOf('/', start);
      String part = end < 0 ? path.substring(start) : path.substring(start, end);
      checkComponent(part);
      parts.add(part);
      if (parts.size() > Limits.MAX_DEPTH) {
        throw new PathSyntaxException(
            Status.ELOOP, "path has more than " + Limits.MAX_DEPTH + " components");
      }
      if (end < 0) {
        return new PathName(parts);
      }
      start = end + 1;
    }
  }

  private static void checkComponent(String part) throws PathSyntaxException {
    if (part.isEmpty()) {
      throw new PathSyntaxException(Status.EINVAL, "empty path component ('//' or trailing '/')");
    }
    if (part.equals(".") || part.equals("..")) {
      throw new PathSyntaxException(Status.EINVAL, "'" + part + "' is not allowed in a path");
    }
    int bytes = part.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Limits.MAX_COMPONENT_BYTES) {
      throw new PathSyntaxException(
          Status.ENAMETOOLONG,
          "component is " + bytes + " bytes, limit " + Limits.MAX_COMPONENT_BYTES);
    }
  }

  public boolean isRoot() {
    return components.isEmpty();
  }

  /** The last component; the root has none. */
  public String name() {
    if (isRoot()) {
      throw new IllegalStateException("the root has no name");
    }
    return components.getLast();
  }

  /** The parent directory; the root is its own parent. */
  public PathName parent() {
    return isRoot() ? this : new PathName(components.subList(0, components.size() - 1));
  }

  /** True if {@code other} is this path or lies below it. */
  public boolean contains(PathName other) {
    return other.components.size() >= components.size()
        && other.components.subList(0, components.size()).equals(components);
  }

  @Override
  public String toString() {
    return isRoot() ? "/" : "/" + String.join("/", components);
  }
}
