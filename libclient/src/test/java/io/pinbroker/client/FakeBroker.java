package io.pinbroker.client;

import io.pinbroker.protocol.DecodedRequest;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Frames;
import io.pinbroker.protocol.Limits;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.ReplyFrame;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import io.pinbroker.unix.Fd;
import io.pinbroker.unix.Received;
import io.pinbroker.unix.SeqpacketListener;
import io.pinbroker.unix.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A stand-in for pinbrokerd on a real SEQPACKET socket, served by a thread of this process: it
 * answers the HELLO, then each request with the next answer of its script, and stops at the end
 * of the script or of the connection. Lets a test send replies no real broker would.
 */
final class FakeBroker implements AutoCloseable {
  /**
   * A datagram and the fds to attach to it. The answer owns the fds: they are closed once sent.
   */
  record Answer(byte[] datagram, List<Fd> fds) {}

  final Path socket;
  final SeqpacketListener listener;
  private final List<Function<RequestFrame, Answer>> script;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private volatile Throwable failure;

  FakeBroker(Path dir, List<Function<RequestFrame, Answer>> script) throws IOException {
    this.socket = dir.resolve("fake.sock");
    this.listener = SeqpacketListener.bind(socket, 4);
    this.script = List.copyOf(script);
    this.thread = Thread.ofPlatform().name("fake-broker").start(this::serve);
  }

  /** The client for this broker. */
  PinbrokerClient client() throws IOException {
    return PinbrokerClient.builder().socket(socket).callTimeout(Duration.ofSeconds(5)).build();
  }

  /** The requests served so far, HELLO excluded. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The reply to {@code request}, with the fd count the reply requires. */
  static byte[] encode(RequestFrame request, Reply reply) {
    ByteBuffer out = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
    int opcode = request.request().opcode().code();
    FrameCodec.encodeReply(
        new ReplyFrame(request.requestId(), opcode, reply.requiredFds(), reply), out);
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  /** Rewrites the header's fd_count, as a broken broker might send it. */
  static byte[] withFdCount(byte[] datagram, int fdCount) {
    byte[] copy = datagram.clone();
    copy[10] = (byte) fdCount;
    return copy;
  }

  private void serve() {
    try (UnixSocket s = listener.accept()) {
      s.setTimeouts(Duration.ofSeconds(5));
      ByteBuffer in = ByteBuffer.allocate(Limits.MAX_FRAME_BYTES);
      RequestFrame hello = receive(s, in);
      send(
          s,
          new Answer(
              encode(
                  hello,
                  new Reply.HelloReply(
                      Frames.VERSION,
                      Frames.FEATURES,
                      Limits.MAX_FRAME_BYTES,
                      Limits.MAX_FDS_PER_FRAME,
                      1,
                      SocketLocation.currentUid(),
                      0)),
              List.of()));
      for (Function<RequestFrame, Answer> step : script) {
        RequestFrame request = receive(s, in);
        if (request == null) {
          return; // the client hung up
        }
        requests.add(request.request());
        send(s, step.apply(request));
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  private static RequestFrame receive(UnixSocket s, ByteBuffer in) throws IOException {
    try (Received r = s.receive(in)) {
      if (r.endOfStream()) {
        return null;
      }
      return switch (FrameCodec.decodeRequest(in)) {
        case DecodedRequest.Valid v -> v.frame();
        case DecodedRequest d -> throw new IOException("the client sent " + d);
      };
    }
  }

  private static void send(UnixSocket s, Answer answer) throws IOException {
    try {
      int[] fds = answer.fds().stream().mapToInt(Fd::value).toArray();
      s.send(ByteBuffer.wrap(answer.datagram()), fds);
    } finally {
      answer.fds().forEach(Fd::close);
    }
  }

  /** Stops the broker and rethrows what went wrong in its thread, if anything. */
  @Override
  public void close() throws IOException {
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    listener.close();
    if (thread.isAlive()) {
      throw new AssertionError("the fake broker is still serving");
    }
    if (failure != null) {
      throw new AssertionError("the fake broker failed", failure);
    }
  }
}
