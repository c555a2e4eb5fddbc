package io.pinbroker.daemon.namespace;

import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.protocol.DirEntry;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.ObjectKind;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.RenameMode;
import io.pinbroker.protocol.Reply.ListReply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Liveness;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The tree of names. Every operation takes the peer's credentials, checks them with {@link
 * Permissions}, and either completes atomically or throws a {@link Refusal} having changed nothing.
 * Readers (stat, get, list) share a read lock; changes take the write lock, so a rename or replace
 * is never seen half done. Knows nothing of sockets.
 */
public final class Namespace {
  /** Mode bits a node may carry: rwx for each class and the sticky bit. */
  public static final int MODE_MASK = 01777;

  private volatile NamespaceConfig config;
  private final InstantSource clock;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Directory root;
  private final Resolver paths;
  private long lastGeneration;
  private long lastObjectId;
  private final NameCounts names = new NameCounts();
  private ChangeLog log = ChangeLog.NONE;
  private final Lifetimes lifetimes;
  private boolean frozen;
  private boolean stopping;
  private final List<Event.Listener> listeners = new CopyOnWriteArrayList<>();

  public Namespace(NamespaceConfig config, InstantSource clock) {
    this.config = config;
    this.clock = clock;
    this.root = new Directory(0, 0, config.rootMode(), nextGeneration(), now());
    this.paths = new Resolver(root, config.rootOverride());
    this.lifetimes = new Lifetimes(clock, this::expire, this::sweepOrphans);
  }

  /**
   * Applies new settings to the operations that follow: umask, root override and the name limits.
   * The root keeps the mode it was created with. A lower limit removes nothing; it refuses new
   * names until enough are gone. Operations in flight under the lock finish with the old settings.
   */
  public void reconfigure(NamespaceConfig next) {
    lock.writeLock().lock();
    try {
      config = next;
      paths.rootOverride(next.rootOverride());
    } finally {
      lock.writeLock().unlock();
    }
  }

