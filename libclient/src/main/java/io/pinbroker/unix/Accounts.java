package io.pinbroker.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * User and group names as ls(1) and id(1) resolve them: through glibc's NSS (getpwuid_r and
 * friends), so that users from /etc/passwd, LDAP, sssd or systemd's DynamicUser= alike have names.
 * A lookup that fails for any reason finds nothing.
 */
public final class Accounts {
  private static final MethodHandle GETPWUID_R =
      Libc.fn("getpwuid_r", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
  private static final MethodHandle GETGRGID_R =
      Libc.fn("getgrgid_r", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
  private static final MethodHandle GETPWNAM_R =
      Libc.fn("getpwnam_r", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
  private static final MethodHandle GETGRNAM_R =
      Libc.fn("getgrnam_r", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
  /** Room for struct passwd (48 bytes on LP64) or struct group (32). */
  private static final long ENTRY_BYTES = 64;
  /** Both structs start with the name (char *), then the password (char *), then the id. */
  private static final long NAME_OFFSET = 0;
  private static final long ID_OFFSET = 16;
  private static final long FIRST_BUFFER = 4096;
  private static final long LAST_BUFFER = 1 << 20;

  private Accounts() {}

  /** The name of user {@code uid}, if it has one. */
  public static Optional<String> userName(int uid) {
    return Optional.ofNullable(
        lookup(
            (a, e, b, n, r) -> (int) GETPWUID_R.invokeExact(Libc.state(), uid, e, b, n, r),
            Accounts::name));
  }

  /** The name of group {@code gid}, if it has one. */
  public static Optional<String> groupName(int gid) {
    return Optional.ofNullable(
        lookup(
            (a, e, b, n, r) -> (int) GETGRGID_R.invokeExact(Libc.state(), gid, e, b, n, r),
            Accounts::name));
  }

  /** The uid of the user called {@code name}, if there is one. */
  public static OptionalInt userId(String name) {
    return id(GETPWNAM_R, name);
  }

  /** The gid of the group called {@code name}, if there is one. */
  public static OptionalInt groupId(String name) {
    return id(GETGRNAM_R, name);
  }

  private static OptionalInt id(MethodHandle byName, String name) {
    Integer id =
        lookup(
            (a, e, b, n, r) ->
                (int) byName.invokeExact(Libc.state(), a.allocateFrom(name), e, b, n, r),
            entry -> entry.get(JAVA_INT, ID_OFFSET));
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  private static String name(MemorySegment entry) {
    return entry.get(ADDRESS, NAME_OFFSET).reinterpret(LAST_BUFFER).getString(0);
  }

  /** One get*_r call: (arena, entry, buffer, buffer size, result pointer) to its return value. */
  private interface Call {
    int invoke(Arena a, MemorySegment entry, MemorySegment buf, long size, MemorySegment result)
        throws Throwable;
  }

  /** What {@code read} finds in the entry {@code call} fills in, or null if there is none. */
  private static <T> T lookup(Call call, Function<MemorySegment, T> read) {
    for (long size = FIRST_BUFFER; size <= LAST_BUFFER; size *= 4) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment entry = a.allocate(ENTRY_BYTES, 8);
        MemorySegment buf = a.allocate(size);
        MemorySegment result = a.allocate(ADDRESS);
        int r = call.invoke(a, entry, buf, size, result);
        if (r == Libc.ERANGE) {
          continue; // a bigger buffer
        }
        if (r != 0 || result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
          return null;
        }
        return read.apply(entry); // while the buffer it points into lives
      } catch (Throwable t) {
        throw Libc.rethrow(t);
      }
    }
    return null;
  }
}
