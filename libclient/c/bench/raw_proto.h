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
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define RAW_MAX 65536
#define RAW_END 0xFFFFFFFFu

/* Sends one datagram of LEN bytes, with FD attached if it is not negative: 0, or -1 (errno). */
static inline int raw_send(int s, const void *buf, size_t len, int fd) {
  struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  if (fd >= 0) {
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  }
  return sendmsg(s, &m, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

#endif
