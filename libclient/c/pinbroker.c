/*
 * pinbroker.c - the pinbroker wire protocol, version 1, in C11 with libc only.
 *
 * Layout of this file: byte writer and reader, request encoders, reply decoders (pure
 * functions over byte buffers, unit-tested by test_codec.c), then the transport (sendmsg and
 * recvmsg with SCM_RIGHTS) and the public API on top. See pinbroker.h for the contract.
 */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC, SOCK_CLOEXEC */

#include "pinbroker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- protocol constants (PROTOCOL.md sections 3, 11, 12) ---- */

enum {
  PB_MAGIC = 0x4250,
  PB_HEADER_BYTES = 16,
  PB_FLAG_REPLY = 0x01,
  PB_MAX_FRAME = 65536,
  PB_MAX_FDS = 253,
  PB_MAX_STRING = 0xFFFF,
  PB_NODE_FIXED = 68, /* then details_length u16 and the details */
};

enum {
  OP_HELLO = 0x01,
  OP_PIN = 0x02,
  OP_GET = 0x03,
  OP_STAT = 0x04,
  OP_LIST = 0x05,
  OP_MKDIR = 0x06,
  OP_RMDIR = 0x07,
  OP_UNLINK = 0x08,
  OP_RENAME = 0x09,
  OP_CHMOD = 0x0A,
  OP_CHOWN = 0x0B,
  OP_CREATE_MAP = 0x0C,
};

struct pb_client {
  int fd;              /* the socket; -1 once the connection is gone */
  bool connected;      /* false once the connection is gone */
  bool in_callback;    /* inside a pb_list() callback */
  uint32_t next_id;    /* request ids start at 1 and skip 0 */
  pb_session session;  /* the HELLO reply */
  char detail[PB_DETAIL_MAX + 1];
  uint8_t out[PB_MAX_FRAME]; /* the request being sent */
  uint8_t in[PB_MAX_FRAME];  /* the last reply received */
};

/* ---- UTF-8 ---- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t more;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      more = 1, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      more = 2, cp = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      more = 3, cp = c & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (more > n - i - 1) {
      return false;
    }
    for (size_t k = 1; k <= more; k++) {
      uint8_t d = s[i + k];
      if ((d & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += more + 1;
  }
  return true;
}

/* Copies at most cap-1 bytes of s (n bytes) into dst, never cutting a UTF-8 sequence, and
 * terminates it. */
static void copy_text(char *dst, size_t cap, const uint8_t *s, size_t n) {
  if (cap == 0) {
    return;
  }
  size_t m = n < cap - 1 ? n : cap - 1;
  if (m < n) {
    while (m > 0 && (s[m] & 0xC0) == 0x80) {
      m--;
    }
  }
  if (m > 0) {
    memcpy(dst, s, m);
  }
  dst[m] = '\0';
}

/* ---- writer ---- */

typedef struct {
  uint8_t *p;
  size_t cap;
  size_t len;
  int err; /* the first error; later writes do nothing */
} writer;

static void w_bytes(writer *w, const void *b, size_t n) {
  if (w->err != 0) {
    return;
  }
  if (n > w->cap - w->len) {
    w->err = EMSGSIZE;
    return;
  }
  if (n > 0) {
    memcpy(w->p + w->len, b, n);
  }
  w->len += n;
}

static void w_u8(writer *w, uint8_t v) { w_bytes(w, &v, 1); }

static void w_u16(writer *w, uint16_t v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  w_bytes(w, b, sizeof b);
}

static void w_u32(writer *w, uint32_t v) {
  uint8_t b[4];
  for (int i = 0; i < 4; i++) {
    b[i] = (uint8_t)(v >> (8 * i));
  }
  w_bytes(w, b, sizeof b);
}

static void w_u64(writer *w, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) {
    b[i] = (uint8_t)(v >> (8 * i));
  }
  w_bytes(w, b, sizeof b);
}

/* A protocol string: u16 length, then the UTF-8 bytes, no NUL. */
static void w_str(writer *w, const char *s) {
  if (w->err != 0) {
    return;
  }
  size_t n = strlen(s);
  if (n > PB_MAX_STRING) {
    w->err = ENAMETOOLONG;
    return;
  }
  if (!utf8_valid((const uint8_t *)s, n)) {
    w->err = EILSEQ;
    return;
  }
  w_u16(w, (uint16_t)n);
  w_bytes(w, s, n);
}

/* Starts a request frame; body_length is filled in by w_finish(). */
static writer w_begin(uint8_t *buf, size_t cap, uint8_t opcode, uint32_t request_id,
                      uint8_t fd_count) {
  writer w = {buf, cap < PB_MAX_FRAME ? cap : PB_MAX_FRAME, 0, 0};
  w_u16(&w, PB_MAGIC);
  w_u8(&w, opcode);
  w_u8(&w, 0); /* flags: a request */
  w_u32(&w, request_id);
  w_u16(&w, 0); /* status */
  w_u8(&w, fd_count);
  w_u8(&w, 0);  /* reserved */
  w_u32(&w, 0); /* body_length, patched */
  return w;
}

