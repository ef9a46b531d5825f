/*
 * ast.h - the Python AST of Portalis: what Ingest produces, what Analysis,
 * SpecGen and the Transpiler read.
 *
 * The shape follows CPython's own `ast` module (Python 3.11) closely, so a
 * reader who knows `ast.dump()` knows this header: the same node kinds, the
 * same field names, the same lowering of `elif` into nested If, of `{x=}`
 * in f-strings, of chained comparisons into one Compare. Where we differ it
 * is to make the code generator's life easier, and it says so:
 *   - Constants are split by kind (PY_INT, PY_FLOAT, PY_IMAG, PY_STR,
 *     PY_BYTES, PY_BOOL, PY_NONE, PY_ELLIPSIS) instead of one Constant.
 *   - A parameter carries its own default (arg.default) and its kind
 *     (positional-only, normal, *args, keyword-only, **kwargs) instead of
 *     the parallel defaults/kw_defaults lists.
 *   - Integer literals keep their digits as text (arbitrary size) plus the
 *     value when it fits in int64.
 *   - Function, class and module nodes expose their docstring.
 *
 * Positions: every node has the file (borrowed module path), a 1-based line
 * and a 1-based column counted in characters (code points) like CPython's
 * SyntaxError.offset (so col = ast.col_offset + 1 for ASCII lines), and the
 * end line / end column (exclusive end, 1-based, i.e. the column just after
 * the last character). They equal CPython's for every node CPython places
 * (checked by tests/golden/X.pypos; a decorated def or class starts at its
 * `def`/`class` line), with one deliberate difference: the parts of an
 * f-string (Str, FormattedValue, nested spec JoinedStr) carry their own
 * positions where CPython 3.11 gives them all the string's start.
 *
 * Grammar note: tree-sitter-python 0.23.6 ranks `&` below `^`; Ingest
 * rebuilds chains of | ^ & with Python's precedence (| < ^ < &).
 *
 * Memory: every node, array and string lives in the p_arena the parser was
 * given (the job's arena); nothing here is freed on its own. Strings are
 * NUL-terminated; str/bytes values also carry a length because they may
 * contain NUL characters.
 *
 * Stability: the code generator is written against this header. Names are
 * never renamed; new kinds and fields are only ever added at the end of an
 * enum / struct.
 *
 * Sections: the AST types and helpers (ast.c), parsing (ingest.c, the
 * driver of the ing_*.c passes).
 */
#ifndef PORTALIS_AST_H
#define PORTALIS_AST_H

#include "../common/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct py_node py_node;

/* An array of child nodes. v[i] is never NULL unless the field's comment
 * says so (Dict.keys has NULL for a `**d` entry). */
typedef struct py_nodes {
  py_node **v;
  int n;
} py_nodes;

/* An array of identifiers (global/nonlocal names, MatchClass kwd_attrs). */
typedef struct py_names {
  const char **v;
  int n;
} py_names;

/* ------------------------------------------------------------ node kinds */

