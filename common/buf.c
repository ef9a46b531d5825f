/*
 * buf.c - the one growable buffer type. Created with a maximum size; an
 * append that would pass it fails with P_ETOOBIG (sticky in b->err) instead
 * of growing without bound, so an HTTP body or generated crate can never eat
 * the machine. Always NUL-terminated.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void p_buf_init(p_buf *b, size_t max) {
  memset(b, 0, sizeof *b);
  b->max = max ? max : P_BUF_DEFAULT_MAX;
}

void p_buf_free(p_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void p_buf_reset(p_buf *b) {
  b->len = 0;
  b->err = 0;
  if (b->data) b->data[0] = 0;
}

int p_buf_reserve(p_buf *b, size_t extra) {
  if (b->err) return b->err;
  if (extra > b->max || b->len > b->max - extra) return b->err = P_ETOOBIG;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap *= 2;
  if (cap > b->max + 1) cap = b->max + 1;
  b->data = p_xrealloc(b->data, cap);
  b->cap = cap;
  return 0;
}

int p_buf_append(p_buf *b, const void *data, size_t len) {
  int rc = p_buf_reserve(b, len);
  if (rc) return rc;
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = 0;
  return 0;
}

int p_buf_puts(p_buf *b, const char *s) { return p_buf_append(b, s, strlen(s)); }

int p_buf_putc(p_buf *b, char c) { return p_buf_append(b, &c, 1); }

int p_buf_vprintf(p_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n < 0) return b->err = P_EINVAL;
  if ((size_t)n < sizeof small) return p_buf_append(b, small, (size_t)n);
  int rc = p_buf_reserve(b, (size_t)n);
  if (rc) return rc;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int p_buf_printf(p_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = p_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

int p_buf_quote(p_buf *b, const char *s, size_t len, p_quote style) {
  p_buf_putc(b, '"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': p_buf_puts(b, "\\\""); break;
    case '\\': p_buf_puts(b, "\\\\"); break;
    case '\n': p_buf_puts(b, "\\n"); break;
    case '\r': p_buf_puts(b, "\\r"); break;
    case '\t': p_buf_puts(b, "\\t"); break;
    default:
      if (style == P_QUOTE_JSON && c < 0x20) p_buf_printf(b, "\\u%04x", c);
      else if (style == P_QUOTE_C && (c < 0x20 || c == 0x7f)) p_buf_printf(b, "\\x%02x", c);
      else p_buf_putc(b, (char)c);
    }
  }
  return p_buf_putc(b, '"');
}

int p_buf_json_str(p_buf *b, const char *s, size_t len) { return p_buf_quote(b, s, len, P_QUOTE_JSON); }

char *p_buf_steal(p_buf *b, size_t *len) {
  if (!b->data) {
    b->data = p_xmalloc(1);
    b->len = 0;
  }
  b->data[b->len] = 0;
  char *d = b->data;
  if (len) *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return d;
}
