/*
 * assist.c - the assist loop: when the rule-based path fails on one
 * function, ask a model for an equivalent rewrite of that function in
 * Python the translator supports, and use it only if it is proven.
 *
 * pl_run calls llm_assist when Transpile fails with an unsupported
 * construct, Build fails to compile what Transpile generated, or Test sees
 * the WASM die in a traceback CPython did not print. The failing function
 * is the top-level def (or method) around the diagnostic's line.
 *
 * The prompt (what leaves the machine) carries: that function's source,
 * the diagnostic, the function's spec.json entry (its Rust shape), a
 * summary of the runtime crate's API (each section of docs/runtime-api.md
 * in brief), and verified translations of similar functions of the same
 * owner from the translation memory when the tree has one (as__examples).
 * Nothing else of the upload is sent.
 *
 * Each answer must hold one ```python block defining a function of the same
 * name; it is re-indented and spliced over the original function, and the
 * changed upload runs through Ingest .. Test as a candidate job in a
 * sub-folder of the job's work dir. Test compares the candidate's WASM with
 * the ORIGINAL program under CPython (job->oracle_files) on every vector of
 * the job; then a CPython harness calls the original function and the
 * rewrite side by side on inputs generated from the arguments the original
 * program really passed (as__fuzz). The first candidate that passes both is
 * used: its crate, module and report become the job's, and report.json and
 * spec.json record it as model-assisted (model, candidates tried, the
 * original and the rewrite). A candidate whose program now fails on a
 * DIFFERENT function is kept as the base for assisting that one (up to
 * AS_MAX_FUNCS functions a job). When no candidate passes, the job fails
 * with its original diagnostic and a diagnostic summarising the attempts.
 */
#include "config.h"
#include "analysis.h"
#include "llm.h"
#include "pipeline.h"
#include "sandbox.h"
#include "transpile.h"

#if defined(__has_include)
#if __has_include("tm.h")
#include "tm.h"
#define AS_HAVE_TM 1
#endif
#endif

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AS_MAX_FUNCS 4
#define AS_SRC_MAX (16u << 10)   /* function source sent, at most */

/* One buffered artifact of a candidate run. */
typedef struct {
  char name[64], mime[64];
  char *data;
  size_t len;
} as_art;

typedef struct {
  pl_job *job;              /* the real job */
  int stage;                /* the stage that failed */
  int64_t deadline;
  int cand;                 /* 1-based candidate number, for log lines */
  as_art *arts;
  int narts;
  llm_job acct;
} as_ctx;

/* The function being rewritten. */
typedef struct {
  char *file;               /* upload path */
  char name[128], qualname[256];
  int line, end_line;       /* first line (decorators included) .. last */
  int col;                  /* indentation of the def (0 = top level) */
  char *src;                /* its text, lines line..end_line */
  char diag[600];           /* the diagnostic */
  int stage;
} as_target;

/* ------------------------------------------------------------ the hooks */

static void as__h_log(void *ctx, pl_job *sub, const char *stage, const char *line) {
  as_ctx *ax = ctx;
  (void)sub;
  if (ax->job->hooks.log) {
    char buf[2300];
    snprintf(buf, sizeof buf, "assist candidate %d: %s: %s", ax->cand, stage, line);
    ax->job->hooks.log(ax->job->hooks.ctx, ax->job, pl_stages[ax->stage].name, buf);
  }
}

static int as__h_artifact(void *ctx, pl_job *sub, const char *name, const char *mime, const void *data,
                          size_t len, p_err *e) {
  as_ctx *ax = ctx;
  (void)sub;
  for (int i = 0; i < ax->narts; i++)
    if (!strcmp(ax->arts[i].name, name)) {
      free(ax->arts[i].data);
      ax->arts[i] = ax->arts[--ax->narts];
      break;
    }
  as_art *v = p_xrealloc(ax->arts, (size_t)(ax->narts + 1) * sizeof *v);
  if (!v) return p_err_set(e, P_ENOMEM, "out of memory");
  ax->arts = v;
  as_art *a = &v[ax->narts];
  snprintf(a->name, sizeof a->name, "%s", name);
  snprintf(a->mime, sizeof a->mime, "%s", mime);
  a->data = p_xmalloc(len + 1);
  if (!a->data) return p_err_set(e, P_ENOMEM, "out of memory");
  memcpy(a->data, data, len);
  a->data[len] = 0;
  a->len = len;
  ax->narts++;
  return 0;
}

static bool as__h_canceled(void *ctx, pl_job *sub) {
  as_ctx *ax = ctx;
  (void)sub;
  return ax->job->hooks.canceled && ax->job->hooks.canceled(ax->job->hooks.ctx, ax->job);
}

static int as__llm_canceled(void *ctx) {
  as_ctx *ax = ctx;
  return as__h_canceled(ax, NULL) || p_mono_ms() >= ax->deadline;
}

static void as__arts_clear(as_ctx *ax) {
  for (int i = 0; i < ax->narts; i++) free(ax->arts[i].data);
  free(ax->arts);
  ax->arts = NULL;
  ax->narts = 0;
}

/* ------------------------------------------------------ finding the def */

/* The def around line in module m: top-level functions and methods of
 * top-level classes. */
