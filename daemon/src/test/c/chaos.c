/*
 * chaos - a light client process for the chaos tests (ChaosIT, ChaosFdStoreIT, ChaosTakeoverIT,
 * SoakIT), on libclient/c. Fifty of these cost what one JVM would.
 *
 *   chaos SOCKET ID LOGFILE SHARED SECONDS
 *
 * For SECONDS (or until SIGTERM) it pins, gets, renames and unlinks at random, over names of its
 * own, /c/ID/nK (it makes /c/ID), and SHARED names every instance competes for, /s/0 ..
 * /s/(SHARED-1). Every object it pins is a fresh memfd whose content is its identity, "ID/SEQ",
 * unique across the run; a GET of a name it holds must return exactly the object its model says
 * is there.
 *
 * Ownership keeps the bookkeeping exact without a global order: only the instance that pinned an
 * object ever moves, replaces or removes it, and it moves an object onto a shared name only with
 * NOREPLACE, so each object's history is the single-threaded history of its owner.
 *
 * LOGFILE gets one line per event, appended with write(2) and no fsync (the page cache outlives a
 * SIGKILL; a line cut short is ignored by the reader):
 *
 *   I SEQ OP A B OBJ   a change is about to be sent; OP is one of
 *                      pin A OBJ (a fresh name, flags 0)      pins A OBJ (a shared name, flags 0)
 *                      repin A OBJ (PIN_REPLACE of own A)     rm A
 *                      mv A B (NOREPLACE to a fresh name)     mvs A B (NOREPLACE to a shared name)
 *                      mvr A B (REPLACE onto own B)           mvx A B (NOREPLACE onto own B: EEXIST)
 *                      xchg A B (EXCHANGE of two own names)   ("-" fills unused fields)
 *   A SEQ              acknowledged: the change happened
 *   R SEQ ERRNO        refused: nothing changed
 *   U SEQ 1|0          the connection was lost with the change in flight; after reconnecting,
 *                      looking at the names (by content) showed it happened (1) or not (0)
 *   X WHAT ...         an anomaly: "lost" (an object this instance holds is not where it must
 *                      be), "wrong" (a name returned another object), "status" (an unexpected
 *                      refusal or success)
 *   G GETS             GETs done so far (every 256, and at the end)
 *   C RECONNECTS       connections replaced so far
 *   E                  a clean end
 *
 * A change with an I line and nothing after it was in flight when the process was killed: it may
 * or may not have happened, and the reader allows either outcome (for both names at once).
 *
 * Exit status: 0 clean end, 2 usage or local error, 3 the broker stayed unreachable.
 */
#define _GNU_SOURCE /* memfd_create */

#include "pinbroker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum {
  MAX_OWN = 8,        /* private names held at most */
  MAX_SHARED_HELD = 2, /* shared names held at most */
  NAME_SIZE = 96,
  OBJ_SIZE = 48,
  TIMEOUT_MS = 20000,
  RECONNECT_SECONDS = 90
};

typedef struct {
  char name[NAME_SIZE];
  char obj[OBJ_SIZE];
} holding;

typedef struct {
  const char *op;
  char a[NAME_SIZE];
  char b[NAME_SIZE];
  char obj[OBJ_SIZE];   /* a pin's new object */
  char obj_a[OBJ_SIZE]; /* what A holds now (own names) */
  char obj_b[OBJ_SIZE]; /* what B holds now (own names) */
  uint32_t pin_flags;
  int rename_mode;
  int may_exist; /* EEXIST is an expected answer */
  int must_exist; /* EEXIST is the only right answer */
} change;

static const char *socket_path;
static const char *id;
static int log_fd = -1;
static unsigned shared_count;
static pb_client *client;
static holding own[MAX_OWN + MAX_SHARED_HELD + 2];
static int own_count;
static unsigned long long seq, objects, fresh_names, gets, reconnects;
static uint64_t rng;
static volatile sig_atomic_t stopping;
static int connected_once;

static void on_term(int sig) {
  (void)sig;
  stopping = 1;
}

static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static unsigned below(unsigned n) { return (unsigned)(next_random() % n); }

static void logf_(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 1) {
    n = (int)sizeof line - 2;
  }
  line[n++] = '\n';
  if (write(log_fd, line, (size_t)n) != n) {
    perror("chaos: log");
    exit(2);
  }
}

static int is_shared(const char *name) { return strncmp(name, "/s/", 3) == 0; }

static int shared_held(void) {
  int n = 0;
  for (int i = 0; i < own_count; i++) {
    n += is_shared(own[i].name);
  }
  return n;
}

static int private_held(void) { return own_count - shared_held(); }

