/*
 * tm_embed.c - what a function is for the translation memory: its
 * normalised AST, the hash of it, its embedding, and the extraction of a
 * job's functions with their Python and generated Rust.
 *
 * Normalisation walks the def in source order and writes an S-expression
 * `(Kind extras child...)`. Names the function binds (parameters, assigned
 * and deleted names, loop/with/except/import/match targets, nested defs and
 * classes) become $0, $1, ... in order of first appearance, and the def's
 * own name becomes $self, so two functions that differ only in their
 * identifiers normalise alike; free names (builtins, globals, modules) and
 * attribute names stay, because `len(x)` and `abs(x)` are different code.
 * Literals stay. Docstrings (a leading string statement of a def, class or
 * module) are dropped. Where a node's children alone would not say which
 * field they came from (an If's body and orelse, a Slice's missing bounds),
 * the node's token carries the counts.
 *
 * The embedding, documented here because it is part of the stored format:
 *
 *   tokens   the pre-order stream of structural tokens: the kind's name,
 *            with the operator for operator nodes ("BinOp:Add"), the free
 *            name for a free Name ("Name:len"), the attribute for an
 *            Attribute ("Attribute:append"), "Const:0"/"Const:1" for those
 *            two ints (loop bounds), the kind alone otherwise;
 *   features every 1-gram "u|t", 2-gram "b|t1|t2" and 3-gram "t|t1|t2|t3"
 *            of that stream, and "i|sub" for each lower-case sub-token (split
 *            at '_' and lower-to-upper case changes, length >= 2) of every
 *            identifier written in the def (its name, parameters, names,
 *            attributes, keywords), each with weight 1;
 *   hashing  h = FNV-1a 64 of the feature text; bucket = (h >> 1) mod 256,
 *            sign = +1 if h & 1 else -1; the vector is the signed sum;
 *   output   L2-normalised in double, then each component rounded to the
 *            nearest multiple of 1/2048 (half away from zero), stored as
 *            int16 (tm.h explains why that makes CPU and GPU rank alike).
 *
 * An empty def (no features) embeds as the zero vector (it scores 0 with
 * everything).
 */
#include "tm.h"
#include "pipeline.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------- the walker */

typedef struct tm__nz {
  p_buf *out;             /* normalised text, NULL when not wanted */
  const py_node *root;
  const char *self_name;
  const char **bound;     /* names the function binds */
  int nbound, capbound;
  const char **renamed;   /* bound names in order of first appearance */
  int nrenamed, caprenamed;
  const char **free_names; /* declared global/nonlocal: never renamed */
  int nfree, capfree;
  /* embedding */
  double *vec;            /* TM_DIM, NULL when not wanted */
  uint64_t win[3];        /* the last three token hashes (stream order) */
  char wtok[3][96];
  int ntok;
  int depth;
} tm__nz;

static int tm__push(const char ***v, int *n, int *cap, const char *s) {
  for (int i = 0; i < *n; i++)
    if (!strcmp((*v)[i], s)) return i;
  *v = p_vec_grow(*v, *n, cap, *n + 1, sizeof **v, NULL);
  (*v)[*n] = s;
  return (*n)++;
}

static bool tm__has(const char *const *v, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(v[i], s)) return true;
  return false;
}

