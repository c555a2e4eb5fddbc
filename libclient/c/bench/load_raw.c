/* load-raw: the load generator for raw-server (raw_proto.h), the physical-limit peer. */
#define _GNU_SOURCE
#include "bench.h"
#include "raw_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct raw_state {
  int sock;
  int memfd;
  char get[1 + 256];
  size_t get_len;
} raw_state;

static int raw_connect(const char *path) {
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int e = errno;
    close(s);
    errno = e;
    return -1;
  }
  return s;
}

/* Receives one reply into buf; returns its length, or -1. *fd gets an attached fd or -1. */
static ssize_t recv_fd(int s, void *buf, size_t size, int *fd) {
  struct iovec iov = {.iov_base = buf, .iov_len = size};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                     .msg_controllen = sizeof u.buf};
  *fd = -1;
  ssize_t n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
  if (n <= 0 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) return -1;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
  if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
    memcpy(fd, CMSG_DATA(cm), sizeof(int));
  }
  return n;
}

static int get_once(raw_state *st) {
  char r[8];
  int fd;
  if (raw_send(st->sock, st->get, st->get_len, -1) != 0) return -1;
  if (recv_fd(st->sock, r, sizeof r, &fd) != 1 || r[0] != 'k' || fd < 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static int open_conn(const bench_args *a, int client, void **state) {
  (void)client;
  raw_state *st = calloc(1, sizeof *st);
  st->sock = raw_connect(a->socket);
  if (st->sock < 0) return bench_fail(a->socket, errno);
  st->get[0] = 'G';
  size_t n = strlen(a->name);
  if (n > 255) n = 255;
  memcpy(st->get + 1, a->name, n);
  st->get_len = n + 1;
  st->memfd = bench_memfd();
  *state = st;
  return 0;
}

static int open_plain(const bench_args *a, int client, void **state) {
  int e = open_conn(a, client, state);
  if (e == 0) close(((raw_state *)*state)->sock);
  return e;
}

static void close_state(void *state) {
  raw_state *st = state;
  if (st->sock >= 0) close(st->sock);
  if (st->memfd >= 0) close(st->memfd);
  free(st);
}

static int op_get(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  return get_once(state);
}

static int op_connect(const bench_args *a, int client, void *state) {
  (void)client;
  raw_state *st = state;
  st->sock = raw_connect(a->socket);
  if (st->sock < 0) return -1;
  int r = get_once(st);
  close(st->sock);
  st->sock = -1;
  return r;
}

static int op_pinunlink(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  raw_state *st = state;
  char r[8];
  int fd;
  if (raw_send(st->sock, "P/bench/p", 9, st->memfd) != 0) return -1;
  if (recv_fd(st->sock, r, sizeof r, &fd) != 1 || r[0] != 'k') return -1;
  if (raw_send(st->sock, "U/bench/p", 9, -1) != 0) return -1;
  if (recv_fd(st->sock, r, sizeof r, &fd) != 1 || r[0] != 'k') return -1;
  return 0;
}

static int op_list(const bench_args *a, int client, void *state) {
  (void)client;
  raw_state *st = state;
  static char page[RAW_MAX];
  uint32_t start = 0;
  long names = 0;
  do {
    char req[5] = {'L'};
    memcpy(req + 1, &start, 4);
    int fd;
    if (raw_send(st->sock, req, sizeof req, -1) != 0) return -1;
    ssize_t n = recv_fd(st->sock, page, sizeof page, &fd);
    if (n < 4) return -1;
    memcpy(&start, page, 4);
    for (ssize_t i = 4; i < n; i++) names += page[i] == '\0';
  } while (start != RAW_END);
  return names == a->count ? 0 : -1;
}

static int setup_nothing(const bench_args *a) {
  (void)a;
  return 0; /* raw-server has its object and its names from the start */
}

static const bench_workload workloads[] = {
    {"get", open_conn, op_get, close_state, NULL},
    {"connect", open_plain, op_connect, close_state, NULL},
    {"pinunlink", open_conn, op_pinunlink, close_state, NULL},
    {"list", open_conn, op_list, close_state, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const bench_setup setups[] = {
    {"prepare", setup_nothing}, {"populate", setup_nothing}, {NULL, NULL}};

int main(int argc, char **argv) { return bench_main(argc, argv, workloads, setups); }