static py_node *as__find_def(py_module *m, int line, const char **cls) {
  *cls = NULL;
  py_nodes *body = &m->node->u.module.body;
  for (int i = 0; i < body->n; i++) {
    py_node *n = body->v[i];
    if (line < n->line || line > n->end_line) {
      /* decorators start before the def */
      if (n->kind != PY_FUNCTION_DEF || !n->u.function_def.decorators.n ||
          line < n->u.function_def.decorators.v[0]->line || line > n->end_line)
        continue;
    }
    if (n->kind == PY_FUNCTION_DEF) return n;
    if (n->kind == PY_CLASS_DEF) {
      for (int k = 0; k < n->u.class_def.body.n; k++) {
        py_node *f = n->u.class_def.body.v[k];
        int first = f->kind == PY_FUNCTION_DEF && f->u.function_def.decorators.n
                        ? f->u.function_def.decorators.v[0]->line : f->line;
        if (f->kind == PY_FUNCTION_DEF && line >= first && line <= f->end_line) {
          *cls = n->u.class_def.name;
          return f;
        }
      }
    }
    return NULL;
  }
  return NULL;
}

static const pl_file *as__file(const pl_file *files, size_t n, const char *path) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(files[i].path, path)) return &files[i];
  return NULL;
}

/* Byte offset of the start of 1-based line l in s (len if past the end). */
static size_t as__line_off(const char *s, size_t len, int l) {
  size_t off = 0;
  for (int k = 1; k < l && off < len; k++) {
    const char *nl = memchr(s + off, '\n', len - off);
    off = nl ? (size_t)(nl - s) + 1 : len;
  }
  return off;
}

/* Fills t from the file and line of a diagnostic. 0 = found. */
static int as__target(const pl_file *files, size_t nfiles, const char *path, int line, as_target *t) {
  const pl_file *f = as__file(files, nfiles, path);
  if (!f || line <= 0) return P_ENOTFOUND;
  p_arena *a = p_arena_new();
  py_module *m = NULL;
  py_syntax_error se;
  int rc = py_parse_file(a, f->path, NULL, f->data, f->len, NULL, &m, &se);
  const char *cls = NULL;
  py_node *d = rc ? NULL : as__find_def(m, line, &cls);
  if (!d) {
    p_arena_free(a);
    return P_ENOTFOUND;
  }
  t->file = p_xstrdup(f->path);
  snprintf(t->name, sizeof t->name, "%s", d->u.function_def.name);
  snprintf(t->qualname, sizeof t->qualname, "%s%s%s", cls ? cls : "", cls ? "." : "", t->name);
  t->line = d->u.function_def.decorators.n ? d->u.function_def.decorators.v[0]->line : d->line;
  if (t->line > d->line) t->line = d->line;
  t->end_line = d->end_line;
  t->col = d->col - 1;
  size_t a0 = as__line_off(f->data, f->len, t->line), a1 = as__line_off(f->data, f->len, t->end_line + 1);
  t->src = p_xstrndup(f->data + a0, a1 - a0);
  p_arena_free(a);
  return t->file && t->src ? 0 : P_ENOMEM;
}

static void as__target_free(as_target *t) {
  free(t->file);
  free(t->src);
  memset(t, 0, sizeof *t);
}

/* For a Test failure: the innermost frame of a traceback the WASM printed
 * on a vector where CPython printed none. */
static int as__test_frame(pl_job *job, char *file, size_t cap, int *line) {
  cJSON *vs = cJSON_GetObjectItem(cJSON_GetObjectItem(job->report, "test"), "vectors");
  cJSON *v;
  cJSON_ArrayForEach(v, vs) {
    if (cJSON_IsTrue(cJSON_GetObjectItem(v, "match"))) continue;
    const char *werr = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "wasm"), "stderr_head"));
    const char *perr = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "cpython"), "stderr_head"));
    if (!werr || (perr && strstr(perr, "Traceback"))) continue;
    const char *last = NULL;
    for (const char *p = strstr(werr, "  File \""); p; p = strstr(p + 1, "  File \"")) last = p;
    if (!last) continue;
    const char *q = strchr(last + 8, '"');
    if (!q || (size_t)(q - (last + 8)) >= cap) continue;
    memcpy(file, last + 8, (size_t)(q - (last + 8)));
    file[q - (last + 8)] = 0;
    if (sscanf(q, "\", line %d", line) == 1) return 0;
  }
  return P_ENOTFOUND;
}

/* ------------------------------------------------------------- prompting */

/* The runtime crate's API in brief, from docs/runtime-api.md. */
static void as__runtime_summary(p_buf *b) {
  const char *paths[] = {PORTALIS_ABS_SRCDIR "/docs/runtime-api.md", PORTALIS_PKGDATADIR "/runtime-api.md"};
  for (int i = 0; i < 2; i++) {
    char *text;
    size_t len;
    if (p_read_file(paths[i], 1 << 20, &text, &len, NULL)) continue;
    /* Each section's heading and its first lines, at most 4 KB. */
    size_t start = b->len;
    int after = 99;
    for (char *line = text, *next; line && *line; line = next) {
      next = strchr(line, '\n');
      if (next) *next++ = 0;
      if (line[0] == '#') after = 0;
      else if (!line[0] || ++after > 6) continue;
      if (b->len - start + strlen(line) < 4000) p_buf_printf(b, "%s\n", line);
    }
    free(text);
    return;
  }
  p_buf_puts(b, "(docs/runtime-api.md not installed)\n");
}

/* The translation memory (agents/tm.h, issue 14), when this tree has it:
 * the most similar functions whose translation was verified, as prompt
 * examples (their Python and the Rust that passed). Without it, or with an
 * empty or stopped memory, there are none. */
