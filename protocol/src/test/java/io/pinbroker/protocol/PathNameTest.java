package io.pinbroker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PathNameTest {

  private static final String E_ACUTE = "\u00e9"; // 2 bytes in UTF-8
  private static final String EURO = "\u20ac"; // 3 bytes
  private static final String GRIN = "\uD83D\uDE00"; // 4 bytes, 2 Java chars

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The absolute path with these components. */
  private static String pathOf(List<String> components) {
    return "/" + String.join("/", components);
  }

  // ---- valid paths ----

  static Stream<Arguments> valid() {
    List<Arguments> rows = new ArrayList<>();
    rows.add(Arguments.of("root", "/", List.of()));
    rows.add(Arguments.of("one", "/a", List.of("a")));
    rows.add(Arguments.of("two", "/a/b", List.of("a", "b")));
    rows.add(Arguments.of("dots in names", "/.a/a./.../..a", List.of(".a", "a.", "...", "..a")));
    rows.add(Arguments.of("space and unicode", "/ x/" + EURO + GRIN, List.of(" x", EURO + GRIN)));
    rows.add(Arguments.of("backslash is ordinary", "/a\\b", List.of("a\\b")));

    String c255 = "c".repeat(255);
    rows.add(Arguments.of("component of 255 ASCII bytes", "/" + c255, List.of(c255)));
    String e255 = E_ACUTE.repeat(127) + "x"; // 128 chars, 255 bytes
    rows.add(Arguments.of("component of 255 bytes in 2-byte chars", "/" + e255, List.of(e255)));
    String euro255 = EURO.repeat(85); // 85 chars, 255 bytes
    rows.add(
        Arguments.of("component of 255 bytes in 3-byte chars", "/" + euro255, List.of(euro255)));
    String grin255 = GRIN.repeat(63) + "xyz"; // 252 + 3 bytes
    rows.add(
        Arguments.of("component of 255 bytes in 4-byte chars", "/" + grin255, List.of(grin255)));

    // 15 components of 255 bytes and one of 254: 15 * 256 + 255 = 4095 bytes.
    List<String> longest = new ArrayList<>(Collections.nCopies(15, c255));
    longest.add("d".repeat(254));
    rows.add(Arguments.of("path of 4095 bytes", pathOf(longest), longest));

    List<String> deep = Collections.nCopies(Limits.MAX_DEPTH, "a");
    rows.add(Arguments.of("depth 64", pathOf(deep), deep));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parsesValidPaths(String what, String path, List<String> components)
      throws PathSyntaxException {
    PathName p = PathName.parse(path);
    assertEquals(components, p.components());
    assertEquals(components.isEmpty(), p.isRoot());
    assertEquals(path, p.toString(), "toString gives the path back");
  }

  @Test
  void boundaryFixturesHaveTheByteLengthsTheyClaim() {
    assertEquals(255, utf8(E_ACUTE.repeat(127) + "x"));
    assertEquals(255, utf8(EURO.repeat(85)));
    assertEquals(255, utf8(GRIN.repeat(63) + "xyz"));
    List<String> longest = new ArrayList<>(Collections.nCopies(15, "c".repeat(255)));
    longest.add("d".repeat(254));
    assertEquals(Limits.MAX_PATH_BYTES, utf8(pathOf(longest)));
  }

  // ---- invalid paths ----

  static Stream<Arguments> invalid() {
    List<Arguments> rows = new ArrayList<>();
    rows.add(Arguments.of("empty", "", Status.EINVAL));
    rows.add(Arguments.of("relative", "a", Status.EINVAL));
    rows.add(Arguments.of("relative two", "a/b", Status.EINVAL));
    rows.add(Arguments.of("dot relative", "./a", Status.EINVAL));
    rows.add(Arguments.of("double slash", "//", Status.EINVAL));
    rows.add(Arguments.of("double slash inside", "/a//b", Status.EINVAL));
    rows.add(Arguments.of("trailing slash", "/a/", Status.EINVAL));
    rows.add(Arguments.of("leading double slash", "//a", Status.EINVAL));
    rows.add(Arguments.of("dot", "/.", Status.EINVAL));
    rows.add(Arguments.of("dotdot", "/..", Status.EINVAL));
    rows.add(Arguments.of("dotdot inside", "/a/../b", Status.EINVAL));
    rows.add(Arguments.of("dot inside", "/a/./b", Status.EINVAL));
    rows.add(Arguments.of("dot last", "/a/.", Status.EINVAL));
    rows.add(Arguments.of("NUL inside", "/a\0b", Status.EILSEQ));
    rows.add(Arguments.of("NUL component", "/a/\0", Status.EILSEQ));
    rows.add(Arguments.of("NUL alone", "\0", Status.EILSEQ));

    rows.add(
        Arguments.of("component of 256 ASCII bytes", "/" + "c".repeat(256), Status.ENAMETOOLONG));
    rows.add(
        Arguments.of(
            "component of 256 bytes as 128 chars", "/" + E_ACUTE.repeat(128), Status.ENAMETOOLONG));
    rows.add(
        Arguments.of(
            "component of 258 bytes as 86 chars", "/" + EURO.repeat(86), Status.ENAMETOOLONG));
    rows.add(
        Arguments.of(
            "component of 256 bytes as 128 chars (4-byte)",
            "/" + GRIN.repeat(64),
            Status.ENAMETOOLONG));
    rows.add(
        Arguments.of(
            "256-byte component not first", "/a/" + "c".repeat(256) + "/b", Status.ENAMETOOLONG));

    // 16 components of 255 bytes: 16 * 256 = 4096 bytes.
    rows.add(
        Arguments.of(
            "path of 4096 bytes",
            pathOf(Collections.nCopies(16, "c".repeat(255))),
            Status.ENAMETOOLONG));
    // 4096 bytes but only 2048 chars.
    rows.add(
        Arguments.of(
            "path of 4096 bytes in 2-byte chars",
            pathOf(Collections.nCopies(16, E_ACUTE.repeat(127) + "x")),
            Status.ENAMETOOLONG));

    rows.add(
        Arguments.of(
            "depth 65", pathOf(Collections.nCopies(Limits.MAX_DEPTH + 1, "a")), Status.ELOOP));
    rows.add(Arguments.of("depth 100", pathOf(Collections.nCopies(100, "a")), Status.ELOOP));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("invalid")
  void rejectsInvalidPaths(String what, String path, Status expected) {
    PathSyntaxException e = assertThrows(PathSyntaxException.class, () -> PathName.parse(path));
    assertEquals(expected, e.status(), e.getMessage());
  }

  @Test
  void the4096ByteFixtureIs4096Bytes() {
    String p = pathOf(Collections.nCopies(16, E_ACUTE.repeat(127) + "x"));
    assertEquals(Limits.MAX_PATH_BYTES + 1, utf8(p));
    assertTrue(p.length() < Limits.MAX_PATH_BYTES, "far fewer chars than bytes");
    assertEquals(Limits.MAX_PATH_BYTES + 1, utf8(pathOf(Collections.nCopies(16, "c".repeat(255)))));
  }

  // ---- accessors ----

  @ParameterizedTest(name = "parent of {0} is {1}")
  @CsvSource({"/, /", "/a, /", "/a/b, /a", "/a/b/c, /a/b", "/x/y/z/w, /x/y/z"})
  void parent(String path, String parent) throws PathSyntaxException {
    assertEquals(PathName.parse(parent), PathName.parse(path).parent());
    assertEquals(parent, PathName.parse(path).parent().toString());
  }

  @Test
  void rootIsItsOwnParent() throws PathSyntaxException {
    assertSame(PathName.ROOT, PathName.parse("/"));
    assertEquals(PathName.ROOT, PathName.ROOT.parent());
    assertTrue(PathName.ROOT.parent().isRoot());
  }

  @ParameterizedTest(name = "name of {0} is {1}")
  @CsvSource({"/a, a", "/a/b, b", "/a/b/long-name.x, long-name.x"})
  void name(String path, String name) throws PathSyntaxException {
    assertEquals(name, PathName.parse(path).name());
  }

  @Test
  void rootHasNoName() {
    assertThrows(IllegalStateException.class, PathName.ROOT::name);
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "/, /, true",
    "/, /a, true",
    "/, /a/b/c, true",
    "/a, /a, true",
    "/a, /a/b, true",
    "/a, /a/b/c, true",
    "/a/b, /a/b/c, true",
    "/a, /, false",
    "/a/b, /a, false",
    "/a, /ab, false",
    "/a, /b/a, false",
    "/a/b, /a/c, false",
    "/a/b, /a/bc/d, false",
    "/ab, /a, false",
  })
  void contains(String outer, String inner, boolean expected) throws PathSyntaxException {
    assertEquals(expected, PathName.parse(outer).contains(PathName.parse(inner)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"/", "/a", "/a/b", "/\u00e9t\u00e9/x y"})
  void toStringRoundTrips(String path) throws PathSyntaxException {
    PathName p = PathName.parse(path);
    assertEquals(path, p.toString());
    assertEquals(p, PathName.parse(p.toString()));
  }

  @Test
  void componentsAreAnImmutableCopy() throws PathSyntaxException {
    List<String> source = new ArrayList<>(List.of("a", "b"));
    PathName p = new PathName(source);
    source.add("c");
    assertEquals(List.of("a", "b"), p.components());
    assertThrows(UnsupportedOperationException.class, () -> p.components().add("x"));
    assertEquals(PathName.parse("/a/b"), p);
    assertFalse(p.isRoot());
  }
}
