/* bench.c - the load-generator driver: clients as processes, a shared latency histogram. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Buckets: 10 ns below 100 us, 1 us below 100 ms, 1 ms below 10 s, then one overflow bucket. */
#define FINE_END 100000ULL
#define MID_END 100000000ULL
#define COARSE_END 10000000000ULL
#define FINE_N 10000
#define MID_N 99900
#define COARSE_N 9900
#define BUCKETS (FINE_N + MID_N + COARSE_N + 1)

/* A client gives up after this many failed operations: a broken connection fails fast. */
#define MAX_ERRORS 100

typedef struct client_result {
  uint64_t ops;
  uint64_t errors;
  double seconds;
  int failed;
  uint32_t hist[BUCKETS];
} client_result;

static const char *prog = "load";

int bench_fail(const char *what, int e) {
  fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(e));
  return 1;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bucket(uint64_t ns) {
  if (ns < FINE_END) return (int)(ns / 10);
  if (ns < MID_END) return FINE_N + (int)((ns - FINE_END) / 1000);
  if (ns < COARSE_END) return FINE_N + MID_N + (int)((ns - MID_END) / 1000000);
  return BUCKETS - 1;
}

/* The middle of a bucket, in microseconds. */
static double bucket_us(int b) {
  if (b < FINE_N) return (b * 10 + 5) / 1000.0;
  b -= FINE_N;
  if (b < MID_N) return (FINE_END + (uint64_t)b * 1000 + 500) / 1000.0;
  b -= MID_N;
  if (b < COARSE_N) return (MID_END + (uint64_t)b * 1000000 + 500000) / 1000.0;
  return COARSE_END / 1000.0;
}

static double percentile(const uint64_t *hist, uint64_t total, double p) {
  if (total == 0) return 0;
  uint64_t want = (uint64_t)(p * (double)total);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (int b = 0; b < BUCKETS; b++) {
    seen += hist[b];
    if (seen >= want) return bucket_us(b);
  }
  return bucket_us(BUCKETS - 1);
}