static int w_finish(writer *w, size_t *len) {
  if (w->err != 0) {
    return w->err;
  }
  uint32_t body = (uint32_t)(w->len - PB_HEADER_BYTES);
  for (int i = 0; i < 4; i++) {
    w->p[12 + i] = (uint8_t)(body >> (8 * i));
  }
  *len = w->len;
  return 0;
}

/* ---- request encoders: each writes one complete frame into buf ---- */

static int enc_hello(uint8_t *buf, size_t cap, uint32_t id, uint16_t min_version,
                     uint16_t max_version, uint64_t features, size_t *len) {
  writer w = w_begin(buf, cap, OP_HELLO, id, 0);
  w_u16(&w, min_version);
  w_u16(&w, max_version);
  w_u64(&w, features);
  return w_finish(&w, len);
}

static int enc_pin(uint8_t *buf, size_t cap, uint32_t id, const char *path, uint32_t mode,
                   uint32_t gid, uint32_t flags, uint64_t expected_generation, size_t *len) {
  writer w = w_begin(buf, cap, OP_PIN, id, 1);
  w_str(&w, path);
  w_u32(&w, mode);
  w_u32(&w, gid);
  w_u32(&w, flags);
  w_u64(&w, expected_generation);
  return w_finish(&w, len);
}

static int enc_get(uint8_t *buf, size_t cap, uint32_t id, const char *path, bool read_only,
                   size_t *len) {
  writer w = w_begin(buf, cap, OP_GET, id, 0);
  w_str(&w, path);
  w_u8(&w, read_only ? 0 : 1);
  return w_finish(&w, len);
}

/* STAT and RMDIR: the path alone. */
static int enc_path(uint8_t *buf, size_t cap, uint8_t opcode, uint32_t id, const char *path,
                    size_t *len) {
  writer w = w_begin(buf, cap, opcode, id, 0);
  w_str(&w, path);
  return w_finish(&w, len);
}

/* MKDIR, UNLINK, CHMOD: the path and one u32 (mode or flags). */
static int enc_path_u32(uint8_t *buf, size_t cap, uint8_t opcode, uint32_t id, const char *path,
                        uint32_t v, size_t *len) {
  writer w = w_begin(buf, cap, opcode, id, 0);
  w_str(&w, path);
  w_u32(&w, v);
  return w_finish(&w, len);
}

static int enc_list(uint8_t *buf, size_t cap, uint32_t id, const char *path, const char *after,
                    uint32_t limit, size_t *len) {
  writer w = w_begin(buf, cap, OP_LIST, id, 0);
  w_str(&w, path);
  w_str(&w, after);
  w_u32(&w, limit);
  return w_finish(&w, len);
}

static int enc_rename(uint8_t *buf, size_t cap, uint32_t id, const char *from, const char *to,
                      uint8_t mode, size_t *len) {
  writer w = w_begin(buf, cap, OP_RENAME, id, 0);
  w_str(&w, from);
  w_str(&w, to);
  w_u8(&w, mode);
  return w_finish(&w, len);
}

static int enc_chown(uint8_t *buf, size_t cap, uint32_t id, const char *path, uint32_t uid,
                     uint32_t gid, size_t *len) {
  writer w = w_begin(buf, cap, OP_CHOWN, id, 0);
  w_str(&w, path);
  w_u32(&w, uid);
  w_u32(&w, gid);
  return w_finish(&w, len);
}

static int enc_create_map(uint8_t *buf, size_t cap, uint32_t id, const char *path,
                          const pb_map_spec *spec, uint32_t mode, uint32_t gid, size_t *len) {
  writer w = w_begin(buf, cap, OP_CREATE_MAP, id, 0);
  w_str(&w, path);
  w_u32(&w, mode);
  w_u32(&w, gid);
  w_u8(&w, spec->sim ? 1 : 0);
  w_u32(&w, spec->map_type);
  w_u32(&w, spec->key_size);
  w_u32(&w, spec->value_size);
  w_u32(&w, spec->max_entries);
  w_u32(&w, spec->map_flags);
  w_str(&w, spec->name != NULL ? spec->name : "");
  return w_finish(&w, len);
}

/* ---- reader ---- */

typedef struct {
  const uint8_t *p;
  size_t len;
  size_t pos;
  bool bad; /* ran past the end or met an invalid value; sticky */
} reader;

static const uint8_t *r_bytes(reader *r, size_t n) {
  if (r->bad || n > r->len - r->pos) {
    r->bad = true;
    return NULL;
  }
  const uint8_t *b = r->p + r->pos;
  r->pos += n;
  return b;
}

