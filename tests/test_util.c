/*
 * test_util.c - Check suites for common/: error table, buffers (limits,
 * JSON and C escaping), arenas, SHA-256 (FIPS 180-2 vectors), UTF-8
 * validation, files, allocation that dies with a message, growable arrays.
 */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

START_TEST(t_err_table) {
  p_err e = {0};
  ck_assert_int_eq(p_err_set(&e, P_ESYNTAX, "bad %d", 7), P_ESYNTAX);
  ck_assert_str_eq(e.msg, "bad 7");
  ck_assert_str_eq(p_code_name(P_ESYNTAX), "syntax_error");
  ck_assert_int_eq(p_code_http(P_ENOTFOUND), 404);
  ck_assert_int_eq(p_code_http(P_ETOOBIG), 413);
  ck_assert_str_eq(p_code_name((p_code)999), "internal");
  p_err_at(&e, P_ESYNTAX, "m.py", 3, 9, "x");
  ck_assert_str_eq(e.file, "m.py");
  ck_assert_int_eq(e.line, 3);
  ck_assert_int_eq(e.col, 9);
  for (int c = 0; c < P__ECOUNT; c++) ck_assert_ptr_nonnull(p_code_title((p_code)c));
}
END_TEST

START_TEST(t_buf_limits) {
  p_buf b;
  p_buf_init(&b, 10);
  ck_assert_int_eq(p_buf_puts(&b, "hello"), 0);
  ck_assert_int_eq(p_buf_printf(&b, "%d", 1234), 0);
  ck_assert_str_eq(b.data, "hello1234");
  ck_assert_int_eq(p_buf_puts(&b, "xy"), P_ETOOBIG);
  ck_assert_str_eq(b.data, "hello1234"); /* intact after a failed append */
  ck_assert_int_eq(p_buf_putc(&b, 'z'), P_ETOOBIG); /* sticky */
  p_buf_free(&b);
  p_buf_init(&b, 0);
  for (int i = 0; i < 10000; i++) p_buf_printf(&b, "%04d", i % 10000);
  ck_assert_uint_eq(b.len, 40000);
  ck_assert_uint_eq(strlen(b.data), 40000);
  size_t n;
  char *s = p_buf_steal(&b, &n);
  ck_assert_uint_eq(n, 40000);
  ck_assert_ptr_null(b.data);
  free(s);
}
END_TEST

START_TEST(t_buf_json) {
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_json_str(&b, "a\"b\\c\n\x01", 7);
  ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
  p_buf_free(&b);
}
END_TEST

START_TEST(t_buf_quote_c) {
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_quote(&b, "a\"b\\c\n\t\r\x01\x7f\xc3\xa9", 12, P_QUOTE_C);
  ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\x01\\x7f\xc3\xa9\"");
  p_buf_reset(&b);
  p_buf_quote(&b, "\x7f\x1f", 2, P_QUOTE_JSON); /* JSON leaves DEL as it is */
  ck_assert_str_eq(b.data, "\"\x7f\\u001f\"");
  p_buf_free(&b);
}
END_TEST

/* p_die_hook: catch the death, keep the message. */
static jmp_buf died_at;
static char died_msg[512];
static void died(const char *msg) {
  snprintf(died_msg, sizeof died_msg, "%s", msg);
  longjmp(died_at, 1);
}

START_TEST(t_alloc_dies_with_message) {
  p_die_hook = died;
  died_msg[0] = 0;
  char *p = p_xmalloc(10);
  strcpy(p, "ok");
  p = p_xrealloc(p, 100);
  ck_assert_str_eq(p, "ok");
  free(p);
  if (!setjmp(died_at)) {
    p_alloc_fail_after(1); /* the next succeeds, the one after fails */
    free(p_xstrdup("fine"));
    (void)p_xcalloc(3, 1000);
    ck_abort_msg("p_xcalloc returned after a failed allocation");
  }
  ck_assert_str_eq(died_msg, "out of memory (3 x 1000 bytes)");
  p_alloc_fail_after(-1);
  free(p_xmalloc(1)); /* the hook is spent */
  if (!setjmp(died_at)) p_die("cannot happen: %d", 42);
  ck_assert_str_eq(died_msg, "cannot happen: 42");
  p_die_hook = NULL;
}
END_TEST

/* Without a hook, p_die aborts the process. */
START_TEST(t_die_aborts) {
  p_alloc_fail_after(0);
  (void)p_xmalloc(1);
}
END_TEST

START_TEST(t_vec) {
  P_VEC(int) h = {0};
  for (int i = 0; i < 1000; i++) p_vec_push(NULL, &h, i * 3);
  ck_assert_int_eq(h.n, 1000);
  ck_assert_int_ge(h.cap, 1000);
  for (int i = 0; i < 1000; i++) ck_assert_int_eq(h.v[i], i * 3);
  p_vec_free(&h);
  ck_assert_ptr_null(h.v);
  ck_assert_int_eq(h.n, 0);
  p_arena *a = p_arena_new();
  P_VEC(const char *) s = {0};
  for (int i = 0; i < 100; i++) p_vec_push(a, &s, p_arena_printf(a, "s%d", i));
  ck_assert_int_eq(s.n, 100);
  ck_assert_str_eq(s.v[0], "s0");
  ck_assert_str_eq(s.v[99], "s99");
  p_vec_reserve(a, &s, 1000);
  ck_assert_int_ge(s.cap, 1000);
  ck_assert_str_eq(s.v[42], "s42");
  p_arena_free(a);
}
END_TEST

