/*
 * load-s6: the load generator for s6-fdholderd (Debian's s6), through libs6's fdholder API.
 * s6 ids are flat strings; the same names as pinbroker's paths are used as ids.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <s6/fdholder.h>
#include <skalibs/stralloc.h>
#include <skalibs/tai.h>

typedef struct s6_state {
  s6_fdholder_t a;
  int connected;
  int memfd;
  char pin[64];
  stralloc sa;
} s6_state;

/* One deadline an hour away, set at open: the calls themselves carry no clock reads. */
static tain deadline;

static void set_deadline(void) {
  tain_now_g();
  tain_addsec_g(&deadline, 3600);
}

static int start(s6_fdholder_t *a, const char *path) {
  return s6_fdholder_start(a, path, &deadline, &STAMP) ? 0 : errno;
}

static int start_patiently(s6_fdholder_t *a, const char *path) {
  int e = 0;
  for (int i = 0; i < 6000; i++) {
    e = start(a, path);
    if (e != ENOENT && e != ECONNREFUSED) return e;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return e;
}

static int setup_prepare(const bench_args *a) {
  set_deadline();
  s6_fdholder_t h = S6_FDHOLDER_ZERO;
  int e = start_patiently(&h, a->socket);
  if (e != 0) return bench_fail("connect", e);
  int m = bench_memfd();
  s6_fdholder_delete(&h, a->name, &deadline, &STAMP); /* a left-over from a previous round */
  e = s6_fdholder_store(&h, m, a->name, &tain_infinite, &deadline, &STAMP) ? 0 : errno;
  close(m);
  s6_fdholder_end(&h);
  return e == 0 ? 0 : bench_fail(a->name, e);
}

static int setup_populate(const bench_args *a) {
  set_deadline();
  s6_fdholder_t h = S6_FDHOLDER_ZERO;
  int e = start_patiently(&h, a->socket);
  if (e != 0) return bench_fail("connect", e);
  int m = bench_memfd();
  char name[300];
  long done = 0;
  for (long i = 0; e == 0 && i < a->count; i++) {
    bench_entry_name(name, sizeof name, a->dir, i);
    e = s6_fdholder_store(&h, m, name, &tain_infinite, &deadline, &STAMP) ? 0 : errno;
    if (e == EBUSY) e = 0; /* already there */
    if (e == 0) done++;
  }
  close(m);
  s6_fdholder_end(&h);
  if (e != 0) fprintf(stderr, "load-s6: populate: %s after %ld names\n", strerror(e), done);
  printf("POPULATED %ld\n", done);
  return e == 0 ? 0 : 1;
}

static int open_conn(const bench_args *a, int client, void **state) {
  set_deadline();
  s6_state *st = calloc(1, sizeof *st);
  st->sa = (stralloc)STRALLOC_ZERO;
  int e = start(&st->a, a->socket);
  if (e != 0) return bench_fail("connect", e);
  st->connected = 1;
  st->memfd = bench_memfd();
  snprintf(st->pin, sizeof st->pin, "/bench/p%d", client);
  *state = st;
  return 0;
}

static int open_plain(const bench_args *a, int client, void **state) {
  int e = open_conn(a, client, state);
  if (e == 0) {
    s6_state *st = *state;
    s6_fdholder_end(&st->a);
    st->connected = 0;
  }
  return e;
}

static void close_state(void *state) {
  s6_state *st = state;
  if (st->connected) s6_fdholder_end(&st->a);
  if (st->memfd >= 0) close(st->memfd);
  stralloc_free(&st->sa);
  free(st);
}

static int op_get(const bench_args *a, int client, void *state) {
  (void)client;
  s6_state *st = state;
  int fd = s6_fdholder_retrieve(&st->a, a->name, &deadline, &STAMP);
  if (fd < 0) return errno ? errno : -1;
  close(fd);
  return 0;
}

static int op_connect(const bench_args *a, int client, void *state) {
  (void)client;
  s6_state *st = state;
  int e = start(&st->a, a->socket);
  if (e != 0) return e;
  int fd = s6_fdholder_retrieve(&st->a, a->name, &deadline, &STAMP);
  e = fd < 0 ? (errno ? errno : -1) : 0;
  if (fd >= 0) close(fd);
  s6_fdholder_end(&st->a);
  return e;
}

static int op_pinunlink(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  s6_state *st = state;
  if (!s6_fdholder_store(&st->a, st->memfd, st->pin, &tain_infinite, &deadline, &STAMP)) {
    return errno ? errno : -1;
  }
  return s6_fdholder_delete(&st->a, st->pin, &deadline, &STAMP) ? 0 : (errno ? errno : -1);
}

static int op_list(const bench_args *a, int client, void *state) {
  (void)client;
  s6_state *st = state;
  st->sa.len = 0;
  int n = s6_fdholder_list(&st->a, &st->sa, &deadline, &STAMP);
  if (n < 0) return errno ? errno : -1;
  return n >= a->count ? 0 : -1;
}

static const bench_workload workloads[] = {
    {"get", open_conn, op_get, close_state, NULL},
    {"connect", open_plain, op_connect, close_state, NULL},
    {"pinunlink", open_conn, op_pinunlink, close_state, NULL},
    {"list", open_conn, op_list, close_state, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const bench_setup setups[] = {
    {"prepare", setup_prepare}, {"populate", setup_populate}, {NULL, NULL}};

int main(int argc, char **argv) { return bench_main(argc, argv, workloads, setups); }
