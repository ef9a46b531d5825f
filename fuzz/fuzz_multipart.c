/*
 * fuzz_multipart.c - libFuzzer target: a multipart/form-data upload through
 * the real HTTP layer. The input is the request body of POST /api/v1/jobs
 * (boundary "XyZ"); the first byte picks how it is sent (Content-Length or
 * chunked, with or without a second boundary parameter). It goes over a
 * loopback socket to the server's own daemon (srv_http_start with the API
 * route table), so what a client can send reaches the same code it reaches
 * in portalisd: libmicrohttpd's post processor, http.c's part iterator
 * (file names, the options field and its size limit, line breaks), the
 * route's option checks and srv_upload_build (archives). No worker runs:
 * an accepted job stays queued in a temporary database.
 *
 * A crash anywhere in the server's threads kills the process (libFuzzer
 * reports it); an answer that is not an HTTP status line, or a 5xx, aborts.
 * FUZZ_MULTIPART_VERBOSE=1 prints each answer's status and body.
 */
#include "srv.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
extern atomic_bool srv_ready; /* routes_misc.c: main.c sets it once serving */

static int fz__port;
static char fz__dir[] = "/tmp/portalis-fuzz-mp-XXXXXX";

static void fz__cleanup(void) { p_rmtree(fz__dir); }

static int fz__connect(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct timeval tv = {30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)fz__port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads the whole answer (the server closes: Connection: close). */
static size_t fz__answer(int fd, char *resp, size_t cap) {
  size_t got = 0;
  for (;;) {
    ssize_t r = recv(fd, resp + got, cap - 1 - got, 0);
    if (r <= 0) break;
    got += (size_t)r;
    if (got == cap - 1) break;
  }
  resp[got] = 0;
  return got;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  char *dir = fz__dir;
  if (!mkdtemp(dir)) abort();
  atexit(fz__cleanup);
  char *args[] = {"fuzz_multipart", "--listen", "127.0.0.1:0", "--data-dir", dir, "--log-level", "error", NULL};
  p_err e = {0};
  optind = 1;
  if (srv_config_parse(7, args, &e)) {
    fprintf(stderr, "fuzz_multipart: %s\n", e.msg);
    abort();
  }
  static char cache[PATH_MAX], tmp[PATH_MAX];
  snprintf(cache, sizeof cache, "%s/cache", dir);
  snprintf(tmp, sizeof tmp, "%s/tmp", dir);
  p_mkdirs(cache, 0700);
  p_mkdirs(tmp, 0700);
  srv_cfg.pl.cache_dir = cache;
  srv_cfg.pl.tmp_dir = tmp;
  srv_cfg.max_upload = 1 << 20;
  srv_cfg.max_active = 1 << 30; /* accepted jobs are deleted again at once */
  signal(SIGPIPE, SIG_IGN);
  store_migration migs[SRV_MAX_MIGRATIONS];
  size_t nmigs = srv_migrations(migs, SRV_MAX_MIGRATIONS);
  if (store_init(srv_cfg.db_path, migs, nmigs, &e) || srv_http_start(&srv_api_routes, &e)) {
    fprintf(stderr, "fuzz_multipart: %s\n", e.msg);
    abort();
  }
  fz__port = srv_http_port();
  atomic_store(&srv_ready, true);
  return 0;
}

static void fz__send(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
    if (w <= 0) return; /* the server may close early (413, 400): fine */
    c += w;
    n -= (size_t)w;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (256u << 10)) return 0;
  if (!fz__port) LLVMFuzzerInitialize(NULL, NULL);
  unsigned sel = data[0];
  data++;
  size--;
  int fd = fz__connect();
  if (fd < 0) return 0;
  char head[512];
  const char *ctype = (sel & 2) ? "multipart/form-data; charset=utf-8; boundary=\"XyZ\""
                                : "multipart/form-data; boundary=XyZ";
  bool chunked = sel & 1;
  int n;
  if (chunked)
    n = snprintf(head, sizeof head,
                 "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", ctype);
  else
    n = snprintf(head, sizeof head,
                 "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", ctype, size);
  fz__send(fd, head, (size_t)n);
  if (chunked) {
    /* in pieces, so the post processor sees a part split anywhere */
    size_t step = 1 + (sel >> 2) * 37, off = 0;
    while (off < size) {
      size_t k = size - off < step ? size - off : step;
      n = snprintf(head, sizeof head, "%zx\r\n", k);
      fz__send(fd, head, (size_t)n);
      fz__send(fd, data + off, k);
      fz__send(fd, "\r\n", 2);
      off += k;
    }
    fz__send(fd, "0\r\n\r\n", 5);
  } else {
    fz__send(fd, data, size);
  }
  char resp[4096];
  size_t got = fz__answer(fd, resp, sizeof resp);
  close(fd);
  int status = 0;
  if (got && sscanf(resp, "HTTP/1.1 %d", &status) != 1) {
    fprintf(stderr, "fuzz_multipart: not an HTTP answer: %.200s\n", resp);
    abort();
  }
  if (getenv("FUZZ_MULTIPART_VERBOSE")) fprintf(stderr, "%d %.300s\n", status, strstr(resp, "\r\n\r\n") ? strstr(resp, "\r\n\r\n") + 4 : resp);
  if (status >= 500 && status != 503) {
    fprintf(stderr, "fuzz_multipart: server error: %.400s\n", resp);
    abort();
  }
  /* An accepted job is deleted, so that a long run does not fill the disk. */
  const char *id = status == 202 ? strstr(resp, "{\"id\":\"") : NULL;
  if (id && (fd = fz__connect()) >= 0) {
    n = snprintf(head, sizeof head, "DELETE /api/v1/jobs/%.32s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 id + 7);
    fz__send(fd, head, (size_t)n);
    fz__answer(fd, resp, sizeof resp);
    close(fd);
  }
  return 0;
}