static int as__examples(pl_job *job, const as_target *t, p_buf *out) {
  (void)job;
#ifdef AS_HAVE_TM
  tm_hit *hits = NULL;
  int n = 0;
  p_err e = {0};
  /* Only the job owner's verified functions: the prompt's examples can
   * come back in the rewrite the user sees. */
  if (t->col != 0 || tm_search(job->owner, t->src, strlen(t->src), 3, &hits, &n, &e)) return 0;
  for (int i = 0; i < n; i++) {
    if (!hits[i].python || !hits[i].rust || !hits[i].rust[0]) continue;
    p_buf_printf(out, "Example %d (similarity %.2f):\n```python\n%.4000s```\nits verified Rust:\n```rust\n%.4000s\n```\n",
                 i + 1, (double)hits[i].score, hits[i].python, hits[i].rust);
  }
  tm_hits_free(hits, n);
#else
  (void)t, (void)out;
#endif
  return 0;
}

/* spec.json's entry for the function, if SpecGen wrote one. */
static void as__spec_entry(const char *spec_json, const as_target *t, p_buf *b) {
  cJSON *j = spec_json ? cJSON_Parse(spec_json) : NULL;
  cJSON *m, *it;
  cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "modules")) {
    const char *py = cJSON_GetStringValue(cJSON_GetObjectItem(m, "python"));
    if (py && strcmp(py, t->file)) continue;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items")) {
      const char *q = cJSON_GetStringValue(cJSON_GetObjectItem(it, "qualname"));
      if (q && !strcmp(q, t->qualname)) {
        char *s = cJSON_PrintUnformatted(it);
        if (s) p_buf_puts(b, s);
        free(s);
        cJSON_Delete(j);
        return;
      }
    }
  }
  cJSON_Delete(j);
  p_buf_puts(b, "(no spec entry)");
}

static char *as__messages(pl_job *job, const char *spec_json, const as_target *t, const char *prior) {
  p_buf sys, user, out;
  p_buf_init(&sys, 0);
  p_buf_init(&user, 0);
  p_buf_init(&out, 0);
  p_buf_printf(&sys,
               "You help Portalis, a Python-to-Rust translator. One Python function uses something the "
               "translator cannot handle. Rewrite that function into equivalent Python that avoids the "
               "problem: same name, same parameters, same return values, same printed output, same "
               "exceptions, for every input. Use plain Python 3 (ints, floats, str, lists, dicts, tuples, "
               "loops, ifs); do not use the construct the diagnostic names. Reply with exactly one ```python "
               "code block holding the complete function `%s` and nothing else.",
               t->name);
  p_buf_printf(&user, "Function `%s` (%s, lines %d-%d):\n```python\n%.*s```\n\n", t->qualname, t->file, t->line,
               t->end_line, (int)(strlen(t->src) < AS_SRC_MAX ? strlen(t->src) : AS_SRC_MAX), t->src);
  p_buf_printf(&user, "Diagnostic (%s stage): %s\n\nSpec entry (the Rust shape chosen for it): ",
               pl_stages[t->stage].name, t->diag);
  as__spec_entry(spec_json, t, &user);
  p_buf_puts(&user, "\n\nThe runtime crate the translation links against (sections of its API):\n");
  as__runtime_summary(&user);
  p_buf ex;
  p_buf_init(&ex, 0);
  if (as__examples(job, t, &ex) == 0 && ex.len)
    p_buf_printf(&user, "\nVerified translations of similar functions:\n%s\n", ex.data);
  p_buf_free(&ex);
  if (prior && *prior) p_buf_printf(&user, "\nEarlier rewrites were rejected:\n%s\n", prior);
  p_buf_puts(&out, "[{\"role\":\"system\",\"content\":");
  p_buf_json_str(&out, sys.data, sys.len);
  p_buf_puts(&out, "},{\"role\":\"user\",\"content\":");
  p_buf_json_str(&out, user.data, user.len);
  p_buf_puts(&out, "}]");
  p_buf_free(&sys);
  p_buf_free(&user);
  return p_buf_steal(&out, NULL);
}

/* The code of the first fenced block (```python, ```py or ```), or the
 * whole answer when it has no fence. malloc'd. */
static char *as__code(const char *answer) {
  const char *f = strstr(answer, "```");
  if (!f) return p_xstrdup(answer);
  const char *body = strchr(f, '\n');
  if (!body) return p_xstrdup("");
  body++;
  const char *end = strstr(body, "```");
  return p_xstrndup(body, end ? (size_t)(end - body) : strlen(body));
}

/* Checks a rewrite (it parses, its only top-level statements are imports
 * and one def of the name) and re-indents it to col. NULL + why. */
