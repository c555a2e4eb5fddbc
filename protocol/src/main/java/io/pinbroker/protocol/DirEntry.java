package io.pinbroker.protocol;

/** One child in a LIST reply. */
public record DirEntry(String name, NodeInfo info) {}