static int find_own(const char *name) {
  for (int i = 0; i < own_count; i++) {
    if (strcmp(own[i].name, name) == 0) {
      return i;
    }
  }
  return -1;
}

static void forget(const char *name) {
  int i = find_own(name);
  if (i >= 0) {
    own[i] = own[--own_count];
  }
}

static void hold(const char *name, const char *obj) {
  int i = find_own(name);
  if (i < 0) {
    i = own_count++;
    snprintf(own[i].name, sizeof own[i].name, "%s", name);
  }
  snprintf(own[i].obj, sizeof own[i].obj, "%s", obj);
}

/* A random own name: private only if want_private, else any. -1 if none. */
static int random_own(int want_private) {
  int candidates[MAX_OWN + MAX_SHARED_HELD + 2];
  int n = 0;
  for (int i = 0; i < own_count; i++) {
    if (!want_private || !is_shared(own[i].name)) {
      candidates[n++] = i;
    }
  }
  return n == 0 ? -1 : candidates[below((unsigned)n)];
}

static void fresh_name(char *out) {
  snprintf(out, NAME_SIZE, "/c/%s/n%llu", id, ++fresh_names);
}

static void shared_name(char *out) { snprintf(out, NAME_SIZE, "/s/%u", below(shared_count)); }

/* ---- the connection ---- */