static uint64_t r_le(reader *r, size_t n) {
  const uint8_t *b = r_bytes(r, n);
  uint64_t v = 0;
  if (b != NULL) {
    for (size_t i = n; i > 0; i--) {
      v = (v << 8) | b[i - 1];
    }
  }
  return v;
}

static uint8_t r_u8(reader *r) { return (uint8_t)r_le(r, 1); }
static uint16_t r_u16(reader *r) { return (uint16_t)r_le(r, 2); }
static uint32_t r_u32(reader *r) { return (uint32_t)r_le(r, 4); }
static uint64_t r_u64(reader *r) { return r_le(r, 8); }

/* A protocol string; *s points into the buffer (not NUL-terminated). Invalid UTF-8 is bad. */
static bool r_str(reader *r, const uint8_t **s, size_t *n) {
  size_t len = r_u16(r);
  const uint8_t *b = r_bytes(r, len);
  if (b == NULL || !utf8_valid(b, len)) {
    r->bad = true;
    return false;
  }
  *s = b;
  *n = len;
  return true;
}

/* True if everything was read, exactly. */
static bool r_end(const reader *r) { return !r->bad && r->pos == r->len; }

/* ---- reply decoders ---- */

/* The details of a NodeInfo (section 4.3): exactly dl bytes, laid out by kind. */
static bool dec_details(const uint8_t *d, size_t dl, pb_node *n) {
  reader r = {d, dl, 0, false};
  const uint8_t *s;
  size_t sl;
  switch (n->kind) {
    case PB_KIND_NONE:
    case PB_KIND_FD:
      break;
    case PB_KIND_BPF_MAP:
    case PB_KIND_SIM_MAP:
      n->details.map.map_type = r_u32(&r);
      n->details.map.id = r_u32(&r);
      n->details.map.key_size = r_u32(&r);
      n->details.map.value_size = r_u32(&r);
      n->details.map.max_entries = r_u32(&r);
      n->details.map.map_flags = r_u32(&r);
      if (!r_str(&r, &s, &sl)) {
        return false;
      }
      copy_text(n->details.map.name, sizeof n->details.map.name, s, sl);
      n->details.map.member_count = r_u32(&r);
      if (r.bad || n->details.map.member_count > (r.len - r.pos) / 10) {
        return false;
      }
      for (uint32_t i = 0; i < n->details.map.member_count; i++) {
        (void)r_u32(&r); /* slot */
        (void)r_u32(&r); /* prog_id */
        if (!r_str(&r, &s, &sl)) { /* holder */
          return false;
        }
      }
      break;
    case PB_KIND_BPF_PROG:
    case PB_KIND_SIM_PROG: {
      n->details.prog.prog_type = r_u32(&r);
      n->details.prog.id = r_u32(&r);
      const uint8_t *tag = r_bytes(&r, sizeof n->details.prog.tag);
      if (tag == NULL || !r_str(&r, &s, &sl)) {
        return false;
      }
      memcpy(n->details.prog.tag, tag, sizeof n->details.prog.tag);
      copy_text(n->details.prog.name, sizeof n->details.prog.name, s, sl);
      break;
    }
    case PB_KIND_BPF_LINK:
      n->details.link.link_type = r_u32(&r);
      n->details.link.id = r_u32(&r);
      n->details.link.prog_id = r_u32(&r);
      break;
    default:
      return false;
  }
  return r_end(&r);
}

/* One NodeInfo (section 4.2), 70 + details_length bytes. out may be NULL (validate only). */
static bool dec_node(reader *r, pb_node *out) {
  pb_node n;
  memset(&n, 0, sizeof n);
  n.type = r_u8(r);
  n.kind = r_u8(r);
  n.fd_type = r_u8(r);
  (void)r_u8(r); /* reserved */
  n.mode = r_u32(r);
  n.uid = r_u32(r);
  n.gid = r_u32(r);
  n.generation = r_u64(r);
  n.ctime_ns = (int64_t)r_u64(r);
  n.mtime_ns = (int64_t)r_u64(r);
  n.dev = r_u64(r);
  n.ino = r_u64(r);
  n.size = r_u64(r);
  n.children = r_u32(r);
  n.details_length = r_u16(r);
  if (r->bad) {
    return false;
  }
  /* Unknown enumerated values are outside version 1: malformed, as the reference codec says. */
  if ((n.type != PB_NODE_DIRECTORY && n.type != PB_NODE_ENTRY) || n.kind > PB_KIND_SIM_PROG ||
      n.fd_type > PB_FD_OTHER) {
    r->bad = true;
    return false;
  }
  const uint8_t *d = r_bytes(r, n.details_length);
  if (d == NULL || !dec_details(d, n.details_length, &n)) {
    r->bad = true;
    return false;
  }
  if (out != NULL) {
    *out = n;
  }
  return true;
}