typedef enum py_kind {
  PY_MODULE = 0,        /* module: body, docstring */

  /* ---- statements */
  PY_FUNCTION_DEF,      /* def / async def: name, args, body, decorators, returns, is_async */
  PY_CLASS_DEF,         /* class: name, bases, keywords, body, decorators */
  PY_RETURN,            /* return [value] */
  PY_DELETE,            /* del targets (each Name/Attribute/Subscript/Tuple/List, ctx DEL) */
  PY_ASSIGN,            /* t1 = t2 = value: targets (>= 1, ctx STORE), value */
  PY_AUG_ASSIGN,        /* target op= value */
  PY_ANN_ASSIGN,        /* target: annotation [= value]; simple = plain name not in parens */
  PY_FOR,               /* [async] for target in iter: body else: orelse */
  PY_WHILE,             /* while test: body else: orelse */
  PY_IF,                /* if test: body else: orelse (elif = a lone If in orelse) */
  PY_WITH,              /* [async] with items: body; items are PY_WITH_ITEM */
  PY_MATCH,             /* match subject: cases (PY_MATCH_CASE) */
  PY_RAISE,             /* raise [exc [from cause]] */
  PY_TRY,               /* try/except/else/finally; is_star for except* */
  PY_ASSERT,            /* assert test[, msg] */
  PY_IMPORT,            /* import a.b as c, d: names (PY_ALIAS) */
  PY_IMPORT_FROM,       /* from [.. ]module import names: module, names, level */
  PY_GLOBAL,            /* global names */
  PY_NONLOCAL,          /* nonlocal names */
  PY_EXPR,              /* expression statement: value */
  PY_PASS,              /* pass */
  PY_BREAK,             /* break */
  PY_CONTINUE,          /* continue */

  /* ---- expressions */
  PY_BOOL_OP,           /* a and b and c: op (PY_OP_AND/OR), values (>= 2) */
  PY_NAMED_EXPR,        /* target := value (target is a PY_NAME, ctx STORE) */
  PY_BIN_OP,            /* left op right */
  PY_UNARY_OP,          /* op operand (NOT, INVERT, UADD, USUB) */
  PY_LAMBDA,            /* lambda args: body (body is one expression) */
  PY_IF_EXP,            /* body if test else orelse */
  PY_DICT,              /* {k: v, **d}: keys (NULL for **d), values */
  PY_SET,               /* {a, *b}: elts */
  PY_LIST_COMP,         /* [elt generators] */
  PY_SET_COMP,          /* {elt generators} */
  PY_DICT_COMP,         /* {key: value generators} */
  PY_GENERATOR_EXP,     /* (elt generators) */
  PY_AWAIT,             /* await value */
  PY_YIELD,             /* yield [value] */
  PY_YIELD_FROM,        /* yield from value */
  PY_COMPARE,           /* left op1 c1 op2 c2 ...: ops[i], comparators[i] */
  PY_CALL,              /* func(args, keywords): args may contain PY_STARRED (*a),
                           keywords are PY_KEYWORD (arg NULL for **kw) */
  PY_FORMATTED_VALUE,   /* one {value!conv:spec} of an f-string */
  PY_JOINED_STR,        /* f-string: values (PY_STR and PY_FORMATTED_VALUE parts) */
  PY_INT,               /* integer literal: text, fits_i64, i64 */
  PY_FLOAT,             /* float literal: text, value */
  PY_IMAG,              /* imaginary literal 3j: text, value (the imaginary part) */
  PY_STR,               /* str literal (all parts concatenated, escapes decoded): s, len */
  PY_BYTES,             /* bytes literal: s, len */
  PY_BOOL,              /* True / False: value */
  PY_NONE,              /* None */
  PY_ELLIPSIS,          /* ... */
  PY_ATTRIBUTE,         /* value.attr, ctx */
  PY_SUBSCRIPT,         /* value[slice], ctx; a[1:2, 3] has a Tuple slice */
  PY_STARRED,           /* *value (in calls, displays, targets), ctx */
  PY_NAME,              /* identifier, ctx */
  PY_LIST,              /* [elts], ctx */
  PY_TUPLE,             /* (elts) or a, b, ctx */
  PY_SLICE,             /* lower:upper:step (each may be NULL); only inside Subscript */

  /* ---- helper nodes (fields of the above) */
  PY_ARG,               /* one parameter: name, annotation, default, param kind */
  PY_KEYWORD,           /* call keyword: arg=value, or **value (arg NULL) */
  PY_ALIAS,             /* import name [as asname]; name "*" for `from m import *` */
  PY_WITH_ITEM,         /* context_expr [as optional_vars] */
  PY_COMPREHENSION,     /* [async] for target in iter if ifs... (one clause) */
  PY_EXCEPT_HANDLER,    /* except [type [as name]]: body */
  PY_MATCH_CASE,        /* case pattern [if guard]: body */

  /* ---- match patterns */
  PY_MATCH_VALUE,       /* a literal or dotted name compared with ==: value */
  PY_MATCH_SINGLETON,   /* True / False / None compared with is: value (PY_BOOL/PY_NONE) */
  PY_MATCH_SEQUENCE,    /* [p, *rest] or (p, q): patterns (may contain one PY_MATCH_STAR) */
  PY_MATCH_MAPPING,     /* {k: p, **rest}: keys (expressions), patterns, rest (NULL if none) */
  PY_MATCH_CLASS,       /* Cls(p, x=q): cls, patterns, kwd_attrs, kwd_patterns */
  PY_MATCH_STAR,        /* *name in a sequence pattern; name NULL for *_ */
  PY_MATCH_AS,          /* pattern as name; bare name capture (pattern NULL);
                           wildcard _ (pattern NULL, name NULL) */
  PY_MATCH_OR,          /* p1 | p2 | ...: patterns */

  PY__KIND_COUNT
} py_kind;

