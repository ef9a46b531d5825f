/*
 * sandbox.c - run untrusted commands: bubblewrap when it works, rlimits and
 * a process-group kill always.
 *
 * The shape of one run:
 *
 *   1. Everything the child needs (the final argv, with the bwrap prefix;
 *      the environment; the rlimits) is prepared in the parent, because
 *      after fork() in a threaded server the child may only make
 *      async-signal-safe calls: no malloc, no locks.
 *   2. stdin is a sealed memfd holding the bytes (no pipe to feed, so no
 *      SIGPIPE and no deadlock against a child that never reads); stdout
 *      and stderr are pipes the parent drains with poll().
 *   3. The child calls setsid() so that the whole tree is one process
 *      group, sets the rlimits, closes every other fd and execs. Under
 *      bwrap the command additionally runs in fresh namespaces (no
 *      network, pid namespace that dies with bwrap).
 *   4. The parent polls: output (kept up to a maximum; beyond it the run is
 *      killed and flagged), the wall clock and the cancel callback. Any
 *      of them ends the run with kill(-pgid, SIGKILL).
 *   5. Root ignores RLIMIT_NPROC, so a root server runs each command as a
 *      fresh unprivileged uid taken from a small pool (setpriv inside bwrap;
 *      setresuid in rlimits mode when the program and cwd are reachable by
 *      others). That makes the process limit real, and lets the parent end
 *      anything that escaped the process group with kill(-1) issued as that
 *      uid.
 *
 * With o->seccomp, a syscall filter built once with libseccomp (deny list,
 * EPERM: tracing, mounts and namespaces, kernel modules, bpf, perf, keys,
 * io_uring, clock setting, sockets other than AF_UNIX) is applied last
 * before the program runs: by bwrap (--seccomp FD) or, in rlimits mode,
 * by the child itself after NO_NEW_PRIVS.
 *
 * Memory is limited with RLIMIT_DATA, not RLIMIT_AS: V8 reserves ~16 GiB of
 * address space for a WebAssembly memory and cannot start under any
 * sensible RLIMIT_AS, while RLIMIT_DATA counts only what is really made
 * writable (heap, wasm pages), which is what we want to bound.
 */
#include "config.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SECCOMP
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/socket.h>
#endif

#define SBX_SETPRIV "/usr/bin/setpriv"
#define SBX_UID_SLOTS 256
#define SBX_MAX_ARGS 512 /* bwrap's own ~100 and the 256 a test vector may have */

static pthread_mutex_t sbx__lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------ uid pool */

static unsigned char sbx__slots[SBX_UID_SLOTS];
static int sbx__slot_fd[SBX_UID_SLOTS]; /* lock file held for the uid, 0 = none */

/* Claims uid machine-wide: an exclusive flock on /tmp/portalis-sbx-uid-UID.lock
 * held while the slot is in use. The pid offset below keeps servers apart
 * mostly, but pids equal modulo 1024 collide, and a server sweeping its uid
 * would kill the other's processes. Returns the lock fd (>= 0), -1 when
 * another process holds the uid, -2 when no lock can be made (then the
 * in-process claim is all there is, as before). */
static int sbx__uid_lock(long uid) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/portalis-sbx-uid-%ld.lock", uid);
  int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return -2;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* A uid nobody else uses: a high range, offset by our pid so that two
 * servers on one machine rarely meet, and locked (sbx__uid_lock) so that
 * they never share one. -1 when no slot is free. */
static long sbx__uid_take(void) {
  long uid = -1;
  pthread_mutex_lock(&sbx__lock);
  for (int i = 0; i < SBX_UID_SLOTS; i++) {
    if (sbx__slots[i]) continue;
    long u = 1600000000L + (long)(getpid() & 0x3ff) * SBX_UID_SLOTS + i;
    int fd = sbx__uid_lock(u);
    if (fd == -1) continue;
    sbx__slots[i] = 1;
    sbx__slot_fd[i] = fd >= 0 ? fd + 1 : 0;
    uid = u;
    break;
  }
  pthread_mutex_unlock(&sbx__lock);
  return uid;
}

static void sbx__uid_give(long uid) {
  if (uid < 0) return;
  long i = (uid - 1600000000L) % SBX_UID_SLOTS;
  pthread_mutex_lock(&sbx__lock);
  sbx__slots[i] = 0;
  if (sbx__slot_fd[i]) close(sbx__slot_fd[i] - 1);
  sbx__slot_fd[i] = 0;
  pthread_mutex_unlock(&sbx__lock);
}

