/*
 * sandbox.h - run one untrusted command with limits, capture its output.
 *
 * Every execution of user-derived code (rustc on generated Rust, CPython on
 * the upload, the WASM module under Node) goes through sbx_run. It detects
 * once what the machine offers and uses the strongest of:
 *
 *   "bwrap"    bubblewrap: no network, fresh pid/ipc/uts namespaces, a
 *              read-only system, a private size-limited /tmp, only the
 *              paths the caller names bound in; plus everything below.
 *   "rlimits"  no namespaces: rlimits, a clean environment, the process
 *              group killed on timeout.
 *
 * In both modes a root server drops the command to a fresh unprivileged uid
 * per run (so RLIMIT_NPROC, which root ignores, holds and every process the
 * run left behind can be swept with kill(-1) as that uid). The mode that ran
 * is reported in sbx_result.mode so reports can say what was in force.
 *
 * Thread-safe: no chdir, no global state outside one mutex; fds are CLOEXEC
 * and children are always reaped.
 */
#ifndef PORTALIS_SANDBOX_H
#define PORTALIS_SANDBOX_H

#include "../common/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sbx_opts {
  /* NULL-terminated; argv[0] must be an absolute path. Borrowed. */
  const char *const *argv;
  /* NULL-terminated "KEY=VALUE" list; NULL = empty environment. Borrowed. */
  const char *const *env;
  /* Working directory (required, absolute); under bwrap it is bound in
   * (writable iff cwd_writable), except "/", which is never bound. */
  const char *cwd;
  bool cwd_writable;
  /* Extra host paths visible read-only / read-write inside bwrap
   * (NULL-terminated, may be NULL). /usr, /etc, /bin, /lib* are always
   * there. Ignored in rlimits mode. */
  const char *const *ro_paths;
  const char *const *rw_paths;
  /* stdin bytes (may be NULL/0: empty stdin). Borrowed. */
  const void *stdin_data;
  size_t stdin_len;
  /* Limits; 0 picks the default named in brackets. */
  size_t output_max;  /* bytes kept of stdout and of stderr [4 MiB] */
  int cpu_s;          /* RLIMIT_CPU [10] */
  size_t mem_mb;      /* RLIMIT_DATA (heap and wasm memory) [1024] */
  int nproc;          /* RLIMIT_NPROC, threads included [64] */
  size_t fsize_mb;    /* RLIMIT_FSIZE, also the size of the private /tmp [64] */
  int nofile;         /* RLIMIT_NOFILE [256] */
  int wall_ms;        /* wall clock, whole process group killed [10000] */
  /* bwrap executable; NULL/"" = rlimits mode. */
  const char *bwrap;
  /* Polled every few ms; true = kill the run (result.canceled). */
  bool (*cancel)(void *ctx);
  void *cancel_ctx;
  /* Trusted internal call (probes): keep our uid even as root. */
  bool keep_uid;
  /* Install the syscall filter (libseccomp; no effect in a build without
   * it): ptrace, mount, namespaces, kernel modules, bpf, keyrings,
   * io_uring, network sockets... fail with EPERM. result.mode says
   * "+seccomp" when it was in force. */
  bool seccomp;
} sbx_opts;

typedef struct sbx_result {
  int exit_code;        /* exit status, or 128+signal when killed */
  int signal;           /* terminating signal, 0 if it exited */
  bool timed_out;       /* wall-clock limit hit (killed) */
  bool canceled;        /* cancel callback said stop (killed) */
  bool truncated;       /* stdout or stderr exceeded output_max (killed) */
  char *out, *err;      /* captured, NUL-terminated; owned: sbx_result_free */
  size_t out_len, err_len;
  int64_t wall_ms;
  char mode[96];        /* "bwrap+uid", "rlimits", ... what was in force */
} sbx_result;

/* Runs the command and waits for it. Returns 0 when it ran (whatever its
 * exit status; look at r), or P_EIO/P_ENOMEM/P_EINVAL with e filled when it
 * could not be started. r is always initialized; free with sbx_result_free. */
int sbx_run(const sbx_opts *o, sbx_result *r, p_err *e);
void sbx_result_free(sbx_result *r);

/* True when `bwrap` works on this machine (probed once per path, cached). */
bool sbx_bwrap_works(const char *bwrap);

/* Resolves an interpreter that may be a wrapper script (pyenv shim) to the
 * real executable and its install prefix by asking it (sys.executable,
 * sys.base_prefix). Cached per path. Fills exe/prefix (PATH_MAX each);
 * returns 0 or P_EIO. For non-Python programs use realpath instead. */
int sbx_python_resolve(const char *python3, char *exe, char *prefix, p_err *e);

/* Human string of the sandbox a plain run would get ("bwrap+uid" ...). */
const char *sbx_mode_name(const char *bwrap);
/* Whether runs with o.seccomp really get the syscall filter here. */
bool sbx_seccomp_available(void);

/* ------------------------------------------- backend helpers (backend.c)
 * Shared by the Build, Test and Package agents (build.c, test.c,
 * package.c); not part of the sandbox proper. */

struct pl_job;

/* Cancel callback for sbx_opts: true when pl_check says stop (job is a
 * struct pl_job *). */
bool sbx_job_canceled(void *job);
/* The wall limit for one run: limit_s capped by what the stage has left. */
int sbx_job_wall_ms(struct pl_job *job, int limit_s);
/* Makes the job's work dir traversable (0711) for a dropped uid. */
void sbx_job_open_workdir(struct pl_job *job);
/* First line of `exe arg` (e.g. "wasm-opt version 111"), cached per exe;
 * "" when it does not run. Static storage valid for the process's life. */
const char *sbx_tool_version(const char *exe, const char *arg);
/* SHA-256 hex of a file, cached by path, size and mtime. 0 or P_EIO. */
int sbx_file_sha256(const char *path, char hex[65], p_err *e);
/* The job's report (a cJSON object, created on first use and owned by the
 * job: freed by pl_job_free through job->report_free). */
void *sbx_job_report(struct pl_job *job);

#endif
