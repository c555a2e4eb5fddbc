/*
 * pinbroker.h - a small C11 client for the pinbroker wire protocol, version 1.
 *
 * Written from protocol/PROTOCOL.md (the normative spec). libc only, Linux only.
 *
 * Conventions
 * -----------
 * Every function that can fail returns 0 on success or a positive errno value:
 *
 *   - a refusal by the broker: its status, which is a Linux errno number (EEXIST, ENOENT,
 *     EACCES, ...); strerror(3) describes it and pb_last_detail() holds the broker's text.
 *     The connection stays usable.
 *   - a connection-level notice (a failure reply with request_id 0, PROTOCOL.md section 10):
 *     its status (EPROTO; ENOSPC or EDQUOT at a connection limit; ETIMEDOUT after the broker's
 *     idle timeout, the request sent then unread); the connection is gone.
 *   - a local or transport error: the errno of the failing system call (ECONNREFUSED, ENOENT
 *     for a missing socket, EPIPE, ...), or one of
 *       EINVAL        a bad argument (NULL where a value is needed, a negative fd, ...);
 *       EILSEQ        a string argument is not valid UTF-8 (sending it would be a protocol
 *                     violation, so it is refused before anything is sent);
 *       ENAMETOOLONG  a string argument longer than 65535 bytes (not encodable);
 *       EMSGSIZE      the request would exceed the 65536-byte frame limit;
 *       ETIMEDOUT     no reply within the timeout given to pb_connect();
 *       ECONNRESET    the broker closed the connection;
 *       EBADMSG       the reply broke the protocol (bad header, wrong request id or opcode,
 *                     wrong fd count, malformed body, truncated datagram);
 *       ENOBUFS       the fds of a reply were lost in transit (MSG_CTRUNC, usually a full fd
 *                     table); the connection stays usable;
 *       ENOTCONN      the connection was already gone before this call;
 *       EDEADLK       the client was called from inside its own pb_list() callback.
 *     After ETIMEDOUT, ECONNRESET, EBADMSG, EPIPE, a notice and the like the connection is
 *     gone: pb_connected() returns 0, and every later call returns ENOTCONN. Close the client
 *     and connect again.
 *
 * pb_connected() therefore tells a refusal (still connected) from a lost connection.
 *
 * File descriptors
 * ----------------
 *   - PIN borrows: the fd passed to pb_pin() stays the caller's, open, and may be closed right
 *     after the call; the broker holds its own reference.
 *   - GET gives: the fd pb_get() stores in *fd_out belongs to the caller, who must close it.
 *     It is close-on-exec from the moment it exists (received with MSG_CMSG_CLOEXEC).
 *   - The library never leaks a received fd: on every error path it closes what arrived.
 *   - The client's own socket is close-on-exec.
 *
 * Threads
 * -------
 * A pb_client is not thread-safe: use each client from one thread at a time (one thread per
 * client, or your own lock around every call). Different clients are independent; the library
 * has no global state. pb_connect() reads the environment (getenv), so do not call setenv()
 * concurrently with it.
 *
 * Identity
 * --------
 * The broker checks permissions against the credentials of the process that called
 * pb_connect() (SO_PEERCRED), even if the client is later used after fork(). Sharing one
 * client between processes is not supported: replies would go to whichever reads first.
 *
 * Strings
 * -------
 * Paths and names are NUL-terminated UTF-8. Path syntax (absolute, no empty, "." or ".."
 * components, length and depth limits) is checked by the broker, which refuses with EINVAL,
 * ENAMETOOLONG, ELOOP or EILSEQ.
 */
#ifndef PINBROKER_H
#define PINBROKER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- constants (PROTOCOL.md section 12) ---- */

#define PB_PROTOCOL_VERSION 1
#define PB_DEFAULT_SOCKET "/run/pinbroker/pinbroker.sock"
#define PB_SOCKET_ENV "PINBROKER_SOCKET"

/** "The default" for a gid in pb_pin()/pb_create_map(), "unchanged" in pb_chown(). -1 works too. */
#define PB_DEFAULT_ID ((uint32_t)0xFFFFFFFFu)

#define PB_FEATURE_REOPEN ((uint64_t)1)

/** pb_pin() flags: 0 binds a new name, PB_PIN_REPLACE replaces, both together compare-and-swap. */
#define PB_PIN_REPLACE 1u
#define PB_PIN_CAS 2u

/** pb_unlink() flag: remove a program even if a held prog array refers to it. */
#define PB_UNLINK_FORCE 1u

/** pb_rename() modes. */
#define PB_RENAME_REPLACE 0
#define PB_RENAME_NOREPLACE 1
#define PB_RENAME_EXCHANGE 2

/** Limits the broker enforces (section 11). */
#define PB_PATH_MAX 4095
#define PB_NAME_MAX 255
#define PB_DETAIL_MAX 1024

/** pb_node.type */
#define PB_NODE_DIRECTORY 1
#define PB_NODE_ENTRY 2

