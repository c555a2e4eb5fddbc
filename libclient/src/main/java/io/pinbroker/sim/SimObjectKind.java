package io.pinbroker.sim;

/** What a simulated-object memfd holds, told by its magic. */
public enum SimObjectKind {
  /** Magic "PBSIMMAP": a simulated BPF map ({@link SimMap}). */
  SIM_MAP,
  /** Magic "PBSIMPRG": a simulated BPF program ({@link SimProg}). */
  SIM_PROG
}
