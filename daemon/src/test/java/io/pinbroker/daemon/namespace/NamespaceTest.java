package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.FdType;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply.ListReply;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.SharedMemory;
import java.io.RandomAccessFile;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.FileStat;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamespaceTest {
  private static final Instant NOW = Instant.parse("2024-05-06T07:08:09.123456789Z");
  private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L + NOW.getNano();

  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);

  /** Primary group 1000, supplementary group 2000. */
  private static final PeerCredentials ALICE = new PeerCredentials(2, 1000, 1000, 2000);

  private static final PeerCredentials BOB = new PeerCredentials(3, 1001, 1001);

  /** A member of alice's group 1000. */
  private static final PeerCredentials CAROL = new PeerCredentials(4, 1002, 1002, 1000);

  /** Every memfd this class creates is named with this prefix, so /proc/self/fd shows ours. */
  private static final String TAG = "pinbroker-nstest-";

  private static final AtomicInteger SEQ = new AtomicInteger();

  private final List<Namespace> namespaces = new ArrayList<>();
  private int baselineOurs;
  private int baselineAll;

  // ---- fixtures ----

  /** A pinnable memfd, with the identity fstat gives it. */
  private record Obj(String name, HeldObject held, long dev, long ino) {}

  private static Obj newObject(String label) throws IOException, Refusal {
    String name = TAG + SEQ.incrementAndGet() + "-" + label;
    Fd fd = FileOps.memfd(name, 16, 0);
    HeldObject held;
    try {
      held = HeldObject.adopt(fd);
    } catch (Refusal r) {
      fd.close();
      throw r;
    }
    FileStat st = FileOps.stat(held.fd());
    return new Obj(name, held, st.dev(), st.ino());
  }

  private static List<String> fdLinks() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path p : ds) {
        try {
          out.add(Files.readSymbolicLink(p).toString());
        } catch (IOException e) {
          // the directory stream's own descriptor, gone by now
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static int ourFds() {
    return (int) fdLinks().stream().filter(l -> l.startsWith("/memfd:" + TAG)).count();
  }

  /** Whether the memfd of {@code o} is still open in this process. */
  private static boolean isOpen(Obj o) {
    String link = "/memfd:" + o.name + " (deleted)";
    return fdLinks().stream().anyMatch(link::equals);
  }

  private static PathName p(String path) {
    try {
      return PathName.parse(path);
    } catch (PathSyntaxException e) {
      throw new AssertionError(path, e);
    }
  }

  private static PathName child(PathName dir, String name) {
    List<String> c = new ArrayList<>(dir.components());
    c.add(name);
    return new PathName(c);
  }

  private Namespace ns(int rootMode, int umask, boolean rootOverride, long maxNames) {
    Namespace ns =
        new Namespace(
            new NamespaceConfig(rootMode, umask, rootOverride, maxNames), InstantSource.fixed(NOW));
    namespaces.add(ns);
    return ns;
  }

  /** A bpffs-like root (1777), no umask, root override, plenty of names. */
  private Namespace ns() {
    return ns(01777, 0, true, 100_000);
  }

  /** Pins a new memfd; on refusal closes it and rethrows. */
  private static Obj pin(Namespace ns, PeerCredentials who, String path, int mode)
      throws IOException, Refusal {
    Obj o = newObject(path.replace('/', '_'));
    try {
      ns.pin(who, p(path), mode, Request.DEFAULT_ID, 0, 0, o.held);
      return o;
    } catch (Refusal r) {
      o.held.close();
      throw r;
    }
  }

  /**
   * Asserts that pinning a new memfd is refused with {@code expected}, and that the namespace,
   * which owns what it is given, closed the refused object.
   */
  private static Refusal assertPinRefused(
      Status expected,
      Namespace ns,
      PeerCredentials who,
      String path,
      int mode,
      int gid,
      int flags,
      long generation)
      throws IOException, Refusal {
    Obj o = newObject("refused");
    try {
      Refusal r =
          assertThrows(
              Refusal.class, () -> ns.pin(who, p(path), mode, gid, flags, generation, o.held));
      assertEquals(expected, r.status(), r.detail());
      assertFalse(isOpen(o), "the namespace closed the refused object");
      return r;
    } finally {
      o.held.close();
    }
  }

  private interface Call {
    void run() throws Refusal;
  }

  private static Refusal assertRefused(Status expected, Call call) {
    Refusal r = assertThrows(Refusal.class, call::run);
    assertEquals(expected, r.status(), "detail: " + r.detail());
    return r;
  }

  private static long ino(Namespace ns, String path) throws Refusal {
    return ns.stat(ROOT, p(path)).ino();
  }

  private static List<String> names(ListReply page) {
    return page.entries().stream().map(DirEntry::name).toList();
  }

  @BeforeEach
  void takeBaseline() {
    baselineOurs = ourFds();
    baselineAll = fdLinks().size();
  }

  @AfterEach
  void unlinkEverythingAndCheckForLeaks() throws Refusal {
    for (Namespace ns : namespaces) {
      clear(ns, PathName.ROOT);
      assertEquals(0, ns.size(), "names left after clearing");
    }
    assertEquals(baselineOurs, ourFds(), "memfds of this test still open: leaked");
    assertEquals(baselineAll, fdLinks().size(), "/proc/self/fd count changed");
  }

  private static void clear(Namespace ns, PathName dir) throws Refusal {
    ListReply all = ns.list(ROOT, dir, "", 0, Integer.MAX_VALUE);
    assertFalse(all.more());
    for (DirEntry e : all.entries()) {
      PathName c = child(dir, e.name());
      if (e.info().isDirectory()) {
        clear(ns, c);
        ns.rmdir(ROOT, c);
      } else {
        ns.unlink(ROOT, c, false);
      }
    }
  }

  // ---- pin, stat, get ----

  /**
   * LIST reads the size of what can still change each time (once per inode and page, however many
   * names hold it), and reports the pinned size of a memfd sealed against growing and shrinking.
   */
  @Test
  void listShowsCurrentSizesAndFixedOnesOfSealedMemfds() throws Exception {
    Namespace ns = ns();
    Obj grows = pin(ns, ROOT, "/a", 0644);
    Fd again = FileOps.duplicate(grows.held.fd(), 3);
    ns.pin(ROOT, p("/b"), 0644, Request.DEFAULT_ID, 0, 0, HeldObject.adopt(again));
    Fd sealed = FileOps.memfd(TAG + SEQ.incrementAndGet() + "-sealed", 100, FileOps.MFD_ALLOW_SEALING);
    SharedMemory.addSeals(sealed.value(), SharedMemory.F_SEAL_GROW | SharedMemory.F_SEAL_SHRINK);
    ns.pin(ROOT, p("/c"), 0644, Request.DEFAULT_ID, 0, 0, HeldObject.adopt(sealed));
    assertEquals(List.of(16L, 16L, 100L), listedSizes(ns));
    try (RandomAccessFile f = new RandomAccessFile("/proc/self/fd/" + grows.held.fd(), "rw")) {
      f.setLength(5000);
    }
    assertEquals(List.of(5000L, 5000L, 100L), listedSizes(ns));
    assertEquals(5000L, ns.stat(ROOT, p("/b")).size());
    assertEquals(100L, ns.stat(ROOT, p("/c")).size());
  }

  private static List<Long> listedSizes(Namespace ns) throws Refusal {
    return ns.list(ROOT, PathName.ROOT, "", 0, Integer.MAX_VALUE).entries().stream()
        .map(e -> e.info().size())
        .toList();
  }

  @Test
  void fdTrackingSeesOurMemfds() throws Exception {
    Obj o = newObject("probe");
    assertTrue(isOpen(o));
    assertEquals(baselineOurs + 1, ourFds());
    o.held.close();
    assertFalse(isOpen(o));
    assertEquals(baselineOurs, ourFds());
  }

  @Test
  void pinStatAndGetAsRoot() throws Exception {
    Namespace ns = ns();
    Obj o = newObject("x");
    NodeInfo pinned = ns.pin(ROOT, p("/x"), 0640, Request.DEFAULT_ID, 0, 0, o.held);

    assertEquals(NodeType.ENTRY, pinned.type());
    assertEquals(ObjectKind.FD, pinned.kind());
    assertEquals(FdType.MEMFD, pinned.fdType());
    assertEquals(0640, pinned.mode());
    assertEquals(0, pinned.uid());
    assertEquals(0, pinned.gid());
    assertTrue(pinned.generation() > 0, "generation starts at 1 or above");
    assertEquals(NOW_NANOS, pinned.ctimeNanos());
    assertEquals(NOW_NANOS, pinned.mtimeNanos());
    assertEquals(o.dev, pinned.dev());
    assertEquals(o.ino, pinned.ino());
    assertEquals(16, pinned.size());
    assertEquals(0, pinned.children());
    assertEquals(1, ns.size());

    assertEquals(pinned, ns.stat(ROOT, p("/x")));

    Namespace.Opened<FdType> ro = ns.open(ROOT, p("/x"), true, HeldObject::fdType);
    assertEquals(FdType.MEMFD, ro.value());
    assertEquals(pinned, ro.info());
    Namespace.Opened<Long> rw = ns.open(ROOT, p("/x"), false, HeldObject::ino);
    assertEquals(o.ino, rw.value(), "the handout sees the object that was pinned");

    NodeInfo root = ns.stat(ROOT, PathName.ROOT);
    assertEquals(NodeType.DIRECTORY, root.type());
    assertEquals(ObjectKind.NONE, root.kind());
    assertEquals(FdType.NONE, root.fdType());
    assertEquals(01777, root.mode());
    assertEquals(1, root.children());
    assertEquals(NOW_NANOS, root.mtimeNanos());
  }

  @Test
  void getAndStatForOtherUsers() throws Exception {
    Namespace ns = ns();
    Obj o = pin(ns, ALICE, "/shared", 0640);
    NodeInfo info = ns.stat(BOB, p("/shared"));
    assertEquals(1000, info.uid());
    assertEquals(1000, info.gid(), "default group is the pinner's primary group");
    assertEquals(o.ino, info.ino());

    AtomicInteger handouts = new AtomicInteger();
    Namespace.HandoutFunction<FdType> h =
        obj -> {
          handouts.incrementAndGet();
          return obj.fdType();
        };

    // owner: rw
    assertEquals(FdType.MEMFD, ns.open(ALICE, p("/shared"), false, h).value());
    // group (carol has 1000 as supplementary): r only
    assertEquals(FdType.MEMFD, ns.open(CAROL, p("/shared"), true, h).value());
    assertRefused(Status.EACCES, () -> ns.open(CAROL, p("/shared"), false, h));
    // other: nothing
    assertRefused(Status.EACCES, () -> ns.open(BOB, p("/shared"), true, h));
    assertEquals(2, handouts.get(), "the handout runs only for allowed gets");

    ns.chmod(ALICE, p("/shared"), 0644);
    assertEquals(FdType.MEMFD, ns.open(BOB, p("/shared"), true, h).value());
    assertRefused(Status.EACCES, () -> ns.open(BOB, p("/shared"), false, h));
    assertEquals(3, handouts.get());

    ns.mkdir(ALICE, p("/dir"), 0755);
    assertRefused(Status.EISDIR, () -> ns.open(ALICE, p("/dir"), true, h));
    assertRefused(Status.ENOENT, () -> ns.open(ALICE, p("/missing"), true, h));
    assertEquals(3, handouts.get());
  }

  @Test
  void handoutRefusalPropagates() throws Exception {
    Namespace ns = ns();
    pin(ns, ROOT, "/x", 0600);
    Refusal r =
        assertRefused(
            Status.EMFILE,
            () ->
                ns.open(
                    ROOT,
                    p("/x"),
                    true,
                    obj -> {
                      throw new Refusal(Status.EMFILE, "full");
                    }));
    assertEquals("full", r.detail());
    // the entry is still there, still open
    assertEquals(1, ns.size());
  }

  @Test
  void pinOnATakenNameIsEexist() throws Exception {
    Namespace ns = ns();
    Obj first = pin(ns, ROOT, "/x", 0600);
    long gen = ns.stat(ROOT, p("/x")).generation();
    assertPinRefused(Status.EEXIST, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, 0, 0);
    assertEquals(first.ino, ino(ns, "/x"));
    assertEquals(gen, ns.stat(ROOT, p("/x")).generation());
    assertTrue(isOpen(first));

    ns.mkdir(ROOT, p("/d"), 0755);
    assertPinRefused(Status.EEXIST, ns, ROOT, "/d", 0600, Request.DEFAULT_ID, 0, 0);
    assertPinRefused(Status.EEXIST, ns, ROOT, "/", 0600, Request.DEFAULT_ID, 0, 0);
    assertEquals(2, ns.size());
  }

  @Test
  void replaceBumpsTheGenerationAndClosesTheOldObject() throws Exception {
    Namespace ns = ns();
    Obj old = pin(ns, ROOT, "/x", 0600);
    long gen1 = ns.stat(ROOT, p("/x")).generation();

    Obj fresh = newObject("fresh");
    NodeInfo replaced =
        ns.pin(ROOT, p("/x"), 0644, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, fresh.held);
    assertTrue(replaced.generation() > gen1, replaced.generation() + " > " + gen1);
    assertEquals(fresh.ino, replaced.ino());
    assertEquals(0644, replaced.mode());
    assertEquals(replaced, ns.stat(ROOT, p("/x")));
    assertFalse(isOpen(old), "the replaced object is closed");
    assertTrue(isOpen(fresh));
    assertEquals(1, ns.size(), "a replace does not add a name");

    Obj third = newObject("third");
    NodeInfo again =
        ns.pin(ROOT, p("/x"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, third.held);
    assertTrue(again.generation() > replaced.generation());
    assertFalse(isOpen(fresh));

    // replace creates a missing name like a plain pin
    Obj created = newObject("created");
    ns.pin(ROOT, p("/y"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, created.held);
    assertEquals(created.ino, ino(ns, "/y"));

    ns.mkdir(ROOT, p("/d"), 0755);
    assertPinRefused(
        Status.EISDIR, ns, ROOT, "/d", 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0);
    assertEquals(NodeType.DIRECTORY, ns.stat(ROOT, p("/d")).type());
  }

  @Test
  void compareAndSwap() throws Exception {
    Namespace ns = ns();
    Obj first = pin(ns, ROOT, "/x", 0600);
    long gen = ns.stat(ROOT, p("/x")).generation();
    int cas = Request.PIN_REPLACE | Request.PIN_CAS;

    assertPinRefused(Status.ESTALE, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, cas, gen + 1);
    assertPinRefused(Status.ESTALE, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, cas, gen - 1);
    assertEquals(first.ino, ino(ns, "/x"), "a stale CAS changes nothing");
    assertEquals(gen, ns.stat(ROOT, p("/x")).generation());
    assertTrue(isOpen(first));

    Obj second = newObject("second");
    NodeInfo swapped = ns.pin(ROOT, p("/x"), 0600, Request.DEFAULT_ID, cas, gen, second.held);
    assertTrue(swapped.generation() > gen);
    assertEquals(second.ino, swapped.ino());
    assertFalse(isOpen(first));

    // the old generation is now stale
    assertPinRefused(Status.ESTALE, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, cas, gen);
    assertEquals(second.ino, ino(ns, "/x"));

    assertPinRefused(Status.ENOENT, ns, ROOT, "/missing", 0600, Request.DEFAULT_ID, cas, 1);
    // PIN_CAS only qualifies PIN_REPLACE: alone it is refused
    assertPinRefused(
        Status.EINVAL, ns, ROOT, "/missing", 0600, Request.DEFAULT_ID, Request.PIN_CAS, 1);
    assertPinRefused(
        Status.EINVAL, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, Request.PIN_CAS, swapped.generation());
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/missing")));
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 0x100, -1})
  void unknownPinFlagsAreEinval(int flags) throws Exception {
    Namespace ns = ns();
    assertPinRefused(Status.EINVAL, ns, ROOT, "/x", 0600, Request.DEFAULT_ID, flags, 0);
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/x")));
  }

  @Test
  void generationsAreNeverReused() throws Exception {
    Namespace ns = ns();
    List<Long> gens = new ArrayList<>();
    gens.add(ns.stat(ROOT, PathName.ROOT).generation());
    pin(ns, ROOT, "/a", 0600);
    gens.add(ns.stat(ROOT, p("/a")).generation());
    gens.add(ns.mkdir(ROOT, p("/d"), 0700).generation());
    ns.unlink(ROOT, p("/a"), false);
    pin(ns, ROOT, "/a", 0600);
    gens.add(ns.stat(ROOT, p("/a")).generation());
    assertEquals(gens.stream().sorted().distinct().toList(), gens, "strictly increasing");
  }

  // ---- path resolution errors ----

  @Test
  void missingParentIsEnoent() throws Exception {
    Namespace ns = ns();
    assertPinRefused(Status.ENOENT, ns, ROOT, "/nodir/x", 0600, Request.DEFAULT_ID, 0, 0);
    assertPinRefused(Status.ENOENT, ns, ALICE, "/a/b/c", 0600, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.ENOENT, () -> ns.mkdir(ROOT, p("/nodir/x"), 0755));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/nodir/x")));
    assertRefused(Status.ENOENT, () -> ns.list(ROOT, p("/nodir"), "", 0, Integer.MAX_VALUE));
    assertRefused(Status.ENOENT, () -> ns.unlink(ROOT, p("/nodir"), false));
    assertRefused(Status.ENOENT, () -> ns.rmdir(ROOT, p("/nodir")));
    assertRefused(Status.ENOENT, () -> ns.chmod(ROOT, p("/nodir"), 0600));
    assertRefused(Status.ENOENT, () -> ns.chown(ROOT, p("/nodir"), 1, 1));
    assertEquals(0, ns.size());
  }

  @Test
  void walkingThroughAnEntryIsEnotdir() throws Exception {
    Namespace ns = ns();
    pin(ns, ROOT, "/f", 0644);
    assertPinRefused(Status.ENOTDIR, ns, ROOT, "/f/x", 0600, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.ENOTDIR, () -> ns.mkdir(ROOT, p("/f/x"), 0755));
    assertRefused(Status.ENOTDIR, () -> ns.stat(ROOT, p("/f/x")));
    assertRefused(Status.ENOTDIR, () -> ns.stat(ALICE, p("/f/x/y")));
    assertRefused(Status.ENOTDIR, () -> ns.list(ROOT, p("/f"), "", 0, Integer.MAX_VALUE));
    assertRefused(Status.ENOTDIR, () -> ns.rename(ROOT, p("/f"), p("/f/x"), RenameMode.REPLACE));
    assertEquals(1, ns.size());
  }

  @Test
  void noSearchPermissionHidesWhetherANameExists() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ALICE, p("/priv"), 0700);
    pin(ns, ALICE, "/priv/exists", 0644);
    ns.mkdir(ALICE, p("/priv/sub"), 0755);

    // bob cannot search /priv: every lookup below it is EACCES, present or not
    for (String path :
        List.of("/priv/missing", "/priv/missing/deeper", "/priv/exists", "/priv/sub/x")) {
      assertRefused(Status.EACCES, () -> ns.stat(BOB, p(path)));
    }
    assertPinRefused(Status.EACCES, ns, BOB, "/priv/x", 0600, Request.DEFAULT_ID, 0, 0);
    assertPinRefused(Status.EACCES, ns, BOB, "/priv/missing/x", 0600, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.EACCES, () -> ns.mkdir(BOB, p("/priv/sub"), 0755));
    assertRefused(Status.EACCES, () -> ns.unlink(BOB, p("/priv/missing"), false));
    assertRefused(Status.EACCES, () -> ns.open(BOB, p("/priv/exists"), true, HeldObject::fdType));
    // /priv itself is reachable through a searchable root
    assertEquals(NodeType.DIRECTORY, ns.stat(BOB, p("/priv")).type());
    assertRefused(Status.EACCES, () -> ns.list(BOB, p("/priv"), "", 0, Integer.MAX_VALUE));

    // those who can search see the truth
    assertRefused(Status.ENOENT, () -> ns.stat(ALICE, p("/priv/missing")));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/priv/missing")));
    assertRefused(Status.ENOENT, () -> ns.stat(ALICE, p("/priv/missing/deeper")));
    assertEquals(3, ns.size());
  }

  // ---- mkdir, rmdir, unlink ----

  @Test
  void mkdirOnAnExistingNameIsEexist() throws Exception {
    Namespace ns = ns();
    NodeInfo d = ns.mkdir(ALICE, p("/d"), 0750);
    assertEquals(NodeType.DIRECTORY, d.type());
    assertEquals(0750, d.mode());
    assertEquals(1000, d.uid());
    assertEquals(1000, d.gid());
    assertEquals(0, d.children());
    pin(ns, ROOT, "/e", 0600);
    assertRefused(Status.EEXIST, () -> ns.mkdir(ROOT, p("/d"), 0755));
    assertRefused(Status.EEXIST, () -> ns.mkdir(ROOT, p("/e"), 0755));
    assertRefused(Status.EEXIST, () -> ns.mkdir(ROOT, PathName.ROOT, 0755));
    assertEquals(0750, ns.stat(ROOT, p("/d")).mode(), "the existing directory is untouched");
    assertEquals(2, ns.size());
    assertEquals(2, ns.stat(ROOT, PathName.ROOT).children());
  }

  @Test
  void removalErrors() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/full"), 0755);
    Obj inside = pin(ns, ROOT, "/full/x", 0600);
    ns.mkdir(ROOT, p("/empty"), 0755);
    Obj e = pin(ns, ROOT, "/entry", 0600);

    assertRefused(Status.ENOTEMPTY, () -> ns.rmdir(ROOT, p("/full")));
    assertRefused(Status.ENOTDIR, () -> ns.rmdir(ROOT, p("/entry")));
    assertRefused(Status.EISDIR, () -> ns.unlink(ROOT, p("/empty"), false));
    assertRefused(Status.EBUSY, () -> ns.rmdir(ROOT, PathName.ROOT));
    assertRefused(Status.EBUSY, () -> ns.rmdir(ALICE, PathName.ROOT));
    assertRefused(Status.EISDIR, () -> ns.unlink(ROOT, PathName.ROOT, false));
    assertRefused(Status.ENOENT, () -> ns.unlink(ROOT, p("/missing"), false));
    assertRefused(Status.ENOENT, () -> ns.rmdir(ROOT, p("/missing")));
    assertEquals(4, ns.size());
    assertTrue(isOpen(inside));
    assertTrue(isOpen(e));

    ns.rmdir(ROOT, p("/empty"));
    ns.unlink(ROOT, p("/entry"), false);
    assertFalse(isOpen(e), "unlink closes the object");
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/empty")));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/entry")));
    ns.unlink(ROOT, p("/full/x"), false);
    ns.rmdir(ROOT, p("/full"));
    assertEquals(0, ns.size());
    assertEquals(0, ns.stat(ROOT, PathName.ROOT).children());
  }

  @Test
  void removalNeedsWriteAndSearchOnTheParent() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ALICE, p("/ro"), 0755);
    pin(ns, ALICE, "/ro/x", 0666);
    ns.mkdir(ALICE, p("/ro/d"), 0777);
    assertRefused(Status.EACCES, () -> ns.unlink(BOB, p("/ro/x"), false));
    assertRefused(Status.EACCES, () -> ns.rmdir(BOB, p("/ro/d")));
    assertPinRefused(Status.EACCES, ns, BOB, "/ro/y", 0600, Request.DEFAULT_ID, 0, 0);
    assertPinRefused(
        Status.EACCES, ns, BOB, "/ro/x", 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0);
    assertEquals(3, ns.size());
  }

  // ---- modes ----

  @ParameterizedTest(name = "umask {0}: requested {1} -> {2}")
  @CsvSource({
    "0000, 0644, 0644",
    "0022, 0777, 0755",
    "0022, 0666, 0644",
    "0022, 01777, 01755",
    "0077, 0777, 0700",
    "0027, 0775, 0750",
    "0777, 0777, 0000",
    "0777, 01777, 01000",
    "0002, 0000, 0000",
  })
  void umaskIsAppliedToNewNodes(String umask, String requested, String expected) throws Exception {
    int mask = Integer.parseInt(umask, 8);
    int mode = Integer.parseInt(requested, 8);
    int want = Integer.parseInt(expected, 8);
    Namespace ns = ns(01777, mask, true, 100);
    assertEquals(want, ns.mkdir(ROOT, p("/d"), mode).mode());
    assertEquals(want, ns.stat(ROOT, p("/d")).mode());
    Obj o = newObject("umask");
    assertEquals(want, ns.pin(ROOT, p("/e"), mode, Request.DEFAULT_ID, 0, 0, o.held).mode());
    assertEquals(want, ns.stat(ROOT, p("/e")).mode());
    // chmod sets exactly what it is given
    assertEquals(mode, ns.chmod(ROOT, p("/e"), mode).mode());
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(ints = {02000, 04000, 06777, 010000, 0100644, 040755, -1, Integer.MIN_VALUE})
  void modeBitsBeyond1777AreEinval(int mode) throws Exception {
    Namespace ns = ns();
    pin(ns, ROOT, "/e", 0600);
    assertPinRefused(Status.EINVAL, ns, ROOT, "/x", mode, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.EINVAL, () -> ns.mkdir(ROOT, p("/d"), mode));
    assertRefused(Status.EINVAL, () -> ns.chmod(ROOT, p("/e"), mode));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/x")));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/d")));
    assertEquals(0600, ns.stat(ROOT, p("/e")).mode());
    assertEquals(1, ns.size());
  }

  @Test
  void chmodIsForTheOwnerOrRoot() throws Exception {
    Namespace ns = ns();
    pin(ns, ALICE, "/a", 0644);
    ns.mkdir(ALICE, p("/d"), 0755);
    assertRefused(Status.EPERM, () -> ns.chmod(BOB, p("/a"), 0777));
    assertRefused(Status.EPERM, () -> ns.chmod(CAROL, p("/a"), 0777));
    assertRefused(Status.EPERM, () -> ns.chmod(BOB, p("/d"), 0777));
    assertEquals(0644, ns.stat(ROOT, p("/a")).mode());

    assertEquals(0600, ns.chmod(ALICE, p("/a"), 0600).mode());
    assertEquals(0600, ns.stat(BOB, p("/a")).mode());
    assertEquals(01700, ns.chmod(ALICE, p("/d"), 01700).mode());
    assertEquals(0, ns.chmod(ALICE, p("/a"), 0).mode(), "the owner may chmod a mode-0 entry");
    assertEquals(0444, ns.chmod(ROOT, p("/a"), 0444).mode());
    assertEquals(0755, ns.chmod(ROOT, PathName.ROOT, 0755).mode());
  }

  @Test
  void chownIsForRootOnly() throws Exception {
    Namespace ns = ns();
    pin(ns, ALICE, "/a", 0644);
    assertRefused(Status.EPERM, () -> ns.chown(ALICE, p("/a"), 1001, Request.DEFAULT_ID));
    assertRefused(Status.EPERM, () -> ns.chown(ALICE, p("/a"), Request.DEFAULT_ID, 2000));
    assertRefused(Status.EPERM, () -> ns.chown(BOB, p("/a"), 1001, 1001));
    NodeInfo before = ns.stat(ROOT, p("/a"));
    assertEquals(1000, before.uid());
    assertEquals(1000, before.gid());

    NodeInfo u = ns.chown(ROOT, p("/a"), 1001, Request.DEFAULT_ID);
    assertEquals(1001, u.uid());
    assertEquals(1000, u.gid(), "DEFAULT_ID keeps the group");
    NodeInfo g = ns.chown(ROOT, p("/a"), Request.DEFAULT_ID, 3000);
    assertEquals(1001, g.uid(), "DEFAULT_ID keeps the owner");
    assertEquals(3000, g.gid());
    // bob owns it now: he may chmod, alice may not
    ns.chmod(BOB, p("/a"), 0600);
    assertRefused(Status.EPERM, () -> ns.chmod(ALICE, p("/a"), 0666));
  }

  @Test
  void chownWorksForUidZeroWithoutOverride() throws Exception {
    Namespace ns = ns(0755, 0, false, 100);
    ns.mkdir(ROOT, p("/d"), 0700);
    NodeInfo d = ns.chown(ROOT, p("/d"), 1000, 1000);
    assertEquals(1000, d.uid());
    // now root, without the override, is "other" on /d: no listing
    assertRefused(Status.EACCES, () -> ns.list(ROOT, p("/d"), "", 0, Integer.MAX_VALUE));
    assertRefused(Status.EACCES, () -> ns.stat(ROOT, p("/d/x")));
    ns.chown(ROOT, p("/d"), 0, 0);
  }

  @Test
  void pinGroupMustBeOneOfThePeersGroups() throws Exception {
    Namespace ns = ns();
    assertPinRefused(Status.EPERM, ns, ALICE, "/a", 0640, 3000, 0, 0);
    assertPinRefused(Status.EPERM, ns, ALICE, "/a", 0640, 1001, 0, 0);
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/a")));

    Obj supp = newObject("supp");
    assertEquals(2000, ns.pin(ALICE, p("/a"), 0640, 2000, 0, 0, supp.held).gid());
    Obj prim = newObject("prim");
    assertEquals(1000, ns.pin(ALICE, p("/b"), 0640, 1000, 0, 0, prim.held).gid());
    Obj def = newObject("def");
    assertEquals(1000, ns.pin(ALICE, p("/c"), 0640, Request.DEFAULT_ID, 0, 0, def.held).gid());
    Obj any = newObject("any");
    assertEquals(3000, ns.pin(ROOT, p("/r"), 0640, 3000, 0, 0, any.held).gid());

    // the group grants what the mode says to its members
    Namespace.HandoutFunction<FdType> h = HeldObject::fdType;
    assertRefused(Status.EACCES, () -> ns.open(CAROL, p("/a"), true, h)); // not in 2000
    assertEquals(FdType.MEMFD, ns.open(CAROL, p("/b"), true, h).value()); // in 1000
  }

  // ---- sticky directories ----

  @Test
  void stickyDirectoryRemovalRules() throws Exception {
    Namespace ns = ns(); // root is 01777, owned by root
    pin(ns, ALICE, "/a", 0666);
    assertRefused(Status.EPERM, () -> ns.unlink(BOB, p("/a"), false));
    assertRefused(Status.EPERM, () -> ns.rename(BOB, p("/a"), p("/b"), RenameMode.REPLACE));
    assertPinRefused(Status.EPERM, ns, BOB, "/a", 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0);
    Obj bobs = pin(ns, BOB, "/bobs", 0666);
    assertRefused(Status.EPERM, () -> ns.rename(BOB, p("/bobs"), p("/a"), RenameMode.REPLACE));
    assertRefused(Status.EPERM, () -> ns.rename(BOB, p("/bobs"), p("/a"), RenameMode.EXCHANGE));
    assertEquals(1000, ns.stat(ROOT, p("/a")).uid());
    // bob may move his own entry around
    ns.rename(BOB, p("/bobs"), p("/bobs2"), RenameMode.NOREPLACE);
    assertEquals(bobs.ino, ino(ns, "/bobs2"));

    // a sticky directory owned by carol: she may remove anyone's entry
    ns.mkdir(CAROL, p("/c"), 01777);
    pin(ns, ALICE, "/c/x", 0666);
    pin(ns, BOB, "/c/y", 0666);
    assertRefused(Status.EPERM, () -> ns.unlink(BOB, p("/c/x"), false));
    assertRefused(Status.EPERM, () -> ns.unlink(ALICE, p("/c/y"), false));
    ns.unlink(CAROL, p("/c/x"), false);
    ns.unlink(BOB, p("/c/y"), false);
    // directories inside follow the same rule
    ns.mkdir(ALICE, p("/c/sub"), 0777);
    assertRefused(Status.EPERM, () -> ns.rmdir(BOB, p("/c/sub")));
    ns.rmdir(CAROL, p("/c/sub"));

    // root with override may remove anything
    ns.unlink(ROOT, p("/a"), false);

    // without the sticky bit, write permission on the directory suffices
    ns.mkdir(CAROL, p("/open"), 0777);
    pin(ns, ALICE, "/open/z", 0600);
    ns.unlink(BOB, p("/open/z"), false);
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/open/z")));
  }

  @Test
  void replaceInANonStickyDirectoryChangesTheOwner() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/open"), 0777);
    pin(ns, ALICE, "/open/x", 0600);
    Obj o = newObject("bobs");
    NodeInfo n =
        ns.pin(BOB, p("/open/x"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, o.held);
    assertEquals(1001, n.uid());
    assertEquals(o.ino, n.ino());
  }

  // ---- rename ----

  @Test
  void renameReplaceOverAnEntryClosesTheOldObject() throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    Obj b = pin(ns, ROOT, "/b", 0600);
    long genA = ns.stat(ROOT, p("/a")).generation();
    ns.rename(ROOT, p("/a"), p("/b"), RenameMode.REPLACE);
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/a")));
    NodeInfo moved = ns.stat(ROOT, p("/b"));
    assertEquals(a.ino, moved.ino());
    assertEquals(genA, moved.generation(), "a rename keeps the node's generation");
    assertFalse(isOpen(b), "the replaced entry's object is closed");
    assertTrue(isOpen(a));
    assertEquals(1, ns.size());
  }

  @Test
  void renameToANewNameAcrossDirectories() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/d1"), 0755);
    ns.mkdir(ROOT, p("/d2"), 0755);
    Obj a = pin(ns, ROOT, "/d1/a", 0600);
    ns.rename(ROOT, p("/d1/a"), p("/d2/b"), RenameMode.NOREPLACE);
    assertEquals(a.ino, ino(ns, "/d2/b"));
    assertEquals(0, ns.stat(ROOT, p("/d1")).children());
    assertEquals(1, ns.stat(ROOT, p("/d2")).children());
    ns.rename(ROOT, p("/d2"), p("/d1/inner"), RenameMode.REPLACE);
    assertEquals(a.ino, ino(ns, "/d1/inner/b"));
    assertEquals(3, ns.size());
  }

  @Test
  void renameNoreplaceOverAnExistingNameIsEexist() throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    Obj b = pin(ns, ROOT, "/b", 0600);
    ns.mkdir(ROOT, p("/d"), 0755);
    assertRefused(Status.EEXIST, () -> ns.rename(ROOT, p("/a"), p("/b"), RenameMode.NOREPLACE));
    assertRefused(Status.EEXIST, () -> ns.rename(ROOT, p("/a"), p("/d"), RenameMode.NOREPLACE));
    assertRefused(Status.EEXIST, () -> ns.rename(ROOT, p("/d"), p("/a"), RenameMode.NOREPLACE));
    assertEquals(a.ino, ino(ns, "/a"));
    assertEquals(b.ino, ino(ns, "/b"));
    assertTrue(isOpen(a));
    assertTrue(isOpen(b));
    assertEquals(3, ns.size());
  }

  @Test
  void renameExchangeSwaps() throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    Obj b = pin(ns, ALICE, "/b", 0644);
    ns.rename(ROOT, p("/a"), p("/b"), RenameMode.EXCHANGE);
    NodeInfo atA = ns.stat(ROOT, p("/a"));
    NodeInfo atB = ns.stat(ROOT, p("/b"));
    assertEquals(b.ino, atA.ino());
    assertEquals(a.ino, atB.ino());
    assertEquals(1000, atA.uid(), "attributes travel with the node");
    assertEquals(0644, atA.mode());
    assertEquals(0, atB.uid());
    assertTrue(isOpen(a));
    assertTrue(isOpen(b));
    assertEquals(2, ns.size());

    // an entry and a directory, in different parents, swap too
    ns.mkdir(ROOT, p("/d"), 0755);
    pin(ns, ROOT, "/d/inner", 0600);
    ns.rename(ROOT, p("/a"), p("/d"), RenameMode.EXCHANGE);
    assertEquals(b.ino, ino(ns, "/d"));
    assertEquals(NodeType.DIRECTORY, ns.stat(ROOT, p("/a")).type());
    assertEquals(NodeType.ENTRY, ns.stat(ROOT, p("/a/inner")).type());
    assertEquals(4, ns.size());
  }

  @Test
  void renameExchangeWithAMissingDestinationIsEnoent() throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    assertRefused(
        Status.ENOENT, () -> ns.rename(ROOT, p("/a"), p("/missing"), RenameMode.EXCHANGE));
    assertRefused(
        Status.ENOENT, () -> ns.rename(ROOT, p("/missing"), p("/a"), RenameMode.EXCHANGE));
    assertEquals(a.ino, ino(ns, "/a"));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/missing")));
  }

  @ParameterizedTest
  @EnumSource(RenameMode.class)
  void movingADirectoryIntoItsOwnSubtreeIsEinval(RenameMode mode) throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/d"), 0755);
    ns.mkdir(ROOT, p("/d/e"), 0755);
    ns.mkdir(ROOT, p("/d/e/f"), 0755);
    // like renameat2, NOREPLACE onto an existing name is EEXIST before the loop is looked at
    Status existing = mode == RenameMode.NOREPLACE ? Status.EEXIST : Status.EINVAL;
    assertRefused(existing, () -> ns.rename(ROOT, p("/d"), p("/d/e/f"), mode));
    assertRefused(existing, () -> ns.rename(ROOT, p("/d"), p("/d/e"), mode));
    assertRefused(existing, () -> ns.rename(ROOT, p("/d/e"), p("/d/e/f"), mode));
    if (mode != RenameMode.EXCHANGE) {
      assertRefused(Status.EINVAL, () -> ns.rename(ROOT, p("/d"), p("/d/new"), mode));
    } else {
      // exchanging with an ancestor is the same loop, seen from the other side
      assertRefused(Status.EINVAL, () -> ns.rename(ROOT, p("/d/e/f"), p("/d"), mode));
      assertRefused(Status.EINVAL, () -> ns.rename(ROOT, p("/d/e"), p("/d"), mode));
    }
    assertEquals(NodeType.DIRECTORY, ns.stat(ROOT, p("/d/e/f")).type());
    assertEquals(1, ns.stat(ROOT, PathName.ROOT).children());
    assertEquals(3, ns.size());
  }

  @Test
  void renameDirectoryOverDirectory() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/src"), 0755);
    pin(ns, ROOT, "/src/keep", 0600);
    ns.mkdir(ROOT, p("/full"), 0755);
    pin(ns, ROOT, "/full/x", 0600);
    ns.mkdir(ROOT, p("/empty"), 0755);
    assertEquals(5, ns.size());

    assertRefused(
        Status.ENOTEMPTY, () -> ns.rename(ROOT, p("/src"), p("/full"), RenameMode.REPLACE));
    assertEquals(NodeType.ENTRY, ns.stat(ROOT, p("/full/x")).type());

    ns.rename(ROOT, p("/src"), p("/empty"), RenameMode.REPLACE);
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/src")));
    assertEquals(NodeType.ENTRY, ns.stat(ROOT, p("/empty/keep")).type());
    assertEquals(4, ns.size(), "the replaced empty directory is gone");
  }

  @Test
  void renameBetweenEntryAndDirectoryTypesIsRefused() throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    ns.mkdir(ROOT, p("/d"), 0755);
    assertRefused(Status.EISDIR, () -> ns.rename(ROOT, p("/a"), p("/d"), RenameMode.REPLACE));
    assertRefused(Status.ENOTDIR, () -> ns.rename(ROOT, p("/d"), p("/a"), RenameMode.REPLACE));
    assertEquals(a.ino, ino(ns, "/a"));
    assertEquals(NodeType.DIRECTORY, ns.stat(ROOT, p("/d")).type());
    assertTrue(isOpen(a));
    assertEquals(2, ns.size());
  }

  @ParameterizedTest
  @EnumSource(
      value = RenameMode.class,
      names = {"REPLACE", "EXCHANGE"})
  void renameOntoItselfIsANoOp(RenameMode mode) throws Exception {
    Namespace ns = ns();
    Obj a = pin(ns, ROOT, "/a", 0600);
    ns.mkdir(ROOT, p("/d"), 0755);
    NodeInfo beforeA = ns.stat(ROOT, p("/a"));
    NodeInfo beforeD = ns.stat(ROOT, p("/d"));
    ns.rename(ROOT, p("/a"), p("/a"), mode);
    ns.rename(ROOT, p("/d"), p("/d"), mode);
    assertEquals(beforeA, ns.stat(ROOT, p("/a")));
    assertEquals(beforeD, ns.stat(ROOT, p("/d")));
    assertTrue(isOpen(a), "renaming onto itself must not close the object");
    assertEquals(2, ns.size());
  }

  @Test
  void renamingTheRootIsEbusy() throws Exception {
    Namespace ns = ns();
    pin(ns, ROOT, "/a", 0600);
    for (RenameMode m : RenameMode.values()) {
      assertRefused(Status.EBUSY, () -> ns.rename(ROOT, PathName.ROOT, p("/x"), m));
      assertRefused(Status.EBUSY, () -> ns.rename(ROOT, p("/a"), PathName.ROOT, m));
    }
    assertEquals(1, ns.size());
  }

  @Test
  void renameResolutionErrors() throws Exception {
    Namespace ns = ns();
    pin(ns, ROOT, "/a", 0600);
    assertRefused(Status.ENOENT, () -> ns.rename(ROOT, p("/missing"), p("/b"), RenameMode.REPLACE));
    assertRefused(Status.ENOENT, () -> ns.rename(ROOT, p("/a"), p("/nodir/b"), RenameMode.REPLACE));
    assertRefused(Status.ENOTDIR, () -> ns.rename(ROOT, p("/a"), p("/a/b"), RenameMode.REPLACE));
    // no write on the source's parent, then none on the destination's
    ns.mkdir(ALICE, p("/alice"), 0755);
    pin(ns, ALICE, "/alice/y", 0666);
    assertRefused(Status.EACCES, () -> ns.rename(BOB, p("/alice/y"), p("/z"), RenameMode.REPLACE));
    pin(ns, BOB, "/bobs", 0600);
    assertRefused(
        Status.EACCES, () -> ns.rename(BOB, p("/bobs"), p("/alice/x"), RenameMode.REPLACE));
    assertEquals(NodeType.ENTRY, ns.stat(ROOT, p("/a")).type());
    assertEquals(NodeType.ENTRY, ns.stat(ROOT, p("/alice/y")).type());
    assertEquals(4, ns.size());
  }

  // ---- list ----

  private static List<String> listAll(Namespace ns, String dir, int limit) throws Refusal {
    List<String> seen = new ArrayList<>();
    String after = "";
    int pages = 0;
    while (true) {
      ListReply page = ns.list(ROOT, p(dir), after, limit, Integer.MAX_VALUE);
      pages++;
      assertTrue(page.entries().size() <= limit, "page of " + page.entries().size());
      if (page.more()) {
        assertEquals(limit, page.entries().size(), "only the last page may be short");
      }
      seen.addAll(names(page));
      if (!page.more()) {
        return seen;
      }
      assertTrue(pages < 100, "paging does not end");
      after = page.entries().getLast().name();
    }
  }

  @Test
  void listPagesFollowTheCursor() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/l"), 0755);
    List<String> made = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      made.add("n" + (char) ('a' + i) + i);
    }
    made.add("B-upper"); // sorts before lower case
    made.add("m");
    made.remove("n" + 'j' + 9);
    Collections.shuffle(made, new Random(7));
    for (String name : made) {
      if (name.equals("m")) {
        ns.mkdir(ROOT, p("/l/" + name), 0755);
      } else {
        pin(ns, ROOT, "/l/" + name, 0600);
      }
    }
    assertEquals(11, made.size());
    List<String> sorted = made.stream().sorted().toList();

    assertEquals(sorted, listAll(ns, "/l", 3));
    assertEquals(sorted, listAll(ns, "/l", 1));
    assertEquals(sorted, listAll(ns, "/l", 11));
    assertEquals(sorted, listAll(ns, "/l", 100));

    // page sizes with limit 3 over 11 names: 3, 3, 3, 2
    List<Integer> sizes = new ArrayList<>();
    String after = "";
    ListReply page;
    do {
      page = ns.list(ROOT, p("/l"), after, 3, Integer.MAX_VALUE);
      sizes.add(page.entries().size());
      if (!page.entries().isEmpty()) {
        after = page.entries().getLast().name();
      }
    } while (page.more());
    assertEquals(List.of(3, 3, 3, 2), sizes);

    // limit 0: everything in one page
    ListReply all = ns.list(ROOT, p("/l"), "", 0, Integer.MAX_VALUE);
    assertEquals(sorted, names(all));
    assertFalse(all.more());
    // each entry carries the same info STAT gives
    for (DirEntry e : all.entries()) {
      assertEquals(ns.stat(ROOT, p("/l/" + e.name())), e.info(), e.name());
    }

    // "after" need not exist
    ListReply tail = ns.list(ROOT, p("/l"), "nc", 0, Integer.MAX_VALUE);
    assertEquals(sorted.stream().filter(n -> n.compareTo("nc") > 0).toList(), names(tail));
    ListReply beyond = ns.list(ROOT, p("/l"), "zzz", 3, Integer.MAX_VALUE);
    assertEquals(List.of(), beyond.entries());
    assertFalse(beyond.more());
  }

  @Test
  void aPageEndingExactlyAtTheLastNameHasNoMore() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/l"), 0755);
    for (int i = 0; i < 9; i++) {
      ns.mkdir(ROOT, p("/l/d" + i), 0755);
    }
    ListReply third = ns.list(ROOT, p("/l"), "d5", 3, Integer.MAX_VALUE);
    assertEquals(List.of("d6", "d7", "d8"), names(third));
    assertFalse(third.more(), "no names remain after d8");
    ListReply empty = ns.list(ROOT, p("/l/d0"), "", 3, Integer.MAX_VALUE);
    assertEquals(List.of(), empty.entries());
    assertFalse(empty.more());
  }

  private static int encodedSize(ListReply page) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    FrameCodec.encodeReply(new ReplyFrame(1, Opcode.LIST.code(), 0, page), out);
    return out.remaining();
  }

  @Test
  void aSmallByteBudgetForcesAShortPage() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/l"), 0755);
    List<String> made = List.of("alpha", "bravo", "charlie", "delta", "echo");
    for (String name : made) {
      ns.mkdir(ROOT, p("/l/" + name), 0755);
    }
    ListReply full = ns.list(ROOT, p("/l"), "", 0, Integer.MAX_VALUE);
    int fullSize = encodedSize(full);
    ListReply exact = ns.list(ROOT, p("/l"), "", 0, fullSize);
    assertEquals(made, names(exact), "a budget of exactly the encoded size fits all");
    assertFalse(exact.more());

    ListReply two =
        ns.list(
            ROOT, p("/l"), "", 0, encodedSize(new ListReply(full.entries().subList(0, 2), true)));
    assertEquals(List.of("alpha", "bravo"), names(two));
    assertTrue(two.more());
    ListReply oneShort =
        ns.list(
            ROOT,
            p("/l"),
            "",
            0,
            encodedSize(new ListReply(full.entries().subList(0, 2), true)) - 1);
    assertEquals(List.of("alpha"), names(oneShort));
    assertTrue(oneShort.more());
    ListReply withLimit = ns.list(ROOT, p("/l"), "", 1, Integer.MAX_VALUE);
    assertEquals(List.of("alpha"), names(withLimit));
    assertTrue(withLimit.more());
  }

  @Test
  void aFullFramePageFitsInOneFrame() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/big"), 0755);
    String pad = "x".repeat(200);
    for (int i = 0; i < 300; i++) {
      ns.mkdir(ROOT, p(String.format("/big/%03d-%s", i, pad)), 0755);
    }
    ListReply page = ns.list(ROOT, p("/big"), "", 0, Limits.MAX_FRAME_BYTES);
    assertTrue(page.more(), "300 long names do not fit one frame");
    assertTrue(page.entries().size() > 100, "page of " + page.entries().size());
    int size = encodedSize(page);
    assertTrue(size <= Limits.MAX_FRAME_BYTES, "encoded page is " + size + " bytes");
    int next =
        FrameCodec.listEntryBytes(
            String.format("%03d-%s", page.entries().size(), pad), page.entries().getFirst().info());
    assertTrue(size + next > Limits.MAX_FRAME_BYTES, "the page was filled as far as it could be");
  }

  @Test
  void listNeedsReadAndSearchOnTheDirectory() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ALICE, p("/r"), 0744);
    ns.mkdir(ALICE, p("/x"), 0711);
    ns.mkdir(ALICE, p("/rx"), 0755);
    assertRefused(Status.EACCES, () -> ns.list(BOB, p("/r"), "", 0, Integer.MAX_VALUE));
    assertRefused(Status.EACCES, () -> ns.list(BOB, p("/x"), "", 0, Integer.MAX_VALUE));
    assertEquals(List.of(), ns.list(BOB, p("/rx"), "", 0, Integer.MAX_VALUE).entries());
    assertEquals(3, ns.list(BOB, PathName.ROOT, "", 0, Integer.MAX_VALUE).entries().size());
  }

  // ---- capacity ----

  @Test
  void maxNamesIsEnforced() throws Exception {
    Namespace ns = ns(01777, 0, true, 3);
    ns.mkdir(ROOT, p("/a"), 0755);
    Obj x = pin(ns, ROOT, "/a/x", 0600);
    ns.mkdir(ROOT, p("/b"), 0755);
    assertEquals(3, ns.size());

    assertPinRefused(Status.ENOSPC, ns, ROOT, "/c", 0600, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.ENOSPC, () -> ns.mkdir(ROOT, p("/c"), 0755));
    assertRefused(Status.ENOENT, () -> ns.stat(ROOT, p("/c")));
    assertEquals(3, ns.size());

    // replacing and renaming do not add names
    Obj y = newObject("y");
    ns.pin(ROOT, p("/a/x"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, y.held);
    assertFalse(isOpen(x));
    ns.rename(ROOT, p("/b"), p("/c"), RenameMode.NOREPLACE);
    ns.rename(ROOT, p("/c"), p("/a"), RenameMode.EXCHANGE);
    assertEquals(3, ns.size());

    // removing one frees a slot, for exactly one name
    ns.rmdir(ROOT, p("/a"));
    assertEquals(2, ns.size());
    pin(ns, ROOT, "/d", 0600);
    assertRefused(Status.ENOSPC, () -> ns.mkdir(ROOT, p("/e"), 0755));

    // a rename that replaces frees one too
    ns.rename(ROOT, p("/d"), p("/c/x"), RenameMode.REPLACE);
    assertEquals(2, ns.size());
    ns.mkdir(ROOT, p("/e"), 0755);
    assertEquals(3, ns.size());
  }

  @Test
  void namesPerUidAreCountedByOwnerAndBoundedWithEdquot() throws Exception {
    Namespace ns =
        new Namespace(new NamespaceConfig(01777, 0, true, 100, 2), InstantSource.fixed(NOW));
    namespaces.add(ns);
    ns.mkdir(ALICE, p("/a"), 0777);
    pin(ns, ALICE, "/a/x", 0666);
    assertEquals(2, ns.namesOf(1000));
    assertPinRefused(Status.EDQUOT, ns, ALICE, "/a/y", 0600, Request.DEFAULT_ID, 0, 0);
    assertRefused(Status.EDQUOT, () -> ns.mkdir(ALICE, p("/b"), 0755));

    // a replacement by the owner adds nothing; by another uid it moves the name to that uid
    ns.pin(ALICE, p("/a/x"), 0666, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, newObject("r").held);
    assertEquals(2, ns.namesOf(1000));
    ns.pin(BOB, p("/a/x"), 0666, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, newObject("b").held);
    assertEquals(List.of(1L, 1L), List.of(ns.namesOf(1000), ns.namesOf(1001)));
    pin(ns, BOB, "/a/y", 0600);
    assertPinRefused(Status.EDQUOT, ns, BOB, "/a/z", 0600, Request.DEFAULT_ID, 0, 0);
    pin(ns, ALICE, "/a/y2", 0600);
    assertPinRefused(
        Status.EDQUOT, ns, BOB, "/a/y2", 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0);
    ns.pin(BOB, p("/a/y"), 0600, Request.DEFAULT_ID, Request.PIN_REPLACE, 0, newObject("y").held);

    // CHOWN (root only) moves names between uids without a bound, as root may in Linux
    ns.chown(ROOT, p("/a/y"), 1000, Request.DEFAULT_ID);
    assertEquals(List.of(3L, 1L), List.of(ns.namesOf(1000), ns.namesOf(1001)));
    ns.unlink(ALICE, p("/a/y"), false);
    ns.unlink(ALICE, p("/a/y2"), false);
    assertEquals(1, ns.namesOf(1000));
    pin(ns, ALICE, "/a/again", 0600);
    assertEquals(0, ns.namesOf(1002));
  }

  // ---- concurrency ----

  @Test
  void exchangeIsAtomicForConcurrentReaders() throws Exception {
    Namespace ns = ns();
    ns.mkdir(ROOT, p("/d"), 0755);
    Obj a = pin(ns, ROOT, "/d/a", 0644);
    Obj b = pin(ns, ROOT, "/d/b", 0644);
    Set<Long> both = Set.of(a.ino, b.ino);
    assertEquals(2, both.size());

    int exchanges = 20_001; // odd: the names end up swapped
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    CountDownLatch readersRunning = new CountDownLatch(2);

    Runnable reader =
        () -> {
          try {
            readersRunning.countDown();
            PathName pa = p("/d/a");
            PathName pb = p("/d/b");
            PathName pd = p("/d");
            while (!done.get() && failure.get() == null) {
              // each name, looked up on its own, always resolves to one of the two objects
              long ia = ns.stat(BOB, pa).ino();
              long ib = ns.stat(BOB, pb).ino();
              assertTrue(both.contains(ia) && both.contains(ib), ia + " " + ib);
              // one consistent snapshot of the directory: both names, two distinct objects
              ListReply snap = ns.list(BOB, pd, "", 0, Integer.MAX_VALUE);
              assertEquals(List.of("a", "b"), names(snap));
              long sa = snap.entries().get(0).info().ino();
              long sb = snap.entries().get(1).info().ino();
              assertNotEquals(sa, sb, "both names show the same object");
              assertEquals(both, Set.of(sa, sb));
              reads.incrementAndGet();
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          }
        };
    Thread r1 = new Thread(reader, "reader-1");
    Thread r2 = new Thread(reader, "reader-2");
    r1.start();
    r2.start();
    readersRunning.await();
    try {
      PathName pa = p("/d/a");
      PathName pb = p("/d/b");
      for (int i = 0; i < exchanges && failure.get() == null; i++) {
        ns.rename(ROOT, pa, pb, RenameMode.EXCHANGE);
      }
    } finally {
      done.set(true);
      r1.join(10_000);
      r2.join(10_000);
    }
    assertFalse(r1.isAlive() || r2.isAlive(), "readers did not stop");
    if (failure.get() != null) {
      throw new AssertionError("a reader saw a half-done exchange", failure.get());
    }
    assertTrue(reads.get() > 0, "readers ran");
    assertEquals(b.ino, ino(ns, "/d/a"));
    assertEquals(a.ino, ino(ns, "/d/b"));
    assertTrue(isOpen(a) && isOpen(b));
    assertEquals(3, ns.size());
    assertNull(failure.get());
  }
}
