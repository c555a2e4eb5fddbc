package io.pinbroker.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Type names follow the kernel's enum order; needs no bpf(2). */
class BpfTypeNamesTest {
  @Test
  void mapTypes() {
    assertEquals("unspec", Bpf.mapTypeName(0));
    assertEquals("hash", Bpf.mapTypeName(Bpf.HASH));
    assertEquals("array", Bpf.mapTypeName(Bpf.ARRAY));
    assertEquals("prog_array", Bpf.mapTypeName(Bpf.PROG_ARRAY));
    assertEquals("perf_event_array", Bpf.mapTypeName(Bpf.PERF_EVENT_ARRAY));
    assertEquals("percpu_hash", Bpf.mapTypeName(Bpf.PERCPU_HASH));
    assertEquals("percpu_array", Bpf.mapTypeName(Bpf.PERCPU_ARRAY));
    assertEquals("lru_hash", Bpf.mapTypeName(Bpf.LRU_HASH));
    assertEquals("ringbuf", Bpf.mapTypeName(Bpf.RINGBUF));
    assertEquals("user_ringbuf", Bpf.mapTypeName(31));
    assertEquals("arena", Bpf.mapTypeName(33));
    assertEquals("999", Bpf.mapTypeName(999));
    assertEquals("-1", Bpf.mapTypeName(-1));
  }

  @Test
  void progTypes() {
    assertEquals("socket_filter", Bpf.progTypeName(Bpf.PROG_TYPE_SOCKET_FILTER));
    assertEquals("xdp", Bpf.progTypeName(6));
    assertEquals("raw_tracepoint", Bpf.progTypeName(Bpf.PROG_TYPE_RAW_TRACEPOINT));
    assertEquals("syscall", Bpf.progTypeName(31));
    assertEquals("netfilter", Bpf.progTypeName(32));
    assertEquals("77", Bpf.progTypeName(77));
  }

  @Test
  void linkTypes() {
    assertEquals("raw_tracepoint", Bpf.linkTypeName(Bpf.LINK_TYPE_RAW_TRACEPOINT));
    assertEquals("perf_event", Bpf.linkTypeName(7));
    assertEquals("tcx", Bpf.linkTypeName(11));
    assertEquals("sockmap", Bpf.linkTypeName(14));
    assertEquals("15", Bpf.linkTypeName(15));
  }
}