/* Operators of BinOp, AugAssign, UnaryOp, BoolOp and Compare. */
typedef enum py_op {
  PY_OP_NONE = 0,
  /* binary (BinOp, AugAssign) */
  PY_OP_ADD, PY_OP_SUB, PY_OP_MULT, PY_OP_MATMULT, PY_OP_DIV, PY_OP_MOD,
  PY_OP_POW, PY_OP_LSHIFT, PY_OP_RSHIFT, PY_OP_BITOR, PY_OP_BITXOR,
  PY_OP_BITAND, PY_OP_FLOORDIV,
  /* unary */
  PY_OP_INVERT, PY_OP_NOT, PY_OP_UADD, PY_OP_USUB,
  /* boolean */
  PY_OP_AND, PY_OP_OR,
  /* comparison */
  PY_OP_EQ, PY_OP_NOTEQ, PY_OP_LT, PY_OP_LTE, PY_OP_GT, PY_OP_GTE,
  PY_OP_IS, PY_OP_ISNOT, PY_OP_IN, PY_OP_NOTIN,
  PY__OP_COUNT
} py_op;

/* Expression context of Name, Attribute, Subscript, Starred, List, Tuple. */
typedef enum py_ctx { PY_LOAD = 0, PY_STORE, PY_DEL } py_ctx;

/* Parameter kinds (PY_ARG.kind), in the order they appear in a def. */
typedef enum py_param_kind {
  PY_PARAM_POSONLY = 0, /* before the / marker */
  PY_PARAM_NORMAL,      /* positional-or-keyword */
  PY_PARAM_VARARG,      /* *args */
  PY_PARAM_KWONLY,      /* after * or *args */
  PY_PARAM_KWARG        /* **kwargs */
} py_param_kind;

/* The parameter list of a def or lambda. Every parameter is a PY_ARG node;
 * `all` holds them in source order (posonly, normal, vararg, kwonly, kwarg)
 * and the other fields are views of the same nodes by kind. */
typedef struct py_arguments {
  py_nodes posonly;      /* PY_PARAM_POSONLY args */
  py_nodes args;         /* PY_PARAM_NORMAL args */
  py_node *vararg;       /* *args, NULL if none */
  py_nodes kwonly;       /* PY_PARAM_KWONLY args */
  py_node *kwarg;        /* **kwargs, NULL if none */
  py_nodes all;          /* all of the above in order */
  bool has_star_marker;  /* a bare `*` separator was written */
  bool has_slash_marker; /* a `/` separator was written */
} py_arguments;

/* ------------------------------------------------------------ the node */

struct py_node {
  py_kind kind;
  uint32_t id;           /* unique within a py_program, dense from 1; for side tables */
  const char *file;      /* module path as uploaded (borrowed from the module) */
  int line, col;         /* start: 1-based line, 1-based column in characters */
  int end_line, end_col; /* end: 1-based line, 1-based column just past the end */
  void *an;              /* free slot for Analysis (NULL after parsing) */

  union {
    /* PY_MODULE */
    struct { py_nodes body; const char *docstring; } module;

    /* PY_FUNCTION_DEF. docstring: decoded text of a leading string
     * statement (which stays in body), NULL if none. */
    struct {
      const char *name;
      py_arguments *args;
      py_nodes body;
      py_nodes decorators;  /* outermost first, as written */
      py_node *returns;     /* return annotation, NULL if none */
      bool is_async;
      const char *docstring;
    } function_def;

    /* PY_CLASS_DEF. bases may contain PY_STARRED; keywords are PY_KEYWORD
     * (metaclass=..., **kw). */
    struct {
      const char *name;
      py_nodes bases;
      py_nodes keywords;
      py_nodes body;
      py_nodes decorators;
      const char *docstring;
    } class_def;

