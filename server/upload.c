/*
 * upload.c - turning a request body into the files of a job, and the job
 * options (validated here; the pipeline applies them: pl_job_apply_options).
 *
 * Uploads are untrusted. An archive (zip, tar, tar.gz) is read with
 * libarchive from memory, entry by entry, and refused - with the entry's name
 * in the message - when an entry is a link, a device or anything but a plain
 * file or directory, when its path is absolute or climbs with "..", or when
 * its name is not UTF-8. Sizes are counted while reading, never trusted from
 * headers: the total uncompressed size, the file count and the expansion
 * ratio all have limits, so a zip bomb stops after at most max_unpacked bytes.
 *
 * The entry point: ?entry= (must exist), else __main__.py, else main.py,
 * else the only .py file, else 422. A single top-level folder shared by
 * every file (a zipped project folder) is stripped first.
 */
#include "srv.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void up__field(cJSON *errors, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void up__field(cJSON *errors, const char *field, const char *fmt, ...) {
  if (!errors) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "field", field);
  cJSON_AddStringToObject(o, "message", msg);
  cJSON_AddItemToArray(errors, o);
}

void srv_upload_free(srv_upload *up) {
  for (size_t i = 0; i < up->nfiles; i++) {
    free((char *)up->files[i].path);
    free((char *)up->files[i].data);
  }
  free(up->files);
  free(up->entry);
  memset(up, 0, sizeof *up);
}

/* Normalises an upload path: strips "./" and leading "./"; refuses absolute
 * paths, "..", empty segments, backslashes, control bytes and bad UTF-8. */
static int up__clean_path(const char *raw, char *out, size_t outsz, p_err *e) {
  size_t bad;
  if (!p_utf8_valid(raw, strlen(raw), &bad))
    return p_err_set(e, P_EUPLOAD, "entry name is not valid UTF-8 (byte %zu of the name)", bad);
  if (raw[0] == '/') return p_err_set(e, P_EUPLOAD, "entry '%s' has an absolute path", raw);
  if (strchr(raw, '\\')) return p_err_set(e, P_EUPLOAD, "entry '%s' contains a backslash", raw);
  out[0] = 0;
  size_t n = 0;
  const char *p = raw;
  while (*p) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len == 2 && !strncmp(p, "..", 2)) return p_err_set(e, P_EUPLOAD, "entry '%s' contains '..'", raw);
    if (!(len == 0 || (len == 1 && p[0] == '.'))) {
      for (size_t i = 0; i < len; i++)
        if ((unsigned char)p[i] < 0x20) return p_err_set(e, P_EUPLOAD, "entry '%s' has a control character in its name", raw);
      if (n + len + 2 > outsz) return p_err_set(e, P_EUPLOAD, "entry '%s': path too long", raw);
      if (n) out[n++] = '/';
      memcpy(out + n, p, len);
      n += len;
      out[n] = 0;
    }
    p += len;
    if (*p == '/') p++;
  }
  if (!n) return p_err_set(e, P_EUPLOAD, "entry '%s' has an empty path", raw);
  return 0;
}

static bool up__skip(const char *path) {
  return strstr(path, "__pycache__/") || strstr(path, "__MACOSX/") || !strcmp(path, ".DS_Store") ||
         (strlen(path) > 4 && !strcmp(path + strlen(path) - 4, ".pyc"));
}

static int up__add(srv_upload *up, const char *path, const char *data, size_t len, p_err *e) {
  for (size_t i = 0; i < up->nfiles; i++)
    if (!strcmp(up->files[i].path, path)) return p_err_set(e, P_EUPLOAD, "entry '%s' appears twice", path);
  if (up->nfiles >= srv_cfg.max_files)
    return p_err_set(e, P_EUPLOAD, "the upload has more than %zu files", srv_cfg.max_files);
  if (up->unpacked + len > srv_cfg.max_unpacked)
    return p_err_set(e, P_ETOOBIG, "the upload unpacks to more than %zu bytes", srv_cfg.max_unpacked);
  store_upload_file *f = p_xrealloc(up->files, (up->nfiles + 1) * sizeof *f);
  up->files = f;
  char *d = p_xmalloc(len + 1);
  memcpy(d, data, len);
  d[len] = 0;
  up->files[up->nfiles].path = p_xstrdup(path);
  up->files[up->nfiles].data = d;
  up->files[up->nfiles].len = len;
  up->nfiles++;
  up->unpacked += len;
  return 0;
}