static bool dec_hello_body(const uint8_t *b, size_t n, pb_session *s) {
  reader r = {b, n, 0, false};
  s->version = r_u16(&r);
  s->max_fds = r_u16(&r);
  s->max_frame_bytes = r_u32(&r);
  s->features = r_u64(&r);
  s->pid = r_u32(&r);
  s->uid = r_u32(&r);
  s->gid = r_u32(&r);
  /* We asked for versions 1..1: any other answer breaks the negotiation. */
  return r_end(&r) && s->version == PB_PROTOCOL_VERSION;
}

/* The body of PIN, STAT, MKDIR, CHMOD, CHOWN and CREATE_MAP replies: one NodeInfo. */
static bool dec_node_body(const uint8_t *b, size_t n, pb_node *out) {
  reader r = {b, n, 0, false};
  return dec_node(&r, out) && r_end(&r);
}

static bool dec_get_body(const uint8_t *b, size_t n, pb_node *out, int *handout) {
  reader r = {b, n, 0, false};
  if (!dec_node(&r, out)) {
    return false;
  }
  uint8_t h = r_u8(&r);
  if (!r_end(&r) || h < PB_HANDOUT_REOPENED || h > PB_HANDOUT_ADVISORY) {
    return false;
  }
  *handout = h;
  return true;
}

/* A LIST page: more u8, reserved u8, count u16, then count (name, NodeInfo). With fn NULL it
 * only validates; otherwise it calls fn for each entry and stops at a non-zero result. The
 * last name is copied into last (PB_NAME_MAX + 1 bytes). */
static bool dec_list_body(const uint8_t *b, size_t n, bool *more, uint16_t *count, char *last,
                          pb_list_fn fn, void *arg, int *stop) {
  reader r = {b, n, 0, false};
  *more = r_u8(&r) != 0;
  (void)r_u8(&r); /* reserved */
  *count = r_u16(&r);
  *stop = 0;
  for (uint16_t i = 0; i < *count && !r.bad; i++) {
    const uint8_t *s;
    size_t sl;
    pb_node node;
    if (!r_str(&r, &s, &sl) || sl == 0 || sl > PB_NAME_MAX || memchr(s, 0, sl) != NULL ||
        !dec_node(&r, &node)) {
      return false;
    }
    char name[PB_NAME_MAX + 1];
    memcpy(name, s, sl);
    name[sl] = '\0';
    if (last != NULL) {
      memcpy(last, name, sl + 1);
    }
    if (fn != NULL && (*stop = fn(arg, name, &node)) != 0) {
      return true;
    }
  }
  return r_end(&r);
}

/* ---- reply validation (section 13, "Validate replies") ---- */

/* A reply datagram, once its header is known good. */
typedef struct {
  uint8_t opcode;
  uint32_t request_id;
  uint16_t status;
  uint8_t fd_count;
  const uint8_t *body;
  size_t body_len;
  bool notice; /* a connection-level notice (request_id 0, status not 0) */
  bool gone;   /* the connection cannot be used any more */
} frame;

/*
 * Checks one received datagram against the request (opcode op, id) it should answer.
 * nfds is how many fds arrived, fds_lost whether MSG_CTRUNC was set.
 *
 * Returns 0 for an OK reply (f describes it; the body is not yet decoded), or an errno:
 * the broker's status for a refusal or notice, with its detail copied into detail; EBADMSG
 * for a reply that breaks the protocol; ENOBUFS when fds were lost. f->gone is set when the
 * connection cannot be used any more, f->notice for a connection-level notice.
 */