    struct { py_node *value; } return_;            /* PY_RETURN, value may be NULL */
    struct { py_nodes targets; } delete_;          /* PY_DELETE */
    struct { py_nodes targets; py_node *value; } assign; /* PY_ASSIGN */
    struct { py_node *target; py_op op; py_node *value; } aug_assign; /* PY_AUG_ASSIGN */
    struct {                                       /* PY_ANN_ASSIGN */
      py_node *target;
      py_node *annotation;
      py_node *value;        /* NULL for a bare `x: int` */
      bool simple;           /* target is a plain name without parentheses */
    } ann_assign;
    struct {                                       /* PY_FOR */
      py_node *target;
      py_node *iter;
      py_nodes body;
      py_nodes orelse;
      bool is_async;
    } for_;
    struct { py_node *test; py_nodes body; py_nodes orelse; } while_; /* PY_WHILE */
    struct { py_node *test; py_nodes body; py_nodes orelse; } if_;    /* PY_IF */
    struct { py_nodes items; py_nodes body; bool is_async; } with;    /* PY_WITH */
    struct { py_node *subject; py_nodes cases; } match;               /* PY_MATCH */
    struct { py_node *exc; py_node *cause; } raise;                   /* PY_RAISE, both may be NULL */
    struct {                                       /* PY_TRY */
      py_nodes body;
      py_nodes handlers;     /* PY_EXCEPT_HANDLER */
      py_nodes orelse;
      py_nodes finalbody;
      bool is_star;          /* except* (TryStar) */
    } try_;
    struct { py_node *test; py_node *msg; } assert_; /* PY_ASSERT, msg may be NULL */
    struct { py_nodes names; } import;               /* PY_IMPORT: PY_ALIAS */
    struct {                                         /* PY_IMPORT_FROM */
      const char *module;    /* dotted name without the leading dots; NULL for `from . import x` */
      py_nodes names;        /* PY_ALIAS; a single "*" alias for a star import */
      int level;             /* number of leading dots (0 = absolute) */
    } import_from;
    struct { py_names names; } global;               /* PY_GLOBAL, PY_NONLOCAL */
    struct { py_node *value; } expr;                 /* PY_EXPR */

    /* ---- expressions */
    struct { py_op op; py_nodes values; } bool_op;               /* PY_BOOL_OP */
    struct { py_node *target; py_node *value; } named_expr;      /* PY_NAMED_EXPR */
    struct { py_node *left; py_op op; py_node *right; } bin_op;  /* PY_BIN_OP */
    struct { py_op op; py_node *operand; } unary_op;             /* PY_UNARY_OP */
    struct { py_arguments *args; py_node *body; } lambda;        /* PY_LAMBDA */
    struct { py_node *test; py_node *body; py_node *orelse; } if_exp; /* PY_IF_EXP */
    struct { py_nodes keys; py_nodes values; } dict;             /* PY_DICT, keys[i] NULL = **values[i] */
    struct { py_nodes elts; } set;                               /* PY_SET */
    /* PY_LIST_COMP, PY_SET_COMP, PY_GENERATOR_EXP: elt; PY_DICT_COMP: key, value.
     * generators are PY_COMPREHENSION clauses, outermost first. */
    struct { py_node *elt; py_node *value; py_nodes generators; } comp;
    struct { py_node *value; } await_;                           /* PY_AWAIT */
    struct { py_node *value; } yield;                            /* PY_YIELD (value may be NULL), PY_YIELD_FROM */
    struct { py_node *left; py_op *ops; py_nodes comparators; } compare; /* PY_COMPARE: ops has comparators.n entries */
    struct { py_node *func; py_nodes args; py_nodes keywords; } call;   /* PY_CALL */
    /* PY_FORMATTED_VALUE. conversion: -1 none, 's', 'r' or 'a'.
     * format_spec: a PY_JOINED_STR (which may itself hold formatted values,
     * e.g. f"{x:>{w}}"), NULL if none. For `{x=}` CPython's lowering is used:
     * a PY_STR part "x=" precedes this node in the JoinedStr, and conversion
     * is 'r' unless a conversion or format spec was given; debug_text holds
     * the "x=" text (NULL otherwise). */
    struct {
      py_node *value;
      int conversion;
      py_node *format_spec;
      const char *debug_text;
    } formatted_value;
    struct { py_nodes values; } joined_str;                      /* PY_JOINED_STR */
    /* PY_INT: text is the literal without underscores, prefix kept in lower
     * case ("123", "0xff", "0o17", "0b101"); fits_i64 tells whether i64 holds
     * the exact value (literals are never negative: -5 is USub(5)). */
    struct { const char *text; bool fits_i64; int64_t i64; } int_;
    /* PY_FLOAT / PY_IMAG: text without underscores (and without the j),
     * value as strtod reads it. */
    struct { const char *text; double value; } float_;
    /* PY_STR / PY_BYTES: decoded value. For PY_STR, s is UTF-8; for
     * PY_BYTES, raw bytes. is_docstring is set on the PY_STR of a docstring. */
    struct { const char *s; size_t len; bool is_docstring; bool has_u_prefix; } str;
    struct { bool value; } bool_;                                /* PY_BOOL */
    struct { py_node *value; const char *attr; py_ctx ctx; } attribute; /* PY_ATTRIBUTE */
    struct { py_node *value; py_node *slice; py_ctx ctx; } subscript;   /* PY_SUBSCRIPT */
    struct { py_node *value; py_ctx ctx; } starred;              /* PY_STARRED */
    struct { const char *id; py_ctx ctx; } name;                 /* PY_NAME */
    struct { py_nodes elts; py_ctx ctx; bool parenthesized; } list_or_tuple; /* PY_LIST, PY_TUPLE */
    struct { py_node *lower; py_node *upper; py_node *step; } slice;     /* PY_SLICE */

