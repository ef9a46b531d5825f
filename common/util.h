/*
 * util.h - the small shared toolbox of Portalis: error values, a growable
 * buffer with a maximum size, a per-job arena, SHA-256, time and files.
 *
 * Sections: errors (err.c), buffers (buf.c), arenas (arena.c),
 * sha256 (sha256.c), misc (misc.c).
 */
#ifndef PORTALIS_UTIL_H
#define PORTALIS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- err.c */

/* Error codes. One table (err.c) maps each to a stable name, a human text
 * and an HTTP status; 0 is success. */
typedef enum {
  P_OK = 0,
  P_ENOMEM,        /* allocation failed */
  P_ETOOBIG,       /* a limit was exceeded */
  P_EINVAL,        /* invalid argument / option */
  P_ENOTFOUND,     /* no such thing */
  P_EIO,           /* system call failed */
  P_EDB,           /* SQLite failed */
  P_ESYNTAX,       /* user's Python does not parse */
  P_EUNSUPPORTED,  /* valid Python we cannot translate (yet) */
  P_EIMPORT,       /* import of a module neither uploaded nor supported */
  P_ECOMPILE,      /* rustc rejected generated code (translator bug) */
  P_ETEST,         /* WASM and CPython disagree */
  P_ETIMEOUT,      /* a stage ran past its limit */
  P_ECANCELED,     /* the job was canceled */
  P_EUPLOAD,       /* the upload is unacceptable (archive entry, encoding) */
  P_ECONFLICT,     /* state does not allow it */
  P_EAUTH,         /* missing or bad credentials */
  P_EFORBIDDEN,    /* authenticated but not allowed */
  P_EINTERNAL,     /* our bug */
  P_EEMPTY,        /* the request carried nothing to work on (an empty upload) */
  P_EGONE,         /* existed, expired and deleted (retention) */
  P__ECOUNT
} p_code;

/* A caller-supplied error: code, message and, for diagnostics, position. */
typedef struct p_err {
  p_code code;
  char msg[512];
  char file[256];
  int line, col; /* 1-based, 0 = unknown */
} p_err;

