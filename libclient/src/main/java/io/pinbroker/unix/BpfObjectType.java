package io.pinbroker.unix;

/** The kinds of BPF object a descriptor can refer to. */
public enum BpfObjectType {
  /** A map: {@code anon_inode:bpf-map}. */
  MAP,
  /** A program: {@code anon_inode:bpf-prog}. */
  PROG,
  /** A link: {@code anon_inode:bpf_link}, or {@code anon_inode:bpf-link} once reopened. */
  LINK
}