/* Kills every process running as uid: a child becomes that uid and sends
 * kill(-1, SIGKILL), which reaches exactly the processes it may signal.
 * (kill(-1) answers 0 whenever any process exists at all, so it cannot
 * tell when the uid is empty: two rounds catch a child forked while the
 * first went by; the pids cgroup, where present, is the thorough one.) */
static void sbx__uid_sweep(long uid) {
  for (int round = 0; round < 2; round++) {
    pid_t p = fork();
    if (p < 0) return;
    if (p == 0) {
      if (setgroups(0, NULL) || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) ||
          setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid))
        _exit(2);
      kill(-1, SIGKILL);
      _exit(0);
    }
    int st;
    while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  }
}

/* --------------------------------------------------------- pids cgroup */

/* Where a pids controller lets us make child groups: cgroup v1's
 * /sys/fs/cgroup/pids, or a v2 root that delegates pids. "" when neither
 * (probed once). A run in its own group with pids.max holds a fork bomb
 * even where no uid can be dropped, and lets us find every survivor. */
static char sbx__cg_base[PATH_MAX];
static int sbx__cg_probed;
static unsigned long sbx__cg_seq;

static bool sbx__file_has(const char *path, const char *word) {
  char *d;
  size_t n;
  if (p_read_file(path, 4096, &d, &n, NULL)) return false;
  bool has = strstr(d, word) != NULL;
  free(d);
  return has;
}

static void sbx__cg_end(const char *dir);

/* Groups left by a server that died mid-run (portalis-<pid>-<n> whose pid
 * is gone) are emptied and removed, once, when we first look. */
static void sbx__cg_reap_stale(const char *base) {
  DIR *d = opendir(base);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (strncmp(de->d_name, "portalis-", 9) != 0) continue;
    char *end;
    long pid = strtol(de->d_name + 9, &end, 10);
    if (pid <= 0 || *end != '-' || pid == (long)getpid()) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    char dir[PATH_MAX + 512];
    snprintf(dir, sizeof dir, "%s/%s", base, de->d_name);
    sbx__cg_end(dir);
  }
  closedir(d);
}

