/*
 * bench.h - the load-generator driver shared by every C peer of the benchmark.
 *
 * Each load generator (load-raw, load-pinbroker, load-s6, load-bpf) is this driver plus a table
 * of workloads. The command line is the same for all of them, and for the Java load generator
 * (daemon/src/bench/java/io/pinbroker/bench/JavaLoad.java):
 *
 *   load-X WORKLOAD [--socket PATH] [--clients N] [--seconds S] [--warmup S]
 *                   [--name NAME] [--dir DIR] [--count N]
 *
 * and each prints exactly one line on success:
 *
 *   RESULT ops=N seconds=S ops_per_s=X p50_us=X p99_us=X errors=N
 *
 * or "NA reason" for a workload the peer does not have. Clients are separate processes (fork),
 * each with its own connection, started together after all of them have connected; each runs
 * --warmup seconds unmeasured, then --seconds measured. Latencies go into a shared histogram
 * (10 ns steps below 100 us, 1 us steps below 100 ms, 1 ms steps up to 10 s), the same buckets
 * as the Java generator.
 */
#ifndef PB_BENCH_H
#define PB_BENCH_H

#include <stdint.h>

typedef struct bench_args {
  const char *workload;
  const char *socket; /* server socket path (or bpffs directory for load-bpf) */
  const char *name;   /* the entry GET reads: default "/bench/obj" */
  const char *dir;    /* the directory LIST reads and "populate" fills: default "/bench/dir" */
  int clients;
  double seconds;
  double warmup;
  long count; /* populate: how many names */
  int distinct; /* populate: one memfd per name (else one memfd under every name) */
} bench_args;

/* One workload of one peer. open() runs in each client process before the start; op() is one
 * measured operation (0 = ok, else an error counted and the loop goes on). */
typedef struct bench_workload {
  const char *name;
  int (*open)(const bench_args *a, int client, void **state);
  int (*op)(const bench_args *a, int client, void *state);
  void (*close)(void *state);
  const char *na; /* non-NULL: the peer has no such workload, and this says why */
} bench_workload;

/* A peer's setup commands (not measured): "prepare" pins the GET target, "populate" fills dir. */
typedef struct bench_setup {
  const char *name;
  int (*run)(const bench_args *a);
} bench_setup;

/* Parses argv, runs the workload or setup, prints RESULT/NA; returns the exit status. */
int bench_main(int argc, char **argv, const bench_workload *workloads,
               const bench_setup *setups);

/* A memfd of 4096 bytes holding "pinbroker-bench": the payload every peer stores. */
int bench_memfd(void);

/* Formats "%s/e%06ld" (dir, i) into buf. */
void bench_entry_name(char *buf, unsigned long size, const char *dir, long i);

/* Prints "progname: what: strerror(e)" to stderr and returns 1. */
int bench_fail(const char *what, int e);

#endif
