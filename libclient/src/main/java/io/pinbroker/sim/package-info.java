/**
 * Simulated BPF objects for machines and tests without BPF privileges: {@link
 * io.pinbroker.sim.SimMap} (hash, array and prog-array maps) and {@link io.pinbroker.sim.SimProg}
 * (programs), each living in a memfd whose layout protocol/SIMOBJECTS.md specifies, so that any
 * process holding the fd, in any language, can use it.
 */
package io.pinbroker.sim;
