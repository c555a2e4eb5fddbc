/*
 * fakesd: a small stand-in for systemd's service manager side, for the benchmark.
 *
 *   fakesd [--listen SOCKET] [--notify PATH] [--ready notify|stdout|connect] -- CMD ARGS...
 *
 * --listen   binds a SOCK_SEQPACKET listener at SOCKET and passes it as fd 3 named "api"
 *            (LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID), as pinbroker.socket does.
 * --notify   binds a datagram socket at PATH and sets NOTIFY_SOCKET for the service. It keeps an
 *            fd store as systemd does (FDSTORE=1 with FDNAME=, FDSTOREREMOVE=1, FDPOLL=0 is
 *            accepted), answers BARRIER=1 by closing the fd that came with it, and hands the
 *            stored fds back after the listener on a restart, named in LISTEN_FDNAMES.
 * --ready    what "started" means: READY=1 on the notify socket (default), a newline on the
 *            service's stdout (s6-fdholder-daemon -1), or the first successful connect to
 *            SOCKET (given with --listen-path-only: --ready connect --listen-path SOCKET).
 *
 * It prints "READY seconds=S stored=N" once the service is ready, S being the time from just
 * before fork+exec to readiness, then reads commands on stdin: "restart" kills the service with
 * SIGKILL (a crash: nothing is drained) and starts it again with the fd store, printing READY
 * again; "stop" or end of input sends SIGTERM, waits, prints "STOPPED" and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct stored {
  char name[256];
  int fd;
} stored;

static stored *store;
static size_t nstore, capstore;
static int notify_fd = -1, listen_fd = -1;
static const char *listen_path, *notify_path, *ready_mode = "notify";
static char **cmd;
static pid_t child = -1;
static int child_stdout = -1;
static int ready_seen;
static long fd_limit;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "fakesd: %s: %s\n", what, strerror(errno));
  if (child > 0) kill(child, SIGKILL);
  exit(1);
}

static int bind_unix(const char *path, int type) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path) {
    errno = ENAMETOOLONG;
    die(path);
  }
  strcpy(sa.sun_path, path);
  unlink(path);
  int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) die(path);
  if (type == SOCK_SEQPACKET && listen(s, 4096) != 0) die("listen");
  return s;
}

static const char *field(const char *msg, const char *key, char *out, size_t size) {
  size_t k = strlen(key);
  for (const char *p = msg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
    if (strncmp(p, key, k) == 0 && p[k] == '=') {
      const char *v = p + k + 1;
      size_t n = strcspn(v, "\n");
      if (n >= size) n = size - 1;
      memcpy(out, v, n);
      out[n] = '\0';
      return out;
    }
  }
  return NULL;
}

static void keep(const char *name, int fd) {
  if (nstore == capstore) {
    capstore = capstore ? capstore * 2 : 1024;
    store = realloc(store, capstore * sizeof *store);
    if (store == NULL) die("realloc");
  }
  snprintf(store[nstore].name, sizeof store[nstore].name, "%s", name);
  store[nstore++].fd = fd;
}

static void drop(const char *name) {
  size_t j = 0;
  for (size_t i = 0; i < nstore; i++) {
    if (strcmp(store[i].name, name) == 0) close(store[i].fd);
    else store[j++] = store[i];
  }
  nstore = j;
}

/* Handles one notify datagram; returns 0 when there was none (EAGAIN). */
static int receive_one(int flags) {
  static char buf[65536];
  union {
    char buf[CMSG_SPACE(sizeof(int) * 253)];
    struct cmsghdr align;
  } u;
  struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf - 1};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                     .msg_controllen = sizeof u.buf};
  ssize_t n = recvmsg(notify_fd, &m, MSG_CMSG_CLOEXEC | flags);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    die("recvmsg");
  }
  buf[n] = '\0';
  int fds[253], nfds = 0;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int j = 0; j < k && nfds < 253; j++) memcpy(&fds[nfds++], CMSG_DATA(cm) + j * sizeof(int), sizeof(int));
    }
  }
  if (m.msg_flags & MSG_CTRUNC) fprintf(stderr, "fakesd: fds lost in transit (MSG_CTRUNC)\n");
  char v[256];
  if (field(buf, "FDSTORE", v, sizeof v) && strcmp(v, "1") == 0 && nfds > 0) {
    const char *name = field(buf, "FDNAME", v, sizeof v) ? v : "stored";
    for (int j = 0; j < nfds; j++) keep(name, fds[j]);
    nfds = 0;
  }
  if (field(buf, "FDSTOREREMOVE", v, sizeof v) && strcmp(v, "1") == 0 &&
      field(buf, "FDNAME", v, sizeof v)) {
    drop(v);
  }
  if (field(buf, "READY", v, sizeof v) && strcmp(v, "1") == 0) ready_seen = 1;
  for (int j = 0; j < nfds; j++) close(fds[j]); /* BARRIER=1 is answered by this close */
  return 1;
}