static uint64_t tm__fnv(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static void tm__feature(tm__nz *z, const char *text) {
  if (!z->vec) return;
  uint64_t h = tm__fnv(text);
  z->vec[(h >> 1) % TM_DIM] += (h & 1) ? 1.0 : -1.0;
}

/* Identifier sub-tokens: "maxValue_2x" -> "max", "value", "2x". */
static void tm__ident(tm__nz *z, const char *id) {
  if (!z->vec || !id) return;
  char sub[80];
  size_t k = 0;
  for (const char *p = id;; p++) {
    bool cut = !*p || *p == '_' || (k > 0 && p > id && *p >= 'A' && *p <= 'Z' && p[-1] >= 'a' && p[-1] <= 'z');
    if (cut) {
      if (k >= 2) {
        char f[96];
        sub[k] = 0;
        snprintf(f, sizeof f, "i|%s", sub);
        tm__feature(z, f);
      }
      k = 0;
    }
    if (!*p) break;
    if (*p != '_' && k + 1 < sizeof sub) sub[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
  }
}

/* One structural token into the n-gram window. */
static void tm__token(tm__nz *z, const char *tok) {
  if (!z->vec) return;
  char f[320];
  snprintf(z->wtok[z->ntok % 3], sizeof z->wtok[0], "%s", tok);
  int i0 = z->ntok % 3, i1 = (z->ntok + 2) % 3, i2 = (z->ntok + 1) % 3; /* now, prev, prev-prev */
  snprintf(f, sizeof f, "u|%s", z->wtok[i0]);
  tm__feature(z, f);
  if (z->ntok >= 1) {
    snprintf(f, sizeof f, "b|%s|%s", z->wtok[i1], z->wtok[i0]);
    tm__feature(z, f);
  }
  if (z->ntok >= 2) {
    snprintf(f, sizeof f, "t|%s|%s|%s", z->wtok[i2], z->wtok[i1], z->wtok[i0]);
    tm__feature(z, f);
  }
  z->ntok++;
}

/* Pass 1: the names the function binds. */
static int tm__collect(py_node *n, void *ctx) {
  tm__nz *z = ctx;
  const char *b = NULL, *b2 = NULL;
  switch (n->kind) {
  case PY_NAME: if (n->u.name.ctx != PY_LOAD) b = n->u.name.id; break;
  case PY_ARG: b = n->u.arg.name; break;
  case PY_FUNCTION_DEF: if (n != z->root) b = n->u.function_def.name; break;
  case PY_CLASS_DEF: b = n->u.class_def.name; break;
  case PY_EXCEPT_HANDLER: b = n->u.except_handler.name; break;
  case PY_ALIAS: b = n->u.alias.asname ? n->u.alias.asname : n->u.alias.name; break;
  case PY_MATCH_AS: b = n->u.match_as.name; break;
  case PY_MATCH_STAR: b = n->u.match_star.name; break;
  case PY_MATCH_MAPPING: b = n->u.match_mapping.rest; break;
  case PY_GLOBAL:
  case PY_NONLOCAL:
    for (int i = 0; i < n->u.global.names.n; i++)
      if (tm__push(&z->free_names, &z->nfree, &z->capfree, n->u.global.names.v[i]) < 0) return P_ENOMEM;
    break;
  default: break;
  }
  if (b && n->kind == PY_ALIAS && strchr(b, '.')) b = NULL; /* import a.b binds a: keep it simple, free */
  if (b && tm__push(&z->bound, &z->nbound, &z->capbound, b) < 0) return P_ENOMEM;
  if (b2 && tm__push(&z->bound, &z->nbound, &z->capbound, b2) < 0) return P_ENOMEM;
  return py_node_children(n, tm__collect, z);
}

static bool tm__is_bound(tm__nz *z, const char *id) {
  return id && tm__has(z->bound, z->nbound, id) && !tm__has(z->free_names, z->nfree, id);
}

/* The normalised spelling of an identifier: $self, $N or itself. */
static void tm__name(tm__nz *z, const char *id, char *out, size_t outsz) {
  if (!id) {
    snprintf(out, outsz, "_");
  } else if (z->self_name && !strcmp(id, z->self_name) && !tm__is_bound(z, id)) {
    snprintf(out, outsz, "$self");
  } else if (tm__is_bound(z, id)) {
    int i = tm__push(&z->renamed, &z->nrenamed, &z->caprenamed, id);
    snprintf(out, outsz, "$%d", i);
  } else {
    snprintf(out, outsz, "%s", id);
  }
}

static bool tm__is_docstring(const py_node *n) {
  return n && n->kind == PY_EXPR && n->u.expr.value && n->u.expr.value->kind == PY_STR &&
         n->u.expr.value->u.str.is_docstring;
}

static int tm__emit(py_node *n, void *ctx);

static void tm__str_lit(p_buf *b, const char *s, size_t len) {
  if (b) p_buf_json_str(b, s, len);
}

/* Pass 2: text and tokens. */
static int tm__emit(py_node *n, void *ctx) {
  tm__nz *z = ctx;
  if (tm__is_docstring(n)) return 0;
  if (++z->depth > PY_MAX_NESTING + 50) return P_ETOOBIG;
  p_buf *b = z->out;
  const char *kind = py_kind_name(n->kind);
  char tok[128], nm[64];
  snprintf(tok, sizeof tok, "%s", kind);
  if (b) p_buf_printf(b, "(%s", kind);
  switch (n->kind) {
  case PY_FUNCTION_DEF:
    tm__name(z, n == z->root ? z->self_name : n->u.function_def.name, nm, sizeof nm);
    tm__ident(z, n->u.function_def.name);
    if (b) p_buf_printf(b, " %s%s d%d r%d", nm, n->u.function_def.is_async ? " async" : "",
                        n->u.function_def.decorators.n, n->u.function_def.returns != NULL);
    break;
  case PY_CLASS_DEF:
    tm__name(z, n->u.class_def.name, nm, sizeof nm);
    tm__ident(z, n->u.class_def.name);
    if (b) p_buf_printf(b, " %s d%d b%d k%d", nm, n->u.class_def.decorators.n, n->u.class_def.bases.n,
                        n->u.class_def.keywords.n);
    break;
  case PY_FOR: if (b) p_buf_printf(b, " b%d%s", n->u.for_.body.n, n->u.for_.is_async ? " async" : ""); break;
  case PY_WHILE: if (b) p_buf_printf(b, " b%d", n->u.while_.body.n); break;
  case PY_IF: if (b) p_buf_printf(b, " b%d", n->u.if_.body.n); break;
  case PY_WITH: if (b) p_buf_printf(b, " i%d%s", n->u.with.items.n, n->u.with.is_async ? " async" : ""); break;
  case PY_TRY:
    if (b) p_buf_printf(b, " b%d h%d o%d f%d%s", n->u.try_.body.n, n->u.try_.handlers.n, n->u.try_.orelse.n,
                        n->u.try_.finalbody.n, n->u.try_.is_star ? " star" : "");
    break;
  case PY_RAISE: if (b) p_buf_printf(b, " e%d c%d", n->u.raise.exc != NULL, n->u.raise.cause != NULL); break;
  case PY_AUG_ASSIGN: snprintf(tok, sizeof tok, "%s:%s", kind, py_op_name(n->u.aug_assign.op)); break;
  case PY_BIN_OP: snprintf(tok, sizeof tok, "%s:%s", kind, py_op_name(n->u.bin_op.op)); break;
  case PY_UNARY_OP: snprintf(tok, sizeof tok, "%s:%s", kind, py_op_name(n->u.unary_op.op)); break;
  case PY_BOOL_OP: snprintf(tok, sizeof tok, "%s:%s", kind, py_op_name(n->u.bool_op.op)); break;
  case PY_COMPARE: {
    size_t k = strlen(tok);
    for (int i = 0; i < n->u.compare.comparators.n && k + 12 < sizeof tok; i++)
      k += (size_t)snprintf(tok + k, sizeof tok - k, ":%s", py_op_name(n->u.compare.ops[i]));
    break;
  }
  case PY_ANN_ASSIGN: if (b) p_buf_printf(b, " v%d", n->u.ann_assign.value != NULL); break;
  case PY_IMPORT_FROM:
    if (b) {
      p_buf_printf(b, " %d ", n->u.import_from.level);
      const char *mod = n->u.import_from.module ? n->u.import_from.module : "";
      tm__str_lit(b, mod, strlen(mod));
    }
    break;
  case PY_ALIAS:
    tm__name(z, n->u.alias.asname ? n->u.alias.asname : n->u.alias.name, nm, sizeof nm);
    tm__ident(z, n->u.alias.name);
    if (b) p_buf_printf(b, " %s as %s", n->u.alias.name, nm);
    break;
  case PY_GLOBAL:
  case PY_NONLOCAL:
    for (int i = 0; i < n->u.global.names.n; i++)
      if (b) p_buf_printf(b, " %s", n->u.global.names.v[i]);
    break;
  case PY_DICT:
    if (b)
      for (int i = 0; i < n->u.dict.keys.n; i++) p_buf_puts(b, n->u.dict.keys.v[i] ? " k" : " s");
    break;
  case PY_LIST_COMP: case PY_SET_COMP: case PY_DICT_COMP: case PY_GENERATOR_EXP:
    if (b) p_buf_printf(b, " g%d", n->u.comp.generators.n);
    break;
  case PY_COMPREHENSION:
    if (b) p_buf_printf(b, " i%d%s", n->u.comprehension.ifs.n, n->u.comprehension.is_async ? " async" : "");
    break;
  case PY_YIELD: if (b) p_buf_printf(b, " v%d", n->u.yield.value != NULL); break;
  case PY_CALL: if (b) p_buf_printf(b, " a%d", n->u.call.args.n); break;
  case PY_FORMATTED_VALUE:
    if (b) p_buf_printf(b, " c%d s%d", n->u.formatted_value.conversion, n->u.formatted_value.format_spec != NULL);
    break;
  case PY_INT:
    if (b) p_buf_printf(b, " %s", n->u.int_.text);
    if (!strcmp(n->u.int_.text, "0") || !strcmp(n->u.int_.text, "1")) snprintf(tok, sizeof tok, "Const:%s", n->u.int_.text);
    break;
  case PY_FLOAT: case PY_IMAG: if (b) p_buf_printf(b, " %s", n->u.float_.text); break;
  case PY_STR: case PY_BYTES:
    if (b) {
      p_buf_putc(b, ' ');
      tm__str_lit(b, n->u.str.s, n->u.str.len);
    }
    break;
  case PY_BOOL: if (b) p_buf_puts(b, n->u.bool_.value ? " True" : " False"); break;
  case PY_ATTRIBUTE:
    snprintf(tok, sizeof tok, "%s:%.100s", kind, n->u.attribute.attr);
    tm__ident(z, n->u.attribute.attr);
    if (b) p_buf_printf(b, " %s %d", n->u.attribute.attr, (int)n->u.attribute.ctx);
    break;
  case PY_NAME:
    tm__name(z, n->u.name.id, nm, sizeof nm);
    tm__ident(z, n->u.name.id);
    if (nm[0] != '$') snprintf(tok, sizeof tok, "%s:%.100s", kind, n->u.name.id);
    if (b) p_buf_printf(b, " %s %d", nm, (int)n->u.name.ctx);
    break;
  case PY_SUBSCRIPT: case PY_STARRED: case PY_LIST: case PY_TUPLE: {
    int c = n->kind == PY_SUBSCRIPT ? (int)n->u.subscript.ctx
          : n->kind == PY_STARRED  ? (int)n->u.starred.ctx : (int)n->u.list_or_tuple.ctx;
    if (b) p_buf_printf(b, " %d", c);
    break;
  }
  case PY_SLICE:
    if (b) p_buf_printf(b, " %d%d%d", n->u.slice.lower != NULL, n->u.slice.upper != NULL, n->u.slice.step != NULL);
    break;
  case PY_ARG:
    tm__name(z, n->u.arg.name, nm, sizeof nm);
    tm__ident(z, n->u.arg.name);
    if (b) p_buf_printf(b, " %s k%d a%d d%d", nm, (int)n->u.arg.kind, n->u.arg.annotation != NULL,
                        n->u.arg.default_ != NULL);
    break;
  case PY_KEYWORD:
    tm__ident(z, n->u.keyword.arg);
    if (b) p_buf_printf(b, " %s", n->u.keyword.arg ? n->u.keyword.arg : "**");
    break;
  case PY_WITH_ITEM: if (b) p_buf_printf(b, " v%d", n->u.with_item.optional_vars != NULL); break;
  case PY_EXCEPT_HANDLER:
    tm__name(z, n->u.except_handler.name, nm, sizeof nm);
    if (b) p_buf_printf(b, " t%d %s", n->u.except_handler.type != NULL, nm);
    break;
  case PY_MATCH_CASE: if (b) p_buf_printf(b, " g%d", n->u.match_case.guard != NULL); break;
  case PY_MATCH_MAPPING:
    tm__name(z, n->u.match_mapping.rest, nm, sizeof nm);
    if (b) p_buf_printf(b, " k%d %s", n->u.match_mapping.keys.n, nm);
    break;
  case PY_MATCH_CLASS:
    if (b) {
      p_buf_printf(b, " p%d", n->u.match_class.patterns.n);
      for (int i = 0; i < n->u.match_class.kwd_attrs.n; i++) p_buf_printf(b, " %s", n->u.match_class.kwd_attrs.v[i]);
    }
    break;
  case PY_MATCH_STAR: tm__name(z, n->u.match_star.name, nm, sizeof nm); if (b) p_buf_printf(b, " %s", nm); break;
  case PY_MATCH_AS:
    tm__name(z, n->u.match_as.name, nm, sizeof nm);
    if (b) p_buf_printf(b, " p%d %s", n->u.match_as.pattern != NULL, nm);
    break;
  default: break;
  }
  tm__token(z, tok);
  int rc = py_node_children(n, tm__emit, z);
  if (b) p_buf_putc(b, ')');
  z->depth--;
  return rc;
}

/* Runs both passes over fn (a def, or a module for its statements). */
static int tm__walk(const py_node *fn, p_buf *out, double *vec) {
  tm__nz z = {0};
  z.out = out;
  z.vec = vec;
  z.root = fn;
  z.self_name = fn->kind == PY_FUNCTION_DEF ? fn->u.function_def.name : NULL;
  int rc = py_node_children(fn, tm__collect, &z);
  if (!rc) rc = tm__emit((py_node *)fn, &z);
  free(z.bound);
  free(z.renamed);
  free(z.free_names);
  if (!rc && out && out->err) rc = out->err;
  return rc;
}

int tm_normalise(const py_node *fn, p_buf *out) { return tm__walk(fn, out, NULL); }

void tm_hash(const py_node *fn, char hex[65]) {
  p_buf b;
  p_buf_init(&b, 64 << 20);
  tm__walk(fn, &b, NULL);
  p_sha256_hex(b.data ? b.data : "", b.len, hex);
  p_buf_free(&b);
}

void tm_embed(const py_node *fn, int16_t emb[TM_DIM]) {
  double v[TM_DIM] = {0};
  tm__walk(fn, NULL, v);
  double ss = 0;
  for (int i = 0; i < TM_DIM; i++) ss += v[i] * v[i];
  double inv = ss > 0 ? 1.0 / sqrt(ss) : 0;
  for (int i = 0; i < TM_DIM; i++) {
    double x = v[i] * inv * TM_QSCALE;
    double r = x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
    if (r > TM_QSCALE) r = TM_QSCALE;
    if (r < -TM_QSCALE) r = -TM_QSCALE;
    emb[i] = (int16_t)r;
  }
}

double tm_score(const int16_t a[TM_DIM], const int16_t b[TM_DIM]) {
  int64_t s = 0;
  for (int i = 0; i < TM_DIM; i++) s += (int32_t)a[i] * b[i];
  return (double)s / ((double)TM_QSCALE * TM_QSCALE);
}

/* ---------------------------------------------------------- extraction */

typedef struct tm__list {
  tm_func *v;
  int n, cap;
} tm__list;

void tm_funcs_free(tm_func *f, int n) {
  for (int i = 0; i < n; i++) {
    free(f[i].file);
    free(f[i].name);
    free(f[i].python);
    free(f[i].rust);
    free(f[i].signature);
  }
  free(f);
}

/* ------------------------------------------------- the pipeline's hooks */

/* A record: file, name, line, end_line, python, rust, "1"/"0" (static),
 * signature, hash, each NUL-terminated, then the TM_DIM int16 embedding. */
static void tm__field(p_buf *b, const char *s) {
  p_buf_puts(b, s ? s : "");
  p_buf_putc(b, 0);
}

static void tm__pl_collect(pl_job *job, void (*emit)(void *ctx, p_buf *rec), void *ctx) {
  tm_func *fs = NULL;
  int n = 0;
  p_err e = {0};
  if (tm_funcs_of_program(job->ast, job->crate_dir, &fs, &n, &e)) return;
  p_buf b;
  p_buf_init(&b, 0);
  for (int k = 0; k < n; k++) {
    const tm_func *tf = &fs[k];
    tm__field(&b, tf->file);
    tm__field(&b, tf->name);
    p_buf_printf(&b, "%d", tf->line);
    p_buf_putc(&b, 0);
    p_buf_printf(&b, "%d", tf->end_line);
    p_buf_putc(&b, 0);
    tm__field(&b, tf->python);
    tm__field(&b, tf->rust);
    tm__field(&b, tf->is_static ? "1" : "0");
    tm__field(&b, tf->signature);
    tm__field(&b, tf->hash);
    p_buf_append(&b, tf->emb, sizeof tf->emb);
    emit(ctx, &b);
    p_buf_reset(&b);
  }
  p_buf_free(&b);
  tm_funcs_free(fs, n);
}

static bool tm__pl_absorb(pl_job *job, const char *rec, size_t len) {
  const char *g[9];
  size_t off = 0;
  for (int k = 0; k < 9; k++) {
    const char *z = memchr(rec + off, 0, len - off);
    if (!z) return false;
    g[k] = rec + off;
    off = (size_t)(z - rec) + 1;
  }
  tm_func *nf = p_xrealloc(job->tm_funcs, (size_t)(job->ntm_funcs + 1) * sizeof *nf);
  job->tm_funcs = nf;
  tm_func *tf = &nf[job->ntm_funcs];
  memset(tf, 0, sizeof *tf);
  tf->file = p_xstrdup(g[0]);
  tf->name = p_xstrdup(g[1]);
  tf->line = atoi(g[2]);
  tf->end_line = atoi(g[3]);
  tf->python = p_xstrdup(g[4]);
  tf->rust = p_xstrdup(g[5]);
  tf->is_static = g[6][0] == '1';
  tf->signature = p_xstrdup(g[7]);
  snprintf(tf->hash, sizeof tf->hash, "%s", g[8]);
  if (len - off == sizeof tf->emb) memcpy(tf->emb, rec + off, sizeof tf->emb);
  job->ntm_funcs++;
  return true;
}

const pl_tm_ops tm_pipeline_ops = {tm__pl_collect, tm__pl_absorb, tm_funcs_free};

/* Lines [line, end_line] of src, malloc'd. */
static char *tm__lines(const char *src, int line, int end_line) {
  const char *p = src;
  for (int l = 1; l < line && *p; l++) {
    const char *nl = strchr(p, '\n');
    p = nl ? nl + 1 : p + strlen(p);
  }
  const char *q = p;
  for (int l = line; l <= end_line && *q; l++) {
    const char *nl = strchr(q, '\n');
    q = nl ? nl + 1 : q + strlen(q);
  }
  size_t n = (size_t)(q - p);
  while (n && (p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
  char *s = p_xmalloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = 0;
  }
  return s;
}

static char *tm__params(const py_node *fn) {
  p_buf b;
  p_buf_init(&b, 1 << 16);
  p_buf_printf(&b, "%s(", fn->u.function_def.name);
  const py_arguments *a = fn->u.function_def.args;
  for (int i = 0; a && i < a->all.n; i++) {
    const py_node *x = a->all.v[i];
    p_buf_printf(&b, "%s%s%s", i ? ", " : "",
                 x->u.arg.kind == PY_PARAM_VARARG ? "*" : x->u.arg.kind == PY_PARAM_KWARG ? "**" : "",
                 x->u.arg.name);
  }
  p_buf_puts(&b, ")");
  size_t n;
  return p_buf_steal(&b, &n);
}

typedef struct tm__walkctx {
  tm__list *l;
  const py_module *m;
  char prefix[512];
  int rc;
} tm__walkctx;

static int tm__add(tm__list *l, const py_module *m, const py_node *fn, const char *qual) {
  l->v = p_vec_grow(l->v, l->n, &l->cap, l->n + 1, sizeof *l->v, NULL);
  tm_func *f = &l->v[l->n];
  memset(f, 0, sizeof *f);
  f->file = p_xstrdup(m->path ? m->path : "main.py");
  f->name = p_xstrdup(qual);
  f->line = fn->line;
  f->end_line = fn->end_line;
  f->python = fn->kind == PY_FUNCTION_DEF ? tm__lines(m->src, fn->line, fn->end_line) : p_xstrndup(m->src, m->len);
  f->rust = p_xstrdup("");
  f->signature = fn->kind == PY_FUNCTION_DEF ? tm__params(fn) : p_xstrdup("<module>");
  if (!f->file || !f->name || !f->python || !f->rust || !f->signature) {
    tm_funcs_free(f, 0);
    return P_ENOMEM;
  }
  tm_hash(fn, f->hash);
  tm_embed(fn, f->emb);
  l->n++;
  return 0;
}

static int tm__find_defs(py_node *n, void *ctx) {
  tm__walkctx *w = ctx;
  if (w->rc) return w->rc;
  if (n->kind == PY_FUNCTION_DEF || n->kind == PY_CLASS_DEF) {
    const char *nm = n->kind == PY_FUNCTION_DEF ? n->u.function_def.name : n->u.class_def.name;
    char saved[512], qual[512];
    memcpy(saved, w->prefix, sizeof saved);
    /* Names nested beyond 500 characters are cut (they only label rows). */
    if (snprintf(qual, sizeof qual, "%s%s", w->prefix, nm) >= (int)sizeof qual) qual[sizeof qual - 1] = 0;
    if (n->kind == PY_FUNCTION_DEF) {
      if ((w->rc = tm__add(w->l, w->m, n, qual))) return w->rc;
      if (snprintf(w->prefix, sizeof w->prefix, "%s.<locals>.", qual) >= (int)sizeof w->prefix) w->prefix[0] = 0;
    } else {
      if (snprintf(w->prefix, sizeof w->prefix, "%s.", qual) >= (int)sizeof w->prefix) w->prefix[0] = 0;
    }
    int rc = py_node_children(n, tm__find_defs, w);
    memcpy(w->prefix, saved, sizeof saved);
    return rc;
  }
  return py_node_children(n, tm__find_defs, w);
}

/* ----------------------------------------------- the generated Rust of a def */

typedef struct tm__rs {
  char *text;
  size_t len;
} tm__rs;

/* Is line p (at a line start) a top-level marker "// <file>:<N> "? Returns
 * the text after it (the marker's kind) and *n, or NULL. */
static const char *tm__marker(const char *p, const char *file, int *n) {
  size_t fl = strlen(file);
  if (strncmp(p, "// ", 3) || strncmp(p + 3, file, fl) || p[3 + fl] != ':') return NULL;
  char *end;
  long v = strtol(p + 4 + fl, &end, 10);
  if (end == p + 4 + fl || *end != ' ') return NULL;
  *n = (int)v;
  return end + 1;
}

/* The Rust of def `qual` at `line` of `file`: the unboxed twin block (if
 * any) and the def block, each from its marker to the next top-level
 * marker of the file. Sets is_static and replaces the signature for a
 * twin. */
static void tm__rust_of(tm_func *f, const tm__rs *files, int nfiles) {
  char want_def[600], want_twin[600];
  snprintf(want_def, sizeof want_def, "def %s\n", f->name);
  const char *simple = strrchr(f->name, '.');
  simple = simple ? simple + 1 : f->name;
  snprintf(want_twin, sizeof want_twin, "unboxed twin of %s ", simple);
  p_buf out;
  p_buf_init(&out, 16 << 20);
  for (int i = 0; i < nfiles; i++) {
    const char *t = files[i].text;
    for (const char *p = t; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
      int ln;
      const char *k = tm__marker(p, f->file, &ln);
      if (!k || ln != f->line) continue;
      bool is_def = !strncmp(k, want_def, strlen(want_def));
      bool is_twin = !strncmp(k, want_twin, strlen(want_twin));
      if (!is_def && !is_twin) continue;
      /* The block: to the next top-level marker of any line. */
      const char *q = strchr(p, '\n');
      while (q) {
        q++;
        int l2;
        if (!*q || tm__marker(q, f->file, &l2)) break;
        q = strchr(q, '\n');
      }
      const char *end = q && *q ? q : t + files[i].len;
      size_t n = (size_t)(end - p);
      while (n && (p[n - 1] == '\n')) n--;
      if (out.len) p_buf_puts(&out, "\n\n");
      p_buf_append(&out, p, n);
      if (is_twin) {
        f->is_static = true;
        const char *fnl = strstr(p, "\nfn ");
        if (fnl && fnl < end) {
          fnl += 4;
          const char *brace = strchr(fnl, '{');
          if (brace && brace < end) {
            /* "gcd__fast(__d: u32, a: i64) -> i64 " -> "gcd(a: i64) -> i64" */
            p_buf sig;
            p_buf_init(&sig, 4096);
            p_buf_printf(&sig, "%s(", simple);
            const char *open = strchr(fnl, '(');
            if (open && open < brace) {
              const char *args = open + 1;
              if (!strncmp(args, "__d: u32", 8)) args += 8;
              if (!strncmp(args, ", ", 2)) args += 2;
              size_t al = (size_t)(brace - args);
              while (al && args[al - 1] == ' ') al--;
              p_buf_append(&sig, args, al);
              free(f->signature);
              f->signature = p_buf_steal(&sig, &al);
            } else {
              p_buf_free(&sig);
            }
          }
        }
      }
    }
  }
  if (out.len) {
    size_t n;
    free(f->rust);
    f->rust = p_buf_steal(&out, &n);
  } else {
    p_buf_free(&out);
  }
}

static void tm__load_rust(const char *crate_dir, tm__rs **out, int *n) {
  *out = NULL;
  *n = 0;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/src", crate_dir);
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 3, ".rs")) continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    char *data;
    size_t len;
    p_err e = {0};
    if (p_read_file(path, 64 << 20, &data, &len, &e)) continue;
    tm__rs *nv = p_xrealloc(*out, (size_t)(*n + 1) * sizeof *nv);
    if (!nv) {
      free(data);
      break;
    }
    *out = nv;
    nv[*n].text = data;
    nv[*n].len = len;
    (*n)++;
  }
  closedir(d);
}