static int check_reply(const uint8_t *buf, size_t n, size_t nfds, bool fds_lost, uint8_t op,
                       uint32_t id, frame *f, char *detail, size_t cap) {
  memset(f, 0, sizeof *f);
  f->gone = true;
  detail[0] = '\0';
  if (n < PB_HEADER_BYTES) {
    snprintf(detail, cap, "a reply of %zu bytes is shorter than the header", n);
    return EBADMSG;
  }
  reader r = {buf, n, 0, false};
  uint16_t magic = r_u16(&r);
  f->opcode = r_u8(&r);
  uint8_t flags = r_u8(&r);
  f->request_id = r_u32(&r);
  f->status = r_u16(&r);
  f->fd_count = r_u8(&r);
  uint8_t reserved = r_u8(&r);
  uint32_t body_length = r_u32(&r);
  f->body = buf + PB_HEADER_BYTES;
  f->body_len = n - PB_HEADER_BYTES;
  if (magic != PB_MAGIC) {
    snprintf(detail, cap, "bad magic 0x%04x in a reply", magic);
    return EBADMSG;
  }
  if (flags != PB_FLAG_REPLY || reserved != 0) {
    snprintf(detail, cap, "reply header flags 0x%02x, reserved 0x%02x", flags, reserved);
    return EBADMSG;
  }
  if (f->fd_count > PB_MAX_FDS || body_length != f->body_len) {
    snprintf(detail, cap, "reply header says %u fds and %lu body bytes; %zu arrived",
             f->fd_count, (unsigned long)body_length, f->body_len);
    return EBADMSG;
  }
  if (!fds_lost && f->fd_count != nfds) {
    snprintf(detail, cap, "reply header says %u fds but %zu arrived", f->fd_count, nfds);
    return EBADMSG;
  }
  reader body = {f->body, f->body_len, 0, false};
  const uint8_t *s;
  size_t sl;
  if (f->status != 0 && f->request_id == 0) {
    /* A connection-level notice (section 10): the broker has closed the connection. */
    f->notice = true;
    if (r_str(&body, &s, &sl) && r_end(&body)) {
      copy_text(detail, cap, s, sl);
    }
    return f->status;
  }
  if (f->request_id != id || f->opcode != op) {
    snprintf(detail, cap, "a reply to request %lu (opcode %u) while waiting for %lu (opcode %u)",
             (unsigned long)f->request_id, f->opcode, (unsigned long)id, op);
    return EBADMSG;
  }
  if (fds_lost) {
    f->gone = false; /* the frame itself arrived whole: the stream is in step */
    snprintf(detail, cap, "the fds of the reply were lost in transit (MSG_CTRUNC)");
    return ENOBUFS;
  }
  if (f->status != 0) {
    if (f->fd_count != 0 || !r_str(&body, &s, &sl) || !r_end(&body)) {
      snprintf(detail, cap, "malformed failure reply (status %u)", f->status);
      return EBADMSG;
    }
    copy_text(detail, cap, s, sl);
    /* A refused HELLO (EPROTONOSUPPORT) is followed by the end of the connection; every other
     * refusal leaves it open. */
    f->gone = op == OP_HELLO;
    return f->status;
  }
  unsigned want = op == OP_GET ? 1u : 0u;
  if (f->fd_count != want) {
    snprintf(detail, cap, "an OK reply to opcode %u with %u fds", op, f->fd_count);
    return EBADMSG;
  }
  f->gone = false;
  return 0;
}

/* ---- names ---- */

const char *pb_kind_name(int kind) {
  static const char *const names[] = {
      "none", "fd", "bpf-map", "bpf-prog", "bpf-link", "sim-map", "sim-prog",
  };
  return kind >= 0 && (size_t)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

const char *pb_fd_type_name(int fd_type) {
  static const char *const names[] = {
      "none",        "regular",      "memfd",     "pipe",       "socket",
      "char-device", "block-device", "directory", "anon-inode", "other",
  };
  return fd_type >= 0 && (size_t)fd_type < sizeof names / sizeof names[0] ? names[fd_type]
                                                                           : "?";
}

const char *pb_handout_name(int handout) {
  switch (handout) {
    case PB_HANDOUT_REOPENED:
      return "reopened";
    case PB_HANDOUT_SHARED:
      return "shared";
    case PB_HANDOUT_ADVISORY:
      return "advisory";
    default:
      return "?";
  }
}

/* ---- transport ---- */

static void close_fds(int *fds, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (fds[i] >= 0) {
      (void)close(fds[i]);
      fds[i] = -1;
    }
  }
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void set_detail(pb_client *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(c->detail, sizeof c->detail, fmt, ap);
  va_end(ap);
}

/* The connection is gone: release the socket; every later call gets ENOTCONN. */
static void drop(pb_client *c) {
  c->connected = false;
  if (c->fd >= 0) {
    (void)close(c->fd);
    c->fd = -1;
  }
}

static uint32_t take_id(pb_client *c) {
  uint32_t id = c->next_id++;
  if (c->next_id == 0) {
    c->next_id = 1; /* 0 is reserved for connection-level notices */
  }
  return id;
}

/* Sends one frame with at most one fd attached. Returns 0 or an errno. */
static int send_frame(int sock, const uint8_t *buf, size_t len, int fd) {
  struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (fd >= 0) {
    memset(&ctl, 0, sizeof ctl);
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
  }
  for (;;) {
    ssize_t k = sendmsg(sock, &m, MSG_NOSIGNAL);
    if (k >= 0) {
      return (size_t)k == len ? 0 : EMSGSIZE; /* SEQPACKET sends all or nothing */
    }
    if (errno == EINTR) {
      continue;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;
  }
}

/* Receives one datagram into buf with its fds (close-on-exec). Returns 0 or an errno;
 * ECONNRESET at end of stream. *fds holds *nfds received fds the caller must dispose of. */
static int recv_frame(int sock, int flags, uint8_t *buf, size_t cap, size_t *n, int *fds,
                      size_t *nfds, bool *truncated, bool *fds_lost) {
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(PB_MAX_FDS * sizeof(int))];
  } ctl;
  struct iovec iov = {.iov_base = buf, .iov_len = cap};
  struct msghdr m;
  ssize_t k;
  *nfds = 0;
  for (;;) {
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    k = recvmsg(sock, &m, MSG_CMSG_CLOEXEC | flags);
    if (k >= 0) {
      break;
    }
    if (errno == EINTR) {
      continue;
    }
    if ((errno == EAGAIN || errno == EWOULDBLOCK) && (flags & MSG_DONTWAIT) == 0) {
      return ETIMEDOUT;
    }
    return errno;
  }
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h != NULL; h = CMSG_NXTHDR(&m, h)) {
    if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS || h->cmsg_len < CMSG_LEN(0)) {
      continue;
    }
    size_t count = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char *data = CMSG_DATA(h);
    for (size_t i = 0; i < count; i++) {
      int fd;
      memcpy(&fd, data + i * sizeof(int), sizeof fd);
      if (*nfds < PB_MAX_FDS) {
        fds[(*nfds)++] = fd;
      } else {
        (void)close(fd); /* cannot happen with this control buffer; never leak */
      }
    }
  }
  *n = (size_t)k;
  *truncated = (m.msg_flags & MSG_TRUNC) != 0;
  *fds_lost = (m.msg_flags & MSG_CTRUNC) != 0;
  if (k == 0 && *nfds == 0 && !*fds_lost) {
    return ECONNRESET;
  }
  return 0;
}

