package io.pinbroker.sim;

/**
 * The header of a simulated program, as {@link SimProg#read(int)} verified it.
 *
 * @param type the kernel's BPF_PROG_TYPE_* number
 * @param tag 16 lower-case hex digits: the first 8 bytes of SHA-1 over the instruction bytes
 */
public record SimProgInfo(int type, int insnCount, String name, String tag) {}