int tm_funcs_of_program(const void *prog_v, const char *crate_dir, tm_func **out, int *n, p_err *e) {
  const py_program *prog = prog_v;
  tm__list l = {0};
  *out = NULL;
  *n = 0;
  if (!prog) return 0;
  for (int i = 0; i < prog->nmodules; i++) {
    tm__walkctx w = {&l, prog->modules[i], "", 0};
    py_node_children(prog->modules[i]->node, tm__find_defs, &w);
    if (w.rc) {
      tm_funcs_free(l.v, l.n);
      return p_err_set(e, w.rc, "translation memory: cannot list the functions of %s", prog->modules[i]->path);
    }
  }
  if (crate_dir && l.n) {
    tm__rs *rs;
    int nrs;
    tm__load_rust(crate_dir, &rs, &nrs);
    for (int i = 0; i < l.n; i++) tm__rust_of(&l.v[i], rs, nrs);
    for (int i = 0; i < nrs; i++) free(rs[i].text);
    free(rs);
  }
  *out = l.v;
  *n = l.n;
  return 0;
}

int tm_funcs_of_source(const char *src, size_t len, tm_func **out, int *n, p_err *e) {
  *out = NULL;
  *n = 0;
  p_arena *a = p_arena_new();
  py_module *m = NULL;
  py_syntax_error se;
  memset(&se, 0, sizeof se);
  int rc = py_parse_file(a, "query.py", "query", src, len, NULL, &m, &se);
  if (rc == P_ESYNTAX) {
    rc = p_err_at(e, P_ESYNTAX, "query.py", se.line, se.col, "%s: %s", se.kind ? se.kind : "SyntaxError", se.msg);
  } else if (rc) {
    rc = p_err_set(e, rc, "cannot parse the query");
  } else {
    tm__list l = {0};
    tm__walkctx w = {&l, m, "", 0};
    py_node_children(m->node, tm__find_defs, &w);
    rc = w.rc;
    if (!rc && l.n == 0) rc = tm__add(&l, m, m->node, "<module>");
    if (rc) {
      tm_funcs_free(l.v, l.n);
      p_err_set(e, rc, "translation memory: out of memory");
    } else {
      *out = l.v;
      *n = l.n;
    }
  }
  p_arena_free(a);
  return rc;
}