START_TEST(t_arena) {
  p_arena *a = p_arena_new();
  char *s = p_arena_strdup(a, "abc");
  ck_assert_str_eq(s, "abc");
  for (int i = 0; i < 20000; i++) {
    int *p = p_arena_alloc(a, 24);
    ck_assert_int_eq(((uintptr_t)p) % 16, 0);
    ck_assert_int_eq(p[0] | p[5], 0); /* zeroed */
    p[0] = i;
  }
  char *big = p_arena_alloc(a, 1 << 20);
  big[(1 << 20) - 1] = 1;
  ck_assert_str_eq(p_arena_printf(a, "%s-%d", "x", 42), "x-42");
  ck_assert_uint_ge(p_arena_used(a), 20000 * 32);
  p_arena_free(a);
  p_arena_free(NULL);
}
END_TEST

START_TEST(t_sha256) {
  char hex[65];
  p_sha256_hex("", 0, hex);
  ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  p_sha256_hex("abc", 3, hex);
  ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  p_sha256_hex(m, strlen(m), hex);
  ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* a million 'a', fed in odd-sized pieces */
  p_sha256 s;
  uint8_t d[32];
  p_sha256_init(&s);
  char chunk[997];
  memset(chunk, 'a', sizeof chunk);
  size_t left = 1000000;
  while (left) {
    size_t n = left < sizeof chunk ? left : sizeof chunk;
    p_sha256_update(&s, chunk, n);
    left -= n;
  }
  p_sha256_final(&s, d);
  ck_assert_int_eq(d[0], 0xcd);
  ck_assert_int_eq(d[31], 0xd0);
}
END_TEST

START_TEST(t_utf8) {
  size_t off = 99;
  ck_assert(p_utf8_valid("héllo €𝄞", strlen("héllo €𝄞"), &off));
  ck_assert(!p_utf8_valid("ab\xff", 3, &off));
  ck_assert_uint_eq(off, 2);
  ck_assert(!p_utf8_valid("a\xc3", 2, &off)); /* truncated */
  ck_assert_uint_eq(off, 1);
  ck_assert(!p_utf8_valid("\xc0\xaf", 2, &off));         /* overlong */
  ck_assert(!p_utf8_valid("\xed\xa0\x80", 3, &off));     /* surrogate */
  ck_assert(!p_utf8_valid("\xf4\x90\x80\x80", 4, &off)); /* > U+10FFFF */
  ck_assert(!p_utf8_valid("\xe0\x80\x80", 3, &off));     /* overlong 3-byte */
}
END_TEST

START_TEST(t_files) {
  char dir[] = "/tmp/portalis-test-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char sub[256], path[300];
  snprintf(sub, sizeof sub, "%s/a/b/c", dir);
  ck_assert_int_eq(p_mkdirs(sub, 0755), 0);
  snprintf(path, sizeof path, "%s/f.txt", sub);
  p_err e = {0};
  ck_assert_int_eq(p_write_file(path, "data\0more", 9, &e), 0);
  char *d;
  size_t n;
  ck_assert_int_eq(p_read_file(path, 100, &d, &n, &e), 0);
  ck_assert_uint_eq(n, 9);
  ck_assert_int_eq(memcmp(d, "data\0more", 9), 0);
  free(d);
  ck_assert_int_eq(p_read_file(path, 4, &d, &n, &e), P_ETOOBIG);
  snprintf(path, sizeof path, "%s/missing", dir);
  ck_assert_int_eq(p_read_file(path, 4, &d, &n, &e), P_ENOTFOUND);
  ck_assert_int_eq(p_rmtree(dir), 0);
  ck_assert_int_ne(access(dir, F_OK), 0);
  ck_assert_int_ne(p_rmtree("/"), 0);
  char hex[33];
  p_random_hex(hex, 16);
  ck_assert_uint_eq(strlen(hex), 32);
  char ts[32];
  p_iso8601(0, ts);
  ck_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
}
END_TEST

int main(void) {
  Suite *s = suite_create("util");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, t_err_table);
  tcase_add_test(tc, t_buf_limits);
  tcase_add_test(tc, t_buf_json);
  tcase_add_test(tc, t_buf_quote_c);
  tcase_add_test(tc, t_alloc_dies_with_message);
  tcase_add_test_raise_signal(tc, t_die_aborts, SIGABRT);
  tcase_add_test(tc, t_vec);
  tcase_add_test(tc, t_arena);
  tcase_add_test(tc, t_sha256);
  tcase_add_test(tc, t_utf8);
  tcase_add_test(tc, t_files);
  suite_add_tcase(s, tc);
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? 1 : 0;
}
