/*
 * raw_proto.h - the raw SCM_RIGHTS peer: the least a server can do to hand out an fd over a
 * SOCK_SEQPACKET socket. One datagram per request and per reply; a request is one op byte and
 * an argument:
 *
 *   'G' NAME          reply "k" with the server's one held memfd attached (NAME is not looked at)
 *   'P' NAME + 1 fd   the server keeps the fd in the connection's one slot; reply "k"
 *   'U' NAME          the server closes the slot's fd; reply "k" ("n" if the slot was empty)
 *   'L' u32 start     reply u32 next (0xFFFFFFFF at the end), then NUL-terminated names
 *                     e000000... from start on, as many as fit in 64 KiB
 *
 * No permission check, no path, no reopen: the physical limit of the fd-passing round trip.
 */
#ifndef PB_RAW_PROTO_H
#define PB_RAW_PROTO_H

#include <stdint.h>

#define RAW_MAX 65536
#define RAW_END 0xFFFFFFFFu

#endif
