package io.pinbroker.daemon.server;

import io.pinbroker.client.SocketLocation;
import io.pinbroker.daemon.namespace.Namespace;
import io.pinbroker.daemon.namespace.Refusal;
import io.pinbroker.daemon.object.HeldObject;
import io.pinbroker.daemon.persist.Snapshot;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.Status;
import io.pinbroker.unix.ErrnoException;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.FileOps;
import io.pinbroker.unix.PeerCredentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import javax.inject.Inject;
import javax.inject.Provider;
import javax.inject.Singleton;

/**
 * The old broker's side of a handoff (TAKEOVER_BEGIN, _FDS, _DONE; PROTOCOL.md §6.12). BEGIN
 * freezes the tree and stops accepting, then gives the successor the listening socket and the
 * tree as a journal; FDS pages through every held fd by object id; DONE completes {@link
 * #handedOver()}, after which this broker drains and exits. If the successor's connection ends
 * before DONE, the handoff is abandoned and this broker carries on.
 */
@Singleton
public final class Handoff {
  private static final Logger LOG = Logger.getLogger(Handoff.class.getName());

  private final Namespace namespace;
  private final Provider<Server> server;
  private final CompletableFuture<Void> handedOver = new CompletableFuture<>();
  private Object successor;
  private SortedMap<Long, HeldObject> objects;

  @Inject
  Handoff(Namespace namespace, Provider<Server> server) {
    this.namespace = namespace;
    this.server = server;
  }

  /** Completes once a successor has taken over (DONE). */
  public CompletableFuture<Void> handedOver() {
    return handedOver;
  }

  /** Serves a takeover request from {@code connection}. */
  synchronized Response serve(Object connection, PeerCredentials who, Request request)
      throws Refusal {
    if (who.uid() != 0 && who.uid() != SocketLocation.currentUid()) {
      throw new Refusal(
          Status.EPERM, "only root or the broker's own uid may take it over");
    }
    if (request instanceof Request.TakeoverBegin) {
      return begin(connection);
    }
    if (connection != successor || handedOver.isDone()) {
      throw new Refusal(Status.EINVAL, "no TAKEOVER_BEGIN on this connection");
    }
    return switch (request) {
      case Request.TakeoverFds f -> page(f.after());
      case Request.TakeoverDone _ -> done();
      default -> throw new IllegalArgumentException(request.toString());
    };
  }

  private Response begin(Object connection) throws Refusal {
    if (successor != null || handedOver.isDone()) {
      throw new Refusal(Status.EBUSY, "a handoff is already in progress");
    }
    successor = connection;
    namespace.freeze();
    Fd listener = null;
    try {
      server.get().pauseAccepting();
      objects = namespace.objects();
      objects.values().removeIf(HeldObject::pinned); // their pins are in the journal
      listener = server.get().duplicateListener();
      Fd journal = Snapshot.of(namespace);
      LOG.info("handing over to a successor: " + objects.size() + " objects");
      return Response.of(new Reply.TakeoverBeginReply(objects.size()), listener, journal);
    } catch (IOException e) {
      if (listener != null) {
        listener.close();
      }
      abandon();
      Status s = e instanceof ErrnoException n && n.errno() == Status.EMFILE.code() ? Status.EMFILE : Status.ENOSPC;
      throw new Refusal(s, "cannot prepare the handoff: " + e.getMessage());
    }
  }

  private Response page(long after) throws Refusal {
    List<Long> ids = new ArrayList<>();
    List<Fd> fds = new ArrayList<>();
    SortedMap<Long, HeldObject> rest = objects.tailMap(after + 1);
    try {
      for (Map.Entry<Long, HeldObject> e : rest.entrySet()) {
        if (ids.size() == Limits.MAX_FDS_PER_FRAME) {
          break;
        }
        fds.add(FileOps.duplicate(e.getValue().fd(), 3));
        ids.add(e.getKey());
      }
    } catch (IOException e) {
      fds.forEach(Fd::close);
      throw new Refusal(Status.EMFILE, "cannot duplicate a held fd: " + e.getMessage());
    }
    boolean more = rest.size() > ids.size();
    return new Response(new Reply.TakeoverFdsReply(ids, more), fds);
  }

  private Response done() {
    LOG.info("the successor is serving; this broker drains and exits");
    handedOver.complete(null);
    return Response.of(new Reply.Done());
  }

  /** A connection ended: if it was the successor's before DONE, carry on as before. */
  synchronized void ended(Object connection) {
    if (connection == successor && !handedOver.isDone()) {
      LOG.warning("the successor left before taking over; serving again");
      abandon();
    }
  }

  private void abandon() {
    successor = null;
    objects = null;
    namespace.thaw();
    server.get().resumeAccepting();
  }
}
