/*
 * load-bpf: the kernel's own answer, for BPF objects: BPF_OBJ_GET and BPF_OBJ_PIN on a bpffs.
 * --socket is the bpffs mount point; names and directories are paths below it. The payload is
 * a BPF array map (a memfd cannot be pinned in bpffs), so this peer is the reference for BPF
 * objects only.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct bpf_state {
  int map;
  char obj[4096];
  char pin[4096];
  char dir[4096];
} bpf_state;

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

static int map_create(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 1;
  return sys_bpf(BPF_MAP_CREATE, &attr);
}

static int obj_pin(int fd, const char *path) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.bpf_fd = (unsigned)fd;
  attr.pathname = (unsigned long)path;
  return sys_bpf(BPF_OBJ_PIN, &attr);
}

static int obj_get(const char *path) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.pathname = (unsigned long)path;
  return sys_bpf(BPF_OBJ_GET, &attr);
}

static void mkdirs(const char *root, const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s%s", root, path);
  for (char *p = buf + strlen(root) + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    mkdir(buf, 0755);
    *p = '/';
  }
  mkdir(buf, 0755);
}

static int setup_prepare(const bench_args *a) {
  char path[4096], parent[4096];
  snprintf(path, sizeof path, "%s%s", a->socket, a->name);
  snprintf(parent, sizeof parent, "%s", a->name);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) {
    *slash = '\0';
    mkdirs(a->socket, parent);
  }
  int m = map_create();
  if (m < 0) return bench_fail("BPF_MAP_CREATE", errno);
  unlink(path);
  int r = obj_pin(m, path);
  int e = errno;
  close(m);
  return r == 0 ? 0 : bench_fail(path, e);
}

static int setup_populate(const bench_args *a) {
  mkdirs(a->socket, a->dir);
  int m = map_create();
  if (m < 0) return bench_fail("BPF_MAP_CREATE", errno);
  char path[4096], name[4096];
  long done = 0;
  int e = 0;
  for (long i = 0; i < a->count; i++) {
    bench_entry_name(name, sizeof name, a->dir, i);
    snprintf(path, sizeof path, "%s%s", a->socket, name);
    if (obj_pin(m, path) != 0 && errno != EEXIST) {
      e = errno;
      break;
    }
    done++;
  }
  close(m);
  printf("POPULATED %ld\n", done);
  return e == 0 ? 0 : bench_fail("BPF_OBJ_PIN", e);
}

static int open_state(const bench_args *a, int client, void **state) {
  bpf_state *st = calloc(1, sizeof *st);
  snprintf(st->obj, sizeof st->obj, "%s%s", a->socket, a->name);
  snprintf(st->pin, sizeof st->pin, "%s/bench/p%d", a->socket, client);
  snprintf(st->dir, sizeof st->dir, "%s%s", a->socket, a->dir);
  mkdirs(a->socket, "/bench");
  st->map = map_create();
  if (st->map < 0) return bench_fail("BPF_MAP_CREATE", errno);
  unlink(st->pin);
  *state = st;
  return 0;
}

static void close_state(void *state) {
  bpf_state *st = state;
  close(st->map);
  free(st);
}

static int op_get(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  int fd = obj_get(((bpf_state *)state)->obj);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int op_pinunlink(const bench_args *a, int client, void *state) {
  (void)a;
  (void)client;
  bpf_state *st = state;
  if (obj_pin(st->map, st->pin) != 0) return errno;
  return unlink(st->pin) == 0 ? 0 : errno;
}

static int op_list(const bench_args *a, int client, void *state) {
  (void)client;
  DIR *d = opendir(((bpf_state *)state)->dir);
  if (d == NULL) return errno;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
  closedir(d);
  return n == a->count ? 0 : -1;
}

static const bench_workload workloads[] = {
    {"get", open_state, op_get, close_state, NULL},
    {"connect", NULL, NULL, NULL, "bpffs has no connection: BPF_OBJ_GET is one system call"},
    {"pinunlink", open_state, op_pinunlink, close_state, NULL},
    {"list", open_state, op_list, close_state, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static const bench_setup setups[] = {
    {"prepare", setup_prepare}, {"populate", setup_populate}, {NULL, NULL}};

int main(int argc, char **argv) { return bench_main(argc, argv, workloads, setups); }