  private long now() {
    java.time.Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private long nextGeneration() {
    return ++lastGeneration;
  }

  /** Whether {@code who} may search its way to a path: what it may learn names of. */
  private Predicate<String> visibleTo(PeerCredentials who) {
    return path -> {
      try {
        paths.walk(who, PathName.parse(path));
        return true;
      } catch (Refusal | PathSyntaxException hidden) {
        return false;
      }
    };
  }

  private int newMode(int requested) throws Refusal {
    checkMode(requested);
    return requested & ~config.umask() & MODE_MASK;
  }

  private static void checkMode(int mode) throws Refusal {
    if ((mode & ~MODE_MASK) != 0) {
      throw new Refusal(
          Status.EINVAL, String.format("mode %o has bits outside %o", mode, MODE_MASK));
    }
  }

  // ---- operations ----

  /** {@link #pin(PeerCredentials, PathName, int, int, int, long, long, HeldObject)} without a TTL. */
  public NodeInfo pin(
      PeerCredentials who,
      PathName path,
      int mode,
      int gid,
      int flags,
      long expectedGeneration,
      HeldObject object)
      throws Refusal {
    return pin(who, path, mode, gid, flags, expectedGeneration, 0, object);
  }

  /**
   * Binds {@code object} to {@code path}. The namespace takes ownership either way: it keeps the
   * object (and closes a replaced one), or, on refusal, closes it. With PIN_EPHEMERAL the entry
   * belongs to {@code who}'s connection (this very credentials object, captured at accept) and
   * goes with it ({@link #ownerLeft}); with PIN_TTL it goes after {@code ttlMillis}.
   */
  public NodeInfo pin(
      PeerCredentials who,
      PathName path,
      int mode,
      int gid,
      int flags,
      long expectedGeneration,
      long ttlMillis,
      HeldObject object)
      throws Refusal {
    try {
      return bind(who, path, mode, gid, flags, expectedGeneration, lifetime(who, flags, ttlMillis), object);
    } catch (Refusal | RuntimeException e) {
      object.close();
      throw e;
    }
  }

  /** The longest time to live: ten years. */
  static final long MAX_TTL_MILLIS = 10L * 366 * 24 * 3600 * 1000;

  private Lifetime lifetime(PeerCredentials who, int flags, long ttlMillis) throws Refusal {
    int known = Request.PIN_REPLACE | Request.PIN_CAS | Request.PIN_EPHEMERAL | Request.PIN_TTL;
    if ((flags & ~known) != 0) {
      throw new Refusal(Status.EINVAL, "unknown PIN flags " + flags);
    }
    if ((flags & Request.PIN_CAS) != 0 && (flags & Request.PIN_REPLACE) == 0) {
      throw new Refusal(Status.EINVAL, "PIN_CAS needs PIN_REPLACE");
    }
    boolean ttl = (flags & Request.PIN_TTL) != 0;
    if (ttl && (ttlMillis <= 0 || ttlMillis > MAX_TTL_MILLIS)) {
      throw new Refusal(
          Status.EINVAL, "a time to live is 1 ms to 10 years, not " + Long.toUnsignedString(ttlMillis) + " ms");
    }
    boolean ephemeral = (flags & Request.PIN_EPHEMERAL) != 0;
    if (!ttl && !ephemeral) {
      return Lifetime.FOREVER;
    }
    return new Lifetime(
        ttl ? clock.millis() + ttlMillis : 0,
        ephemeral,
        ephemeral ? who.pid() : 0,
        ephemeral ? Liveness.startTime(who.pid()) : 0);
  }

  private NodeInfo bind(
      PeerCredentials who,
      PathName path,
      int mode,
      int gid,
      int flags,
      long expectedGeneration,
      Lifetime lifetime,
      HeldObject object)
      throws Refusal {
    int group = gid == Request.DEFAULT_ID ? who.gid() : gid;
    if (!Permissions.mayUseGroup(who, config.rootOverride(), group)) {
      throw new Refusal(Status.EPERM, "not a member of group " + Integer.toUnsignedString(group));
    }
    int bits = newMode(mode);
    HeldObject replaced = null;
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      if (path.isRoot()) {
        throw new Refusal(Status.EEXIST, "");
      }
      Resolver.Walk w = paths.walk(who, path);
      if (w.target() == null) {
        if ((flags & Request.PIN_CAS) != 0) {
          throw new Refusal(Status.ENOENT, "nothing to compare-and-swap");
        }
        paths.check(who, w, null, Operation.CREATE);
        checkCapacity(who.uid());
      } else {
        checkReplace(who, w, flags, expectedGeneration);
        if (w.target().uid != who.uid()) {
          checkUidCapacity(who.uid()); // the name changes owner
        }
      }
      long id = ++lastObjectId;
      log.holding(id, object);
      long t = now();
      Entry e = new Entry(who.uid(), group, bits, nextGeneration(), t, id, object, lifetime);
      w.parent().attach(w.name(), e);
      lifetimes.track(e, lifetime.ephemeral() ? who : null);
      if (w.target() != null) {
        names.removed(w.target());
      }
      names.added(e);
      w.parent().mtimeNanos = t;
      log.applied(e.put(path.toString()));
      touched(path.parent(), w.parent());
      emit(w.target() == null ? Event.Type.CREATED : Event.Type.REPLACED, path, null, e);
      if (w.target() instanceof Entry old) {
        lifetimes.untrack(old);
        log.released(old.objectId);
        replaced = old.object; // out of the tree now: closed once the lock is released
      }
      compactIfDue();
      return e.info();
    } finally {
      lock.writeLock().unlock();
      if (replaced != null) {
        replaced.close();
      }
    }
  }

  private void checkReplace(PeerCredentials who, Resolver.Walk w, int flags, long expected)
      throws Refusal {
    if ((flags & Request.PIN_REPLACE) == 0) {
      throw new Refusal(Status.EEXIST, "");
    }
    if (w.target() instanceof Directory) {
      throw new Refusal(Status.EISDIR, "");
    }
    paths.check(who, w, w.target(), Operation.REMOVE);
    if ((flags & Request.PIN_CAS) != 0 && w.target().generation != expected) {
      throw new Refusal(
          Status.ESTALE,
          "generation is " + w.target().generation + ", expected " + expected);
    }
  }

