/* load-pinbroker: the load generator for pinbrokerd through the C client (../pinbroker.h). */
#define _GNU_SOURCE
#include "bench.h"
#include "../pinbroker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

typedef struct pb_state {
  pb_client *c;
  int memfd;
  char pin[64];
} pb_state;

/* Connects, retrying for up to 60 s while the broker starts (setup commands only). */
static int connect_patiently(const char *socket, pb_client **c) {
  int e = 0;
  for (int i = 0; i < 6000; i++) {
    e = pb_connect(socket, TIMEOUT_MS, c);
    if (e != ENOENT && e != ECONNREFUSED) return e;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return e;
}

static int mkdirs(pb_client *c, const char *path) {
  char buf[PB_PATH_MAX + 1];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int e = pb_mkdir(c, buf, 0755, NULL);
    *p = '/';
    if (e != 0 && e != EEXIST) return e;
  }
  int e = pb_mkdir(c, buf, 0755, NULL);
  return e == EEXIST ? 0 : e;
}

static int parent_dirs(pb_client *c, const char *path) {
  char buf[PB_PATH_MAX + 1];
  snprintf(buf, sizeof buf, "%s", path);
  char *slash = strrchr(buf, '/');
  if (slash == NULL || slash == buf) return 0;
  *slash = '\0';
  return mkdirs(c, buf);
}

static int setup_prepare(const bench_args *a) {
  pb_client *c;
  int e = connect_patiently(a->socket, &c);
  if (e != 0) return bench_fail("connect", e);
  int m = bench_memfd();
  e = parent_dirs(c, a->name);
  if (e == 0) e = pb_pin(c, a->name, m, 0644, PB_DEFAULT_ID, PB_PIN_REPLACE, 0, NULL);
  close(m);
  pb_close(c);
  return e == 0 ? 0 : bench_fail(a->name, e);
}

static int setup_populate(const bench_args *a) {
  pb_client *c;
  int e = connect_patiently(a->socket, &c);
  if (e != 0) return bench_fail("connect", e);
  e = mkdirs(c, a->dir);
  int m = a->distinct ? -1 : bench_memfd();
  long done = 0;
  char name[PB_PATH_MAX + 1];
  for (long i = 0; e == 0 && i < a->count; i++) {
    if (a->distinct) m = bench_memfd();
    bench_entry_name(name, sizeof name, a->dir, i);
    e = pb_pin(c, name, m, 0644, PB_DEFAULT_ID, PB_PIN_REPLACE, 0, NULL);
    if (a->distinct) close(m);
    if (e == 0) done++;
  }
  if (!a->distinct) close(m);
  if (e != 0) fprintf(stderr, "load-pinbroker: populate: %s (%s) after %ld names\n",
                      strerror(e), pb_last_detail(c), done);
  pb_close(c);
  printf("POPULATED %ld\n", done);
  return e == 0 ? 0 : 1;
}

/* Real BPF array maps made by the broker (CREATE_MAP) under dir/e000000 on, up to count names;
 * names already there are kept, so a directory grows step by step (1k, 10k, ...). */
static int setup_populate_maps(const bench_args *a) {
  pb_client *c;
  int e = connect_patiently(a->socket, &c);
  if (e != 0) return bench_fail("connect", e);
  e = mkdirs(c, a->dir);
  pb_map_spec spec = {0, 2 /* BPF_MAP_TYPE_ARRAY */, 4, 8, 1, 0, "bench"};
  long created = 0;
  char name[PB_PATH_MAX + 1];
  for (long i = 0; e == 0 && i < a->count; i++) {
    bench_entry_name(name, sizeof name, a->dir, i);
    e = pb_create_map(c, name, &spec, 0644, PB_DEFAULT_ID, NULL);
    if (e == 0) created++;
    if (e == EEXIST) e = 0;
  }
  if (e != 0) fprintf(stderr, "load-pinbroker: populate-maps: %s (%s) after %ld new names\n",
                      strerror(e), pb_last_detail(c), created);
  pb_close(c);
  printf("POPULATED %ld\n", created);
  return e == 0 ? 0 : 1;
}

static int open_conn(const bench_args *a, int client, void **state) {
  pb_state *st = calloc(1, sizeof *st);
  int e = pb_connect(a->socket, TIMEOUT_MS, &st->c);
  if (e != 0) return bench_fail("connect", e);
  st->memfd = bench_memfd();
  snprintf(st->pin, sizeof st->pin, "/bench/p%d", client);
  *state = st;
  return 0;
}

static int open_plain(const bench_args *a, int client, void **state) {
  int e = open_conn(a, client, state);
  if (e == 0) {
    pb_close(((pb_state *)*state)->c);
    ((pb_state *)*state)->c = NULL;
  }
  return e;
}

static void close_state(void *state) {
  pb_state *st = state;
  pb_close(st->c);
  if (st->memfd >= 0) close(st->memfd);
  free(st);
}

static int op_get(const bench_args *a, int client, void *state) {
  (void)client;
  pb_state *st = state;
  int fd;
  int e = pb_get(st->c, a->name, 1, &fd, NULL, NULL);
  if (e == 0) close(fd);
  return e;
}

/* GET of a name drawn at random from dir/e000000 .. count - 1, read-only. */
static int op_get_random(const bench_args *a, int client, void *state) {
  pb_state *st = state;
  static __thread unsigned seed;
  if (seed == 0) seed = (unsigned)(getpid() * 2654435761u + (unsigned)client + 1);
  long i = (long)(((unsigned long)rand_r(&seed) << 31 | (unsigned long)rand_r(&seed)) %
                  (unsigned long)a->count);
  char name[PB_PATH_MAX + 1];
  bench_entry_name(name, sizeof name, a->dir, i);
  int fd;
  int e = pb_get(st->c, name, 1, &fd, NULL, NULL);
  if (e == 0) close(fd);
  return e;
}

static int op_connect(const bench_args *a, int client, void *state) {
  (void)client;
  pb_state *st = state;
  int e = pb_connect(a->socket, TIMEOUT_MS, &st->c);
  if (e != 0) return e;
  int fd;
  e = pb_get(st->c, a->name, 1, &fd, NULL, NULL);
  if (e == 0) close(fd);
  pb_close(st->c);
  st->c = NULL;
  return e;
}

static int op_pinunlink(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  pb_state *st = state;
  int e = pb_pin(st->c, st->pin, st->memfd, 0644, PB_DEFAULT_ID, 0, 0, NULL);
  return e != 0 ? e : pb_unlink(st->c, st->pin, 0);
}

static int count_one(void *arg, const char *name, const pb_node *node) {
  (void)name;
  (void)node;
  (*(long *)arg)++;
  return 0;
}

static int op_list(const bench_args *a, int client, void *state) {
  (void)client;
  pb_state *st = state;
  long n = 0;
  int e = pb_list(st->c, a->dir, count_one, &n);
  return e != 0 ? e : n == a->count ? 0 : -1;
}

static const bench_workload workloads[] = {
    {"get", open_conn, op_get, close_state, NULL},
    {"get-random", open_conn, op_get_random, close_state, NULL},
    {"connect", open_plain, op_connect, close_state, NULL},
    {"pinunlink", open_conn, op_pinunlink, close_state, NULL},
    {"list", open_conn, op_list, close_state, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const bench_setup setups[] = {
    {"prepare", setup_prepare}, {"populate", setup_populate},
    {"populate-maps", setup_populate_maps}, {NULL, NULL}};

int main(int argc, char **argv) { return bench_main(argc, argv, workloads, setups); }