/** pb_node.kind */
#define PB_KIND_NONE 0
#define PB_KIND_FD 1
#define PB_KIND_BPF_MAP 2
#define PB_KIND_BPF_PROG 3
#define PB_KIND_BPF_LINK 4
#define PB_KIND_SIM_MAP 5
#define PB_KIND_SIM_PROG 6

/** pb_node.fd_type */
#define PB_FD_NONE 0
#define PB_FD_REGULAR 1
#define PB_FD_MEMFD 2
#define PB_FD_PIPE 3
#define PB_FD_SOCKET 4
#define PB_FD_CHAR_DEVICE 5
#define PB_FD_BLOCK_DEVICE 6
#define PB_FD_DIRECTORY 7
#define PB_FD_ANON_INODE 8
#define PB_FD_OTHER 9

/** How pb_get() made the fd (section 6.2). */
#define PB_HANDOUT_REOPENED 1
#define PB_HANDOUT_SHARED 2
#define PB_HANDOUT_ADVISORY 3

/** Longest object name in details (maps and programs): 15 bytes, plus the NUL. */
#define PB_OBJ_NAME_SIZE 16

/**
 * What the broker reports about a node (NodeInfo, section 4.2), with the per-kind details
 * (section 4.3) decoded into the union member selected by kind: map for PB_KIND_BPF_MAP and
 * PB_KIND_SIM_MAP, prog for PB_KIND_BPF_PROG and PB_KIND_SIM_PROG, link for PB_KIND_BPF_LINK;
 * for PB_KIND_NONE and PB_KIND_FD the union is all zeros. The members of a prog array (STAT
 * only) are counted in map.member_count but not kept. Object names are NUL-terminated and cut
 * to 15 bytes, the protocol's maximum.
 */
typedef struct pb_node {
  uint8_t type;    /* PB_NODE_DIRECTORY or PB_NODE_ENTRY */
  uint8_t kind;    /* PB_KIND_* */
  uint8_t fd_type; /* PB_FD_* */
  uint32_t mode;   /* permission bits and sticky bit, at most 01777 */
  uint32_t uid;
  uint32_t gid;
  uint64_t generation;
  int64_t ctime_ns; /* ns since the Unix epoch */
  int64_t mtime_ns;
  uint64_t dev;      /* entries: st_dev of the held object; directories: 0 */
  uint64_t ino;      /* entries: st_ino of the held object; directories: 0 */
  uint64_t size;     /* regular files and memfds: current size */
  uint32_t children; /* directories: number of names */
  uint16_t details_length;
  union {
    struct {
      uint32_t map_type, id, key_size, value_size, max_entries, map_flags;
      uint32_t member_count;
      char name[PB_OBJ_NAME_SIZE];
    } map;
    struct {
      uint32_t prog_type, id;
      uint8_t tag[8];
      char name[PB_OBJ_NAME_SIZE];
    } prog;
    struct {
      uint32_t link_type, id, prog_id;
    } link;
  } details;
} pb_node;

/** What the broker said in its HELLO reply. */
typedef struct pb_session {
  uint16_t version;
  uint16_t max_fds;
  uint32_t max_frame_bytes;
  uint64_t features; /* PB_FEATURE_* both sides have */
  uint32_t pid;      /* the peer pid, uid and gid the broker checks against */
  uint32_t uid;
  uint32_t gid;
} pb_session;

/** One connection to the broker. Opaque. */
typedef struct pb_client pb_client;

/**
 * Called once per directory entry by pb_list(), in name order. name is the entry's name (one
 * component, NUL-terminated) and node its NodeInfo; both are valid only during the call.
 * Return 0 to go on; any other value stops the listing and becomes pb_list()'s result. The
 * callback must not use the same client: calls on it fail with EDEADLK, and it must not
 * pb_close() it.
 */
typedef int (*pb_list_fn)(void *arg, const char *name, const pb_node *node);

/* ---- session ---- */

/**
 * Connects to the broker and says HELLO (versions 1..1, asking for PB_FEATURE_REOPEN).
 *
 * socket_path: the socket; NULL means $PINBROKER_SOCKET if set and non-empty, else the first
 * of PB_DEFAULT_SOCKET, $XDG_RUNTIME_DIR/pinbroker/pinbroker.sock and
 * ${TMPDIR:-/tmp}/pinbroker-UID/pinbroker.sock that exists, else PB_DEFAULT_SOCKET (the order
 * of PROTOCOL.md section 2).
 *
 * timeout_ms: the longest each later send and receive may block (SO_SNDTIMEO/SO_RCVTIMEO),
 * also applied to connect() and the HELLO exchange; 0 or less means no timeout.
 *
 * On success *out is the new client (free it with pb_close()). On failure *out is NULL and the
 * result is the errno: connect(2)'s (ENOENT, ECONNREFUSED, EACCES, ...), ETIMEDOUT, the status
 * of a refused HELLO (EPROTONOSUPPORT) or of a notice (ENOSPC: the broker's connection limit;
 * EDQUOT: its limit per uid),
 * ENOMEM, ENAMETOOLONG for a path that does not fit in sun_path.
 */
