package io.pinbroker.unix;

import java.util.List;

/**
 * Display names of the kernel's map, program and link types: the enum constants of
 * include/uapi/linux/bpf.h in their kernel order, lower case, without the common prefix.
 */
final class BpfTypeNames {
  /** enum bpf_map_type. */
  private static final List<String> MAPS =
      List.of(
          "unspec",
          "hash",
          "array",
          "prog_array",
          "perf_event_array",
          "percpu_hash",
          "percpu_array",
          "stack_trace",
          "cgroup_array",
          "lru_hash",
          "lru_percpu_hash",
          "lpm_trie",
          "array_of_maps",
          "hash_of_maps",
          "devmap",
          "sockmap",
          "cpumap",
          "xskmap",
          "sockhash",
          "cgroup_storage",
          "reuseport_sockarray",
          "percpu_cgroup_storage",
          "queue",
          "stack",
          "sk_storage",
          "devmap_hash",
          "struct_ops",
          "ringbuf",
          "inode_storage",
          "task_storage",
          "bloom_filter",
          "user_ringbuf",
          "cgrp_storage",
          "arena");

  /** enum bpf_prog_type. */
  private static final List<String> PROGS =
      List.of(
          "unspec",
          "socket_filter",
          "kprobe",
          "sched_cls",
          "sched_act",
          "tracepoint",
          "xdp",
          "perf_event",
          "cgroup_skb",
          "cgroup_sock",
          "lwt_in",
          "lwt_out",
          "lwt_xmit",
          "sock_ops",
          "sk_skb",
          "cgroup_device",
          "sk_msg",
          "raw_tracepoint",
          "cgroup_sock_addr",
          "lwt_seg6local",
          "lirc_mode2",
          "sk_reuseport",
          "flow_dissector",
          "cgroup_sysctl",
          "raw_tracepoint_writable",
          "cgroup_sockopt",
          "tracing",
          "struct_ops",
          "ext",
          "lsm",
          "sk_lookup",
          "syscall",
          "netfilter");

  /** enum bpf_link_type; the same strings as the link_type line of the kernel's fdinfo. */
  private static final List<String> LINKS =
      List.of(
          "unspec",
          "raw_tracepoint",
          "tracing",
          "cgroup",
          "iter",
          "netns",
          "xdp",
          "perf_event",
          "kprobe_multi",
          "struct_ops",
          "netfilter",
          "tcx",
          "uprobe_multi",
          "netkit",
          "sockmap");

  private BpfTypeNames() {}

  static String map(int type) {
    return name(MAPS, type);
  }

  static String prog(int type) {
    return name(PROGS, type);
  }

  static String link(int type) {
    return name(LINKS, type);
  }

  /** The number of a type name, or -1. */
  static int number(List<String> names, String name) {
    return names.indexOf(name);
  }

  static int mapNumber(String name) {
    return number(MAPS, name);
  }

  static int progNumber(String name) {
    return number(PROGS, name);
  }

  private static String name(List<String> names, int type) {
    return type >= 0 && type < names.size() ? names.get(type) : Integer.toString(type);
  }
}