/* The connection can take a request. */
static int usable(pb_client *c) {
  if (c->in_callback) {
    set_detail(c, "called from inside a pb_list() callback on the same client");
    return EDEADLK;
  }
  if (!c->connected) {
    set_detail(c, "the connection is gone");
    return ENOTCONN;
  }
  c->detail[0] = '\0';
  return 0;
}

/*
 * Sends the len-byte request in c->out (opcode op, request id id, with send_fd attached if it
 * is not -1) and receives its reply into c->in. On success *f describes the OK reply and, for
 * GET, *fd_out is the received fd (the caller's to close). On failure no fd is left open.
 */
static int exchange(pb_client *c, size_t len, uint8_t op, uint32_t id, int send_fd, frame *f,
                    int *fd_out) {
  int fds[PB_MAX_FDS];
  size_t nfds = 0;
  size_t n = 0;
  bool truncated = false;
  bool lost = false;
  int e = send_frame(c->fd, c->out, len, send_fd);
  if (e != 0) {
    if (e == EPIPE || e == ECONNRESET) {
      /* The broker may have said why before it closed (a notice at its connection limit). */
      if (recv_frame(c->fd, MSG_DONTWAIT, c->in, sizeof c->in, &n, fds, &nfds, &truncated,
                     &lost) == 0) {
        close_fds(fds, nfds);
        int st = check_reply(c->in, n, nfds, lost, op, id, f, c->detail, sizeof c->detail);
        if (!truncated && f->notice) {
          drop(c);
          return st;
        }
      }
    }
    set_detail(c, "sending the request failed: %s", strerror(e));
    drop(c);
    return e;
  }
  e = recv_frame(c->fd, 0, c->in, sizeof c->in, &n, fds, &nfds, &truncated, &lost);
  if (e != 0) {
    if (e == ECONNRESET) {
      set_detail(c, "the broker closed the connection");
    } else {
      set_detail(c, "receiving the reply failed: %s", strerror(e));
    }
    drop(c);
    return e;
  }
  if (truncated) {
    close_fds(fds, nfds);
    set_detail(c, "a reply larger than %d bytes", PB_MAX_FRAME);
    drop(c);
    return EBADMSG;
  }
  e = check_reply(c->in, n, nfds, lost, op, id, f, c->detail, sizeof c->detail);
  if (e != 0) {
    close_fds(fds, nfds);
    if (f->gone) {
      drop(c);
    }
    return e;
  }
  if (fd_out != NULL && nfds == 1) {
    *fd_out = fds[0];
  } else {
    close_fds(fds, nfds); /* check_reply allows none here; never leak anyway */
  }
  return 0;
}

/* A reply whose body did not decode: the connection is no longer trusted. */
static int malformed(pb_client *c, uint8_t op, int *fd) {
  if (fd != NULL && *fd >= 0) {
    (void)close(*fd);
    *fd = -1;
  }
  set_detail(c, "malformed body in the reply to opcode %u", op);
  drop(c);
  return EBADMSG;
}

/* Encoding failed before anything was sent: the connection is still fine. */
static int not_sent(pb_client *c, int e) {
  switch (e) {
    case EILSEQ:
      set_detail(c, "a string argument is not valid UTF-8");
      break;
    case ENAMETOOLONG:
      set_detail(c, "a string argument is longer than %d bytes", PB_MAX_STRING);
      break;
    case EMSGSIZE:
      set_detail(c, "the request would exceed %d bytes", PB_MAX_FRAME);
      break;
    default:
      set_detail(c, "cannot encode the request: %s", strerror(e));
      break;
  }
  return e;
}