    /* ---- helpers */
    struct {                                         /* PY_ARG */
      const char *name;
      py_node *annotation;   /* NULL if none */
      py_node *default_;     /* NULL if none */
      py_param_kind kind;
    } arg;
    struct { const char *arg; py_node *value; } keyword;        /* PY_KEYWORD, arg NULL for **value */
    struct { const char *name; const char *asname; } alias;      /* PY_ALIAS, asname NULL if none */
    struct { py_node *context_expr; py_node *optional_vars; } with_item; /* PY_WITH_ITEM */
    struct { py_node *target; py_node *iter; py_nodes ifs; bool is_async; } comprehension; /* PY_COMPREHENSION */
    struct { py_node *type; const char *name; py_nodes body; } except_handler; /* PY_EXCEPT_HANDLER, type/name may be NULL */
    struct { py_node *pattern; py_node *guard; py_nodes body; } match_case;    /* PY_MATCH_CASE */

    /* ---- patterns */
    struct { py_node *value; } match_value;          /* PY_MATCH_VALUE, PY_MATCH_SINGLETON */
    struct { py_nodes patterns; } match_seq;         /* PY_MATCH_SEQUENCE, PY_MATCH_OR */
    struct { py_nodes keys; py_nodes patterns; const char *rest; } match_mapping; /* PY_MATCH_MAPPING */
    struct {                                         /* PY_MATCH_CLASS */
      py_node *cls;          /* PY_NAME or PY_ATTRIBUTE */
      py_nodes patterns;
      py_names kwd_attrs;
      py_nodes kwd_patterns;
    } match_class;
    struct { const char *name; } match_star;         /* PY_MATCH_STAR, name NULL for *_ */
    struct { py_node *pattern; const char *name; } match_as; /* PY_MATCH_AS */
  } u;
};

/* ------------------------------------------------------------ modules */

/* One parsed file. */
typedef struct py_module {
  const char *path;      /* as uploaded: "pkg/sub/mod.py" (arena copy) */
  const char *name;      /* dotted: "pkg.sub.mod"; "pkg" for pkg/__init__.py. From the
                            upload path; Analysis rebases it on the entry script's
                            directory (src/main.py makes src/pkg/mod.py "pkg.mod") */
  bool is_package;       /* an __init__.py */
  bool is_entry;         /* the job's entry script (its name is still the path's) */
  bool is_stdlib;        /* translated from CPython's standard library (path is the
                            installed file's; ingest.c "standard library") */
  py_node *node;         /* PY_MODULE */
  const char *src;       /* the source text (arena copy, NUL-terminated) */
  size_t len;
  int nlines;
  /* A doctest example compiled as a module of its own (ing_doctest.c): the
   * module whose docstrings it came from, and where its first line sits
   * there (for diagnostics). NULL/0 for uploaded files. */
  const struct py_module *doctest_host;
  int doctest_line, doctest_col;
} py_module;

/* ---------------------------------------------------------- doctests */

/* One `>>>` example of a docstring, as doctest.Example (ing_doctest.c).
 * source and want end in "\n" (want is "" when nothing is expected);
 * exc_msg is the expected exception's "Type: message\n" or NULL. */
typedef struct py_dt_example {
  const char *source, *want, *exc_msg;
  int lineno;            /* 0-based, within the docstring */
  int indent;
  int opt_on, opt_off;   /* `# doctest: +FLAG/-FLAG` directives (doctest's flag values) */
  py_module *mod;        /* the example's code, compiled as module `__doctest__.N` */
} py_dt_example;

/* One object DocTestFinder finds: the module, a function, a class, a
 * method, with or without a docstring (testmod lists those too). */
