package io.pinbroker.bench;

import io.pinbroker.protocol.DecodedRequest;
import io.pinbroker.protocol.FrameCodec;
import io.pinbroker.protocol.Request;
import io.pinbroker.protocol.RequestFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@link FrameCodec#decodeRequest} of one GET or PIN datagram, as the broker gets it. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  @Param({"GET", "PIN"})
  public String frame;

  private ByteBuffer datagram;

  @Setup
  public void encode() {
    String path = "/net/app/maps/stats";
    Request r =
        frame.equals("GET") ? new Request.Get(path, true) : new Request.Pin(path, 0644, -1, 0, 0, 0);
    datagram = ByteBuffer.allocate(256);
    FrameCodec.encodeRequest(new RequestFrame(7, frame.equals("PIN") ? 1 : 0, r), datagram);
  }

  @Benchmark
  public DecodedRequest decodeRequest() {
    return FrameCodec.decodeRequest(datagram.duplicate());
  }
}