/* Sends a request whose OK reply is one NodeInfo, and decodes it into out (may be NULL). */
static int node_call(pb_client *c, size_t len, uint8_t op, uint32_t id, int send_fd,
                     pb_node *out) {
  frame f;
  int e = exchange(c, len, op, id, send_fd, &f, NULL);
  if (e != 0) {
    return e;
  }
  pb_node n;
  if (!dec_node_body(f.body, f.body_len, &n)) {
    return malformed(c, op, NULL);
  }
  if (out != NULL) {
    *out = n;
  }
  return 0;
}

/* Sends a request whose OK reply is empty. */
static int empty_call(pb_client *c, size_t len, uint8_t op, uint32_t id) {
  frame f;
  int e = exchange(c, len, op, id, -1, &f, NULL);
  if (e != 0) {
    return e;
  }
  return f.body_len == 0 ? 0 : malformed(c, op, NULL);
}

/* ---- session ---- */

/* The socket path for socket_path == NULL (see pb_connect() in pinbroker.h). */
static int default_socket(char *buf, size_t cap) {
  const char *env = getenv(PB_SOCKET_ENV);
  if (env != NULL && env[0] != '\0') {
    if (strlen(env) >= cap) {
      return ENAMETOOLONG;
    }
    memcpy(buf, env, strlen(env) + 1);
    return 0;
  }
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  const char *tmp = getenv("TMPDIR");
  if (tmp == NULL || tmp[0] == '\0') {
    tmp = "/tmp";
  }
  for (int i = 0; i < 3; i++) {
    int k;
    if (i == 0) {
      k = snprintf(buf, cap, "%s", PB_DEFAULT_SOCKET);
    } else if (i == 1) {
      if (xdg == NULL || xdg[0] == '\0') {
        continue;
      }
      k = snprintf(buf, cap, "%s/pinbroker/pinbroker.sock", xdg);
    } else {
      k = snprintf(buf, cap, "%s/pinbroker-%lu/pinbroker.sock", tmp, (unsigned long)getuid());
    }
    struct stat st;
    if (k > 0 && (size_t)k < cap && stat(buf, &st) == 0) {
      return 0;
    }
  }
  (void)snprintf(buf, cap, "%s", PB_DEFAULT_SOCKET);
  return 0;
}

static int set_timeouts(int sock, int timeout_ms) {
  if (timeout_ms <= 0) {
    return 0;
  }
  struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
  if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    return errno;
  }
  return 0;
}

/* HELLO on a fresh connection; fills c->session. */
static int hello(pb_client *c) {
  size_t len;
  uint32_t id = take_id(c);
  int e = enc_hello(c->out, sizeof c->out, id, PB_PROTOCOL_VERSION, PB_PROTOCOL_VERSION,
                    PB_FEATURE_REOPEN, &len);
  if (e != 0) {
    return not_sent(c, e);
  }
  frame f;
  e = exchange(c, len, OP_HELLO, id, -1, &f, NULL);
  if (e != 0) {
    return e;
  }
  if (!dec_hello_body(f.body, f.body_len, &c->session)) {
    return malformed(c, OP_HELLO, NULL);
  }
  return 0;
}

/* A client around an already connected socket (which it then owns), after HELLO. */
static int client_on(int sock, pb_client **out) {
  *out = NULL;
  pb_client *c = calloc(1, sizeof *c);
  if (c == NULL) {
    (void)close(sock);
    return ENOMEM;
  }
  c->fd = sock;
  c->connected = true;
  c->next_id = 1;
  int e = hello(c);
  if (e != 0) {
    pb_close(c);
    return e;
  }
  *out = c;
  return 0;
}

int pb_connect(const char *socket_path, int timeout_ms, pb_client **out) {
  if (out == NULL) {
    return EINVAL;
  }
  *out = NULL;
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (socket_path == NULL) {
    int e = default_socket(sa.sun_path, sizeof sa.sun_path);
    if (e != 0) {
      return e;
    }
  } else {
    size_t n = strlen(socket_path);
    if (n == 0) {
      return EINVAL;
    }
    if (n >= sizeof sa.sun_path) {
      return ENAMETOOLONG;
    }
    memcpy(sa.sun_path, socket_path, n + 1);
  }
  int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    return errno;
  }
  /* The send timeout also bounds a connect() that waits for room in a full backlog. */
  int e = set_timeouts(sock, timeout_ms);
  while (e == 0 && connect(sock, (const struct sockaddr *)&sa, sizeof sa) != 0) {
    if (errno != EINTR) {
      e = errno == EAGAIN ? ETIMEDOUT : errno;
    }
  }
  if (e != 0) {
    (void)close(sock);
    return e;
  }
  return client_on(sock, out);
}

void pb_close(pb_client *c) {
  if (c == NULL) {
    return;
  }
  drop(c);
  free(c);
}

int pb_connected(const pb_client *c) { return c != NULL && c->connected; }

const pb_session *pb_session_info(const pb_client *c) { return c != NULL ? &c->session : NULL; }

const char *pb_last_detail(const pb_client *c) { return c != NULL ? c->detail : ""; }

/* ---- operations ---- */