typedef struct py_dt_test {
  const char *name;      /* "__main__.Stack.push" */
  const char *path;      /* "Stack.push" below the module ("" for the module itself) */
  const char *docstring; /* NULL if none */
  int lineno;            /* 0-based line as DocTestFinder._find_lineno; -1 for None */
  py_dt_example *examples;
  int nexamples;
} py_dt_test;

/* The doctests of one uploaded module, sorted by name like DocTestFinder. */
typedef struct py_dt_module {
  const py_module *host;
  const char *name;      /* the module's __name__ at run time ("__main__" for the entry) */
  py_dt_test *tests;
  int ntests;
} py_dt_module;

/* All modules of an upload; job->ast points to one after Ingest. */
typedef struct py_program {
  py_module **modules;
  int nmodules;
  py_module *entry;      /* also in modules[]; NULL if the job has no .py entry */
  uint32_t nnodes;       /* ids run 1..nnodes */
  py_dt_module *doctests; /* when a module imports doctest (ing_doctest.c) */
  int ndoctests;
  bool library;          /* standard-library modules compiled as a library of their own
                            (tr_stdlib.c): code Analysis does not see imports every module
                            as a whole and may set any attribute, so it assumes reflection */
} py_program;

/* -------------------------------------------------------------- ast.c */

/* Stable name of a kind, as in CPython's ast ("FunctionDef", "Name"). Static. */
const char *py_kind_name(py_kind k);
/* Python spelling of an operator ("+", "not in", "and"). Static. */
const char *py_op_str(py_op op);
/* CPython ast class name of an operator ("Add", "NotIn"). Static. */
const char *py_op_name(py_op op);
/* True for statement kinds, expression kinds, pattern kinds. */
bool py_is_stmt(py_kind k);
bool py_is_expr(py_kind k);
bool py_is_pattern(py_kind k);

/* Appends an S-expression dump of n (and its subtree) to out, e.g.
 *   (Assign @3:1 (targets (Name x store)) (value (Int 1)))
 * Deterministic; for golden tests. NULL prints "nil". Returns 0 or the
 * buffer's error. Recursion is bounded by the parser's depth limit. */
int py_ast_dump(const py_node *n, p_buf *out);
/* Same without positions (for tests whose input positions vary). */
int py_ast_dump_nopos(const py_node *n, p_buf *out);

/* Visits the direct children of n in source order (every py_node field,
 * including helper nodes and arguments), calling fn(child, ctx) for each.
 * Stops and returns the first nonzero result of fn. */
int py_node_children(const py_node *n, int (*fn)(py_node *child, void *ctx), void *ctx);

/* ------------------------------------------------------------ ingest.c */

/* The first syntax error of a file, as CPython would report it. */
typedef struct py_syntax_error {
  const char *kind;      /* "SyntaxError", "IndentationError" or "TabError" (static) */
  int line, col;         /* 1-based; col as SyntaxError.offset */
  int end_line, end_col; /* 0 if unknown */
  char msg[256];         /* CPython-like message ("'(' was never closed") */
  char source_line[512]; /* the line's text without newline, truncated */
} py_syntax_error;

/* Maximum nesting of brackets/expressions/blocks accepted (CPython's
 * parser gives up at 200 nested parentheses; statements nest less). */
#define PY_MAX_NESTING 200

/* Parses one file into a module. path is the upload path (copied), modname
 * the dotted name (copied; NULL derives it from path). src need not be
 * NUL-terminated; it is copied into the arena. Node ids continue from
 * *next_id (pass a counter starting at 1; may be NULL for ids from 1).
 * Returns 0 and *out, or P_ESYNTAX with *err filled (the first error, at
 * the position CPython reports), or P_ENOMEM/P_EINTERNAL. */
int py_parse_file(p_arena *a, const char *path, const char *modname, const char *src,
                  size_t len, uint32_t *next_id, py_module **out, py_syntax_error *err);

/* Parses standard-library module m (parsed before by the Ingest stage)
 * again into a, as Ingest did: same text, path, dotted name and package
 * flag, is_stdlib set, `if __name__ == "__main__":` blocks dropped. For a
 * translation of its own (tr_stdlib.c) that must not share nodes with the
 * job's. Returns 0 and *out, or py_parse_file's codes. */
int py_stdlib_reparse(p_arena *a, const py_module *m, uint32_t *next_id, py_module **out, py_syntax_error *err);

/* Dotted module name of an upload path: "pkg/sub/mod.py" -> "pkg.sub.mod",
 * "pkg/__init__.py" -> "pkg". Arena string. */
const char *py_module_name_of(p_arena *a, const char *path);

#endif