/* In the child: the listener at 3, the stored fds from 4 on, moved without clobbering. */
static void place_fds(int *src, int k, int *owner) {
  for (int i = 0; i < k; i++) owner[src[i]] = i;
  for (int i = 0; i < k; i++) {
    int t = 3 + i;
    if (src[i] == t) {
      fcntl(t, F_SETFD, 0);
      continue;
    }
    if (t < fd_limit && owner[t] > i) {
      int j = owner[t];
      int moved = fcntl(t, F_DUPFD_CLOEXEC, 3 + k);
      if (moved < 0) _exit(126);
      src[j] = moved;
      owner[moved] = j;
    }
    if (dup2(src[i], t) < 0) _exit(126);
    owner[t] = i;
  }
}

static double start(void) {
  int k = (listen_fd >= 0 ? 1 : 0) + (int)nstore;
  int *src = malloc(sizeof(int) * (size_t)(k + 1));
  int *owner = malloc(sizeof(int) * (size_t)fd_limit);
  for (long i = 0; i < fd_limit; i++) owner[i] = -1;
  size_t names_len = 8;
  for (size_t i = 0; i < nstore; i++) names_len += strlen(store[i].name) + 1;
  char *names = malloc(names_len + 4);
  int n = 0;
  names[0] = '\0';
  if (listen_fd >= 0) {
    src[n++] = listen_fd;
    strcpy(names, "api");
  }
  char *end = names + strlen(names);
  for (size_t i = 0; i < nstore; i++) {
    src[n++] = store[i].fd;
    end += sprintf(end, "%s%s", end == names ? "" : ":", store[i].name);
  }
  int out[2] = {-1, -1};
  if (strcmp(ready_mode, "stdout") == 0 && pipe2(out, O_CLOEXEC) != 0) die("pipe");
  ready_seen = 0;
  double t0 = now();
  child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out[1] >= 0 ? out[1] : 2, 1); /* our stdout is for READY lines only */
    if (notify_path) setenv("NOTIFY_SOCKET", notify_path, 1);
    if (k > 0) {
      char pid[32], count[32];
      snprintf(pid, sizeof pid, "%d", (int)getpid());
      snprintf(count, sizeof count, "%d", k);
      setenv("LISTEN_PID", pid, 1);
      setenv("LISTEN_FDS", count, 1);
      if (setenv("LISTEN_FDNAMES", names, 1) != 0) _exit(125);
      place_fds(src, k, owner);
    }
    execvp(cmd[0], cmd);
    _exit(127);
  }
  free(src);
  free(owner);
  free(names);
  if (out[1] >= 0) {
    close(out[1]);
    child_stdout = out[0];
  }
  return t0;
}

