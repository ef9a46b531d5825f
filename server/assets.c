/*
 * assets.c - the files built into portalisd: the SQL migrations and the
 * OpenAPI document, embedded by contrib/embed.sh into the generated
 * server/embedded.c so an installed server needs no data files to start.
 *
 * The store never reads them itself: main.c asks srv_migrations for the
 * sql/ files and hands them to store_init, so the storage layer depends on
 * nothing of the server.
 */
#include "srv.h"

#include <string.h>

const srv_embedded *srv_embedded_find(const char *name) {
  for (const srv_embedded *f = srv_embedded_files; f->name; f++)
    if (!strcmp(f->name, name)) return f;
  return NULL;
}

size_t srv_migrations(store_migration *out, size_t max) {
  size_t n = 0;
  for (const srv_embedded *f = srv_embedded_files; f->name && n < max; f++) {
    if (strncmp(f->name, "sql/", 4) != 0) continue;
    out[n].name = f->name;
    out[n].sql = f->data;
    n++;
  }
  return n;
}