static char *as__validate(const char *code, const as_target *t, char *why, size_t cap) {
  p_arena *a = p_arena_new();
  py_module *m = NULL;
  py_syntax_error se;
  /* Models indent methods; dedent by the first line's indentation first. */
  size_t ind = strspn(code, " \t\r\n");
  const char *first = code + ind;
  while (first > code && first[-1] != '\n') first--;
  size_t strip = strspn(first, " \t");
  p_buf d;
  p_buf_init(&d, 1 << 20);
  for (const char *p = code; *p;) {
    const char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
    size_t s = 0;
    while (s < strip && s < l && (p[s] == ' ' || p[s] == '\t')) s++;
    p_buf_append(&d, p + s, l - s);
    p += l;
  }
  if (d.len && d.data[d.len - 1] != '\n') p_buf_putc(&d, '\n');
  char *res = NULL;
  int rc = d.err ? P_ETOOBIG : py_parse_file(a, "rewrite.py", NULL, d.data ? d.data : "", d.len, NULL, &m, &se);
  if (rc) {
    snprintf(why, cap, "the rewrite does not parse: %s", rc == P_ESYNTAX ? se.msg : "too large");
    goto out;
  }
  int defs = 0;
  py_node *other = NULL;
  for (int i = 0; i < m->node->u.module.body.n; i++) {
    py_node *n = m->node->u.module.body.v[i];
    if (n->kind == PY_FUNCTION_DEF && !strcmp(n->u.function_def.name, t->name)) defs++;
    else if (n->kind != PY_IMPORT && n->kind != PY_IMPORT_FROM && !other) other = n;
  }
  if (defs != 1) {
    snprintf(why, cap, "the rewrite defines %s `%s`", defs ? "more than one" : "no function", t->name);
    goto out;
  }
  if (other) {
    snprintf(why, cap, "the rewrite has a top-level %s besides the function (line %d)", py_kind_name(other->kind),
             other->line);
    goto out;
  }
  p_buf r;
  p_buf_init(&r, 0);
  for (const char *p = d.data; *p;) {
    const char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
    if (l > 1) for (int k = 0; k < t->col; k++) p_buf_putc(&r, ' ');
    p_buf_append(&r, p, l);
    p += l;
  }
  res = p_buf_steal(&r, NULL);
out:
  p_buf_free(&d);
  p_arena_free(a);
  return res;
}

/* ------------------------------------------------------------ candidates */

static void as__files_free(pl_file *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(f[i].path);
    free(f[i].data);
  }
  free(f);
}

static pl_file *as__files_copy(const pl_file *src, size_t n) {
  pl_file *f = p_xcalloc(n ? n : 1, sizeof *f);
  for (size_t i = 0; i < n; i++) {
    f[i].path = p_xstrdup(src[i].path);
    f[i].data = p_xmalloc(src[i].len + 1);
    memcpy(f[i].data, src[i].data, src[i].len + 1);
    f[i].len = src[i].len;
  }
  return f;
}

/* base with lines t->line..t->end_line of t->file replaced by text. */
static pl_file *as__splice(const pl_file *base, size_t n, const as_target *t, const char *text) {
  pl_file *f = as__files_copy(base, n);
  for (size_t i = 0; i < n; i++) {
    if (strcmp(f[i].path, t->file)) continue;
    size_t a0 = as__line_off(f[i].data, f[i].len, t->line), a1 = as__line_off(f[i].data, f[i].len, t->end_line + 1);
    size_t tl = strlen(text), nl = a0 + tl + (f[i].len - a1);
    char *d = p_xmalloc(nl + 1);
    memcpy(d, f[i].data, a0);
    memcpy(d + a0, text, tl);
    memcpy(d + a0 + tl, f[i].data + a1, f[i].len - a1);
    d[nl] = 0;
    free(f[i].data);
    f[i].data = d;
    f[i].len = nl;
  }
  return f;
}

/* The CPython harness of as__fuzz: runs the original program with the
 * job's first vector while recording the arguments the function gets, then
 * calls the original and the rewrite on those and on generated variants,
 * comparing results, exceptions, output and argument mutation. */
static const char as__harness[] =
    "import sys, io, json, copy, random, contextlib, signal\n"
    "entry, name, line, rw_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]\n"
    "sys.argv = [entry] + sys.argv[5:]\n"
    "seen, glob = [], {}\n"
    "def prof(frame, ev, arg):\n"
    "    c = frame.f_code\n"
    "    if ev == 'call' and c.co_name == name and c.co_firstlineno == line and frame.f_globals.get('__name__') == '__main__' and len(seen) < 64:\n"
    "        n = c.co_argcount\n"
    "        try: seen.append(copy.deepcopy(tuple(frame.f_locals[v] for v in c.co_varnames[:n])))\n"
    "        except Exception: pass\n"
    "        glob['g'] = frame.f_globals\n"
    "sink = io.StringIO()\n"
    "import runpy\n"
    "sys.setprofile(prof)\n"
    "try:\n"
    "    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink): runpy.run_path(entry, run_name='__main__')\n"
    "except BaseException: pass\n"
    "sys.setprofile(None)\n"
    "out = {'observed': len(seen), 'tested': 0, 'mismatch': None}\n"
    "g = glob.get('g')\n"
    "if g is None or not callable(g.get(name)):\n"
    "    print(json.dumps(out)); sys.exit(0)\n"
    "orig = g[name]\n"
    "g2 = dict(g)\n"
    "exec(compile(open(rw_path).read(), '<rewrite>', 'exec'), g2)\n"
    "new = g2[name]\n"
    "rnd = random.Random(1234)\n"
    "def mut(v, d=0):\n"
    "    if isinstance(v, bool): return rnd.random() < 0.5\n"
    "    if isinstance(v, int): return rnd.choice([0, 1, -1, v, v + 1, v - 1, -v, rnd.randint(-2 * abs(v) - 10, 2 * abs(v) + 10)])\n"
    "    if isinstance(v, float): return rnd.choice([0.0, -1.5, v, -v, v * rnd.uniform(-3, 3), rnd.uniform(-100, 100)])\n"
    "    if isinstance(v, str): return ''.join(rnd.choice('abcXYZ 019_-') for _ in range(rnd.randint(0, len(v) + 3)))\n"
    "    if isinstance(v, list) and d < 3:\n"
    "        k = [mut(x, d + 1) for x in v]\n"
    "        if k and rnd.random() < 0.3: k.pop()\n"
    "        return k\n"
    "    if isinstance(v, tuple) and d < 3: return tuple(mut(x, d + 1) for x in v)\n"
    "    return v\n"
    "inputs = list(seen)\n"
    "for i in range(120):\n"
    "    if not seen: break\n"
    "    inputs.append(tuple(mut(x) for x in rnd.choice(seen)))\n"
    "def alarm(s, f): raise TimeoutError('slow')\n"
    "signal.signal(signal.SIGALRM, alarm)\n"
    "def call(f, args):\n"
    "    a = copy.deepcopy(args)\n"
    "    s = io.StringIO()\n"
    "    signal.setitimer(signal.ITIMER_REAL, 0.5)\n"
    "    try:\n"
    "        with contextlib.redirect_stdout(s): r = ('ok', repr(f(*a)))\n"
    "    except TimeoutError: return None\n"
    "    except RecursionError: return None\n"
    "    except Exception as e: r = ('raise', type(e).__name__)\n"
    "    finally: signal.setitimer(signal.ITIMER_REAL, 0)\n"
    "    return (r, s.getvalue(), repr(a))\n"
    "for args in inputs:\n"
    "    a = call(orig, args)\n"
    "    if a is None: continue\n"
    "    b = call(new, args)\n"
    "    out['tested'] += 1\n"
    "    if a != b:\n"
    "        out['mismatch'] = {'args': repr(args)[:300], 'original': repr(a)[:300], 'rewrite': repr(b)[:300]}\n"
    "        break\n"
    "print(json.dumps(out))\n";