static void child_gone(int status) {
  printf("EXITED status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  fflush(stdout);
  exit(1);
}

static int connects(void) {
  int types[] = {SOCK_SEQPACKET, SOCK_STREAM};
  for (int i = 0; i < 2; i++) {
    int s = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strncpy(sa.sun_path, listen_path, sizeof sa.sun_path - 1);
    int r = connect(s, (struct sockaddr *)&sa, sizeof sa);
    close(s);
    if (r == 0) return 1;
  }
  return 0;
}

static void await_ready(double t0) {
  for (;;) {
    int status;
    if (waitpid(child, &status, WNOHANG) == child) child_gone(status);
    if (strcmp(ready_mode, "connect") == 0) {
      if (connects()) break;
      struct timespec ts = {0, 500 * 1000};
      nanosleep(&ts, NULL);
      continue;
    }
    struct pollfd p = {.fd = strcmp(ready_mode, "stdout") == 0 ? child_stdout : notify_fd,
                       .events = POLLIN};
    if (poll(&p, 1, 100) <= 0) continue;
    if (p.fd == child_stdout) {
      char c;
      ssize_t r = read(child_stdout, &c, 1);
      if (r == 1 && c == '\n') break;
      if (r == 0) {
        errno = EPIPE;
        die("service closed its stdout before readiness");
      }
      continue;
    }
    receive_one(0);
    if (ready_seen) break;
  }
  double t = now() - t0;
  printf("READY seconds=%.6f stored=%zu\n", t, nstore);
  fflush(stdout);
}

static void stop(void) {
  kill(child, SIGTERM);
  for (int i = 0; i < 1000; i++) {
    if (notify_fd >= 0) while (receive_one(MSG_DONTWAIT)) {
      }
    int status;
    if (waitpid(child, &status, WNOHANG) == child) {
      child = -1;
      break;
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
  }
  if (listen_path && listen_fd >= 0) unlink(listen_path);
  if (notify_path) unlink(notify_path);
  printf("STOPPED\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (i + 1 >= argc) break;
    if (strcmp(argv[i], "--listen") == 0) listen_path = argv[++i];
    else if (strcmp(argv[i], "--listen-path") == 0) {
      listen_path = argv[++i];
      listen_fd = -2; /* only a path to connect to */
    } else if (strcmp(argv[i], "--notify") == 0) notify_path = argv[++i];
    else if (strcmp(argv[i], "--ready") == 0) ready_mode = argv[++i];
    else break;
  }
  if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "usage: fakesd [--listen SOCKET | --listen-path SOCKET] [--notify PATH]"
                    " [--ready notify|stdout|connect] -- CMD ARGS...\n");
    return 2;
  }
  cmd = argv + i + 1;
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  fd_limit = (long)rl.rlim_cur;
  if (listen_path && listen_fd == -1) listen_fd = bind_unix(listen_path, SOCK_SEQPACKET);
  else listen_fd = -1;
  if (notify_path) notify_fd = bind_unix(notify_path, SOCK_DGRAM);
  if (strcmp(ready_mode, "notify") == 0 && notify_fd < 0) {
    fprintf(stderr, "fakesd: --ready notify needs --notify\n");
    return 2;
  }
  await_ready(start());
  char line[64];
  for (;;) {
    struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = notify_fd, .events = POLLIN}};
    int r = poll(p, notify_fd >= 0 ? 2 : 1, 200);
    int status;
    if (waitpid(child, &status, WNOHANG) == child) child_gone(status);
    if (r <= 0) continue;
    if (p[1].revents & POLLIN) receive_one(0);
    if (!(p[0].revents & (POLLIN | POLLHUP))) continue;
    if (fgets(line, sizeof line, stdin) == NULL || strncmp(line, "stop", 4) == 0) {
      stop();
      return 0;
    }
    if (strncmp(line, "restart", 7) == 0) {
      kill(child, SIGKILL);
      waitpid(child, NULL, 0);
      while (notify_fd >= 0 && receive_one(MSG_DONTWAIT)) {
      }
      if (child_stdout >= 0) close(child_stdout);
      child_stdout = -1;
      await_ready(start());
    }
  }
}