static const char *sbx__cg_probe(void) {
  pthread_mutex_lock(&sbx__lock);
  if (!sbx__cg_probed) {
    sbx__cg_probed = 1;
    const char *cands[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup", NULL};
    for (int i = 0; cands[i] && geteuid() == 0; i++) {
      char probe[PATH_MAX], max[PATH_MAX + 16];
      if (i == 1 && !sbx__file_has("/sys/fs/cgroup/cgroup.subtree_control", "pids")) continue;
      snprintf(probe, sizeof probe, "%s/portalis-probe-%d", cands[i], (int)getpid());
      if (mkdir(probe, 0755) != 0 && errno != EEXIST) continue;
      snprintf(max, sizeof max, "%s/pids.max", probe);
      bool ok = access(max, W_OK) == 0;
      rmdir(probe);
      if (ok) {
        snprintf(sbx__cg_base, sizeof sbx__cg_base, "%s", cands[i]);
        break;
      }
    }
    if (sbx__cg_base[0]) sbx__cg_reap_stale(sbx__cg_base);
  }
  pthread_mutex_unlock(&sbx__lock);
  return sbx__cg_base;
}

/* Makes a group for one run with pids.max = nproc; fills dir and procs
 * (the file the child writes itself into). false if unavailable. */
static bool sbx__cg_make(int nproc, char *dir, size_t dsz, char *procs, size_t psz) {
  const char *base = sbx__cg_probe();
  if (!base[0]) return false;
  pthread_mutex_lock(&sbx__lock);
  unsigned long seq = ++sbx__cg_seq;
  pthread_mutex_unlock(&sbx__lock);
  snprintf(dir, dsz, "%s/portalis-%d-%lu", base, (int)getpid(), seq);
  if (mkdir(dir, 0755) != 0) return false;
  char max[PATH_MAX + 16], val[32];
  snprintf(max, sizeof max, "%s/pids.max", dir);
  snprintf(val, sizeof val, "%d", nproc);
  if (p_write_file(max, val, strlen(val), NULL) != 0) {
    rmdir(dir);
    return false;
  }
  snprintf(procs, psz, "%s/cgroup.procs", dir);
  return true;
}

/* Kills whatever is still in the group, then removes it. */
static void sbx__cg_end(const char *dir) {
  char procs[PATH_MAX + 16];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
  for (int round = 0; round < 200; round++) {
    char *d;
    size_t n;
    bool any = false;
    if (p_read_file(procs, 1 << 20, &d, &n, NULL) == 0) {
      for (char *p = d; *p;) {
        long pid = strtol(p, &p, 10);
        if (pid > 0) {
          kill((pid_t)pid, SIGKILL);
          any = true;
        }
        while (*p == '\n') p++;
        if (*p && (*p < '0' || *p > '9')) break;
      }
      free(d);
    }
    if (rmdir(dir) == 0 || errno == ENOENT) return;
    struct timespec ts = {0, (any ? 2 : 5) * 1000000};
    nanosleep(&ts, NULL);
  }
  p_log(P_LOG_WARN, "sandbox: cgroup %s could not be removed", dir);
}

/* ------------------------------------------------------------- probes */

typedef struct {
  char key[PATH_MAX];
  int ok;
} sbx__probe;

static sbx__probe sbx__bwrap_probe;

bool sbx_bwrap_works(const char *bwrap) {
  if (!bwrap || !*bwrap || access(bwrap, X_OK) != 0) return false;
  pthread_mutex_lock(&sbx__lock);
  if (strcmp(sbx__bwrap_probe.key, bwrap) == 0) {
    int ok = sbx__bwrap_probe.ok;
    pthread_mutex_unlock(&sbx__lock);
    return ok;
  }
  pthread_mutex_unlock(&sbx__lock);
  /* The probe named in the design: a bwrap that can do this can do ours. */
  const char *argv[] = {bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--unshare-net",
                        "--unshare-pid", "true", NULL};
  sbx_opts o = {0};
  o.argv = argv;
  o.cwd = "/";
  o.wall_ms = 5000;
  o.keep_uid = true;
  sbx_result r;
  bool ok = false;
  if (sbx_run(&o, &r, NULL) == 0) ok = r.exit_code == 0 && !r.timed_out;
  sbx_result_free(&r);
  pthread_mutex_lock(&sbx__lock);
  snprintf(sbx__bwrap_probe.key, sizeof sbx__bwrap_probe.key, "%s", bwrap);
  sbx__bwrap_probe.ok = ok;
  pthread_mutex_unlock(&sbx__lock);
  return ok;
}

const char *sbx_mode_name(const char *bwrap) {
  bool uid = geteuid() == 0, cg = sbx__cg_probe()[0] != 0;
  if (sbx_bwrap_works(bwrap)) {
    if (uid && access(SBX_SETPRIV, X_OK) == 0) return cg ? "bwrap+uid+pids" : "bwrap+uid";
    return cg ? "bwrap+pids" : "bwrap";
  }
  /* rlimits as root drops the uid only where the program is reachable by
   * others; each run's sbx_result.mode says what it really got. */
  return cg ? (uid ? "rlimits+uid+pids" : "rlimits+pids") : (uid ? "rlimits+uid" : "rlimits");
}

static struct {
  char key[PATH_MAX], exe[PATH_MAX], prefix[PATH_MAX];
} sbx__py;

int sbx_python_resolve(const char *python3, char *exe, char *prefix, p_err *e) {
  pthread_mutex_lock(&sbx__lock);
  if (sbx__py.key[0] && strcmp(sbx__py.key, python3) == 0) {
    memcpy(exe, sbx__py.exe, PATH_MAX);
    memcpy(prefix, sbx__py.prefix, PATH_MAX);
    pthread_mutex_unlock(&sbx__lock);
    return 0;
  }
  pthread_mutex_unlock(&sbx__lock);
  /* A pyenv shim needs PATH/HOME/PYENV_* to find its interpreter; this one
   * trusted call gets them, the sandboxed runs never do. */
  char envs[4][PATH_MAX + 16];
  const char *env[5];
  int n = 0;
  const char *names[] = {"PATH", "HOME", "PYENV_ROOT", "PYENV_VERSION"};
  for (int i = 0; i < 4; i++) {
    const char *v = getenv(names[i]);
    if (v) {
      snprintf(envs[n], sizeof envs[n], "%s=%s", names[i], v);
      env[n] = envs[n];
      n++;
    }
  }
  env[n] = NULL;
  const char *argv[] = {python3, "-c",
                        "import sys,os;print(os.path.realpath(sys.executable));print(sys.base_prefix)",
                        NULL};
  sbx_opts o = {0};
  o.argv = argv;
  o.env = env;
  o.cwd = "/";
  o.wall_ms = 20000;
  o.nproc = 4096;
  o.keep_uid = true;
  sbx_result r;
  int rc = sbx_run(&o, &r, e);
  if (rc) return rc;
  char *nl = r.out ? strchr(r.out, '\n') : NULL;
  if (r.exit_code != 0 || !nl) {
    p_err_set(e, P_EIO, "%s does not run: %.200s", python3, r.err ? r.err : "");
    sbx_result_free(&r);
    return P_EIO;
  }
  *nl = 0;
  char *pre = nl + 1, *end = strchr(pre, '\n');
  if (end) *end = 0;
  snprintf(exe, PATH_MAX, "%s", r.out);
  snprintf(prefix, PATH_MAX, "%s", pre);
  sbx_result_free(&r);
  pthread_mutex_lock(&sbx__lock);
  snprintf(sbx__py.key, sizeof sbx__py.key, "%s", python3);
  memcpy(sbx__py.exe, exe, PATH_MAX);
  memcpy(sbx__py.prefix, prefix, PATH_MAX);
  pthread_mutex_unlock(&sbx__lock);
  return 0;
}

/* ------------------------------------------------------------- helpers */

/* True when every directory on the way to path is searchable by others
 * and path itself is readable/executable by others: a dropped uid can use
 * it without namespaces. */
static bool sbx__world_reachable(const char *path, bool need_exec) {
  char buf[PATH_MAX];
  if (!realpath(path, buf)) return false;
  struct stat st;
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == 0) {
      char c = *p;
      *p = 0;
      if (stat(buf, &st) != 0) return false;
      bool last = c == 0;
      if (!last || S_ISDIR(st.st_mode)) {
        if (!(st.st_mode & S_IXOTH)) return false;
      } else if (!(st.st_mode & S_IROTH) || (need_exec && !(st.st_mode & S_IXOTH))) {
        return false;
      }
      *p = c;
      if (last) break;
    }
  }
  return true;
}

