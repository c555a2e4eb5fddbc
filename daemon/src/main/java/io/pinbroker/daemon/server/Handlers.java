package io.pinbroker.daemon.server;

import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.object.Handouts;
import io.pinbroker.daemon.object.BpfStore;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.daemon.object.MapFactory;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.NodeInfo;
import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.PathName;
import io.pinbroker.protocol.PathSyntaxException;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Singleton;

/** The table from opcode to handler: the one place requests meet the namespace. */
@Singleton
final class Handlers {
  private static final Logger LOG = Logger.getLogger(Handlers.class.getName());

  private final Map<Opcode, Handler> table = new EnumMap<>(Opcode.class);
  private final Namespace ns;

  @Inject
  Handlers(
      Namespace ns, MapFactory maps, BpfStore store, StatsCollector stats, FdReserve reserve) {
    this.ns = ns;
    table.put(
        Opcode.PIN,
        (who, r, fds) -> {
          Request.Pin p = (Request.Pin) r;
          PathName path = path(p.path());
          Fd fd = fds.take(0);
          HeldObject object;
          try {
            object = store.keep(HeldObject.adopt(fd));
          } catch (Refusal refusal) {
            fd.close();
            throw refusal;
          }
          held(reserve, object);
          NodeInfo info =
              ns.pin(
                  who, path, p.mode(), p.gid(), p.flags(), p.expectedGeneration(), p.ttlMillis(),
                  object);
          return durable(ns, info);
        });
    table.put(
        Opcode.GET,
        (who, r, fds) -> {
          Request.Get g = (Request.Get) r;
          var opened =
              ns.open(
                  who, path(g.path()), g.readOnly(), obj -> Handouts.issue(obj, g.readOnly()));
          Handouts.Issued issued = opened.value();
          return Response.of(new Reply.GetReply(opened.info(), issued.handout()), issued.fd());
        });
    table.put(Opcode.STAT, (who, r, fds) -> node(ns.stat(who, path(((Request.Stat) r).path()))));
    table.put(
        Opcode.LIST,
        (who, r, fds) -> {
          Request.ListDir l = (Request.ListDir) r;
          return Response.of(
              ns.list(who, path(l.path()), l.after(), l.limit(), Limits.MAX_FRAME_BYTES));
        });
    table.put(
        Opcode.MKDIR,
        (who, r, fds) -> {
          Request.Mkdir m = (Request.Mkdir) r;
          return node(ns.mkdir(who, path(m.path()), m.mode()));
        });
    table.put(
        Opcode.RMDIR,
        (who, r, fds) -> {
          ns.rmdir(who, path(((Request.Rmdir) r).path()));
          return Response.of(new Reply.Done());
        });
    table.put(
        Opcode.UNLINK,
        (who, r, fds) -> {
          Request.Unlink u = (Request.Unlink) r;
          if ((u.flags() & ~Request.UNLINK_FORCE) != 0) {
            throw new Refusal(Status.EINVAL, "unknown UNLINK flags " + u.flags());
          }
          ns.unlink(who, path(u.path()), (u.flags() & Request.UNLINK_FORCE) != 0);
          return Response.of(new Reply.Done());
        });
    table.put(
        Opcode.CREATE_MAP,
        (who, r, fds) -> {
          Request.CreateMap c = (Request.CreateMap) r;
          PathName path = path(c.path());
          HeldObject map = held(reserve, maps.create(who, c));
          return durable(ns, ns.pin(who, path, c.mode(), c.gid(), 0, 0, map));
        });
    table.put(
        Opcode.RENAME,
        (who, r, fds) -> {
          Request.Rename m = (Request.Rename) r;
          ns.rename(who, path(m.from()), path(m.to()), m.mode());
          return Response.of(new Reply.Done());
        });
    table.put(
        Opcode.CHMOD,
        (who, r, fds) -> {
          Request.Chmod c = (Request.Chmod) r;
          return node(ns.chmod(who, path(c.path()), c.mode()));
        });
    table.put(
        Opcode.CHOWN,
        (who, r, fds) -> {
          Request.Chown c = (Request.Chown) r;
          return node(ns.chown(who, path(c.path()), c.uid(), c.gid()));
        });
    // Anyone connected may ask: the numbers name no node.
    table.put(Opcode.STATS, (who, r, fds) -> Response.of(new Reply.StatsReply(stats.collect())));
  }

  /**
   * The handler for an opcode. HELLO, WATCH and the TAKEOVER opcodes are the connection's own
   * business (they concern the connection itself) and have none.
   */
  Handler forOpcode(Opcode op) {
    return table.get(op);
  }

  /**
   * Whether serving {@code op} may wait on something other than the client: a pin waits for the
   * fd store to confirm its fd, when there is one.
   */
  boolean mayWait(Opcode op) {
    return (op == Opcode.PIN || op == Opcode.CREATE_MAP) && ns.commitWaits();
  }

  /** Whether the connection of {@code who} holds ephemeral pins: it is then never idle. */
  boolean ownsEphemeral(PeerCredentials who) {
    return ns.ownsEphemeral(who);
  }

  /** {@code object}, if holding it leaves the fd reserve alone; else closed and refused. */
  private static HeldObject held(FdReserve reserve, HeldObject object) throws Refusal {
    try {
      reserve.check(object);
      return object;
    } catch (Refusal r) {
      object.close();
      throw r;
    }
  }

  /** A connection ended: its ephemeral pins go. */
  void closed(PeerCredentials who) {
    ns.ownerLeft(who);
  }

  /** A pin is acknowledged only once the service manager's fd store has its fd. */
  private static Response durable(Namespace ns, NodeInfo pinned) {
    try {
      ns.commit();
    } catch (IOException e) {
      LOG.severe("a pin is acknowledged unconfirmed by the fd store: " + e.getMessage());
    }
    return node(pinned);
  }

  private static Response node(NodeInfo info) {
    return Response.of(new Reply.NodeReply(info));
  }

  private static PathName path(String raw) throws Refusal {
    try {
      return PathName.parse(raw);
    } catch (PathSyntaxException e) {
      throw new Refusal(e.status(), e.getMessage());
    }
  }
}
