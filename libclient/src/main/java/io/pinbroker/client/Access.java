package io.pinbroker.client;

/** The access a GET asks for, checked like open(2): r, or r and w, on the entry. */
public enum Access {
  READ_ONLY,
  READ_WRITE
}