typedef struct {
  const char *argv[SBX_MAX_ARGS];
  int n;
  char store[16][64]; /* small formatted arguments */
  int nstore;
  char pool[16384];   /* parent directories created in the sandbox */
  size_t pool_used;
  const char *made[64];
  int nmade;
} sbx__args;

static int sbx__push(sbx__args *a, const char *s) {
  if (a->n >= SBX_MAX_ARGS - 1) return -1;
  a->argv[a->n++] = s;
  a->argv[a->n] = NULL;
  return 0;
}

static const char *sbx__fmt(sbx__args *a, const char *fmt, long v) {
  if (a->nstore >= 16) return "";
  char *s = a->store[a->nstore++];
  snprintf(s, 64, fmt, v);
  return s;
}

/* bwrap creates missing parents of a bind target with mode 0700, which a
 * dropped uid cannot cross: create each one first, explicitly 0755. */
static int sbx__parents(sbx__args *a, const char *path) {
  static const char *const given[] = {"/usr", "/etc", "/tmp", "/proc", "/dev", NULL};
  int rc = 0;
  for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
    size_t n = (size_t)(p - path);
    bool skip = false;
    for (int i = 0; given[i] && !skip; i++) skip = strlen(given[i]) == n && strncmp(path, given[i], n) == 0;
    for (int i = 0; i < a->nmade && !skip; i++) skip = strlen(a->made[i]) == n && strncmp(path, a->made[i], n) == 0;
    if (skip) continue;
    if (a->pool_used + n + 1 > sizeof a->pool || a->nmade == 64) return -1;
    char *d = a->pool + a->pool_used;
    memcpy(d, path, n);
    d[n] = 0;
    a->pool_used += n + 1;
    a->made[a->nmade++] = d;
    rc |= sbx__push(a, "--perms");
    rc |= sbx__push(a, "0755");
    rc |= sbx__push(a, "--dir");
    rc |= sbx__push(a, d);
  }
  return rc;
}

static bool sbx__under_system(const char *p) {
  const char *sys[] = {"/usr/", "/etc/", NULL};
  for (int i = 0; sys[i]; i++)
    if (strncmp(p, sys[i], strlen(sys[i])) == 0) return true;
  return false;
}

/* The bwrap prefix: namespaces, the read-only system, private /tmp, the
 * caller's paths, then (as root) setpriv down to uid. Symlinked top dirs
 * (/bin -> usr/bin on merged-/usr systems) are recreated as symlinks. */
