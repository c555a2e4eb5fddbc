package io.pinbroker.unix;

/**
 * What the kernel reports about a link ({@code struct bpf_link_info}).
 *
 * @param type the link type, e.g. 1 for raw_tracepoint
 * @param id the link's system-wide id
 * @param progId the id of the program the link attaches
 */
public record BpfLinkInfo(int type, int id, int progId) {

  /** The type's kernel name, e.g. "raw_tracepoint". */
  public String typeName() {
    return Bpf.linkTypeName(type);
  }
}