  /** A new name for {@code uid}: within the broker's limit (ENOSPC) and the uid's (EDQUOT). */
  private void checkCapacity(int uid) throws Refusal {
    if (names.total() >= config.maxNames()) {
      throw new Refusal(Status.ENOSPC, "the broker holds its limit of " + config.maxNames() + " names");
    }
    checkUidCapacity(uid);
  }

  private void checkUidCapacity(int uid) throws Refusal {
    long limit = config.maxNamesPerUid();
    if (names.ofUid(uid) >= limit) {
      throw new Refusal(
          Status.EDQUOT,
          "uid " + Integer.toUnsignedString(uid) + " owns its limit of " + limit + " names");
    }
  }

  /** Result of {@link #open}: what the handout produced, plus the node it came from. */
  public record Opened<T>(T value, NodeInfo info) {}

  /** Produces a handout from an entry's object while the entry cannot be removed. */
  public interface HandoutFunction<T> {
    T apply(HeldObject object) throws Refusal;
  }

  /** GET: checks r (or r and w), then runs {@code handout} under the read lock. */
  public <T> Opened<T> open(
      PeerCredentials who, PathName path, boolean readOnly, HandoutFunction<T> handout)
      throws Refusal {
    lock.readLock().lock();
    try {
      Resolver.Walk w = paths.existing(who, path);
      if (!(w.target() instanceof Entry e)) {
        throw new Refusal(Status.EISDIR, "");
      }
      paths.check(who, w, e, readOnly ? Operation.READ : Operation.READ_WRITE);
      return new Opened<>(handout.apply(e.object), e.info());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** STAT; for a prog array, the details list its occupied slots and who holds each program. */
  public NodeInfo stat(PeerCredentials who, PathName path) throws Refusal {
    lock.readLock().lock();
    try {
      Resolver.Walk w = paths.existing(who, path);
      paths.check(who, w, w.target(), Operation.LOOKUP);
      if (w.target() instanceof Entry e && e.object.isProgArray()) {
        return Trees.withMembers(root, e, visibleTo(who));
      }
      return w.target().info();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One page of a directory: names after {@code after} in order, at most {@code limit} (0 for no
   * count limit) and no more than fit in {@code byteBudget} bytes of reply.
   */
  public ListReply list(
      PeerCredentials who, PathName path, String after, int limit, int byteBudget)
      throws Refusal {
    lock.readLock().lock();
    try {
      Resolver.Walk w = paths.existing(who, path);
      if (!(w.target() instanceof Directory dir)) {
        throw new Refusal(Status.ENOTDIR, "");
      }
      paths.check(who, w, dir, Operation.LIST);
      Iterator<Node> tail = after.isEmpty() ? dir.children.iterator() : dir.children.after(after);
      List<DirEntry> page = new ArrayList<>();
      PageSizes sizes = new PageSizes();
      int used = FrameCodec.LIST_REPLY_OVERHEAD;
      int max = limit <= 0 ? Integer.MAX_VALUE : limit;
      while (tail.hasNext()) {
        Node child = tail.next();
        if (page.size() >= max) {
          return new ListReply(page, true);
        }
        NodeInfo info = child instanceof Entry e ? e.info(sizes.of(e.object)) : child.info();
        int cost = FrameCodec.listEntryBytes(child.name, info);
        if (used + cost > byteBudget) {
          return new ListReply(page, true);
        }
        used += cost;
        page.add(new DirEntry(child.name, info));
      }
      return new ListReply(page, false);
    } finally {
      lock.readLock().unlock();
    }
  }

  public NodeInfo mkdir(PeerCredentials who, PathName path, int mode) throws Refusal {
    int bits = newMode(mode);
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      Resolver.Walk w = paths.walk(who, path);
      if (w.target() != null) {
        throw new Refusal(Status.EEXIST, "");
      }
      paths.check(who, w, null, Operation.CREATE);
      checkCapacity(who.uid());
      long t = now();
      Directory d = new Directory(who.uid(), who.gid(), bits, nextGeneration(), t);
      w.parent().attach(w.name(), d);
      names.added(d);
      w.parent().mtimeNanos = t;
      log.applied(new Change.PutDirectory(path.toString(), d.meta()));
      touched(path.parent(), w.parent());
      emit(Event.Type.CREATED, path, null, d);
      compactIfDue();
      return d.info();
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void rmdir(PeerCredentials who, PathName path) throws Refusal {
    remove(who, path, true, false);
  }

  /**
   * Removes an entry. A program that a held prog array refers to is refused with EBUSY unless
   * {@code force}: removing it would leave a tail call to a program nobody can name.
   */
  public void unlink(PeerCredentials who, PathName path, boolean force) throws Refusal {
    remove(who, path, false, force);
  }

  private void remove(PeerCredentials who, PathName path, boolean directory, boolean force)
      throws Refusal {
    HeldObject removed = null;
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      if (path.isRoot()) {
        throw new Refusal(directory ? Status.EBUSY : Status.EISDIR, "");
      }
      Resolver.Walk w = paths.existing(who, path);
      if (directory && !(w.target() instanceof Directory)) {
        throw new Refusal(Status.ENOTDIR, "");
      }
      if (!directory && w.target() instanceof Directory) {
        throw new Refusal(Status.EISDIR, "");
      }
      paths.check(who, w, w.target(), Operation.REMOVE);
      if (w.target() instanceof Directory d && !d.children.isEmpty()) {
        throw new Refusal(Status.ENOTEMPTY, "");
      }
      if (!force && w.target() instanceof Entry e && e.object.progId() != 0) {
        String user = Trees.progArrayUsing(root, e.object.progId());
        if (user != null) {
          String where = visibleTo(who).test(user.substring(0, user.lastIndexOf(" slot "))) ? user : "a prog array";
          throw new Refusal(Status.EBUSY, "the program is in " + where + "; force to remove");
        }
      }
      w.parent().detach(w.name());
      w.parent().mtimeNanos = now();
      names.removed(w.target());
      log.applied(new Change.Remove(path.toString()));
      touched(path.parent(), w.parent());
      emit(Event.Type.REMOVED, path, null, w.target());
      if (w.target() instanceof Entry e) {
        lifetimes.untrack(e);
        log.released(e.objectId);
        removed = e.object;
      }
      compactIfDue();
    } finally {
      lock.writeLock().unlock();
      if (removed != null) {
        removed.close();
      }
    }
  }

  /** Renames atomically; see {@link RenameMode} for what happens to an existing destination. */
  public void rename(PeerCredentials who, PathName from, PathName to, RenameMode mode)
      throws Refusal {
    HeldObject replaced = null;
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      if (from.isRoot() || to.isRoot()) {
        throw new Refusal(Status.EBUSY, "the root cannot be renamed");
      }
      Resolver.Walk src = paths.existing(who, from);
      Resolver.Walk dst = paths.walk(who, to);
      paths.check(who, src, src.target(), Operation.REMOVE);
      if (dst.target() == null) {
        paths.check(who, dst, null, Operation.CREATE);
      } else {
        paths.check(who, dst, dst.target(), Operation.REMOVE);
      }
      if (mode == RenameMode.NOREPLACE && dst.target() != null) {
        throw new Refusal(Status.EEXIST, "");
      }
      if (src.target() == dst.target()) {
        return; // same node: nothing to do, as rename(2)
      }
      if (src.target() instanceof Directory && from.contains(to)) {
        throw new Refusal(Status.EINVAL, "cannot move a directory into itself");
      }
      replaced =
          switch (mode) {
            case NOREPLACE, REPLACE -> move(who, src, dst);
            case EXCHANGE -> exchange(who, src, dst, from, to);
          };
      log.applied(
          mode == RenameMode.EXCHANGE
              ? new Change.Swap(from.toString(), to.toString())
              : new Change.Move(from.toString(), to.toString()));
      touched(from.parent(), src.parent());
      touched(to.parent(), dst.parent());
      touched(to, src.target());
      if (mode == RenameMode.EXCHANGE) {
        touched(from, dst.target());
      }
      emit(mode == RenameMode.EXCHANGE ? Event.Type.EXCHANGED : Event.Type.MOVED, from, to, src.target());
      if (dst.target() instanceof Entry old && mode != RenameMode.EXCHANGE) {
        lifetimes.untrack(old);
        log.released(old.objectId);
      }
      compactIfDue();
    } finally {
      lock.writeLock().unlock();
      if (replaced != null) {
        replaced.close();
      }
    }
  }

  private HeldObject move(PeerCredentials who, Resolver.Walk src, Resolver.Walk dst) throws Refusal {
    checkMovable(who, src, dst);
    Node old = dst.target();
    if (old != null) {
      if (src.target() instanceof Directory && !(old instanceof Directory)) {
        throw new Refusal(Status.ENOTDIR, "");
      }
      if (!(src.target() instanceof Directory) && old instanceof Directory) {
        throw new Refusal(Status.EISDIR, "");
      }
      if (old instanceof Directory d && !d.children.isEmpty()) {
        throw new Refusal(Status.ENOTEMPTY, "");
      }
      names.removed(old);
    }
    src.parent().detach(src.name());
    dst.parent().attach(dst.name(), src.target());
    touch(src, dst);
    return old instanceof Entry e ? e.object : null;
  }

  private HeldObject exchange(PeerCredentials who, Resolver.Walk src, Resolver.Walk dst, PathName from, PathName to)
      throws Refusal {
    if (dst.target() == null) {
      throw new Refusal(Status.ENOENT, "nothing to exchange with");
    }
    if (dst.target() instanceof Directory && to.contains(from)) {
      throw new Refusal(Status.EINVAL, "cannot exchange a directory with its own descendant");
    }
    checkMovable(who, src, dst);
    checkMovable(who, dst, src);
    src.parent().detach(src.name()); // out first: attaching renames a node
    dst.parent().detach(dst.name());
    src.parent().attach(src.name(), dst.target());
    dst.parent().attach(dst.name(), src.target());
    touch(src, dst);
    dst.target().ctimeNanos = src.parent().mtimeNanos;
    return null;
  }

  /** A directory changing parents needs write permission on itself, as in Linux. */
  private void checkMovable(PeerCredentials who, Resolver.Walk src, Resolver.Walk dst) throws Refusal {
    if (src.target() instanceof Directory d && src.parent() != dst.parent()) {
      Resolver.enforce(
          Permissions.check(
              who, config.rootOverride(), List.of(d.attrs()), null, Operation.CREATE));
    }
  }

  private void touch(Resolver.Walk src, Resolver.Walk dst) {
    long t = now();
    src.parent().mtimeNanos = t;
    dst.parent().mtimeNanos = t;
    src.target().ctimeNanos = t;
  }

  public NodeInfo chmod(PeerCredentials who, PathName path, int mode) throws Refusal {
    checkMode(mode);
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      Resolver.Walk w = paths.existing(who, path);
      paths.check(who, w, w.target(), Operation.CHMOD);
      w.target().mode = mode;
      w.target().ctimeNanos = now();
      touched(path, w.target());
      emit(Event.Type.ATTRS, path, null, w.target());
      compactIfDue();
      return w.target().info();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Changes owner and/or group ({@link Request#DEFAULT_ID} keeps one). Root only. */
  public NodeInfo chown(PeerCredentials who, PathName path, int uid, int gid) throws Refusal {
    lock.writeLock().lock();
    try {
      refuseWhileFrozen();
      Resolver.Walk w = paths.existing(who, path);
      paths.check(who, w, w.target(), Operation.CHOWN);
      if (uid != Request.DEFAULT_ID) {
        names.chowned(w.target().uid, uid); // root may: no per-uid bound, as quotas in Linux
        w.target().uid = uid;
      }
      if (gid != Request.DEFAULT_ID) {
        w.target().gid = gid;
      }
      w.target().ctimeNanos = now();
      touched(path, w.target());
      emit(Event.Type.ATTRS, path, null, w.target());
      compactIfDue();
      return w.target().info();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- entries that go by themselves ----

  /** An entry's time ran out: it goes, as by UNLINK, with an EXPIRED event. */
  private void expire(Entry e) {
    HeldObject gone;
    lock.writeLock().lock();
    try {
      gone = expireLocked(e);
    } finally {
      lock.writeLock().unlock();
    }
    if (gone != null) {
      gone.close();
    }
  }

  /** Removes an entry that went by itself; returns its object, to close outside the lock. */
  private HeldObject expireLocked(Entry e) {
    if (!e.attached()) {
      lifetimes.untrack(e); // unlinked or replaced meanwhile: already untracked; forget it anyway
      return null;
    }
    if (frozen) {
      lifetimes.retry(e); // the tree is being handed over as it is
      return null;
    }
    PathName path = e.pathName();
    Directory parent = e.parent;
    parent.detach(e.name);
    parent.mtimeNanos = now();
    names.removed(e);
    lifetimes.untrack(e);
    log.applied(new Change.Remove(path.toString()));
    touched(path.parent(), parent);
    emit(Event.Type.EXPIRED, path, null, e);
    log.released(e.objectId);
    compactIfDue();
    return e.object;
  }

  /**
   * The broker is stopping: the connections it closes from now on take no ephemeral entry with
   * them; those are followed by their owner process, as after the restart to come.
   */
  public void stopping() {
    lock.writeLock().lock();
    try {
      stopping = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The connection {@code owner} (its credentials object) closed: its ephemeral entries go. While
   * the tree is frozen for a handoff, or the broker stops, they stay, followed by their owner
   * process instead.
   */
  public void ownerLeft(Object owner) {
    List<HeldObject> gone = new ArrayList<>();
    lock.writeLock().lock();
    try {
      for (Entry e : lifetimes.ownedBy(owner)) {
        if (frozen || stopping) {
          lifetimes.orphan(e);
        } else {
          HeldObject o = expireLocked(e);
          if (o != null) {
            gone.add(o);
          }
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
    gone.forEach(HeldObject::close);
  }

  /** Ephemeral entries restored without their connection go when their owner process has. */
  private void sweepOrphans() {
    List<HeldObject> gone = new ArrayList<>();
    lock.writeLock().lock();
    try {
      for (Entry e : lifetimes.deadOrphans()) {
        HeldObject o = expireLocked(e);
        if (o != null) {
          gone.add(o);
        }
      }
      lifetimes.sweepAgainIfNeeded();
    } finally {
      lock.writeLock().unlock();
    }
    gone.forEach(HeldObject::close);
  }

  // ---- watching ----

  /** Adds a listener for every event from now on; see {@link Event.Listener}. */
  public void listen(Event.Listener listener) {
    listeners.add(listener);
  }

  public void unlisten(Event.Listener listener) {
    listeners.remove(listener);
  }

  /**
   * WATCH: checks that {@code who} may watch {@code path} (search on every directory walked, and r
   * and x on a directory, as for LIST) and adds {@code listener} in the same step, so that it gets
   * every event after the node returned, and none before.
   */
  public NodeInfo watch(PeerCredentials who, PathName path, Event.Listener listener)
      throws Refusal {
    lock.readLock().lock(); // keeps out changes, and with them events, until the listener is in
    try {
      Resolver.Walk w = paths.existing(who, path);
      Operation op = w.target() instanceof Directory ? Operation.LIST : Operation.LOOKUP;
      paths.check(who, w, w.target(), op);
      listen(listener);
      return w.target().info();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The node at {@code path} now, or null; no permission is checked. For a listener that has
   * already checked {@link #mayKnowOf}; called from it, it sees the tree right after the event.
   */
  public NodeInfo infoAt(String path) {
    lock.readLock().lock();
    try {
      Node node = root;
      for (String name : PathName.parse(path).components()) {
        node = node instanceof Directory d ? d.children.get(name) : null;
        if (node == null) {
          return null;
        }
      }
      return node.info();
    } catch (PathSyntaxException e) {
      return null;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Whether {@code who} may learn of {@code path}: it may search every directory above it, as
   * for a lookup. Call it from a listener (under the lock) or on its own.
   */
  public boolean mayKnowOf(PeerCredentials who, String path) {
    lock.readLock().lock();
    try {
      return visibleTo(who).test(path);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void emit(Event.Type type, PathName path, PathName to, Node node) {
    if (listeners.isEmpty()) {
      return;
    }
    Event e = new Event(type, path.toString(), to == null ? null : to.toString(), node.info());
    for (Event.Listener l : listeners) {
      l.accept(e);
    }
  }

  // ---- handoff ----

  /** From now on every change is refused with EAGAIN: the tree is being handed to a successor. */
  public void freeze() {
    lock.writeLock().lock();
    try {
      frozen = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Changes are allowed again: the handoff was abandoned. */
  public void thaw() {
    lock.writeLock().lock();
    try {
      frozen = false;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void refuseWhileFrozen() throws Refusal {
    if (frozen) {
      throw new Refusal(Status.EAGAIN, "the broker is handing over to its successor; retry");
    }
  }

  /** Every held object by its id, in id order. */
  public SortedMap<Long, HeldObject> objects() {
    lock.readLock().lock();
    try {
      SortedMap<Long, HeldObject> out = new TreeMap<>();
      Trees.forEachEntry(root, "", (path, e) -> out.put(e.objectId, e.object));
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- persistence ----

  /** Logs a node's new attributes. */
  private void touched(PathName path, Node node) {
    log.applied(new Change.SetMeta(path.toString(), node.meta()));
  }

  private void compactIfDue() {
    if (log.wantsRewrite()) {
      log.rewrite(this::writeState);
    }
  }

  /** From now on, reports every change to {@code log}, after writing the whole tree to it. */
  public void persistTo(ChangeLog log) {
    lock.writeLock().lock();
    try {
      this.log = log;
      log.rewrite(this::writeState);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Returns once every object pinned so far is safe with the log (the fd store has it). A pin is
   * acknowledged only after this.
   */
  public void commit() throws IOException {
    ChangeLog current;
    lock.readLock().lock();
    try {
      current = log;
    } finally {
      lock.readLock().unlock();
    }
    current.commit();
  }

  /** Whether {@link #commit} may wait (on the service manager), rather than return at once. */
  public boolean commitWaits() {
    lock.readLock().lock();
    try {
      return log != ChangeLog.NONE;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The whole tree as changes that rebuild it from an empty root: parents before children. */
  public void snapshot(Consumer<Change> out) {
    lock.readLock().lock();
    try {
      writeState(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void writeState(Consumer<Change> out) {
    out.accept(new Change.SetMeta(PathName.ROOT.toString(), root.meta()));
    Trees.forEachNode(
        root,
        "",
        (path, node) ->
            out.accept(
                switch (node) {
                  case Directory d -> new Change.PutDirectory(path, d.meta());
                  case Entry e -> e.put(path);
                }));
  }

  /**
   * Rebuilds the tree from a log, before the broker serves anyone. {@code objects} gives the held
   * object for an id, or null if its fd did not come back; entries left without one are removed
   * and reported.
   */
  public Replay.Result restore(Iterable<Change> changes, Replay.Objects objects) {
    lock.writeLock().lock();
    try {
      Replay.Result r = new Replay(root, objects).run(changes);
      Trees.forEachEntry(root, "", (path, e) -> lifetimes.track(e, null));
      names.recount(root);
      lastGeneration = Math.max(lastGeneration, r.lastGeneration());
      lastObjectId = Math.max(lastObjectId, r.lastObjectId());
      return r;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Names held (entries and directories, the root excepted). */
  public long size() {
    lock.readLock().lock();
    try {
      return names.total();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Names held by kind: entries by their object's kind, directories (the root excepted) under
   * {@link ObjectKind#NONE}; every kind is present. Counted as the tree changes, not by a walk.
   */
  public Map<ObjectKind, Long> namesByKind() {
    lock.readLock().lock();
    try {
      return names.snapshot();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Names {@code uid} owns now: what {@link NamespaceConfig#maxNamesPerUid()} bounds. */
  public long namesOf(int uid) {
    lock.readLock().lock();
    try {
      return names.ofUid(uid);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether the connection {@code owner} (its credentials object) holds ephemeral entries. */
  public boolean ownsEphemeral(Object owner) {
    lock.readLock().lock();
    try {
      return lifetimes.owns(owner);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The most names the namespace holds now ({@link NamespaceConfig#maxNames()}). */
  public long maxNames() {
    return config.maxNames();
  }
}