static int sbx__bwrap_argv(sbx__args *a, const sbx_opts *o, long uid, char links[][PATH_MAX], bool seccomp) {
  int rc = 0;
  rc |= sbx__push(a, o->bwrap);
  if (seccomp) {
    rc |= sbx__push(a, "--seccomp");
    rc |= sbx__push(a, "4");
  }
  const char *fixed[] = {"--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                         "--unshare-cgroup-try", "--die-with-parent", "--new-session",
                         "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
                         "--proc", "/proc", "--dev", "/dev", NULL};
  for (int i = 0; fixed[i]; i++) rc |= sbx__push(a, fixed[i]);
  const char *tops[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL};
  for (int i = 0; tops[i]; i++) {
    struct stat st;
    if (lstat(tops[i], &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = readlink(tops[i], links[i], PATH_MAX - 1);
      if (n <= 0) continue;
      links[i][n] = 0;
      rc |= sbx__push(a, "--symlink");
      rc |= sbx__push(a, links[i]);
      rc |= sbx__push(a, tops[i]);
    } else if (S_ISDIR(st.st_mode)) {
      rc |= sbx__push(a, "--ro-bind");
      rc |= sbx__push(a, tops[i]);
      rc |= sbx__push(a, tops[i]);
    }
  }
  size_t fsize = (o->fsize_mb ? o->fsize_mb : 64) << 20;
  rc |= sbx__push(a, "--perms");
  rc |= sbx__push(a, "1777");
  rc |= sbx__push(a, "--size");
  rc |= sbx__push(a, sbx__fmt(a, "%ld", (long)fsize));
  rc |= sbx__push(a, "--tmpfs");
  rc |= sbx__push(a, "/tmp");
  for (int pass = 0; pass < 2; pass++) {
    const char *const *list = pass ? o->rw_paths : o->ro_paths;
    for (int i = 0; list && list[i]; i++) {
      if (!pass && sbx__under_system(list[i])) continue;
      if (access(list[i], F_OK) != 0) continue;
      rc |= sbx__parents(a, list[i]);
      rc |= sbx__push(a, pass ? "--bind" : "--ro-bind");
      rc |= sbx__push(a, list[i]);
      rc |= sbx__push(a, list[i]);
    }
  }
  if (strcmp(o->cwd, "/") != 0) { /* never bind the whole host in */
    rc |= sbx__parents(a, o->cwd);
    rc |= sbx__push(a, o->cwd_writable ? "--bind" : "--ro-bind");
    rc |= sbx__push(a, o->cwd);
    rc |= sbx__push(a, o->cwd);
  }
  rc |= sbx__push(a, "--chdir");
  rc |= sbx__push(a, o->cwd);
  rc |= sbx__push(a, "--");
  if (uid >= 0) {
    rc |= sbx__push(a, SBX_SETPRIV);
    rc |= sbx__push(a, sbx__fmt(a, "--reuid=%ld", uid));
    rc |= sbx__push(a, sbx__fmt(a, "--regid=%ld", uid));
    rc |= sbx__push(a, "--clear-groups");
    rc |= sbx__push(a, "--no-new-privs");
    rc |= sbx__push(a, "--");
  }
  return rc;
}

static long sbx__chown_uid;

static int sbx__chown_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st; (void)flag; (void)ftw;
  if (lchown(path, (uid_t)sbx__chown_uid, (gid_t)sbx__chown_uid) != 0) {}
  return 0;
}

/* Gives a writable cwd to the run's uid and back to us afterwards. nftw has
 * no context argument, so the uid travels in a static under the lock. */
static void sbx__chown_tree(const char *dir, long uid) {
  pthread_mutex_lock(&sbx__lock);
  sbx__chown_uid = uid;
  nftw(dir, sbx__chown_cb, 32, FTW_PHYS);
  pthread_mutex_unlock(&sbx__lock);
}

/* -------------------------------------------------------------- running */

typedef struct {
  p_buf buf;
  int fd;
} sbx__stream;

/* ------------------------------------------------------------- seccomp */

#ifdef HAVE_SECCOMP
static pthread_once_t sbx__bpf_once = PTHREAD_ONCE_INIT;
static unsigned char *sbx__bpf;   /* the compiled filter (struct sock_filter[]) */
static size_t sbx__bpf_len;

