/*
 * raw-server SOCKET [--entries N]: the raw SCM_RIGHTS peer of the benchmark (raw_proto.h).
 * One thread per connection, as pinbrokerd has. Sends READY=1 to $NOTIFY_SOCKET, if set, once
 * it listens.
 */
#define _GNU_SOURCE
#include "raw_proto.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int held = -1;
static long entries = 10000;

static void list_page(int c, uint32_t start) {
  static __thread char page[RAW_MAX];
  size_t used = 4;
  uint32_t i = start;
  for (; i < entries; i++) {
    char name[16];
    int n = snprintf(name, sizeof name, "e%06u", i) + 1;
    if (used + (size_t)n > sizeof page) break;
    memcpy(page + used, name, (size_t)n);
    used += (size_t)n;
  }
  uint32_t next = i < entries ? i : RAW_END;
  memcpy(page, &next, 4);
  raw_send(c, page, used, -1);
}

static void *serve(void *arg) {
  int c = (int)(intptr_t)arg;
  int slot = -1;
  char buf[RAW_MAX];
  union {
    char buf[CMSG_SPACE(sizeof(int) * 4)];
    struct cmsghdr align;
  } u;
  for (;;) {
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                       .msg_controllen = sizeof u.buf};
    ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
    if (n <= 0) break;
    int got = -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int j = 0; j < k; j++) {
          int fd;
          memcpy(&fd, CMSG_DATA(cm) + j * sizeof(int), sizeof fd);
          if (got < 0) got = fd;
          else close(fd);
        }
      }
    }
    switch (buf[0]) {
    case 'G':
      raw_send(c, "k", 1, held);
      break;
    case 'P':
      if (slot >= 0) close(slot);
      slot = got;
      got = -1;
      raw_send(c, "k", 1, -1);
      break;
    case 'U':
      raw_send(c, slot >= 0 ? "k" : "n", 1, -1);
      if (slot >= 0) close(slot);
      slot = -1;
      break;
    case 'L': {
      uint32_t start = 0;
      if (n >= 5) memcpy(&start, buf + 1, 4);
      list_page(c, start);
      break;
    }
    default:
      raw_send(c, "?", 1, -1);
    }
    if (got >= 0) close(got);
  }
  if (slot >= 0) close(slot);
  close(c);
  return NULL;
}

static void notify_ready(void) {
  const char *path = getenv("NOTIFY_SOCKET");
  if (path == NULL || *path == '\0') return;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  if (sa.sun_path[0] == '@') sa.sun_path[0] = '\0';
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sendto(s, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof sa);
  close(s);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: raw-server SOCKET [--entries N]\n");
    return 2;
  }
  if (argc >= 4 && strcmp(argv[2], "--entries") == 0) entries = atol(argv[3]);
  signal(SIGPIPE, SIG_IGN);
  held = memfd_create("raw-bench", MFD_CLOEXEC);
  if (held < 0 || ftruncate(held, 4096) != 0) {
    perror("raw-server: memfd");
    return 1;
  }
  int l = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof sa.sun_path) {
    fprintf(stderr, "raw-server: socket path too long\n");
    return 2;
  }
  strcpy(sa.sun_path, argv[1]);
  unlink(argv[1]);
  if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 4096) != 0) {
    perror("raw-server: bind/listen");
    return 1;
  }
  notify_ready();
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (;;) {
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      perror("raw-server: accept");
      return 1;
    }
    pthread_t t;
    if (pthread_create(&t, &attr, serve, (void *)(intptr_t)c) != 0) close(c);
  }
}
