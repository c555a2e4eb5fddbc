/*
 * pinbroker-c - a tiny command line client built on libpinbroker (pinbroker.h).
 *
 *   pinbroker-c pin-memfd NAME SIZE TEXT   create a memfd of SIZE bytes (suffix K, M or G
 *                                          allowed), write TEXT at its start, pin it at NAME
 *                                          with mode 0644
 *   pinbroker-c get NAME                   get NAME read-only; print dev:ino, the handout and
 *                                          the first bytes of its content as text
 *   pinbroker-c ls PATH                    list a directory
 *   pinbroker-c rm NAME                    unlink an entry
 *
 * The socket is $PINBROKER_SOCKET, else the standard places (see pb_connect()).
 * Exit status: 0 success, 1 refused by the broker, 2 usage or local error, 3 broker unreachable.
 */
#define _GNU_SOURCE /* memfd_create */

#include "pinbroker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static const char PROG[] = "pinbroker-c";
static const int TIMEOUT_MS = 10000;
enum { SHOW_BYTES = 256 }; /* how much content `get` shows at most */

static int usage(void) {
  fprintf(stderr,
          "usage: %s pin-memfd NAME SIZE TEXT\n"
          "       %s get NAME\n"
          "       %s ls PATH\n"
          "       %s rm NAME\n",
          PROG, PROG, PROG, PROG);
  return EXIT_USAGE;
}

/* Reports a failed call about name; a refusal leaves the connection up, anything else not. */
static int failed(const pb_client *c, const char *name, int status) {
  const char *detail = pb_last_detail(c);
  if (detail[0] != '\0') {
    fprintf(stderr, "%s: %s: %s (%s)\n", PROG, name, strerror(status), detail);
  } else {
    fprintf(stderr, "%s: %s: %s\n", PROG, name, strerror(status));
  }
  return pb_connected(c) ? EXIT_REFUSED : EXIT_UNREACHABLE;
}

/* A size in bytes: decimal digits, optionally followed by K, M or G (powers of 1024). */
static int parse_size(const char *s, off_t *out) {
  if (s[0] < '0' || s[0] > '9') {
    return EINVAL;
  }
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0) {
    return errno;
  }
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k') {
    shift = 10;
  } else if (*end == 'M' || *end == 'm') {
    shift = 20;
  } else if (*end == 'G' || *end == 'g') {
    shift = 30;
  }
  if (shift != 0) {
    end++;
  }
  /* off_t is 64 bits on Linux with glibc on every 64-bit target and with _FILE_OFFSET_BITS. */
  const unsigned long long max = (unsigned long long)INT64_MAX;
  if (*end != '\0' || v > (max >> shift)) {
    return EINVAL;
  }
  *out = (off_t)(v << shift);
  return 0;
}

static int write_all_at(int fd, const char *text, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t k = pwrite(fd, text + done, n - done, (off_t)done);
    if (k < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno;
    }
    done += (size_t)k;
  }
  return 0;
}

static int connect_or_report(pb_client **c) {
  int e = pb_connect(NULL, TIMEOUT_MS, c);
  if (e != 0) {
    const char *where = getenv(PB_SOCKET_ENV);
    fprintf(stderr, "%s: cannot reach the broker%s%s: %s\n", PROG,
            where != NULL && where[0] != '\0' ? " at " : "",
            where != NULL && where[0] != '\0' ? where : "", strerror(e));
    return EXIT_UNREACHABLE;
  }
  return 0;
}

static int cmd_pin_memfd(const char *name, const char *size_text, const char *text) {
  off_t size;
  if (parse_size(size_text, &size) != 0) {
    fprintf(stderr, "%s: bad SIZE '%s'\n", PROG, size_text);
    return EXIT_USAGE;
  }
  size_t len = strlen(text);
  if ((unsigned long long)len > (unsigned long long)size) {
    fprintf(stderr, "%s: TEXT (%zu bytes) does not fit in SIZE (%s)\n", PROG, len, size_text);
    return EXIT_USAGE;
  }
  int fd = memfd_create("pinbroker-c", MFD_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "%s: memfd_create: %s\n", PROG, strerror(errno));
    return EXIT_USAGE;
  }
  int e = ftruncate(fd, size) != 0 ? errno : write_all_at(fd, text, len);
  if (e != 0) {
    fprintf(stderr, "%s: preparing the memfd: %s\n", PROG, strerror(e));
    (void)close(fd);
    return EXIT_USAGE;
  }
  pb_client *c;
  int rc = connect_or_report(&c);
  if (rc == 0) {
    pb_node node;
    e = pb_pin(c, name, fd, 0644, PB_DEFAULT_ID, 0, 0, &node);
    if (e != 0) {
      rc = failed(c, name, e);
    } else {
      printf("pinned %s generation %" PRIu64 " dev:ino %" PRIu64 ":%" PRIu64 "\n", name,
             node.generation, node.dev, node.ino);
    }
    pb_close(c);
  }
  (void)close(fd); /* PIN borrows: the broker holds its own reference */
  return rc;
}