static void reconnect(void) {
  pb_close(client);
  client = NULL;
  time_t give_up = time(NULL) + RECONNECT_SECONDS;
  for (;;) {
    int e = pb_connect(socket_path, TIMEOUT_MS, &client);
    if (e == 0) {
      break;
    }
    if (time(NULL) > give_up) {
      fprintf(stderr, "chaos %s: cannot reach the broker: %s\n", id, strerror(e));
      exit(3);
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (connected_once) {
    logf_("C %llu", ++reconnects);
  }
  connected_once = 1;
}

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/*
 * GET name and read its identity into content. 0 and the content; ENOENT (or another refusal);
 * or -1 if the connection was lost (reconnected since).
 */
static int read_name(const char *name, char *content, size_t cap) {
  int fd = -1;
  int e = pb_get(client, name, 1, &fd, NULL, NULL);
  if (e != 0) {
    if (!pb_connected(client)) {
      reconnect();
      return -1;
    }
    return e;
  }
  ssize_t k = pread(fd, content, cap - 1, 0);
  close(fd);
  content[k < 0 ? 0 : k] = '\0';
  return 0;
}

/* Like read_name, but keeps trying across lost connections; "" for a name that is not there. */
static void content_of(const char *name, char *content, size_t cap) {
  for (;;) {
    int e = read_name(name, content, cap);
    if (e == 0) {
      return;
    }
    if (e > 0) {
      if (e == EAGAIN) {
        pause_ms(2);
        continue;
      }
      content[0] = '\0';
      return;
    }
  }
}

/* ---- changes ---- */

static int send_change(const change *ch) {
  if (ch->op[0] == 'p' || strcmp(ch->op, "repin") == 0) {
    int m = memfd_create("chaos", MFD_CLOEXEC);
    if (m < 0) {
      perror("chaos: memfd_create");
      exit(2);
    }
    size_t n = strlen(ch->obj);
    if (write(m, ch->obj, n) != (ssize_t)n) {
      perror("chaos: write");
      exit(2);
    }
    int e = pb_pin(client, ch->a, m, 0644, PB_DEFAULT_ID, ch->pin_flags, 0, NULL);
    close(m);
    return e;
  }
  if (strcmp(ch->op, "rm") == 0) {
    return pb_unlink(client, ch->a, 0);
  }
  return pb_rename(client, ch->a, ch->b, ch->rename_mode);
}

static void apply(const change *ch) {
  const char *op = ch->op;
  if (op[0] == 'p' || strcmp(op, "repin") == 0) {
    hold(ch->a, ch->obj);
  } else if (strcmp(op, "rm") == 0) {
    forget(ch->a);
  } else if (strcmp(op, "xchg") == 0) {
    hold(ch->a, ch->obj_b);
    hold(ch->b, ch->obj_a);
  } else { /* mv, mvs, mvr, mvx */
    forget(ch->a);
    hold(ch->b, ch->obj_a);
  }
}

/* After a lost connection: did the change happen? 1 yes, 0 no, -1 neither state is there. */
static int resolve(const change *ch) {
  char ca[OBJ_SIZE + 16];
  char cb[OBJ_SIZE + 16];
  const char *op = ch->op;
  content_of(ch->a, ca, sizeof ca);
  if (op[0] == 'p') {
    return strcmp(ca, ch->obj) == 0;
  }
  if (strcmp(op, "repin") == 0) {
    return strcmp(ca, ch->obj) == 0 ? 1 : strcmp(ca, ch->obj_a) == 0 ? 0 : -1;
  }
  if (strcmp(op, "rm") == 0) {
    return strcmp(ca, ch->obj_a) != 0;
  }
  content_of(ch->b, cb, sizeof cb);
  if (strcmp(op, "xchg") == 0) {
    if (strcmp(ca, ch->obj_b) == 0 && strcmp(cb, ch->obj_a) == 0) {
      return 1;
    }
    return strcmp(ca, ch->obj_a) == 0 && strcmp(cb, ch->obj_b) == 0 ? 0 : -1;
  }
  if (strcmp(cb, ch->obj_a) == 0) {
    return 1;
  }
  return strcmp(ca, ch->obj_a) == 0 ? 0 : -1;
}

static void run_change(change *ch) {
  unsigned long long s = ++seq;
  logf_("I %llu %s %s %s %s", s, ch->op, ch->a, ch->b[0] ? ch->b : "-",
        ch->obj[0] ? ch->obj : "-");
  int e = send_change(ch);
  if (e == 0) {
    logf_("A %llu", s);
    if (ch->must_exist) {
      logf_("X status %llu %s %s %s: done, but %s exists", s, ch->op, ch->a, ch->b, ch->b);
    }
    apply(ch);
    return;
  }
  if (pb_connected(client)) {
    logf_("R %llu %d", s, e);
    int expected = e == EAGAIN || (e == EEXIST && (ch->may_exist || ch->must_exist));
    if (!expected) {
      logf_("X status %llu %s %s %s: %s (%s)", s, ch->op, ch->a, ch->b, strerror(e),
            pb_last_detail(client));
    } else if (e == EAGAIN) {
      pause_ms(2); /* a handoff is under way */
    }
    return;
  }
  reconnect();
  int r = resolve(ch);
  logf_("U %llu %d", s, r == 1);
  if (r < 0) {
    logf_("X lost %llu %s %s %s: neither before nor after", s, ch->op, ch->a, ch->b);
  }
  if (r == 1) {
    apply(ch);
  }
}

static void new_object(change *ch) {
  snprintf(ch->obj, sizeof ch->obj, "%s/%llu", id, ++objects);
}

static void set_a(change *ch, int i) {
  snprintf(ch->a, sizeof ch->a, "%s", own[i].name);
  snprintf(ch->obj_a, sizeof ch->obj_a, "%s", own[i].obj);
}

static void set_b(change *ch, int i) {
  snprintf(ch->b, sizeof ch->b, "%s", own[i].name);
  snprintf(ch->obj_b, sizeof ch->obj_b, "%s", own[i].obj);
}

/* A pin: a fresh private name, a shared one, or own private name p replaced. 0 if none fits. */
static int choose_pin(change *ch, int roll, int p) {
  if (roll < 22 || own_count == 0) {
    if (private_held() >= MAX_OWN) {
      return 0;
    }
    ch->op = "pin";
    fresh_name(ch->a);
  } else if (roll < 28) {
    if (shared_held() >= MAX_SHARED_HELD) {
      return 0;
    }
    ch->op = "pins";
    shared_name(ch->a);
    ch->may_exist = 1;
    if (find_own(ch->a) >= 0) {
      return 0;
    }
  } else {
    if (p < 0) {
      return 0;
    }
    ch->op = "repin";
    set_a(ch, p);
    ch->pin_flags = PB_PIN_REPLACE;
  }
  new_object(ch);
  return 1;
}

/*
 * A rename of own names: any to a fresh private name, private p to a shared name, private p
 * onto private q (REPLACE), any onto another own name (NOREPLACE, which must fail with EEXIST)
 * or exchanged with it. 0 if none fits.
 */
static int choose_rename(change *ch, int roll, int p, int q, int any) {
  if (roll < 50) {
    ch->op = "mv";
    set_a(ch, any);
    fresh_name(ch->b);
    ch->rename_mode = PB_RENAME_NOREPLACE;
    return 1;
  }
  if (roll < 58) {
    if (p < 0 || shared_held() >= MAX_SHARED_HELD) {
      return 0;
    }
    ch->op = "mvs";
    set_a(ch, p);
    shared_name(ch->b);
    ch->may_exist = 1;
    ch->rename_mode = PB_RENAME_NOREPLACE;
    return find_own(ch->b) < 0;
  }
  int a = roll < 66 ? p : any;
  int b = roll < 66 ? q : random_own(0);
  if (a < 0 || b < 0 || a == b) {
    return 0;
  }
  set_a(ch, a);
  set_b(ch, b);
  if (roll < 66) {
    ch->op = "mvr";
    ch->rename_mode = PB_RENAME_REPLACE;
  } else if (roll < 74) {
    ch->op = "mvx";
    ch->rename_mode = PB_RENAME_NOREPLACE;
    ch->must_exist = 1;
  } else {
    ch->op = "xchg";
    ch->rename_mode = PB_RENAME_EXCHANGE;
  }
  return 1;
}

/* Fills ch with a random change this instance may make now; 0 if none fits. */
static int choose_change(change *ch) {
  memset(ch, 0, sizeof *ch);
  int roll = (int)below(100);
  int p = random_own(1); /* a private name, -1 if none */
  int any = random_own(0);
  int q = p; /* another private name, p if there is none */
  if (p >= 0 && private_held() > 1) {
    do {
      q = random_own(1);
    } while (q == p);
  }
  if (roll < 34 || any < 0) {
    return choose_pin(ch, roll, p);
  }
  if (roll < 82) {
    return choose_rename(ch, roll, p, q, any);
  }
  ch->op = "rm";
  set_a(ch, any);
  return 1;
}

/* ---- reads ---- */

static int well_formed(const char *content) {
  const char *slash = strchr(content, '/');
  return slash != NULL && slash != content && slash[1] >= '0' && slash[1] <= '9';
}

static void count_get(void) {
  if (++gets % 256 == 0) {
    logf_("G %llu", gets);
  }
}

/* GET one of this instance's names: it must hold exactly the object the model says. */
static void get_own(void) {
  int i = random_own(0);
  if (i < 0) {
    return;
  }
  char content[OBJ_SIZE + 16];
  int e = read_name(own[i].name, content, sizeof content);
  if (e < 0) {
    return;
  }
  count_get();
  if (e == ENOENT) {
    logf_("X lost %s %s: No such file or directory", own[i].name, own[i].obj);
  } else if (e != 0) {
    logf_("X status get %s: %s", own[i].name, strerror(e));
  } else if (strcmp(content, own[i].obj) != 0) {
    logf_("X wrong %s %s got %s", own[i].name, own[i].obj, content);
  }
}

/* GET a shared name someone else may hold: whatever is there must be some instance's object. */
static void get_shared(void) {
  char name[NAME_SIZE];
  char content[OBJ_SIZE + 16];
  shared_name(name);
  if (find_own(name) >= 0) {
    return;
  }
  int e = read_name(name, content, sizeof content);
  if (e < 0) {
    return;
  }
  count_get();
  size_t n = strlen(id);
  if (e == 0 && !well_formed(content)) {
    logf_("X wrong %s holds '%s'", name, content);
  } else if (e == 0 && strncmp(content, id, n) == 0 && content[n] == '/') {
    logf_("X wrong %s holds %s, which this instance does not hold there", name, content);
  } else if (e != 0 && e != ENOENT) {
    logf_("X status get %s: %s", name, strerror(e));
  }
}

static void make_own_directory(void) {
  char dir[NAME_SIZE];
  snprintf(dir, sizeof dir, "/c/%s", id);
  for (;;) {
    int e = pb_mkdir(client, dir, 0755, NULL);
    if (e == 0 || e == EEXIST) {
      return;
    }
    if (pb_connected(client) && e != EAGAIN) {
      fprintf(stderr, "chaos %s: mkdir %s: %s\n", id, dir, strerror(e));
      exit(2);
    }
    if (!pb_connected(client)) {
      reconnect();
    } else {
      pause_ms(2);
    }
  }
}

int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, NULL);
  if (argc != 6) {
    fprintf(stderr, "usage: chaos SOCKET ID LOGFILE SHARED SECONDS\n");
    return 2;
  }
  socket_path = argv[1];
  id = argv[2];
  shared_count = (unsigned)strtoul(argv[4], NULL, 10);
  long seconds = strtol(argv[5], NULL, 10);
  if (shared_count == 0 || seconds <= 0 || strchr(id, '/') != NULL || strlen(id) > 32) {
    fprintf(stderr, "chaos: bad arguments\n");
    return 2;
  }
  log_fd = open(argv[3], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    perror("chaos: log");
    return 2;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  rng = ((uint64_t)getpid() << 32) ^ (uint64_t)now.tv_nsec ^ 0x9E3779B97F4A7C15ull;
  time_t end = time(NULL) + seconds;

  reconnect();
  make_own_directory();
  while (!stopping && time(NULL) < end) {
    int roll = (int)below(100);
    if (roll < 30) {
      get_own();
    } else if (roll < 38) {
      get_shared();
    } else {
      change ch;
      if (choose_change(&ch)) {
        run_change(&ch);
      }
    }
  }
  logf_("G %llu", gets);
  logf_("E");
  pb_close(client);
  return 0;
}