static const char *const as__py_env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LC_ALL=C.UTF-8",
                                         "PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8", NULL};

/* Generated inputs: 0 when the rewrite agrees with the original (or the
 * function cannot be exercised alone: observed 0, said in *note), P_ETEST
 * with *why otherwise. Only for top-level functions (methods: skipped). */
static int as__fuzz(pl_job *sub, as_ctx *ax, const as_target *t, const char *rewrite, char *note, size_t ncap,
                    char *why, size_t wcap, p_err *e) {
  note[0] = 0;
  if (t->col != 0) {
    snprintf(note, ncap, "methods are checked by the job's vectors only");
    return 0;
  }
  const pl_config *cfg = sub->cfg;
  char dir[PATH_MAX], hp[PATH_MAX + 32], rp[PATH_MAX + 32], py_exe[PATH_MAX], py_prefix[PATH_MAX], ln[16];
  snprintf(dir, sizeof dir, "%s/fuzz", sub->workdir);
  if (p_mkdirs(dir, 0755)) return p_err_set(e, P_EIO, "%s: %s", dir, strerror(errno));
  for (size_t i = 0; i < sub->noracle_files; i++) {
    char full[PATH_MAX + 300];
    snprintf(full, sizeof full, "%s/%s", dir, sub->oracle_files[i].path);
    char *slash = strrchr(full, '/');
    *slash = 0;
    p_mkdirs(full, 0755);
    *slash = '/';
    if (p_write_file(full, sub->oracle_files[i].data, sub->oracle_files[i].len, e)) return e->code;
  }
  snprintf(hp, sizeof hp, "%s/.portalis_harness.py", dir);
  snprintf(rp, sizeof rp, "%s/.portalis_rewrite.py", dir);
  /* The rewrite at top level (t->col is 0 here). */
  if (p_write_file(hp, as__harness, strlen(as__harness), e) || p_write_file(rp, rewrite, strlen(rewrite), e))
    return e->code;
  if (sbx_python_resolve(cfg->python3, py_exe, py_prefix, e)) return e->code;
  snprintf(ln, sizeof ln, "%d", t->line);
  const pl_vector *v = sub->nvectors ? &sub->vectors[0] : NULL;
  const char **argv = p_xcalloc((size_t)(v ? v->nargs : 0) + 10, sizeof *argv);
  int n = 0;
  argv[n++] = py_exe;
  argv[n++] = "-s";
  argv[n++] = "-B";
  argv[n++] = hp;
  argv[n++] = sub->entry;
  argv[n++] = t->name;
  argv[n++] = ln;
  argv[n++] = rp;
  for (int k = 0; v && k < v->nargs; k++) argv[n++] = v->args[k];
  const char *ro[] = {py_prefix, NULL};
  sbx_opts o = {.argv = argv, .env = as__py_env, .cwd = dir, .cwd_writable = false, .ro_paths = ro,
                .stdin_data = v ? v->stdin_data : NULL, .stdin_len = v ? v->stdin_len : 0,
                .cpu_s = cfg->run_timeout_s * 3, .mem_mb = cfg->run_memory_mb,
                .wall_ms = sbx_job_wall_ms(sub, cfg->run_timeout_s * 3), .bwrap = cfg->bwrap,
                .cancel = sbx_job_canceled, .cancel_ctx = sub};
  sbx_result r = {0};
  sbx_job_open_workdir(sub);
  int rc = sbx_run(&o, &r, e);
  free(argv);
  (void)ax;
  if (rc) return rc;
  cJSON *j = r.exit_code == 0 ? cJSON_Parse(r.out) : NULL;
  if (!j) {
    snprintf(note, ncap, "the generated-input check did not run (exit %d)", r.exit_code);
    sbx_result_free(&r);
    return 0;
  }
  int observed = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "observed"));
  int tested = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "tested"));
  cJSON *mm = cJSON_GetObjectItem(j, "mismatch");
  if (cJSON_IsObject(mm)) {
    snprintf(why, wcap, "differs from the original on generated input %s: original %s, rewrite %s",
             cJSON_GetStringValue(cJSON_GetObjectItem(mm, "args")),
             cJSON_GetStringValue(cJSON_GetObjectItem(mm, "original")),
             cJSON_GetStringValue(cJSON_GetObjectItem(mm, "rewrite")));
    rc = P_ETEST;
  } else {
    snprintf(note, ncap, "agrees with the original on %d input%s (%d seen in the program's run, the rest generated)",
             tested, tested == 1 ? "" : "s", observed < tested ? observed : tested);
  }
  cJSON_Delete(j);
  sbx_result_free(&r);
  return rc;
}