int pb_pin(pb_client *c, const char *path, int fd, uint32_t mode, uint32_t gid, uint32_t flags,
           uint64_t expected_generation, pb_node *out) {
  if (c == NULL || path == NULL || fd < 0) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_pin(c->out, sizeof c->out, id, path, mode, gid, flags, expected_generation, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_PIN, id, fd, out);
}

int pb_get(pb_client *c, const char *path, int read_only, int *fd_out, pb_node *out,
           int *handout_out) {
  if (fd_out != NULL) {
    *fd_out = -1;
  }
  if (c == NULL || path == NULL || fd_out == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_get(c->out, sizeof c->out, id, path, read_only != 0, &len);
  if (e != 0) {
    return not_sent(c, e);
  }
  frame f;
  int fd = -1;
  e = exchange(c, len, OP_GET, id, -1, &f, &fd);
  if (e != 0) {
    return e;
  }
  pb_node n;
  int handout;
  if (!dec_get_body(f.body, f.body_len, &n, &handout)) {
    return malformed(c, OP_GET, &fd);
  }
  if (out != NULL) {
    *out = n;
  }
  if (handout_out != NULL) {
    *handout_out = handout;
  }
  *fd_out = fd;
  return 0;
}

int pb_stat(pb_client *c, const char *path, pb_node *out) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_path(c->out, sizeof c->out, OP_STAT, id, path, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_STAT, id, -1, out);
}

int pb_list(pb_client *c, const char *path, pb_list_fn fn, void *arg) {
  if (c == NULL || path == NULL || fn == NULL) {
    return EINVAL;
  }
  char after[PB_NAME_MAX + 1] = "";
  for (;;) {
    int e = usable(c);
    if (e != 0) {
      return e;
    }
    size_t len;
    uint32_t id = take_id(c);
    e = enc_list(c->out, sizeof c->out, id, path, after, 0, &len);
    if (e != 0) {
      return not_sent(c, e);
    }
    frame f;
    e = exchange(c, len, OP_LIST, id, -1, &f, NULL);
    if (e != 0) {
      return e;
    }
    bool more;
    uint16_t count;
    int stop;
    /* Validate the whole page first, so that a bad page reports nothing. */
    if (!dec_list_body(f.body, f.body_len, &more, &count, NULL, NULL, NULL, &stop)) {
      return malformed(c, OP_LIST, NULL);
    }
    c->in_callback = true;
    (void)dec_list_body(f.body, f.body_len, &more, &count, after, fn, arg, &stop);
    c->in_callback = false;
    if (stop != 0) {
      return stop;
    }
    if (!more || count == 0) {
      return 0;
    }
  }
}

int pb_mkdir(pb_client *c, const char *path, uint32_t mode, pb_node *out) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_path_u32(c->out, sizeof c->out, OP_MKDIR, id, path, mode, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_MKDIR, id, -1, out);
}

int pb_rmdir(pb_client *c, const char *path) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_path(c->out, sizeof c->out, OP_RMDIR, id, path, &len);
  return e != 0 ? not_sent(c, e) : empty_call(c, len, OP_RMDIR, id);
}

int pb_unlink(pb_client *c, const char *path, uint32_t flags) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_path_u32(c->out, sizeof c->out, OP_UNLINK, id, path, flags, &len);
  return e != 0 ? not_sent(c, e) : empty_call(c, len, OP_UNLINK, id);
}

int pb_rename(pb_client *c, const char *from, const char *to, int mode) {
  /* Any other mode would be a protocol violation, which ends the connection. */
  if (c == NULL || from == NULL || to == NULL || mode < PB_RENAME_REPLACE ||
      mode > PB_RENAME_EXCHANGE) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_rename(c->out, sizeof c->out, id, from, to, (uint8_t)mode, &len);
  return e != 0 ? not_sent(c, e) : empty_call(c, len, OP_RENAME, id);
}

int pb_chmod(pb_client *c, const char *path, uint32_t mode, pb_node *out) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_path_u32(c->out, sizeof c->out, OP_CHMOD, id, path, mode, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_CHMOD, id, -1, out);
}

int pb_chown(pb_client *c, const char *path, uint32_t uid, uint32_t gid, pb_node *out) {
  if (c == NULL || path == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_chown(c->out, sizeof c->out, id, path, uid, gid, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_CHOWN, id, -1, out);
}

int pb_create_map(pb_client *c, const char *path, const pb_map_spec *spec, uint32_t mode,
                  uint32_t gid, pb_node *out) {
  if (c == NULL || path == NULL || spec == NULL) {
    return EINVAL;
  }
  int e = usable(c);
  if (e != 0) {
    return e;
  }
  size_t len;
  uint32_t id = take_id(c);
  e = enc_create_map(c->out, sizeof c->out, id, path, spec, mode, gid, &len);
  return e != 0 ? not_sent(c, e) : node_call(c, len, OP_CREATE_MAP, id, -1, out);
}
