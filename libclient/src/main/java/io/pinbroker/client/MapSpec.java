package io.pinbroker.client;

/**
 * A map for the broker to create (CREATE_MAP).
 *
 * @param sim a memfd-backed sim map instead of a real BPF map
 * @param type the kernel's map type number (1 hash, 2 array, 3 prog_array, ...)
 * @param name the map's name (the kernel keeps 15 bytes)
 */
public record MapSpec(
    boolean sim, int type, int keySize, int valueSize, int maxEntries, int flags, String name) {}
