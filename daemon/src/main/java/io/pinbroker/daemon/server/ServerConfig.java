package io.pinbroker.daemon.server;

/** @param maxConnections most clients connected at once; more are closed at accept */
public record ServerConfig(int maxConnections) {}