static void sbx__bpf_build(void) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return;
  static const char *const deny[] = {
      "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "chroot",
      "unshare", "setns", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd", "reboot", "swapon",
      "swapoff", "acct", "quotactl", "open_by_handle_at", "name_to_handle_at", "iopl", "ioperm", "syslog",
      "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "io_uring_setup", "io_uring_enter",
      "io_uring_register", "fsopen", "fsmount", "move_mount", "open_tree", "mount_setattr", "lookup_dcookie",
      "vhangup", "nfsservctl", NULL};
  int rc = 0;
  for (int i = 0; deny[i] && !rc; i++) {
    int nr = seccomp_syscall_resolve_name(deny[i]);
    if (nr == __NR_SCMP_ERROR) continue; /* not on this architecture */
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
  }
  /* No network but local sockets (bwrap has no network anyway; rlimits mode would). */
  if (!rc) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
  int fd = rc ? -1 : memfd_create("sbx-bpf", MFD_CLOEXEC);
  if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
    off_t len = lseek(fd, 0, SEEK_END);
    unsigned char *buf = len > 0 ? p_xmalloc((size_t)len) : NULL;
    if (buf && pread(fd, buf, (size_t)len, 0) == len) {
      sbx__bpf = buf;
      sbx__bpf_len = (size_t)len;
    } else {
      free(buf);
    }
  }
  if (fd >= 0) close(fd);
  seccomp_release(ctx);
}
#endif

/* The filter as a sealed memfd for bwrap (fd out) and as a program for
 * the child (prog out). False when there is none. */
static bool sbx__seccomp_prepare(int *fd, void *prog) {
  *fd = -1;
#ifdef HAVE_SECCOMP
  pthread_once(&sbx__bpf_once, sbx__bpf_build);
  if (!sbx__bpf) return false;
  struct sock_fprog *p = prog;
  p->len = (unsigned short)(sbx__bpf_len / sizeof(struct sock_filter));
  p->filter = (struct sock_filter *)sbx__bpf;
  int m = memfd_create("sbx-seccomp", MFD_CLOEXEC);
  if (m < 0) return false;
  if (write(m, sbx__bpf, sbx__bpf_len) != (ssize_t)sbx__bpf_len) {
    close(m);
    return false;
  }
  lseek(m, 0, SEEK_SET);
  *fd = m;
  return true;
#else
  (void)prog;
  return false;
#endif
}

bool sbx_seccomp_available(void) {
#ifdef HAVE_SECCOMP
  pthread_once(&sbx__bpf_once, sbx__bpf_build);
  return sbx__bpf != NULL;
#else
  return false;
#endif
}

void sbx_result_free(sbx_result *r) {
  if (!r) return;
  free(r->out);
  free(r->err);
  r->out = r->err = NULL;
  r->out_len = r->err_len = 0;
}

