/*
 * auth.c - bearer tokens.
 *
 * A token is "ptl_" + 48 random hex digits, printed once by
 * `portalisd token create`; the store keeps only its SHA-256. With auth
 * required (--require-auth, or any listen address beyond loopback) every
 * /api/v1 call must present a valid token and sees only its own jobs. With
 * auth off, calls without a token share the anonymous owner (0); a token, if
 * presented, is still checked and scopes the call to its owner.
 */
#include "srv.h"

#include <string.h>
#include <strings.h>

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
  if (!*tok || strlen(tok) > 200) return p_err_set(e, P_EAUTH, "malformed bearer token");
  store *s = store_get(e);
  if (!s) return P_EDB;
  int rc = store_token_check(s, tok, &id->owner, &id->read_only, e);
  if (rc) return rc;
  id->authenticated = true;
  return 0;
}