/* Runs Ingest .. Test on a candidate job through pl_run (so Ingest ..
 * Transpile run isolated where the job's would), in the work dir the
 * caller made. Returns 0 or the failing code (from the job's reason),
 * *failed the stage, e->msg the job's message. */
static int as__run(as_ctx *ax, pl_job *sub, int last, int *failed, p_err *e) {
  (void)ax;
  sub->no_assist = true;
  pl_outcome out = pl_run(sub, PL_STAGE_INGEST, last);
  if (out == PL_SUCCEEDED) return 0;
  *failed = sub->stage_index;
  p_code code = out == PL_CANCELED ? P_ECANCELED : out == PL_TIMED_OUT ? P_ETIMEOUT : P_EINTERNAL;
  for (int c = 1; c < P__ECOUNT; c++)
    if (!strcmp(p_code_name((p_code)c), sub->reason)) code = (p_code)c;
  if (!strcmp(sub->reason, "unsupported")) code = P_EUNSUPPORTED;
  return p_err_set(e, code, "%s", sub->message[0] ? sub->message : sub->reason);
}

/* spec.json of the job as SpecGen wrote it: from memory, or (Ingest ..
 * SpecGen ran in a child process) by running them again on the side. */
static char *as__spec_json(as_ctx *ax, pl_job *job) {
  sg_spec *spec = job->spec;
  if (spec && spec->json) return p_xstrndup(spec->json, spec->json_len);
  pl_job *probe = pl_job_new(job->cfg, job->id);
  probe->hooks = (pl_hooks){.ctx = ax, .log = NULL, .artifact = as__h_artifact, .canceled = as__h_canceled};
  for (size_t i = 0; i < job->nfiles; i++)
    pl_job_add_file(probe, job->files[i].path, job->files[i].data, job->files[i].len, NULL);
  probe->entry = job->entry ? p_xstrdup(job->entry) : NULL;
  char *json = NULL;
  if (snprintf(probe->workdir, sizeof probe->workdir, "%.1000s/assist-spec", job->workdir) < (int)sizeof probe->workdir &&
      p_mkdirs(probe->workdir, 0755) == 0) {
    p_err e = {0};
    int failed = -1;
    as__run(ax, probe, PL_STAGE_SPECGEN, &failed, &e);
    for (int i = 0; i < ax->narts; i++)
      if (!strcmp(ax->arts[i].name, "spec.json")) json = p_xstrdup(ax->arts[i].data);
  }
  as__arts_clear(ax);
  pl_job_free(probe);
  return json;
}

/* Swaps the translation state of two jobs (the candidate's becomes the
 * job's; the job's old one goes with the candidate). */
static void as__adopt(pl_job *job, pl_job *sub) {
#define AS_SWAP(f) do { __typeof__(job->f) tmp_ = job->f; job->f = sub->f; sub->f = tmp_; } while (0)
  AS_SWAP(arena);
  AS_SWAP(ast);
  AS_SWAP(analysis);
  AS_SWAP(spec);
  AS_SWAP(ast_free);
  AS_SWAP(crate_dir);
  AS_SWAP(wasm_path);
  AS_SWAP(report);
  AS_SWAP(report_free);
  AS_SWAP(cache_hit);
  AS_SWAP(tm_funcs);
  AS_SWAP(ntm_funcs);
#undef AS_SWAP
}

/* The first error diagnostic since `from` with a line in a .py file. */
static const pl_diag *as__diag(pl_job *job, size_t from) {
  for (size_t i = from; i < job->ndiags; i++)
    if (job->diags[i].line > 0 && !strcmp(job->diags[i].severity, "error")) return &job->diags[i];
  return NULL;
}

/* What failed: the function, from the failing stage's diagnostics. */
static int as__locate(pl_job *job, const pl_file *files, size_t nfiles, int stage, size_t from, const char *msg,
                      as_target *t) {
  const pl_diag *d = as__diag(job, from);
  char file[512];
  int line = 0;
  if (d) {
    snprintf(file, sizeof file, "%s", d->file);
    line = d->line;
  } else if (stage == 5 && job->report && as__test_frame(job, file, sizeof file, &line) == 0) {
  } else {
    return P_ENOTFOUND;
  }
  int rc = as__target(files, nfiles, file, line, t);
  if (rc) return rc;
  t->stage = stage;
  snprintf(t->diag, sizeof t->diag, "%s:%d: %s", file, line, d ? d->message : msg);
  return 0;
}

static void as__summary_add(p_buf *s, int k, const char *what) {
  p_buf_printf(s, "%scandidate %d: %s", s->len ? "; " : "", k, what);
}