static int up__archive(srv_upload *up, const char *data, size_t len, p_err *e) {
  struct archive *a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_none(a);
  archive_read_support_format_zip(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  int rc = 0;
  if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
    rc = p_err_set(e, P_EUPLOAD, "not a readable archive: %s", archive_error_string(a));
    goto out;
  }
  struct archive_entry *ent;
  p_buf content;
  p_buf_init(&content, srv_cfg.max_unpacked);
  for (;;) {
    int r = archive_read_next_header(a, &ent);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      rc = p_err_set(e, P_EUPLOAD, "corrupt archive: %s", archive_error_string(a));
      break;
    }
    /* The UTF-8 name when libarchive can produce one (zip with the UTF-8
     * flag, pax headers; the process runs in a UTF-8 locale), else the raw
     * bytes, which up__clean_path checks are UTF-8. */
    const char *name = archive_entry_pathname_utf8(ent);
    if (!name) name = archive_entry_pathname(ent);
    if (!name) {
      rc = p_err_set(e, P_EUPLOAD, "an archive entry's name cannot be read: it is not UTF-8 and the "
                                   "archive does not say which encoding it uses");
      break;
    }
    if (!*name) {
      rc = p_err_set(e, P_EUPLOAD, "an archive entry has an empty name");
      break;
    }
    mode_t type = archive_entry_filetype(ent);
    if (archive_entry_symlink(ent) || type == AE_IFLNK) {
      rc = p_err_set(e, P_EUPLOAD, "entry '%s' is a symbolic link; only plain files are accepted", name);
      break;
    }
    if (archive_entry_hardlink(ent)) {
      rc = p_err_set(e, P_EUPLOAD, "entry '%s' is a hard link; only plain files are accepted", name);
      break;
    }
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      rc = p_err_set(e, P_EUPLOAD, "entry '%s' is a device, FIFO or socket; only plain files are accepted", name);
      break;
    }
    char path[1024];
    if ((rc = up__clean_path(name, path, sizeof path, e))) break;
    p_buf_reset(&content);
    char chunk[65536];
    ssize_t n;
    while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
      if (up->unpacked + content.len + (size_t)n > srv_cfg.max_unpacked || p_buf_append(&content, chunk, (size_t)n)) {
        rc = p_err_set(e, P_ETOOBIG, "the upload unpacks to more than %zu bytes (at entry '%s')",
                       srv_cfg.max_unpacked, path);
        break;
      }
      if (up->unpacked + content.len > (size_t)1 << 20 &&
          (double)(up->unpacked + content.len) > srv_cfg.max_ratio * (double)len) {
        rc = p_err_set(e, P_EUPLOAD, "the archive expands more than %.0f times its size (at entry '%s'): refused as a likely zip bomb",
                       srv_cfg.max_ratio, path);
        break;
      }
    }
    if (rc) break;
    if (n < 0) {
      rc = p_err_set(e, P_EUPLOAD, "entry '%s': %s", path, archive_error_string(a));
      break;
    }
    if (up__skip(path)) continue;
    if ((rc = up__add(up, path, content.data ? content.data : "", content.len, e))) break;
  }
  p_buf_free(&content);
out:
  archive_read_free(a);
  return rc;
}

static bool up__ends(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcasecmp(s + a - b, suffix);
}