int pb_connect(const char *socket_path, int timeout_ms, pb_client **out);

/** Closes the connection and frees the client. NULL is allowed. Names pinned stay pinned. */
void pb_close(pb_client *c);

/** 1 while the connection is usable, 0 once it is gone (see the conventions above). */
int pb_connected(const pb_client *c);

/** The HELLO reply of this session. */
const pb_session *pb_session_info(const pb_client *c);

/**
 * Text about the last failed call: the broker's detail for a refusal or notice (UTF-8, at most
 * 1024 bytes, possibly empty), or a short explanation from the library for a local error.
 * Empty after a successful call. Valid until the next call on this client. Show it, never
 * parse it.
 */
const char *pb_last_detail(const pb_client *c);

/* ---- operations (section 6). out parameters marked "may be NULL" are optional. ---- */

/**
 * PIN: binds fd to path. mode: permission bits (the broker applies its umask); gid: the
 * entry's group or PB_DEFAULT_ID; flags: 0, PB_PIN_REPLACE, or PB_PIN_REPLACE|PB_PIN_CAS with
 * expected_generation (otherwise send 0). The fd is borrowed: it stays open and the caller's.
 * out (may be NULL) receives the new entry.
 */
int pb_pin(pb_client *c, const char *path, int fd, uint32_t mode, uint32_t gid, uint32_t flags,
           uint64_t expected_generation, pb_node *out);

/**
 * GET: opens an entry. read_only non-zero asks for READ_ONLY, zero for READ_WRITE. On success
 * *fd_out is a new close-on-exec fd the caller owns and must close; out (may be NULL) receives
 * the entry and handout_out (may be NULL) PB_HANDOUT_*. READ_ONLY is enforced only for
 * PB_HANDOUT_REOPENED. On failure *fd_out is -1.
 */
int pb_get(pb_client *c, const char *path, int read_only, int *fd_out, pb_node *out,
           int *handout_out);

/** STAT: reports a node without opening it. out may be NULL (an existence check). */
int pb_stat(pb_client *c, const char *path, pb_node *out);

/**
 * LIST: calls fn for every name in the directory path, in name order, fetching as many pages
 * as it takes. Returns 0 when all were listed, a status on failure, or the callback's non-zero
 * value. Names added or removed concurrently may or may not show up; none present throughout
 * is skipped or repeated.
 */
int pb_list(pb_client *c, const char *path, pb_list_fn fn, void *arg);

/** MKDIR: creates a directory with mode (minus the broker's umask). out may be NULL. */
int pb_mkdir(pb_client *c, const char *path, uint32_t mode, pb_node *out);

/** RMDIR: removes an empty directory. */
int pb_rmdir(pb_client *c, const char *path);

/** UNLINK: removes an entry. flags: 0 or PB_UNLINK_FORCE. */
int pb_unlink(pb_client *c, const char *path, uint32_t flags);

/** RENAME: moves from to to; mode is PB_RENAME_REPLACE, _NOREPLACE or _EXCHANGE. */
int pb_rename(pb_client *c, const char *from, const char *to, int mode);

/** CHMOD: sets the mode exactly (no umask). out may be NULL. */
int pb_chmod(pb_client *c, const char *path, uint32_t mode, pb_node *out);

/** CHOWN (root only): uid and gid, each PB_DEFAULT_ID to keep it. out may be NULL. */
int pb_chown(pb_client *c, const char *path, uint32_t uid, uint32_t gid, pb_node *out);

/** Parameters of pb_create_map() (section 6.11). */
typedef struct pb_map_spec {
  int sim; /* 0: a real BPF map; non-zero: a sim map (a memfd, SIMOBJECTS.md) */
  uint32_t map_type, key_size, value_size, max_entries, map_flags;
  const char *name; /* may be NULL or empty */
} pb_map_spec;

/**
 * CREATE_MAP: has the broker create a map and bind it to path, like pb_pin() with flags 0.
 * No fd comes back: pb_get() the entry to use the map. out may be NULL.
 */
int pb_create_map(pb_client *c, const char *path, const pb_map_spec *spec, uint32_t mode,
                  uint32_t gid, pb_node *out);

/* ---- names for display ---- */

/** "none", "fd", "bpf-map", "bpf-prog", "bpf-link", "sim-map", "sim-prog"; "?" if unknown. */
const char *pb_kind_name(int kind);
/** "none", "regular", "memfd", "pipe", "socket", ...; "?" if unknown. */
const char *pb_fd_type_name(int fd_type);
/** "reopened", "shared", "advisory"; "?" if unknown. */
const char *pb_handout_name(int handout);

#ifdef __cplusplus
}
#endif

#endif /* PINBROKER_H */