static void sbx__child(const sbx_opts *o, const char *const *argv, const char *const *env,
                       int in_fd, int out_fd, int err_fd, int errpipe, long uid, bool bwrap,
                       const char *cg_procs, int sc_fd, const void *sc_prog) {
  setsid();
  if (cg_procs) { /* join the run's pids group before anything forks */
    int fd = open(cg_procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) goto fail;
    close(fd);
  }
  /* Back to default signal handling: the server may ignore SIGPIPE etc. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < 32; s++)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) goto fail;
  /* errpipe must survive close_range: move it to 3. */
  if (errpipe != 3) {
    if (dup3(errpipe, 3, O_CLOEXEC) < 0) goto fail;
    errpipe = 3;
  }
  /* bwrap reads the seccomp filter from fd 4 (--seccomp 4). */
  unsigned keep = 4;
  if (sc_fd >= 0 && bwrap) {
    if (sc_fd != 4 && dup2(sc_fd, 4) < 0) goto fail;
    if (sc_fd == 4) fcntl(4, F_SETFD, 0);
    keep = 5;
  }
  if (syscall(SYS_close_range, keep, ~0U, 0) != 0)
    for (int fd = (int)keep; fd < 65536; fd++) close(fd);
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = (rlim_t)(o->cpu_s ? o->cpu_s : 10);
  setrlimit(RLIMIT_CPU, &rl);
  rl.rlim_cur = rl.rlim_max = (rlim_t)(o->mem_mb ? o->mem_mb : 1024) << 20;
  setrlimit(RLIMIT_DATA, &rl);
  rl.rlim_cur = rl.rlim_max = (rlim_t)(o->nproc ? o->nproc : 64);
  setrlimit(RLIMIT_NPROC, &rl);
  rl.rlim_cur = rl.rlim_max = (rlim_t)(o->fsize_mb ? o->fsize_mb : 64) << 20;
  setrlimit(RLIMIT_FSIZE, &rl);
  rl.rlim_cur = rl.rlim_max = (rlim_t)(o->nofile ? o->nofile : 256);
  setrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max = 0;
  setrlimit(RLIMIT_CORE, &rl);
  if (!bwrap) {
    if (chdir(o->cwd) != 0) goto fail;
    if (uid >= 0) {
      if (setgroups(0, NULL) || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) ||
          setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid))
        goto fail;
    }
  }
  if (sc_prog && !bwrap) {
    /* Last: the filter must not stop the set-up above. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, sc_prog)) goto fail;
  }
  execve(argv[0], (char *const *)argv, (char *const *)env);
fail:;
  int er = errno;
  if (write(errpipe, &er, sizeof er) < 0) {}
  _exit(127);
}

int sbx_run(const sbx_opts *o, sbx_result *r, p_err *e) {
  memset(r, 0, sizeof *r);
  r->exit_code = -1;
  if (!o->argv || !o->argv[0] || o->argv[0][0] != '/' || !o->cwd)
    return p_err_set(e, P_EINVAL, "sandbox: argv[0] must be an absolute path and cwd set");
  bool bwrap = o->bwrap && *o->bwrap && sbx_bwrap_works(o->bwrap);
  bool root = geteuid() == 0;
  long uid = -1;
  if (root && !o->keep_uid) {
    bool can = bwrap ? access(SBX_SETPRIV, X_OK) == 0
                     : sbx__world_reachable(o->argv[0], true) && sbx__world_reachable(o->cwd, false);
    if (can) uid = sbx__uid_take();
  }
  snprintf(r->mode, sizeof r->mode, "%s%s", bwrap ? "bwrap" : "rlimits", uid >= 0 ? "+uid" : "");

  /* The final argv. */
  static const char *const empty_env[] = {NULL};
  sbx__args *a = p_xcalloc(1, sizeof *a);
  char (*links)[PATH_MAX] = p_xcalloc(8, PATH_MAX);
  int sc_fd = -1;
  _Alignas(16) unsigned char sc_prog[64]; /* a struct sock_fprog */
  bool sc = o->seccomp && sbx__seccomp_prepare(&sc_fd, sc_prog);
  int rc = bwrap ? sbx__bwrap_argv(a, o, uid, links, sc) : 0;
  for (int i = 0; o->argv[i]; i++) rc |= sbx__push(a, o->argv[i]);
  if (rc) {
    free(a);
    free(links);
    sbx__uid_give(uid);
    if (sc_fd >= 0) close(sc_fd);
    return p_err_set(e, P_EINVAL, "sandbox: too many arguments");
  }
  const char *const *env = o->env ? o->env : empty_env;

  /* stdin: a memfd holding the bytes. */
  int in_fd = memfd_create("sbx-stdin", MFD_CLOEXEC);
  int outp[2] = {-1, -1}, errp[2] = {-1, -1}, exp[2] = {-1, -1};
  if (in_fd < 0) in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const char *sp = o->stdin_data;
  size_t left = o->stdin_data ? o->stdin_len : 0;
  while (left && in_fd >= 0) {
    ssize_t n = write(in_fd, sp, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sp += n;
    left -= (size_t)n;
  }
  if (in_fd >= 0) {
    /* The program gets a read-only view of its stdin. */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", in_fd);
    int ro = open(self, O_RDONLY | O_CLOEXEC);
    if (ro >= 0) {
      close(in_fd);
      in_fd = ro;
    } else {
      lseek(in_fd, 0, SEEK_SET);
    }
  }
  if (in_fd < 0 || left || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
      pipe2(exp, O_CLOEXEC)) {
    int er = errno;
    int fds[] = {in_fd, outp[0], outp[1], errp[0], errp[1], exp[0], exp[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
      if (fds[i] >= 0) close(fds[i]);
    free(a);
    free(links);
    sbx__uid_give(uid);
    if (sc_fd >= 0) close(sc_fd);
    return p_err_set(e, P_EIO, "sandbox: cannot set up pipes: %s", strerror(er));
  }
  if (uid >= 0 && o->cwd_writable) sbx__chown_tree(o->cwd, uid);
  char cg_dir[PATH_MAX], cg_procs[PATH_MAX + 16];
  bool cg = !o->keep_uid && sbx__cg_make(o->nproc ? o->nproc : 64, cg_dir, sizeof cg_dir, cg_procs, sizeof cg_procs);
  if (cg) strncat(r->mode, "+pids", sizeof r->mode - strlen(r->mode) - 1);

  int64_t t0 = p_mono_ms();
  pid_t pid = fork();
  if (sc) strncat(r->mode, "+seccomp", sizeof r->mode - strlen(r->mode) - 1);
  if (pid == 0)
    sbx__child(o, a->argv, env, in_fd, outp[1], errp[1], exp[1], uid, bwrap, cg ? cg_procs : NULL, sc_fd,
               sc ? sc_prog : NULL);
  if (sc_fd >= 0) close(sc_fd);
  int fork_err = errno;
  close(in_fd);
  close(outp[1]);
  close(errp[1]);
  close(exp[1]);
  free(a);
  free(links);
  if (pid < 0) {
    close(outp[0]);
    close(errp[0]);
    close(exp[0]);
    if (cg) sbx__cg_end(cg_dir);
    sbx__uid_give(uid);
    return p_err_set(e, P_EIO, "sandbox: fork: %s", strerror(fork_err));
  }

  size_t max = o->output_max ? o->output_max : (4u << 20);
  sbx__stream st[2];
  st[0].fd = outp[0];
  st[1].fd = errp[0];
  for (int i = 0; i < 2; i++) {
    p_buf_init(&st[i].buf, 0);
    fcntl(st[i].fd, F_SETFL, O_NONBLOCK);
  }
  int wall = o->wall_ms > 0 ? o->wall_ms : 10000;
  int64_t deadline = t0 + wall, drain_until = 0;
  bool exited = false, killed = false;
  int status = 0;
  char chunk[65536];
  for (;;) {
    struct pollfd pf[2];
    int np = 0;
    for (int i = 0; i < 2; i++)
      if (st[i].fd >= 0) {
        pf[np].fd = st[i].fd;
        pf[np].events = POLLIN;
        pf[np].revents = 0;
        np++;
      }
    if (np == 0 && exited) break;
    int64_t now = p_mono_ms();
    if (exited && now >= drain_until) break;
    int tmo = np ? 10 : 2;
    poll(pf, (nfds_t)np, tmo);
    for (int i = 0; i < 2; i++) {
      if (st[i].fd < 0) continue;
      for (;;) {
        ssize_t n = read(st[i].fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break; /* EAGAIN */
        if (n == 0) {
          close(st[i].fd);
          st[i].fd = -1;
          break;
        }
        size_t room = st[i].buf.len < max ? max - st[i].buf.len : 0;
        size_t take = (size_t)n < room ? (size_t)n : room;
        if (take) p_buf_append(&st[i].buf, chunk, take);
        if ((size_t)n > take && !r->truncated) {
          r->truncated = true;
          if (!exited) kill(-pid, SIGKILL);
          killed = true;
        }
      }
    }
    if (!exited) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w < 0 && errno == ECHILD) {
        /* SIGCHLD ignored by the host program: the kernel reaped it and
         * the status is gone. Report a failure rather than spin. */
        status = (255 << 8);
        w = pid;
      }
      if (w == pid) {
        exited = true;
        /* Whatever the leader left behind goes with it. */
        kill(-pid, SIGKILL);
        if (uid >= 0) sbx__uid_sweep(uid);
        if (cg) {
          sbx__cg_end(cg_dir);
          cg = false;
        }
        drain_until = p_mono_ms() + 500;
        continue;
      }
      now = p_mono_ms();
      if (!killed && now >= deadline) {
        r->timed_out = true;
        killed = true;
        kill(-pid, SIGKILL);
      } else if (!killed && o->cancel && o->cancel(o->cancel_ctx)) {
        r->canceled = true;
        killed = true;
        kill(-pid, SIGKILL);
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (st[i].fd >= 0) close(st[i].fd);
  r->wall_ms = p_mono_ms() - t0;

  int exec_err = 0;
  ssize_t en = read(exp[0], &exec_err, sizeof exec_err);
  close(exp[0]);
  if (uid >= 0 && o->cwd_writable) sbx__chown_tree(o->cwd, (long)geteuid());
  sbx__uid_give(uid);

  size_t ol, el;
  r->out = p_buf_steal(&st[0].buf, &ol);
  r->err = p_buf_steal(&st[1].buf, &el);
  r->out_len = r->out ? ol : 0;
  r->err_len = r->err ? el : 0;
  /* p_buf_steal of a never-written buffer may hand back an unterminated
   * block: terminate it ourselves. */
  if (r->out) r->out[r->out_len] = 0;
  if (r->err) r->err[r->err_len] = 0;
  if (!r->out) r->out = p_xcalloc(1, 1);
  if (!r->err) r->err = p_xcalloc(1, 1);
  if (WIFEXITED(status)) {
    r->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r->signal = WTERMSIG(status);
    r->exit_code = 128 + r->signal;
  }
  if (en == (ssize_t)sizeof exec_err) {
    p_err_set(e, P_EIO, "sandbox: cannot execute %s: %s", o->argv[0], strerror(exec_err));
    return P_EIO;
  }
  return 0;
}