int bench_memfd(void) {
  int fd = memfd_create("pinbroker-bench", MFD_CLOEXEC);
  if (fd < 0) return -1;
  static const char text[] = "pinbroker-bench";
  if (ftruncate(fd, 4096) != 0 || pwrite(fd, text, sizeof text - 1, 0) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

void bench_entry_name(char *buf, unsigned long size, const char *dir, long i) {
  snprintf(buf, size, "%s/e%06ld", dir, i);
}

static void run_client(const bench_args *a, const bench_workload *w, int client, int ready_w,
                       int go_r, client_result *out) {
  void *state = NULL;
  int e = w->open(a, client, &state);
  char c = e == 0 ? 'k' : 'x';
  if (write(ready_w, &c, 1) != 1 || e != 0) {
    out->failed = 1;
    _exit(1);
  }
  char buf;
  while (read(go_r, &buf, 1) < 0 && errno == EINTR) {
  }
  uint64_t end = now_ns() + (uint64_t)(a->warmup * 1e9);
  while (now_ns() < end) {
    if (w->op(a, client, state) != 0 && ++out->errors > MAX_ERRORS) {
      out->failed = 1;
      _exit(1);
    }
  }
  out->errors = 0;
  uint64_t start = now_ns(), t = start;
  end = start + (uint64_t)(a->seconds * 1e9);
  do {
    uint64_t s = t;
    if (w->op(a, client, state) != 0 && ++out->errors > MAX_ERRORS) {
      out->failed = 1;
      break;
    }
    t = now_ns();
    out->hist[bucket(t - s)]++;
    out->ops++;
  } while (t < end);
  out->seconds = (t - start) / 1e9;
  w->close(state);
  _exit(out->failed);
}

static int run_workload(const bench_args *a, const bench_workload *w) {
  size_t bytes = sizeof(client_result) * (size_t)a->clients;
  client_result *res = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (res == MAP_FAILED) return bench_fail("mmap", errno);
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return bench_fail("pipe", errno);
  pid_t *pids = calloc((size_t)a->clients, sizeof(pid_t));
  for (int i = 0; i < a->clients; i++) {
    pids[i] = fork();
    if (pids[i] < 0) return bench_fail("fork", errno);
    if (pids[i] == 0) {
      close(ready[0]);
      close(go[1]);
      run_client(a, w, i, ready[1], go[0], &res[i]);
    }
  }
  close(ready[1]);
  close(go[0]);
  int ok = 1;
  for (int i = 0; i < a->clients; i++) {
    char c;
    ssize_t n;
    while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1 || c != 'k') ok = 0;
  }
  if (!ok) {
    for (int i = 0; i < a->clients; i++) kill(pids[i], SIGKILL);
  }
  close(go[1]); /* every client's read returns: go */
  int failed = !ok;
  for (int i = 0; i < a->clients; i++) {
    int st;
    while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failed = 1;
  }
  if (failed) {
    fprintf(stderr, "%s: %s: a client failed\n", prog, a->workload);
    return 1;
  }
  uint64_t *hist = calloc(BUCKETS, sizeof(uint64_t));
  uint64_t ops = 0, errors = 0;
  double seconds = 0;
  for (int i = 0; i < a->clients; i++) {
    ops += res[i].ops;
    errors += res[i].errors;
    seconds += res[i].seconds;
    for (int b = 0; b < BUCKETS; b++) hist[b] += res[i].hist[b];
  }
  seconds /= a->clients;
  printf("RESULT ops=%llu seconds=%.6f ops_per_s=%.1f p50_us=%.2f p99_us=%.2f errors=%llu\n",
         (unsigned long long)ops, seconds, seconds > 0 ? ops / seconds : 0,
         percentile(hist, ops, 0.50), percentile(hist, ops, 0.99), (unsigned long long)errors);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: %s WORKLOAD [--socket PATH] [--clients N] [--seconds S] [--warmup S]\n"
          "       [--name NAME] [--dir DIR] [--count N] [--distinct]\n",
          prog);
  return 2;
}

int bench_main(int argc, char **argv, const bench_workload *workloads,
               const bench_setup *setups) {
  const char *slash = strrchr(argv[0], '/');
  prog = slash ? slash + 1 : argv[0];
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) return usage();
  bench_args a = {.workload = argv[1], .socket = NULL, .name = "/bench/obj",
                  .dir = "/bench/dir", .clients = 1, .seconds = 1, .warmup = 0,
                  .count = 10000, .distinct = 0};
  for (int i = 2; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(argv[i], "--distinct") == 0) {
      a.distinct = 1;
      continue;
    }
    if (v == NULL) return usage();
    if (strcmp(argv[i], "--socket") == 0) a.socket = v;
    else if (strcmp(argv[i], "--clients") == 0) a.clients = atoi(v);
    else if (strcmp(argv[i], "--seconds") == 0) a.seconds = atof(v);
    else if (strcmp(argv[i], "--warmup") == 0) a.warmup = atof(v);
    else if (strcmp(argv[i], "--name") == 0) a.name = v;
    else if (strcmp(argv[i], "--dir") == 0) a.dir = v;
    else if (strcmp(argv[i], "--count") == 0) a.count = atol(v);
    else return usage();
    i++;
  }
  if (a.clients < 1 || a.seconds <= 0 || a.warmup < 0) return usage();
  for (const bench_setup *s = setups; s->name; s++) {
    if (strcmp(s->name, a.workload) == 0) return s->run(&a);
  }
  for (const bench_workload *w = workloads; w->name; w++) {
    if (strcmp(w->name, a.workload) == 0) {
      if (w->na != NULL) {
        printf("NA %s\n", w->na);
        return 0;
      }
      return run_workload(&a, w);
    }
  }
  printf("NA %s has no workload %s\n", prog, a.workload);
  return 0;
}
