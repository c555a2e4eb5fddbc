package io.pinbroker.sim;

/**
 * The header of a simulated map, as {@link SimMap#info(int)} read it.
 *
 * @param flags the map_flags word (0 for maps created by this library)
 * @param count the number of present entries at the moment of reading (for ARRAY always maxEntries)
 */
public record SimMapInfo(
    SimMapType type,
    int keySize,
    int valueSize,
    int maxEntries,
    int flags,
    String name,
    int count) {}
