package io.pinbroker.protocol;

/** The frame header shared by requests and replies. */
public final class Frames {
  /** Bytes 'P','B' read as a little-endian u16. */
  public static final int MAGIC = 0x4250;

  public static final int HEADER_BYTES = 16;

  /** Header flag bit set on replies. */
  public static final int FLAG_REPLY = 0x01;

  /** The protocol version this code speaks. */
  public static final int VERSION = 1;

  /** Feature bit: GET hands out freshly opened descriptions where the kernel allows. */
  public static final long FEATURE_REOPEN = 1L;

  /** Every feature this version implements. */
  public static final long FEATURES = FEATURE_REOPEN;

  private Frames() {}
}
