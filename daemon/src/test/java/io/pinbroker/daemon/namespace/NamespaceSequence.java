package io.pinbroker.daemon.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pinbroker.daemon.namespace.NamespaceModel.Node;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.NodeType;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply.ListReply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One sequence of {@link NamespaceFuzzTest}: each {@link #step} picks a peer, an operation and its
 * arguments, does it on the namespace and on the model, and checks that both agree. Keeps what was
 * done so far for the failure message.
 */
final class NamespaceSequence {
  /** Where a sequence takes its choices: a fuzzer's data or a seeded random generator. */
  interface Choices {
    /** A number from 0 to {@code n - 1}. */
    int pick(int n);

    boolean more();
  }

  /** Every memfd pinned is named with this prefix, so /proc/self/fd shows which are ours. */
  static final String TAG = "pinbroker-fuzz-";

  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final PeerCredentials ROOT = new PeerCredentials(1, 0, 0);

  /** A member of bob's group 1001 besides her own. */
  private static final PeerCredentials ALICE = new PeerCredentials(2, 1000, 1000, 1001);

  private static final PeerCredentials BOB = new PeerCredentials(3, 1001, 1001);
  private static final PeerCredentials[] PEERS = {ROOT, ALICE, BOB};
  private static final String[] NAMES = {"root", "alice", "bob"};

  private static final int[] MODES = {
    0755, 0700, 0777, 01777, 0711, 0644, 0600, 0640, 0660, 0666, 0750, 0770, 01770, 01755, 0500,
    0300, 0100, 0, 0070, 0007, 0001, 0030, 0003
  };
  private static final int[] IDS = {Request.DEFAULT_ID, 0, 1000, 1001, 1002};
  private static final int[] GROUPS = {
    Request.DEFAULT_ID, Request.DEFAULT_ID, Request.DEFAULT_ID, 0, 1000, 1001, 1002
  };
  private static final int R = Request.PIN_REPLACE;
  private static final int RC = Request.PIN_REPLACE | Request.PIN_CAS;
  private static final int[] PIN_FLAGS = {0, 0, 0, R, R, R, RC, RC, RC, Request.PIN_CAS, 0x10};
  private static final String[] AFTER = {"", "a", "b", "c", "b0"};

  final Namespace ns;
  final NamespaceModel model;
  final StringBuilder log = new StringBuilder();

  NamespaceSequence(Namespace ns, NamespaceModel model) {
    this.ns = ns;
    this.model = model;
  }

  void step(Choices c) {
    int peer = c.pick(PEERS.length);
    PeerCredentials who = PEERS[peer];
    String path = path(c, model);
    log.append(NAMES[peer]).append(' ');
    switch (c.pick(14)) {
      case 0, 1, 2 -> pin(c, who, path);
      case 3, 4 -> {
        int mode = mode(c);
        log.append(String.format("mkdir %s %o", path, mode));
        check(model.mkdir(who, path, mode), () -> ns.mkdir(who, p(path), mode), path);
      }
      case 5 -> {
        log.append("rmdir ").append(path);
        check(model.remove(who, path, true), () -> done(() -> ns.rmdir(who, p(path))), null);
      }
      case 6 -> {
        log.append("unlink ").append(path);
        check(
            model.remove(who, path, false), () -> done(() -> ns.unlink(who, p(path), false)), null);
      }
      case 7, 8 -> {
        String to = path(c, model);
        RenameMode mode = RenameMode.values()[c.pick(RenameMode.values().length)];
        log.append("rename ").append(path).append(' ').append(to).append(' ').append(mode);
        check(
            model.rename(who, path, to, mode),
            () -> done(() -> ns.rename(who, p(path), p(to), mode)),
            null);
      }
      case 9 -> {
        int mode = mode(c);
        log.append(String.format("chmod %s %o", path, mode));
        check(model.chmod(who, path, mode), () -> ns.chmod(who, p(path), mode), path);
      }
      case 10 -> {
        int uid = IDS[c.pick(IDS.length)];
        int gid = IDS[c.pick(IDS.length)];
        log.append("chown ").append(path).append(' ').append(uid).append(':').append(gid);
        check(model.chown(who, path, uid, gid), () -> ns.chown(who, p(path), uid, gid), path);
      }
      case 11 -> {
        log.append("stat ").append(path);
        check(model.stat(who, path), () -> ns.stat(who, p(path)), path);
      }
      case 12 -> list(c, who, path);
      default -> {
        if (c.pick(3) == 0) {
          model.rootOverride = !model.rootOverride;
          ns.reconfigure(
              new NamespaceConfig(
                  model.nodes.get("/").mode(), model.umask, model.rootOverride, model.maxNames));
          log.append("root override ").append(model.rootOverride ? "on" : "off").append('\n');
          return;
        }
        get(c, who, path);
      }
    }
    assertEquals(model.names(), ns.size(), "names held\n" + log);
    long entries = model.nodes.values().stream().filter(n -> !n.dir()).count();
    Map<ObjectKind, Long> byKind = ns.namesByKind();
    assertEquals(entries, byKind.get(ObjectKind.FD), "entries counted\n" + log);
    assertEquals(
        model.names() - entries, byKind.get(ObjectKind.NONE), "directories counted\n" + log);
  }

  private void pin(Choices c, PeerCredentials who, String path) {
    int mode = mode(c);
    int gid = GROUPS[c.pick(GROUPS.length)];
    int flags = PIN_FLAGS[c.pick(PIN_FLAGS.length)];
    Node old = model.nodes.get(path);
    long expected = c.pick(2) == 0 && old != null ? old.generation() : c.pick(8);
    HeldObject object = memfd();
    long ino = object.ino();
    log.append(String.format("pin %s %o gid %d flags %d gen %d", path, mode, gid, flags, expected));
    check(
        model.pin(who, path, mode, gid, flags, expected, ino),
        () -> ns.pin(who, p(path), mode, gid, flags, expected, object),
        path);
  }

  private void get(Choices c, PeerCredentials who, String path) {
    boolean readOnly = c.pick(2) == 0;
    log.append("get ").append(path).append(readOnly ? " ro" : " rw");
    Namespace.Opened<Long> got =
        outcome(
            model.get(who, path, readOnly), () -> ns.open(who, p(path), readOnly, HeldObject::ino));
    if (got != null) {
      assertEquals(model.nodes.get(path).ino(), got.value(), "the object handed out\n" + log);
      same(path, got.info());
    }
  }

  private void list(Choices c, PeerCredentials who, String path) {
    String after = AFTER[c.pick(AFTER.length)];
    int limit = c.pick(3);
    log.append("list ")
        .append(path)
        .append(" after '")
        .append(after)
        .append("' limit ")
        .append(limit);
    ListReply page =
        outcome(
            model.list(who, path),
            () -> ns.list(who, p(path), after, limit, Limits.MAX_FRAME_BYTES));
    if (page == null) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (String name : model.children(path)) {
      if (name.compareTo(after) > 0) {
        names.add(name);
      }
    }
    boolean more = limit != 0 && names.size() > limit;
    List<String> expected = more ? names.subList(0, limit) : names;
    assertEquals(expected, page.entries().stream().map(DirEntry::name).toList(), "names\n" + log);
    assertEquals(more, page.more(), "more\n" + log);
    for (DirEntry e : page.entries()) {
      same((path.equals("/") ? "" : path) + "/" + e.name(), e.info());
    }
  }

  private interface Call<T> {
    T run() throws Refusal;
  }

  private interface VoidCall {
    void run() throws Refusal;
  }

  private static Object done(VoidCall call) throws Refusal {
    call.run();
    return Boolean.TRUE;
  }

  /** Runs {@code call} on the namespace; both must give {@code expected}. */
  private <T> T outcome(Status expected, Call<T> call) {
    Status actual;
    T result = null;
    try {
      result = call.run();
      actual = Status.OK;
    } catch (Refusal r) {
      actual = r.status();
    }
    log.append(" -> ").append(actual).append('\n');
    assertEquals(expected, actual, "outcome of the last operation\n" + log);
    return result;
  }

  /** As {@link #outcome}; if OK and {@code path} is given, the node returned is the model's. */
  private void check(Status expected, Call<?> call, String path) {
    Object result = outcome(expected, call);
    if (result instanceof NodeInfo info && path != null) {
      same(path, info);
    }
  }

  private void same(String path, NodeInfo info) {
    Node n = model.nodes.get(path);
    String what = path + "\n" + log;
    assertEquals(n.dir() ? NodeType.DIRECTORY : NodeType.ENTRY, info.type(), what);
    assertEquals(
        n,
        new Node(n.dir(), info.uid(), info.gid(), info.mode(), info.generation(), info.ino()),
        what);
    assertEquals(n.dir() ? model.children(path).size() : 0, info.children(), what);
  }

  // ---- choices ----

  /**
   * A path of depth 0 to 3 named from {a, b, c}: any such path, or a node the model has, or a name
   * in a directory the model has.
   */
  private static String path(Choices c, NamespaceModel model) {
    List<String> known = new ArrayList<>(model.nodes.tailMap("/", false).keySet());
    String node = known.isEmpty() ? "/" : known.get(c.pick(known.size()));
    String dir = model.nodes.get(node).dir() ? node : NamespaceModel.parent(node);
    return switch (c.pick(4)) {
      case 0 -> c.pick(16) == 0 ? "/" : below("", 1 + c.pick(3), c);
      case 1 -> node;
      default -> dir.equals("/") ? below("", 1, c) : depth(dir) < 3 ? below(dir, 1, c) : dir;
    };
  }

  private static String below(String dir, int levels, Choices c) {
    StringBuilder s = new StringBuilder(dir);
    for (int i = 0; i < levels; i++) {
      s.append('/').append((char) ('a' + c.pick(3)));
    }
    return s.toString();
  }

  private static int depth(String path) {
    return (int) path.chars().filter(ch -> ch == '/').count();
  }

  private static int mode(Choices c) {
    int i = c.pick(MODES.length + 2);
    if (i < MODES.length) {
      return MODES[i];
    }
    return i == MODES.length ? c.pick(NamespaceModel.MODE_MASK + 1) : 010000 | c.pick(01000);
  }

  // ---- objects ----

  private static HeldObject memfd() {
    try {
      Fd fd = FileOps.memfd(TAG + SEQ.incrementAndGet(), 0, 0);
      try {
        return HeldObject.adopt(fd);
      } catch (Refusal r) {
        fd.close();
        throw new AssertionError("a memfd is refused: " + r.detail());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PathName p(String path) {
    try {
      return PathName.parse(path);
    } catch (PathSyntaxException e) {
      throw new AssertionError(path, e);
    }
  }
}
