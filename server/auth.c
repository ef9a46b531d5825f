/*
 * auth.c - bearer tokens.
 *
 * A token is "ptl_" + 48 random hex digits, printed once by
 * `portalisd token create`; the store keeps only its SHA-256. With auth
 * required (--require-auth, or any listen address beyond loopback) every
 * /api/v1 call must present a valid token and sees only its own jobs (a
 * read-only token sees every job and changes nothing). With
 * auth off, calls without a token share the anonymous owner (0); a token, if
 * presented, is still checked and scopes the call to its owner.
 *
 * Checking a token is a read (store_token_check writes last_used_at at most
 * once a minute). A token that checked out is remembered for one second by
 * each HTTP thread (no lock), so a client polling hard costs one lookup a
 * second per thread; revoking a token therefore takes effect within a
 * second. The memo holds the secret itself, compared in constant time, not
 * its SHA-256: hashing every request's token was a measurable share of a
 * polled GET (bench/http.sh); the secret is in this process's memory for
 * the request anyway.
 */
#include "srv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH__SLOTS 16
#define AUTH__TTL_MS 1000
#define AUTH__MAX_TOKEN 200
typedef struct auth__cached {
  char secret[AUTH__MAX_TOKEN + 1];
  size_t len;
  int64_t owner, until_ms;
  bool read_only;
} auth__cached;
/* Per thread (the HTTP threads), so that a hard-polling client takes no
 * lock: each thread checks a token against the store once a second. */
static pthread_key_t auth__key;
static pthread_once_t auth__once = PTHREAD_ONCE_INIT;

static void auth__init(void) { pthread_key_create(&auth__key, free); }

static auth__cached *auth__slot(const char *tok, size_t len) {
  pthread_once(&auth__once, auth__init);
  auth__cached *t = pthread_getspecific(auth__key);
  if (!t) {
    t = p_xcalloc(AUTH__SLOTS, sizeof *t);
    pthread_setspecific(auth__key, t);
  }
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)tok[i]) * 16777619u;
  return &t[h % AUTH__SLOTS];
}

/* Whether the slot holds this secret: every byte compared, whatever differs. */
static bool auth__same(const auth__cached *c, const char *tok, size_t len) {
  if (c->len != len) return false;
  unsigned char d = 0;
  for (size_t i = 0; i < len; i++) d |= (unsigned char)(c->secret[i] ^ tok[i]);
  return d == 0;
}

int srv_auth_identify(const char *authorization, srv_identity *id, p_err *e) {
  memset(id, 0, sizeof *id);
  if (!authorization || !*authorization) {
    if (srv_cfg.require_auth)
      return p_err_set(e, P_EAUTH, "this server requires a token: send 'Authorization: Bearer <token>' "
                                   "(create one with 'portalisd token create --name NAME')");
    return 0;
  }
  if (strncasecmp(authorization, "Bearer ", 7) != 0)
    return p_err_set(e, P_EAUTH, "the Authorization header must be 'Bearer <token>'");
  const char *tok = authorization + 7;
  while (*tok == ' ') tok++;
  size_t len = strlen(tok);
  if (!len || len > AUTH__MAX_TOKEN) return p_err_set(e, P_EAUTH, "malformed bearer token");
  auth__cached *c = auth__slot(tok, len);
  int64_t now = p_mono_ms();
  if (c->until_ms > now && auth__same(c, tok, len)) {
    id->owner = c->owner;
    id->read_only = c->read_only;
  } else {
    store *s = store_get(e);
    if (!s) return P_EDB;
    int rc = store_token_check(s, tok, &id->owner, &id->read_only, e);
    if (rc) return rc;
    memcpy(c->secret, tok, len);
    c->secret[len] = 0;
    c->len = len;
    c->owner = id->owner;
    c->read_only = id->read_only;
    c->until_ms = now + AUTH__TTL_MS;
  }
  /* A read-only token reads every job: the account that mints tokens is
   * the operator's, which sees them all (docs/openapi.json). */
  if (id->read_only) id->owner = STORE_OWNER_ANY;
  id->authenticated = true;
  return 0;
}