/* Sets *e (if non-NULL) and returns code. printf-style message. */
int p_err_set(p_err *e, p_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a source position. */
int p_err_at(p_err *e, p_code code, const char *file, int line, int col,
             const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Stable snake_case name of a code ("syntax_error"); static storage. */
const char *p_code_name(p_code code);
/* One-line human title of a code; static storage. */
const char *p_code_title(p_code code);
/* HTTP status that best represents a code. */
int p_code_http(p_code code);

/* -------------------------------------------------------------- alloc.c */

typedef struct p_arena p_arena; /* arena.c */

/* Heap allocation that never returns NULL: out of memory prints
 * "portalis: out of memory (N bytes)" and aborts (through p_die). Use these
 * instead of malloc/calloc/realloc/strdup. */
void *p_xmalloc(size_t n);
void *p_xcalloc(size_t n, size_t size);
void *p_xrealloc(void *p, size_t n);
char *p_xstrdup(const char *s);
char *p_xstrndup(const char *s, size_t n);
/* Prints "portalis: <message>" to stderr and aborts: for states that cannot
 * happen and for exhaustion; never a bare abort(). */
_Noreturn void p_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Tests: called by p_die with the message before it aborts (may longjmp). */
extern void (*p_die_hook)(const char *msg);
/* Tests: the n-th next p_x* allocation (0 = the next) fails; -1 = never. */
void p_alloc_fail_after(long n);

/* A growable array of T: declare a `P_VEC(T) name;` (zeroed = empty), append
 * with p_vec_push(arena, &vec, x). With an arena the storage comes from it
 * (old blocks stay there, freed with the arena, nothing to free); with
 * arena NULL it is heap memory the owner frees with p_vec_free. */
#define P_VEC(T) struct { T *v; int n, cap; }
/* Storage for at least need elements; returns the (maybe moved) array. */
void *p_vec_grow(void *v, int n, int *cap, int need, size_t elem, p_arena *a);
#define p_vec_reserve(a, vec, need) \
  ((vec)->v = p_vec_grow((vec)->v, (vec)->n, &(vec)->cap, (need), sizeof *(vec)->v, (a)))
#define p_vec_push(a, vec, x) (p_vec_reserve((a), (vec), (vec)->n + 1), (vec)->v[(vec)->n++] = (x))
#define p_vec_free(vec) (free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

/* ---------------------------------------------------------------- buf.c */

/* A growable byte buffer, always NUL-terminated, with a maximum size.
 * Growth past max fails with P_ETOOBIG and leaves the buffer intact. */
typedef struct p_buf {
  char *data;
  size_t len, cap, max;
  int err; /* first error seen by an append (sticky), 0 if none */
} p_buf;

#define P_BUF_DEFAULT_MAX ((size_t)1 << 30)

void p_buf_init(p_buf *b, size_t max); /* max 0 = P_BUF_DEFAULT_MAX */
void p_buf_free(p_buf *b);
void p_buf_reset(p_buf *b);            /* len = 0, keeps memory */
int p_buf_reserve(p_buf *b, size_t extra);
int p_buf_append(p_buf *b, const void *data, size_t len);
int p_buf_puts(p_buf *b, const char *s);
int p_buf_putc(p_buf *b, char c);
int p_buf_printf(p_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int p_buf_vprintf(p_buf *b, const char *fmt, va_list ap);
/* Appends s[0..len) in double quotes with '"', '\\', \n, \r and \t
 * escaped; other control bytes become \u00XX (JSON) or \xXX (C, DEL too).
 * Bytes >= 0x80 pass as they are. The one string escaper. */
typedef enum { P_QUOTE_JSON, P_QUOTE_C } p_quote;
int p_buf_quote(p_buf *b, const char *s, size_t len, p_quote style);
/* p_buf_quote(b, s, len, P_QUOTE_JSON): a JSON string literal. */
int p_buf_json_str(p_buf *b, const char *s, size_t len);
/* Hands the data to the caller (free() it); the buffer becomes empty. */
char *p_buf_steal(p_buf *b, size_t *len);

/* -------------------------------------------------------------- arena.c */

/* A bump allocator: everything from one job's AST, types and generated text
 * lives here and goes with p_arena_free. Allocation never returns NULL: an
 * arena that cannot grow aborts with a message (out of memory is fatal for a
 * job's translator, and the job limits keep inputs small). */
typedef struct p_arena p_arena;

p_arena *p_arena_new(void);
void p_arena_free(p_arena *a);            /* NULL is fine */
void *p_arena_alloc(p_arena *a, size_t n); /* zeroed, 16-aligned */
char *p_arena_strdup(p_arena *a, const char *s);
char *p_arena_strndup(p_arena *a, const char *s, size_t n);
char *p_arena_printf(p_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t p_arena_used(const p_arena *a);

/* ------------------------------------------------------------- sha256.c */

typedef struct {
  uint32_t h[8];
  uint64_t len;
  uint8_t blk[64];
  size_t nblk;
} p_sha256;

void p_sha256_init(p_sha256 *s);
void p_sha256_update(p_sha256 *s, const void *data, size_t len);
void p_sha256_final(p_sha256 *s, uint8_t out[32]);
/* Hex digest of data into hex[65]. */
void p_sha256_hex(const void *data, size_t len, char hex[65]);

/* --------------------------------------------------------------- misc.c */

int64_t p_now_ms(void);            /* wall clock, ms since epoch */
int64_t p_mono_ms(void);           /* monotonic, ms */
void p_iso8601(int64_t ms, char out[32]); /* "2026-11-26T15:30:00.123Z" */
/* Reads a whole file (NUL-terminated) into *out (free() it). */
int p_read_file(const char *path, size_t max, char **out, size_t *len, p_err *e);
int p_write_file(const char *path, const void *data, size_t len, p_err *e);
/* mkdir -p. */
int p_mkdirs(const char *path, int mode);
/* rm -rf; refuses "/" and "". */
int p_rmtree(const char *path);
/* 16 random bytes as 32 hex characters, from getrandom(). */
void p_random_hex(char *out, size_t nbytes);
/* Valid UTF-8 check; on failure *bad_off is the offset of the bad byte. */
bool p_utf8_valid(const char *s, size_t len, size_t *bad_off);
/* Logging to stderr with a level and timestamp; thread-safe. */
typedef enum { P_LOG_DEBUG, P_LOG_INFO, P_LOG_WARN, P_LOG_ERROR } p_log_level;
extern p_log_level p_log_min;
void p_log(p_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
