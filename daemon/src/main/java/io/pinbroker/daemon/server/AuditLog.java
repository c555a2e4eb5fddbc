package io.pinbroker.daemon.server;

import io.pinbroker.protocol.Opcode;
import io.pinbroker.protocol.Reply;
import io.pinbroker.protocol.Request;
import io.pinbroker.unix.Bpf;
import io.pinbroker.unix.PeerCredentials;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit log: one line per request that changes the tree or hands the broker over (PIN, MKDIR,
 * RMDIR, UNLINK, RENAME, CHMOD, CHOWN, CREATE_MAP, TAKEOVER_BEGIN, TAKEOVER_DONE), granted or
 * refused, written before the reply goes out. Logged by the logger {@value #LOGGER} at {@link
 * #NOTICE}, which journald files at priority 5, as {@code key=value} fields:
 *
 * <pre>
 * audit: op=pin path=/net/stats uid=1000 gid=1000 pid=4242 mode=0640 result=OK gen=7
 * audit: op=unlink path=/net/stats uid=65534 gid=65534 pid=4243 result=EPERM
 * </pre>
 *
 * <p>The peer's uid, gid and pid are those the kernel reported at accept. A value with a space, a
 * quote, a backslash, an '=' or a character that is not printable is quoted, with C escapes inside.
 * Other requests cost one array lookup.
 */
public final class AuditLog {
  /** The audit logger's name: set its level to OFF to stop the audit log. */
  public static final String LOGGER = "pinbroker.audit";

  /** Between INFO and WARNING: sd-daemon's {@code <5>} (notice). */
  static final Level NOTICE = new NoticeLevel();

  private static final Logger LOG = Logger.getLogger(LOGGER);
  private static final boolean[] AUDITED = new boolean[256];
  /** Paths are logged up to this many characters; a longer one is cut, with its length. */
  private static final int PATH_CHARS = 4096;

  static {
    for (Opcode op :
        new Opcode[] {
          Opcode.PIN, Opcode.MKDIR, Opcode.RMDIR, Opcode.UNLINK, Opcode.RENAME, Opcode.CHMOD,
          Opcode.CHOWN, Opcode.CREATE_MAP, Opcode.TAKEOVER_BEGIN, Opcode.TAKEOVER_DONE
        }) {
      AUDITED[op.code()] = true;
    }
  }

  private AuditLog() {}

  /** Turns the audit log on or off (off: the logger's level is OFF). */
  public static void enabled(boolean on) {
    LOG.setLevel(on ? null : Level.OFF);
  }

  /** Whether the audit log is on. */
  public static boolean isEnabled() {
    return LOG.isLoggable(NOTICE);
  }

  /** Logs {@code request}'s outcome if it is audited. */
  static void record(PeerCredentials who, Request request, Reply reply) {
    if (AUDITED[request.opcode().code()] && LOG.isLoggable(NOTICE)) {
      LOG.log(NOTICE, line(who, request, reply));
    }
  }

  /** The line for an audited request, without the priority prefix. */
  static String line(PeerCredentials who, Request request, Reply reply) {
    StringBuilder b = new StringBuilder(160).append("audit: op=");
    b.append(request.opcode().name().toLowerCase(java.util.Locale.ROOT));
    switch (request) {
      case Request.Pin p -> path(b, p.path());
      case Request.Mkdir m -> path(b, m.path());
      case Request.Rmdir r -> path(b, r.path());
      case Request.Unlink u -> path(b, u.path());
      case Request.Rename r -> {
        path(b, r.from());
        b.append(" to=");
        value(b, r.to());
      }
      case Request.Chmod c -> path(b, c.path());
      case Request.Chown c -> path(b, c.path());
      case Request.CreateMap c -> path(b, c.path());
      default -> {}
    }
    b.append(" uid=").append(Integer.toUnsignedString(who.uid()));
    b.append(" gid=").append(Integer.toUnsignedString(who.gid()));
    b.append(" pid=").append(who.pid());
    switch (request) {
      case Request.Pin p -> {
        mode(b, p.mode());
        group(b, p.gid());
        if (p.flags() != 0) {
          b.append(" flags=").append(pinFlags(p.flags()));
        }
        if ((p.flags() & Request.PIN_TTL) != 0) {
          b.append(" ttl_ms=").append(Long.toUnsignedString(p.ttlMillis()));
        }
      }
      case Request.Mkdir m -> mode(b, m.mode());
      case Request.Chmod c -> mode(b, c.mode());
      case Request.Unlink u -> {
        if (u.flags() != 0) {
          b.append(u.flags() == Request.UNLINK_FORCE ? " flags=force" : " flags=" + u.flags());
        }
      }
      case Request.Rename r -> b.append(" how=").append(r.mode().name().toLowerCase(java.util.Locale.ROOT));
      case Request.Chown c -> b.append(" owner=").append(id(c.uid())).append(':').append(id(c.gid()));
      case Request.CreateMap c -> {
        mode(b, c.mode());
        group(b, c.gid());
        b.append(" map=").append(Bpf.mapTypeName(c.mapType())).append(c.sim() ? " sim=1" : "");
      }
      default -> {}
    }
    b.append(" result=").append(reply.status().name());
    if (reply instanceof Reply.NodeReply n) {
      b.append(" gen=").append(n.info().generation());
    }
    return b.toString();
  }

  private static void path(StringBuilder b, String path) {
    b.append(" path=");
    value(b, path);
  }

  private static void mode(StringBuilder b, int mode) {
    b.append(" mode=").append(String.format("%04o", mode));
  }

  private static void group(StringBuilder b, int gid) {
    if (gid != Request.DEFAULT_ID) {
      b.append(" group=").append(Integer.toUnsignedString(gid));
    }
  }

  private static String id(int id) {
    return id == Request.DEFAULT_ID ? "-" : Integer.toUnsignedString(id);
  }

  private static String pinFlags(int flags) {
    StringBuilder s = new StringBuilder();
    int rest = flags;
    String[] names = {"replace", "cas", "ephemeral", "ttl"};
    for (int bit = 0; bit < names.length; bit++) {
      if ((flags & (1 << bit)) != 0) {
        s.append(s.isEmpty() ? "" : ",").append(names[bit]);
        rest &= ~(1 << bit);
      }
    }
    if (rest != 0) {
      s.append(s.isEmpty() ? "" : ",").append("0x").append(Integer.toHexString(rest));
    }
    return s.toString();
  }

  /**
   * Appends {@code v} as a field value: as it is if it has only printable characters other than
   * space, '"', '\\' and '='; else in double quotes with C escapes. Cut at {@value #PATH_CHARS}
   * characters, followed by {@code ...} and a {@code len=} field.
   */
  static void value(StringBuilder b, String v) {
    boolean cut = v.length() > PATH_CHARS;
    String s = cut ? v.substring(0, PATH_CHARS) : v;
    if (!cut && !s.isEmpty() && plain(s)) {
      b.append(s);
      return;
    }
    b.append('"');
    s.codePoints().forEach(c -> escape(b, c));
    b.append(cut ? "...\" len=" + v.length() : "\"");
  }

  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == 0x7f || (c >= 0x80 && !printable(c))) {
        return false;
      }
    }
    return true;
  }

  private static boolean printable(int c) {
    int type = Character.getType(c);
    return type != Character.CONTROL
        && type != Character.FORMAT
        && type != Character.SURROGATE
        && type != Character.PRIVATE_USE
        && type != Character.UNASSIGNED
        && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR;
  }

  private static void escape(StringBuilder b, int c) {
    switch (c) {
      case '"' -> b.append("\\\"");
      case '\\' -> b.append("\\\\");
      case '\n' -> b.append("\\n");
      case '\t' -> b.append("\\t");
      default -> {
        if (c < 0x80 ? c < ' ' || c == 0x7f : !printable(c)) {
          b.append(c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u{%x}", c));
        } else {
          b.appendCodePoint(c);
        }
      }
    }
  }

  private static final class NoticeLevel extends Level {
    private static final long serialVersionUID = 1L;

    NoticeLevel() {
      super("NOTICE", 850);
    }
  }
}