static bool up__ctype_is(const char *ct, const char *what) {
  if (!ct) return false;
  size_t n = strlen(what);
  return !strncasecmp(ct, what, n) && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

typedef enum { UP_PY, UP_ARCHIVE, UP_UNKNOWN } up_kind;

static up_kind up__kind(const srv_part *p) {
  if (p->filename) {
    if (up__ends(p->filename, ".py")) return UP_PY;
    if (up__ends(p->filename, ".zip") || up__ends(p->filename, ".tar.gz") || up__ends(p->filename, ".tgz") ||
        up__ends(p->filename, ".tar"))
      return UP_ARCHIVE;
  }
  const char *ct = p->ctype;
  if (up__ctype_is(ct, "text/x-python") || up__ctype_is(ct, "text/x-script.python") ||
      up__ctype_is(ct, "application/x-python") || up__ctype_is(ct, "application/x-python-code") ||
      up__ctype_is(ct, "text/plain"))
    return UP_PY;
  if (up__ctype_is(ct, "application/zip") || up__ctype_is(ct, "application/x-zip-compressed") ||
      up__ctype_is(ct, "application/gzip") || up__ctype_is(ct, "application/x-gzip") ||
      up__ctype_is(ct, "application/x-tar") || up__ctype_is(ct, "application/x-gtar") ||
      up__ctype_is(ct, "application/x-compressed-tar"))
    return UP_ARCHIVE;
  return UP_UNKNOWN;
}

int srv_upload_build(srv_part *parts, size_t nparts, const char *entry_param, srv_upload *up,
                     cJSON *errors, p_err *e) {
  memset(up, 0, sizeof *up);
  size_t total = 0;
  for (size_t i = 0; i < nparts; i++) total += parts[i].data.len;
  if (nparts == 0 || total == 0) {
    return p_err_set(e, P_EEMPTY, "the upload is empty: send a Python file, a zip or a tar.gz as the body");
  }
  for (size_t i = 0; i < nparts; i++) {
    srv_part *p = &parts[i];
    if (!p->data.len) continue;
    int rc;
    switch (up__kind(p)) {
    case UP_PY: {
      char path[1024];
      const char *name = p->filename ? p->filename : entry_param && *entry_param ? entry_param : "main.py";
      if ((rc = up__clean_path(name, path, sizeof path, e))) return rc;
      if ((rc = up__add(up, path, p->data.data, p->data.len, e))) return rc;
      break;
    }
    case UP_ARCHIVE:
      if ((rc = up__archive(up, p->data.data, p->data.len, e))) return rc;
      break;
    default:
      return p_err_set(e, P_EUNSUPPORTED,
                       "content type '%s' is not accepted: use text/x-python, application/zip, "
                       "application/gzip (tar.gz) or multipart/form-data",
                       p->ctype ? p->ctype : "(none)");
    }
  }
  if (!up->nfiles) return p_err_set(e, P_EUPLOAD, "the archive holds no files");

  /* Strip one folder that holds everything (a zipped project folder). */
  const char *first = up->files[0].path;
  const char *slash = strchr(first, '/');
  if (slash) {
    size_t n = (size_t)(slash - first) + 1;
    bool all = true;
    for (size_t i = 0; i < up->nfiles && all; i++) all = !strncmp(up->files[i].path, first, n);
    char prefix[1024];
    snprintf(prefix, sizeof prefix, "%.*s", (int)n, first);
    bool entry_has_prefix = entry_param && !strncmp(entry_param, prefix, n);
    if (all && !entry_has_prefix) {
      for (size_t i = 0; i < up->nfiles; i++) {
        char *np = p_xstrdup(up->files[i].path + n);
        free((char *)up->files[i].path);
        up->files[i].path = np;
      }
    }
  }

  const char *entry = NULL;
  if (entry_param && *entry_param) {
    char clean[1024];
    if (up__clean_path(entry_param, clean, sizeof clean, e)) {
      /* e->msg is both the detail and the destination: copy it first. */
      char why[sizeof e->msg];
      snprintf(why, sizeof why, "%s", e->msg);
      up__field(errors, "entry", "%s", why);
      return p_err_set(e, P_EINVAL, "invalid entry point: %s", why);
    }
    for (size_t i = 0; i < up->nfiles; i++)
      if (!strcmp(up->files[i].path, clean)) entry = up->files[i].path;
    if (!entry) {
      up__field(errors, "entry", "no file '%s' in the upload", clean);
      return p_err_set(e, P_EINVAL, "the entry point '%s' is not in the upload", clean);
    }
    if (!up__ends(entry, ".py")) {
      up__field(errors, "entry", "'%s' is not a .py file", entry);
      return p_err_set(e, P_EINVAL, "the entry point '%s' is not a .py file", entry);
    }
  } else {
    const char *pref[] = {"__main__.py", "main.py"};
    for (int k = 0; k < 2 && !entry; k++)
      for (size_t i = 0; i < up->nfiles; i++)
        if (!strcmp(up->files[i].path, pref[k])) entry = up->files[i].path;
    if (!entry) {
      size_t npy = 0;
      for (size_t i = 0; i < up->nfiles; i++)
        if (up__ends(up->files[i].path, ".py")) {
          npy++;
          entry = up->files[i].path;
        }
      if (npy != 1) {
        entry = NULL;
        up__field(errors, "entry", npy ? "several .py files and no __main__.py or main.py: name one with ?entry="
                                       : "the upload holds no .py file");
        if (npy)
          return p_err_set(e, P_EINVAL, "cannot tell the entry point: %zu .py files, none named "
                           "__main__.py or main.py; pass ?entry=PATH", npy);
        return p_err_set(e, P_EINVAL, "the upload holds no .py file");
      }
    }
  }
  up->entry = p_xstrdup(entry);
  return 0;
}

/* ---------------------------------------------------------------- options */

int srv_options_parse(const char *json, cJSON **out, cJSON *errors, bool *malformed, p_err *e) {
  *malformed = false;
  *out = NULL;
  cJSON *in = cJSON_Parse(json);
  if (!in) {
    *malformed = true;
    return p_err_set(e, P_EINVAL, "options are not valid JSON");
  }
  if (!cJSON_IsObject(in)) {
    cJSON_Delete(in);
    up__field(errors, "options", "must be a JSON object");
    return p_err_set(e, P_EINVAL, "options must be a JSON object");
  }
  cJSON *o = cJSON_CreateObject();
  int bad = 0;
  cJSON *item;
  cJSON_ArrayForEach(item, in) {
    const char *k = item->string;
    if (!strcmp(k, "skip_test")) {
      if (!cJSON_IsBool(item)) { up__field(errors, "skip_test", "must be true or false"); bad++; }
      else cJSON_AddBoolToObject(o, "skip_test", cJSON_IsTrue(item));
    } else if (!strcmp(k, "assist")) {
      if (!cJSON_IsBool(item)) { up__field(errors, "assist", "must be true or false"); bad++; }
      else cJSON_AddBoolToObject(o, "assist", cJSON_IsTrue(item));
    } else if (!strcmp(k, "debug_sleep_ms")) {
      if (!srv_cfg.pl.test_hooks) { up__field(errors, k, "test-only option; the server was not started with --test-hooks"); bad++; }
      else if (!cJSON_IsNumber(item) || item->valuedouble < 0 || item->valuedouble > 600000) { up__field(errors, k, "must be 0..600000"); bad++; }
      else cJSON_AddNumberToObject(o, k, item->valuedouble);
    } else if (!strcmp(k, "vectors")) {
      if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > SRV_MAX_VECTORS) {
        up__field(errors, "vectors", "must be an array of at most 32 {\"args\": [...], \"stdin\": \"...\"} objects");
        bad++;
        continue;
      }
      cJSON *vs = cJSON_AddArrayToObject(o, "vectors");
      int i = 0;
      cJSON *v;
      cJSON_ArrayForEach(v, item) {
        char field[64];
        snprintf(field, sizeof field, "vectors[%d]", i);
        cJSON *nv = cJSON_CreateObject();
        cJSON_AddItemToArray(vs, nv);
        if (!cJSON_IsObject(v)) { up__field(errors, field, "must be an object"); bad++; i++; continue; }
        cJSON *args = cJSON_GetObjectItemCaseSensitive(v, "args");
        cJSON *stdin_ = cJSON_GetObjectItemCaseSensitive(v, "stdin");
        cJSON *na = cJSON_AddArrayToObject(nv, "args");
        if (args) {
          cJSON *a;
          /* One limit per thing, the same the Test stage can honour
           * (docs/openapi.json): 256 args, each < 64 KiB, 256 KiB in all
           * (the kernel's argument space, with room for the sandbox's). */
          bool ok = cJSON_IsArray(args);
          size_t total = 0;
          if (ok) cJSON_ArrayForEach(a, args) {
            ok &= cJSON_IsString(a) && strlen(a->valuestring) < SRV_MAX_ARG_BYTES;
            if (ok) total += strlen(a->valuestring) + 1;
          }
          if (!ok) { up__field(errors, field, "args must be an array of strings, each shorter than 64 KiB"); bad++; }
          else if (cJSON_GetArraySize(args) > SRV_MAX_ARGS) {
            up__field(errors, field, "at most %d args per vector (this one has %d)", SRV_MAX_ARGS, cJSON_GetArraySize(args));
            bad++;
          } else if (total > SRV_MAX_ARGS_TOTAL) {
            up__field(errors, field, "the args of one vector may total at most %d bytes (these total %zu)",
                      SRV_MAX_ARGS_TOTAL, total);
            bad++;
          }
          else cJSON_ArrayForEach(a, args) cJSON_AddItemToArray(na, cJSON_CreateString(a->valuestring));
        }
        if (stdin_ && !(cJSON_IsString(stdin_) && strlen(stdin_->valuestring) <= SRV_MAX_STDIN)) {
          up__field(errors, field, "stdin must be a string of at most 1 MiB");
          bad++;
        } else {
          cJSON_AddStringToObject(nv, "stdin", stdin_ ? stdin_->valuestring : "");
        }
        cJSON *unknown;
        cJSON_ArrayForEach(unknown, v) if (strcmp(unknown->string, "args") && strcmp(unknown->string, "stdin")) {
          up__field(errors, field, "unknown key '%s'", unknown->string);
          bad++;
        }
        i++;
      }
    } else {
      up__field(errors, k, "unknown option (known: vectors, skip_test, assist)");
      bad++;
    }
  }
  cJSON_Delete(in);
  if (bad) {
    cJSON_Delete(o);
    return p_err_set(e, P_EINVAL, "invalid job options (%d problem%s)", bad, bad == 1 ? "" : "s");
  }
  *out = o;
  return 0;
}