/* Prints up to SHOW_BYTES of a regular file's content, up to the first NUL, as one line. */
static void show_content(int fd) {
  char buf[SHOW_BYTES];
  ssize_t k;
  do {
    k = pread(fd, buf, sizeof buf, 0);
  } while (k < 0 && errno == EINTR);
  if (k < 0) {
    printf("content (unreadable: %s)\n", strerror(errno));
    return;
  }
  fputs("content ", stdout);
  for (ssize_t i = 0; i < k && buf[i] != '\0'; i++) {
    unsigned char ch = (unsigned char)buf[i];
    putchar(ch < 0x20 || ch == 0x7f ? '.' : ch);
  }
  putchar('\n');
}

static int cmd_get(const char *name) {
  pb_client *c;
  int rc = connect_or_report(&c);
  if (rc != 0) {
    return rc;
  }
  int fd;
  int handout;
  pb_node node;
  int e = pb_get(c, name, 1, &fd, &node, &handout);
  if (e != 0) {
    rc = failed(c, name, e);
    pb_close(c);
    return rc;
  }
  pb_close(c);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    fprintf(stderr, "%s: fstat: %s\n", PROG, strerror(errno));
    (void)close(fd);
    return EXIT_USAGE;
  }
  printf("dev:ino %ju:%ju\n", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
  printf("kind %s %s, handout %s, size %" PRIu64 "\n", pb_kind_name(node.kind),
         pb_fd_type_name(node.fd_type), pb_handout_name(handout), node.size);
  if (S_ISREG(st.st_mode)) {
    show_content(fd);
  }
  (void)close(fd); /* GET gives: the fd was ours */
  return 0;
}

static int print_entry(void *arg, const char *name, const pb_node *n) {
  (void)arg;
  const char *what = n->type == PB_NODE_DIRECTORY ? "dir" : pb_kind_name(n->kind);
  printf("%-8s %04" PRIo32 " %" PRIu32 ":%" PRIu32 " %10" PRIu64 " %s\n", what, n->mode, n->uid,
         n->gid, n->type == PB_NODE_DIRECTORY ? (uint64_t)n->children : n->size, name);
  return 0;
}

static int cmd_ls(const char *path) {
  pb_client *c;
  int rc = connect_or_report(&c);
  if (rc != 0) {
    return rc;
  }
  int e = pb_list(c, path, print_entry, NULL);
  if (e != 0) {
    rc = failed(c, path, e);
  }
  pb_close(c);
  return rc;
}

static int cmd_rm(const char *name) {
  pb_client *c;
  int rc = connect_or_report(&c);
  if (rc != 0) {
    return rc;
  }
  int e = pb_unlink(c, name, 0);
  if (e != 0) {
    rc = failed(c, name, e);
  }
  pb_close(c);
  return rc;
}

int main(int argc, char **argv) {
  int rc;
  if (argc == 5 && strcmp(argv[1], "pin-memfd") == 0) {
    rc = cmd_pin_memfd(argv[2], argv[3], argv[4]);
  } else if (argc == 3 && strcmp(argv[1], "get") == 0) {
    rc = cmd_get(argv[2]);
  } else if (argc == 3 && strcmp(argv[1], "ls") == 0) {
    rc = cmd_ls(argv[2]);
  } else if (argc == 3 && strcmp(argv[1], "rm") == 0) {
    rc = cmd_rm(argv[2]);
  } else {
    return usage();
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "%s: writing the output failed\n", PROG);
    return rc != 0 ? rc : EXIT_USAGE;
  }
  return rc;
}