int llm_assist(pl_job *job, int stage, int rc0, size_t first_diag, p_err *e) {
  const pl_config *cfg = job->cfg;
  const llm_config *lc = llm_active();
  if (!lc || !cfg->llm) return rc0;
  as_ctx ax = {.job = job, .stage = stage, .deadline = p_mono_ms() + (int64_t)lc->assist_timeout_s * 1000};
  job->stage_deadline_ms = ax.deadline;
  char orig_msg[512];
  snprintf(orig_msg, sizeof orig_msg, "%s", e->msg);
  as_target t = {0};
  if (as__locate(job, job->files, job->nfiles, stage, first_diag, e->msg, &t)) {
    pl_log(job, "assist: no function to rewrite for this failure; the model is not asked");
    return rc0;
  }
  pl_log(job, "assist: %s failed in %s (%s:%d-%d); asking %s for up to %d rewrite(s)", pl_stages[stage].name,
         t.qualname, t.file, t.line, t.end_line, lc->model, lc->candidates);

  sbx_job_open_workdir(job); /* candidates' folders live inside it */
  char *spec_json = as__spec_json(&ax, job);
  pl_file *base = as__files_copy(job->files, job->nfiles);
  cJSON *funcs = cJSON_CreateArray();
  p_buf summary, prior;
  p_buf_init(&summary, 64 << 10);
  p_buf_init(&prior, 64 << 10);
  int result = rc0, total = 0;
  bool stop = false, done = false;
  for (int round = 0; round < AS_MAX_FUNCS && !stop && !done; round++) {
    cJSON *fj = cJSON_CreateObject();
    cJSON_AddStringToObject(fj, "file", t.file);
    cJSON_AddStringToObject(fj, "function", t.qualname);
    cJSON_AddNumberToObject(fj, "line", t.line);
    cJSON_AddNumberToObject(fj, "end_line", t.end_line);
    cJSON_AddStringToObject(fj, "stage", pl_stages[t.stage].name);
    cJSON_AddStringToObject(fj, "diagnostic", t.diag);
    cJSON_AddStringToObject(fj, "original", t.src);
    cJSON *atts = cJSON_AddArrayToObject(fj, "attempts");
    p_buf_reset(&prior);
    bool advanced = false;
    int k;
    for (k = 1; k <= lc->candidates && !stop && !done && !advanced; k++) {
      total++;
      ax.cand = total;
      cJSON *aj = cJSON_CreateObject();
      cJSON_AddItemToArray(atts, aj);
      cJSON_AddNumberToObject(aj, "candidate", k);
      char *msgs = as__messages(job, spec_json, &t, prior.data);
      char **ch = NULL;
      int nch = 0;
      p_err le = {0};
      int lrc = llm_chat(&ax.acct, msgs, 1, &ch, &nch, as__llm_canceled, &ax, &le);
      free(msgs);
      if (lrc) {
        llm_redact(le.msg);
        pl_log(job, "assist: candidate %d: the model request failed: %s", total, le.msg);
        cJSON_AddStringToObject(aj, "outcome", "request_failed");
        cJSON_AddStringToObject(aj, "detail", le.msg);
        as__summary_add(&summary, total, le.msg);
        /* An open breaker, a spent budget or a stop: asking again is pointless. */
        if (lrc == P_ECONFLICT || lrc == P_ETOOBIG || lrc == P_ECANCELED || as__llm_canceled(&ax)) stop = true;
        continue;
      }
      char *code = as__code(ch[0]);
      llm_choices_free(ch, nch);
      char why[600] = "";
      char *rewrite = as__validate(code, &t, why, sizeof why);
      free(code);
      if (!rewrite) {
        llm_metrics_candidate("invalid");
        pl_log(job, "assist: candidate %d: invalid: %s", total, why);
        cJSON_AddStringToObject(aj, "outcome", "invalid");
        cJSON_AddStringToObject(aj, "detail", why);
        as__summary_add(&summary, total, why);
        p_buf_printf(&prior, "- %s\n", why);
        continue;
      }
      cJSON_AddStringToObject(aj, "rewrite", rewrite);
      pl_file *files = as__splice(base, job->nfiles, &t, rewrite);
      pl_job *sub = pl_job_new(cfg, job->id);
      sub->hooks = (pl_hooks){.ctx = &ax, .log = as__h_log, .artifact = as__h_artifact, .canceled = as__h_canceled,
                              .functions = job->hooks.functions /* a flag there: compute them */};
      for (size_t i = 0; i < job->nfiles; i++) pl_job_add_file(sub, files[i].path, files[i].data, files[i].len, NULL);
      sub->entry = job->entry ? p_xstrdup(job->entry) : NULL;
      sub->vectors = job->vectors;
      sub->nvectors = job->nvectors;
      sub->skip_test = job->skip_test;
      sub->oracle_files = job->files;
      sub->noracle_files = job->nfiles;
      if (snprintf(sub->workdir, sizeof sub->workdir, "%.1000s/assist-%d", job->workdir, total) >= (int)sizeof sub->workdir)
        sub->workdir[0] = 0;
      p_mkdirs(sub->workdir, 0755);
      p_err se = {0};
      int failed = -1;
      int src = as__run(&ax, sub, PL_STAGE_TEST, &failed, &se);
      char note[400] = "";
      if (!src) {
        p_err fe = {0};
        int frc = as__fuzz(sub, &ax, &t, rewrite, note, sizeof note, why, sizeof why, &fe);
        if (frc && frc != P_ETEST) snprintf(why, sizeof why, "generated-input check: %s", fe.msg);
        if (frc) {
          src = frc;
          failed = 5;
          snprintf(se.msg, sizeof se.msg, "%s", why);
        }
      }
      if (!src) {
        /* Proven on the job's vectors and on generated inputs: use it. */
        llm_metrics_candidate("used");
        pl_log(job, "assist: candidate %d passed: %s is model-assisted (%s)", total, t.qualname, note);
        cJSON_AddStringToObject(aj, "outcome", "used");
        if (note[0]) cJSON_AddStringToObject(aj, "detail", note);
        cJSON_AddStringToObject(fj, "rewrite", rewrite);
        cJSON_AddNumberToObject(fj, "candidates_tried", k);
        cJSON_AddItemToArray(funcs, fj);
        fj = NULL;
        as__adopt(job, sub);
        done = true;
      } else {
        const pl_diag *nd = (failed == 3 || failed == 4) ? as__diag(sub, 0) : NULL;
        as_target nt = {0};
        /* Fails further on, in ANOTHER function: keep it and go on there. */
        if (nd && src == (failed == 3 ? P_EUNSUPPORTED : P_ECOMPILE) &&
            as__locate(sub, files, job->nfiles, failed, 0, se.msg, &nt) == 0 &&
            (strcmp(nt.qualname, t.qualname) || strcmp(nt.file, t.file))) {
          pl_log(job, "assist: candidate %d gets past %s; %s fails next", total, t.qualname, nt.qualname);
          cJSON_AddStringToObject(aj, "outcome", "kept");
          cJSON_AddStringToObject(fj, "rewrite", rewrite);
          cJSON_AddNumberToObject(fj, "candidates_tried", k);
          cJSON_AddItemToArray(funcs, fj);
          fj = NULL;
          as__files_free(base, job->nfiles);
          base = files;
          files = NULL;
          as__target_free(&t);
          t = nt;
          advanced = true;
        } else {
          as__target_free(&nt);
          llm_metrics_candidate("rejected");
          char what[700];
          snprintf(what, sizeof what, "rejected by %s: %s", failed >= 0 ? pl_stages[failed].name : "?", se.msg);
          llm_redact(what);
          pl_log(job, "assist: candidate %d %s", total, what);
          cJSON_AddStringToObject(aj, "outcome", "rejected");
          cJSON_AddStringToObject(aj, "detail", what);
          as__summary_add(&summary, total, what);
          p_buf_printf(&prior, "- %.400s\n", what);
        }
      }
      if (files) as__files_free(files, job->nfiles);
      sub->vectors = NULL;
      sub->nvectors = 0;
      pl_job_free(sub);
      free(rewrite);
      if (!done) as__arts_clear(&ax);
    }
    if (fj) {
      cJSON_AddNumberToObject(fj, "candidates_tried", k - 1);
      cJSON_AddItemToArray(funcs, fj);
    }
    if (!advanced) break;
  }

  cJSON *rec = cJSON_CreateObject();
  cJSON_AddStringToObject(rec, "model", lc->model);
  cJSON_AddBoolToObject(rec, "used", done);
  cJSON_AddNumberToObject(rec, "candidates_requested", total);
  cJSON_AddNumberToObject(rec, "candidates_max", lc->candidates);
  cJSON_AddNumberToObject(rec, "tokens", ax.acct.tokens_used);
  cJSON_AddNumberToObject(rec, "requests", ax.acct.requests);
  cJSON_AddItemToObject(rec, "functions", funcs);
  if (done) {
    /* The candidate's artifacts become the job's, marked model-assisted. */
    cJSON *rep = sbx_job_report(job);
    cJSON_AddItemToObject(rep, "assist", cJSON_Duplicate(rec, 1));
    result = 0;
    for (int i = 0; i < ax.narts && !result; i++) {
      as_art *a = &ax.arts[i];
      char *json = NULL;
      if (!strcmp(a->name, "report.json")) {
        json = cJSON_Print(rep);
      } else if (!strcmp(a->name, "spec.json")) {
        cJSON *s = cJSON_Parse(a->data);
        if (s) {
          cJSON_AddItemToObject(s, "assisted", cJSON_Duplicate(rec, 1));
          json = cJSON_Print(s);
          cJSON_Delete(s);
        }
      }
      if (json) llm_redact(json);
      result = pl_artifact(job, a->name, a->mime, json ? json : a->data, json ? strlen(json) : a->len, e);
      free(json);
    }
    if (!result) {
      pl_log(job, "assist: model-assisted with %s: %d candidate(s), %d token(s)", lc->model, total,
             ax.acct.tokens_used);
    }
  } else {
    /* Failure: the original diagnostic stands; say what was tried, in the
     * report too (a job that stopped before Test gets one with just that). */
    cJSON *rep = sbx_job_report(job);
    cJSON_DeleteItemFromObject(rep, "assist");
    cJSON_AddItemToObject(rep, "assist", cJSON_Duplicate(rec, 1));
    char *json = cJSON_Print(rep);
    if (json) {
      llm_redact(json);
      p_err ae = {0};
      pl_artifact(job, "report.json", "application/json", json, strlen(json), &ae);
      free(json);
    }
    char *sum = p_buf_steal(&summary, NULL);
    llm_redact(sum);
    pl_diag_add(job, "note", t.file, t.line, 0, NULL, "model assistance (%s) found no rewrite of %s that passes: %s",
                lc->model, t.qualname, sum && *sum ? sum : "no candidate");
    snprintf(e->msg, sizeof e->msg, "%.300s; model assistance: %d candidate(s) failed", orig_msg, total);
    e->code = rc0;
    free(sum);
    result = rc0;
  }
  cJSON_Delete(rec);
  as__arts_clear(&ax);
  free(spec_json);
  as__files_free(base, job->nfiles);
  as__target_free(&t);
  p_buf_free(&summary);
  p_buf_free(&prior);
  return result;
}
