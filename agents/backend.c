/*
 * backend.c - helpers the back-end agents share: Build, Test and Package
 * (build.c, test.c, package.c) all run tools in the sandbox for a job.
 *
 * They are declared in sandbox.h (section "backend helpers") but live here,
 * not in sandbox.c, so that the sandbox stays a unit of its own that links
 * without the pipeline, and not in build.c, so that Test and Package do not
 * depend on Build. Tool versions and file digests are cached for the
 * process: a build key needs the runtime rlib's digest and the wasm-opt
 * version on every job.
 */
#include "config.h"
#include "pipeline.h"
#include "sandbox.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t backend__lock = PTHREAD_MUTEX_INITIALIZER;

bool sbx_job_canceled(void *job) {
  return pl_check((pl_job *)job, NULL) != 0;
}

int sbx_job_wall_ms(pl_job *job, int limit_s) {
  int64_t ms = (int64_t)(limit_s > 0 ? limit_s : 10) * 1000;
  int left = pl_time_left_ms(job);
  if (left < ms) ms = left;
  return ms < 1 ? 1 : (int)ms;
}

void sbx_job_open_workdir(pl_job *job) {
  if (job->workdir[0]) chmod(job->workdir, 0711);
}

#define BACKEND_TOOLS 8
static struct {
  char exe[PATH_MAX];
  char version[128];
} backend__tools[BACKEND_TOOLS];

const char *sbx_tool_version(const char *exe, const char *arg) {
  if (!exe || !*exe) return "";
  pthread_mutex_lock(&backend__lock);
  for (int i = 0; i < BACKEND_TOOLS; i++)
    if (strcmp(backend__tools[i].exe, exe) == 0) {
      pthread_mutex_unlock(&backend__lock);
      return backend__tools[i].version;
    }
  pthread_mutex_unlock(&backend__lock);
  const char *argv[] = {exe, arg, NULL};
  const char *env[] = {"PATH=/usr/bin:/bin", NULL};
  sbx_opts o = {0};
  o.argv = argv;
  o.env = env;
  o.cwd = "/";
  o.wall_ms = 10000;
  o.nproc = 4096;
  o.mem_mb = 4096;
  o.keep_uid = true;
  sbx_result r;
  char v[128] = "";
  if (sbx_run(&o, &r, NULL) == 0 && r.exit_code == 0) {
    const char *s = r.out_len ? r.out : r.err;
    size_t n = strcspn(s, "\n");
    if (n >= sizeof v) n = sizeof v - 1;
    memcpy(v, s, n);
    v[n] = 0;
  }
  sbx_result_free(&r);
  const char *ret = "";
  pthread_mutex_lock(&backend__lock);
  for (int i = 0; i < BACKEND_TOOLS; i++) {
    if (strcmp(backend__tools[i].exe, exe) == 0) { /* a racing thread won */
      ret = backend__tools[i].version;
      break;
    }
    if (!backend__tools[i].exe[0]) {
      snprintf(backend__tools[i].exe, sizeof backend__tools[i].exe, "%s", exe);
      snprintf(backend__tools[i].version, sizeof backend__tools[i].version, "%s", v);
      ret = backend__tools[i].version;
      break;
    }
  }
  pthread_mutex_unlock(&backend__lock);
  return ret;
}

static struct {
  char path[PATH_MAX];
  off_t size;
  struct timespec mtime;
  char hex[65];
} backend__hashes[4];

int sbx_file_sha256(const char *path, char hex[65], p_err *e) {
  struct stat st;
  if (stat(path, &st) != 0) return p_err_set(e, P_EIO, "%s: %s", path, strerror(errno));
  pthread_mutex_lock(&backend__lock);
  for (int i = 0; i < 4; i++)
    if (strcmp(backend__hashes[i].path, path) == 0 && backend__hashes[i].size == st.st_size &&
        backend__hashes[i].mtime.tv_sec == st.st_mtim.tv_sec &&
        backend__hashes[i].mtime.tv_nsec == st.st_mtim.tv_nsec) {
      memcpy(hex, backend__hashes[i].hex, 65);
      pthread_mutex_unlock(&backend__lock);
      return 0;
    }
  pthread_mutex_unlock(&backend__lock);
  char *data;
  size_t len;
  int rc = p_read_file(path, (size_t)1 << 30, &data, &len, e);
  if (rc) return rc;
  p_sha256_hex(data, len, hex);
  free(data);
  pthread_mutex_lock(&backend__lock);
  int slot = 0;
  for (int i = 0; i < 4; i++)
    if (strcmp(backend__hashes[i].path, path) == 0 || !backend__hashes[i].path[0]) {
      slot = i;
      break;
    }
  snprintf(backend__hashes[slot].path, sizeof backend__hashes[slot].path, "%s", path);
  backend__hashes[slot].size = st.st_size;
  backend__hashes[slot].mtime = st.st_mtim;
  memcpy(backend__hashes[slot].hex, hex, 65);
  pthread_mutex_unlock(&backend__lock);
  return 0;
}

static void backend__report_free(void *p) {
  cJSON_Delete((cJSON *)p);
}

void *sbx_job_report(pl_job *job) {
  if (!job->report) {
    cJSON *o = cJSON_CreateObject();
    if (!o) p_die("out of memory (a job report)");
    job->report = o;
    job->report_free = backend__report_free;
  }
  return job->report;
}
