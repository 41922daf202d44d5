/*
 * check.c -- trine_store_check(): the store's databases checked against
 * each other in one read snapshot, every problem reported with what it
 * concerns, then a verdict.
 *
 * In order: meta (an unknown format stops the check); the terms, read once
 * into a kind per sequence number (2 bits each) and a (hash, id) pair per
 * term, the pairs sorted and merged with hash2id, which is sorted the same
 * way; the indexes (check_index.c), whose ids are checked against the
 * kinds; the statistics against the indexes' recount.
 */
#include "check_int.h"

#include "guard.h"
#include "termstore.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Terms whose (hash, id) pairs are sorted at once (16 bytes each). A store
 * with more is checked against hash2id in passes, each over a range of
 * hashes. LUBM(50) has 1.6 M terms. */
#define CHECK_TERMS_DEFAULT ((size_t)1 << 22)

/* ---- reporting ---- */

void check_report(Check *c, TrineCheckProblem *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof c->msg, fmt, ap);
  va_end(ap);
  for (char *m = c->msg; *m; ++m) /* a term's newline would break the line */
    if ((unsigned char)*m < 0x20) *m = ' ';
  p->message = c->msg;
  c->st.problems++;
  if (!c->report || c->stopped) return;
  void *guard = guard_pause(); /* the program's callback: its faults are its own */
  c->stopped = c->report(c->ctx, p) != 0;
  guard_resume(guard);
}

MDB_cursor *check_cursor(Check *c, MDB_dbi dbi, const char *where) {
  MDB_cursor *cur;
  int rc = mdb_cursor_open(c->t->txn, dbi, &cur);
  if (rc) {
    check_lmdb(c, where, rc);
    return NULL;
  }
  for (int i = 0; i < CHECK_CURSORS; ++i)
    if (!c->cursors[i]) return c->cursors[i] = cur;
  mdb_cursor_close(cur);
  c->err = store_error(c->s, TRINE_ERR_INTERNAL, "check: too many cursors");
  return NULL;
}

void check_cursor_close(Check *c, MDB_cursor *cur) {
  for (int i = 0; i < CHECK_CURSORS; ++i)
    if (c->cursors[i] == cur) c->cursors[i] = NULL;
  mdb_cursor_close(cur);
}

void check_lmdb(Check *c, const char *where, int rc) {
  if (c->err) return; /* the first failure stopped the check */
  TrineCheckProblem p = {.kind = TRINE_CHECK_LMDB, .where = where};
  check_report(c, &p, "%s: LMDB cannot read it: %s; the check stopped here", where,
               mdb_strerror(rc));
  c->err = store_mdb_error(c->s, rc, "cannot check the store");
}

void check_nomem(Check *c) {
  c->err = store_error(c->s, TRINE_ERR_NOMEM, "cannot check the store: out of memory");
}

/* How much of text (len bytes) a message shows: at most max bytes, not
 * ending inside a UTF-8 character. */
static int cut(const char *text, size_t len, size_t max) {
  if (len <= max) return (int)len;
  while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80) --max;
  return (int)max;
}

const char *check_term(Check *c, TrineId id, char *buf, size_t n) {
  unsigned k = id_kind(id), kind = check_kind(c, id_seq(id));
  const void *data;
  size_t len;
  TrineTerm t;
  if (id == 0) {
    snprintf(buf, n, "(default graph)");
  } else if (k == IDK_BLANK) {
    snprintf(buf, n, "_:b%llx", (unsigned long long)id_seq(id));
  } else if ((k != IDK_IRI && k != IDK_LITERAL) || (kind != KIND_IRI && kind != KIND_LITERAL) ||
             termstore_get(c->t, &c->reader, id_seq(id), &data, &len) ||
             dict_decode_bytes(data, len, &t)) {
    snprintf(buf, n, "id %016llx", (unsigned long long)id);
  } else if (t.kind == TRINE_TERM_IRI) {
    snprintf(buf, n, "<%.*s%s>", cut(t.value, t.value_len, 80), t.value,
             t.value_len > 80 ? "..." : "");
  } else {
    int m = snprintf(buf, n, "\"%.*s%s\"", cut(t.value, t.value_len, 60), t.value,
                     t.value_len > 60 ? "..." : "");
    if (m > 0 && (size_t)m < n && t.lang)
      snprintf(buf + m, n - (size_t)m, "@%.*s", cut(t.lang, t.lang_len, 20), t.lang);
    else if (m > 0 && (size_t)m < n && t.datatype)
      snprintf(buf + m, n - (size_t)m, "^^<%.*s>", cut(t.datatype, t.datatype_len, 60),
               t.datatype);
  }
  return buf;
}

/* ---- the recount of predicates: open addressing on the id ---- */

static size_t pred_slot(TrineId id, size_t mask) {
  return (size_t)((id * 0x9e3779b97f4a7c15u) >> 32) & mask;
}

static PredCount *pred_find(const Check *c, TrineId p) {
  if (!c->preds) return NULL;
  for (size_t i = pred_slot(p, c->pmask);; i = (i + 1) & c->pmask) {
    if (!c->preds[i].used) return NULL;
    if (c->preds[i].id == p) return &c->preds[i];
  }
}

static int pred_grow(Check *c) {
  size_t n = c->preds ? (c->pmask + 1) * 2 : 64;
  PredCount *e = calloc(n, sizeof *e);
  if (!e) return -1;
  for (size_t i = 0; c->preds && i <= c->pmask; ++i) {
    if (!c->preds[i].used) continue;
    size_t j = pred_slot(c->preds[i].id, n - 1);
    while (e[j].used) j = (j + 1) & (n - 1);
    e[j] = c->preds[i];
  }
  free(c->preds);
  c->preds = e;
  c->pmask = n - 1;
  return 0;
}

PredCount *check_pred(Check *c, TrineId p) {
  PredCount *e = pred_find(c, p);
  if (e) return e;
  if ((!c->preds || (c->pused + 1) * 2 > c->pmask) && pred_grow(c)) return NULL;
  size_t i = pred_slot(p, c->pmask);
  while (c->preds[i].used) i = (i + 1) & c->pmask;
  c->pused++;
  c->preds[i] = (PredCount){.id = p, .used = true};
  return &c->preds[i];
}

/* ---- meta ---- */

/* The u64 under a meta key; false when absent or not 8 bytes. */
static bool meta_u64(Check *c, const char *key, uint64_t *x) {
  MDB_val k = {strlen(key), (void *)key}, v;
  *x = 0;
  int rc = mdb_get(c->t->txn, c->s->meta, &k, &v);
  if (rc == 0 && v.mv_size == sizeof *x) memcpy(x, v.mv_data, sizeof *x);
  else if (rc && rc != MDB_NOTFOUND) check_lmdb(c, "meta", rc);
  return rc == 0 && v.mv_size == sizeof *x;
}

/* The format is known and "next" is there; false: check nothing further. */
static bool check_meta(Check *c) {
  uint64_t format;
  bool has = meta_u64(c, "format", &format);
  if (c->err) return false;
  if (format != FORMAT_VERSION) {
    TrineCheckProblem p = {.kind = TRINE_CHECK_FORMAT, .where = "meta", .counter = "format",
                           .expected = FORMAT_VERSION, .found = format};
    if (has)
      check_report(c, &p, "meta: format %llu, this trine knows format %d: not checked further",
                   (unsigned long long)format, FORMAT_VERSION);
    else
      check_report(c, &p, "meta: no format version: not checked further");
    return false;
  }
  if (!meta_u64(c, "next", &c->next) || c->next == 0) {
    TrineCheckProblem p = {.kind = TRINE_CHECK_FORMAT, .where = "meta", .counter = "next"};
    check_report(c, &p, "meta: no \"next\" sequence number: every id will seem out of range");
  }
  return !c->err;
}

/* ---- terms ---- */

static uint64_t part_of(uint64_t hash, uint64_t parts) {
  return (uint64_t)(((__uint128_t)hash * parts) >> 64);
}

/* The first hash of part i. */
static uint64_t part_start(uint64_t i, uint64_t parts) {
  return (uint64_t)((((__uint128_t)i << 64) + parts - 1) / parts);
}

/* Why a block value is malformed (NULL: it is not); *n its entries. */
static const char *block_fault(const MDB_val *v, uint64_t *n) {
  const unsigned char *p = v->mv_data;
  uint32_t cnt, end, prev = 0;
  if (v->mv_size < 4) return "shorter than its header";
  memcpy(&cnt, p, 4);
  if (cnt == 0) return "it holds no entries";
  if ((v->mv_size - 4) / 4 < cnt) return "its entry count runs past its end";
  for (uint32_t i = 0; i < cnt; ++i, prev = end) {
    memcpy(&end, p + 4 + 4 * (size_t)i, 4);
    if (end < prev) return "the ends of its entries go down";
  }
  if (prev > v->mv_size - 4 - 4 * (size_t)cnt) return "its entries run past its end";
  *n = cnt;
  return NULL;
}

static void term_problem(Check *c, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void term_problem(Check *c, uint64_t seq, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  TrineCheckProblem p = {.kind = TRINE_CHECK_TERM, .where = "terms", .seq = seq};
  check_report(c, &p, "terms: %s", text);
}

/* The kind of one stored entry's bytes, reported when malformed. */
static unsigned entry_kind(Check *c, uint64_t seq, const unsigned char *b, size_t len,
                           bool report) {
  TrineTerm t;
  if (dict_decode_bytes(b, len, &t) == 0) return b[0] == 'I' ? KIND_IRI : KIND_LITERAL;
  if (report)
    term_problem(c, seq, "the bytes of sequence number %llu are malformed (they begin with 0x%02x)",
                 (unsigned long long)seq, b[0]);
  return KIND_BAD;
}

static void pairs_add(Check *c, Pairs *pr, uint64_t hash, TrineId id) {
  if (pr->full || part_of(hash, pr->parts) != pr->part) return;
  if (pr->n == pr->limit) {
    pr->full = true;
    return;
  }
  if (pr->n == pr->cap) {
    size_t cap = pr->cap ? pr->cap * 2 : 4096;
    HashId *v = realloc(pr->v, cap * sizeof *v);
    if (!v) {
      check_nomem(c);
      return;
    }
    pr->v = v;
    pr->cap = cap;
  }
  pr->v[pr->n++] = (HashId){hash, id};
}

/* One block's entries: kinds and counts on the first pass, pairs always. */
static void block_entries(Check *c, Pairs *pr, uint64_t first, uint64_t n,
                          const unsigned char *v, bool first_pass) {
  const unsigned char *bytes = v + 4 + 4 * n;
  uint32_t from = 0, to;
  for (uint64_t i = 0; i < n; ++i, from = to) {
    memcpy(&to, v + 4 + 4 * i, 4);
    if (to == from) continue; /* a blank node's number */
    uint64_t seq = first + i;
    unsigned kind = entry_kind(c, seq, bytes + from, to - from, first_pass);
    if (first_pass && seq < c->nkinds) c->kinds[seq >> 2] |= (unsigned char)(kind << 2 * (seq & 3));
    if (first_pass) c->st.terms++;
    TrineId id = id_make(kind == KIND_IRI ? IDK_IRI : IDK_LITERAL, seq);
    pairs_add(c, pr, c->s->hash(bytes + from, to - from), id);
  }
}

/* A block's key and value, checked (first pass: reported). Returns its
 * entries, 0 when it cannot be read. */
static uint64_t block_checked(Check *c, const MDB_val *k, const MDB_val *v, uint64_t *first,
                              uint64_t *end, bool report) {
  uint64_t n = 0;
  const char *why = k->mv_size == sizeof *first ? block_fault(v, &n) : "its key is not 8 bytes";
  if (k->mv_size == sizeof *first) memcpy(first, k->mv_data, sizeof *first);
  else *first = *end;
  if (why) {
    if (report)
      term_problem(c, *first, "the block at sequence number %llu is malformed: %s",
                   (unsigned long long)*first, why);
    return 0;
  }
  if (report && *first < *end)
    term_problem(c, *first, "the block at sequence number %llu overlaps the one before it",
                 (unsigned long long)*first);
  if (report && (*first + n > c->next || *first == 0))
    term_problem(c, *first, "the block of sequence numbers %llu to %llu is not between 0 and "
                            "meta \"next\" (%llu)", (unsigned long long)*first,
                 (unsigned long long)(*first + n - 1), (unsigned long long)c->next);
  *end = *first + n;
  return n;
}

/* Read every block of terms: the first pass records kinds and reports. */
static void terms_pass(Check *c, Pairs *pr, bool first_pass) {
  MDB_cursor *cur = check_cursor(c, c->s->terms, "terms");
  if (!cur) return;
  int rc;
  MDB_val k, v;
  uint64_t first, end = 0;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !check_done(c);
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    uint64_t n = block_checked(c, &k, &v, &first, &end, first_pass);
    block_entries(c, pr, first, n, v.mv_data, first_pass);
  }
  check_cursor_close(c, cur);
  if (rc && rc != MDB_NOTFOUND) check_lmdb(c, "terms", rc);
}

/* The sequence numbers the kind map covers: up to the last block's end,
 * and below "next" (a damaged key or counter must not size it). */
static uint64_t kinds_needed(Check *c) {
  MDB_cursor *cur = check_cursor(c, c->s->terms, "terms");
  MDB_val k, v;
  uint64_t first = 0, n = 1;
  if (!cur) return 0;
  if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == sizeof first) {
    memcpy(&first, k.mv_data, sizeof first);
    if (block_fault(&v, &n)) n = 1;
  }
  check_cursor_close(c, cur);
  uint64_t last = first + n < first ? UINT64_MAX : first + n;
  return last < c->next ? last : c->next;
}

/* The same bytes stored under two ids: lookups find one of them only. */
static void duplicate(Check *c, const HashId *a, const HashId *b) {
  const void *x, *y;
  size_t nx, ny;
  if (check_kind(c, id_seq(a->id)) == KIND_BAD || check_kind(c, id_seq(b->id)) == KIND_BAD ||
      termstore_get(c->t, NULL, id_seq(a->id), &x, &nx) ||
      termstore_get(c->t, &c->reader, id_seq(b->id), &y, &ny) || nx != ny || memcmp(x, y, nx))
    return;
  char t[256];
  TrineCheckProblem p = {.kind = TRINE_CHECK_TERM, .where = "terms", .id = b->id,
                         .seq = id_seq(b->id)};
  check_report(c, &p, "terms: sequence numbers %llu and %llu store the same term %s: a term has "
                      "one id", (unsigned long long)id_seq(a->id),
               (unsigned long long)id_seq(b->id), check_term(c, b->id, t, sizeof t));
}

static void missing_hash(Check *c, const HashId *h) {
  char t[256];
  TrineCheckProblem p = {.kind = TRINE_CHECK_HASH, .where = "hash2id", .id = h->id,
                         .seq = id_seq(h->id), .hash = h->hash};
  check_report(c, &p, "hash2id: term %s (id %016llx, sequence number %llu) is not filed under "
                      "its hash %016llx: lookups of it find nothing",
               check_term(c, h->id, t, sizeof t), (unsigned long long)h->id,
               (unsigned long long)id_seq(h->id), (unsigned long long)h->hash);
}

/* Why a hash2id entry names no stored term with its hash. */
static void stray_hash(Check *c, uint64_t hash, TrineId id) {
  char t[256], why[400];
  uint64_t seq = id_seq(id);
  unsigned kind = check_kind(c, seq), k = id_kind(id);
  const void *data;
  size_t len;
  if (k != IDK_IRI && k != IDK_LITERAL)
    snprintf(why, sizeof why, "which is no IRI or literal id");
  else if (kind == KIND_NONE)
    snprintf(why, sizeof why, "but sequence number %llu stores no term", (unsigned long long)seq);
  else if (kind != (k == IDK_IRI ? KIND_IRI : KIND_LITERAL))
    snprintf(why, sizeof why, "but sequence number %llu stores a term of another kind",
             (unsigned long long)seq);
  else if (termstore_get(c->t, &c->reader, seq, &data, &len) == 0)
    snprintf(why, sizeof why, "the term %s, whose bytes hash to %016llx: its bytes changed, or "
                              "the entry is misfiled", check_term(c, id, t, sizeof t),
             (unsigned long long)c->s->hash(data, len));
  else
    snprintf(why, sizeof why, "whose bytes cannot be read");
  TrineCheckProblem p = {.kind = TRINE_CHECK_HASH, .where = "hash2id", .id = id, .seq = seq,
                         .hash = hash};
  check_report(c, &p, "hash2id: the entry under hash %016llx names id %016llx, %s",
               (unsigned long long)hash, (unsigned long long)id, why);
}

static int cmp_hashid(const void *a, const void *b) {
  const HashId *x = a, *y = b;
  if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static bool hashid_less(const HashId *a, uint64_t hash, TrineId id) {
  return a->hash < hash || (a->hash == hash && a->id < id);
}

/* Sort pairs by (hash, id). Hashes are uniform: spread by their top bits
 * into about n/4 buckets, each is left with a few to sort (qsort took a
 * quarter of the check of LUBM(50)). -1: out of memory. */
static int sort_pairs(HashId *v, size_t n) {
  if (!n) return 0; /* a store without terms: v may be NULL */
  unsigned bits = 1;
  while (bits < 28 && ((size_t)1 << bits) < n / 4) bits++;
  size_t nb = (size_t)1 << bits, *end = calloc(nb + 1, sizeof *end);
  HashId *tmp = malloc(n * sizeof *tmp + 1);
  if (!end || !tmp) {
    free(end);
    free(tmp);
    return -1;
  }
  for (size_t i = 0; i < n; ++i) end[(v[i].hash >> (64 - bits)) + 1]++;
  for (size_t b = 1; b <= nb; ++b) end[b] += end[b - 1];
  for (size_t i = 0; i < n; ++i) tmp[end[v[i].hash >> (64 - bits)]++] = v[i];
  for (size_t b = 0, from = 0; b < nb; from = end[b++]) /* end[b]: bucket b's end now */
    qsort(tmp + from, end[b] - from, sizeof *tmp, cmp_hashid);
  memcpy(v, tmp, n * sizeof *v);
  free(end);
  free(tmp);
  return 0;
}

/* Merge the sorted pairs of one part with hash2id's entries of that part. */
static void merge_part(Check *c, Pairs *pr) {
  if (sort_pairs(pr->v, pr->n)) return check_nomem(c);
  for (size_t i = 1; i < pr->n && !check_done(c); ++i)
    if (pr->v[i].hash == pr->v[i - 1].hash) duplicate(c, &pr->v[i - 1], &pr->v[i]);
  MDB_cursor *cur = check_cursor(c, c->s->hash2id, "hash2id");
  if (!cur) return;
  int rc;
  uint64_t start = part_start(pr->part, pr->parts), hash;
  MDB_val k = {sizeof start, &start}, v;
  size_t i = 0;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0 && !check_done(c);
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    TrineId id;
    if (k.mv_size != sizeof hash || v.mv_size != sizeof id) {
      TrineCheckProblem p = {.kind = TRINE_CHECK_HASH, .where = "hash2id"};
      check_report(c, &p, "hash2id: an entry of a %zu-byte key and a %zu-byte value",
                   k.mv_size, v.mv_size);
      continue;
    }
    memcpy(&hash, k.mv_data, sizeof hash);
    memcpy(&id, v.mv_data, sizeof id);
    if (part_of(hash, pr->parts) != pr->part) break;
    while (i < pr->n && hashid_less(&pr->v[i], hash, id) && !check_done(c))
      missing_hash(c, &pr->v[i++]);
    if (i < pr->n && pr->v[i].hash == hash && pr->v[i].id == id) ++i;
    else stray_hash(c, hash, id);
  }
  check_cursor_close(c, cur);
  if (rc && rc != MDB_NOTFOUND) return check_lmdb(c, "hash2id", rc);
  while (i < pr->n && !check_done(c)) missing_hash(c, &pr->v[i++]);
}

static void check_term_count(Check *c) {
  uint64_t stored;
  if (!meta_u64(c, "terms", &stored) && c->err) return;
  if (stored == c->st.terms) return;
  TrineCheckProblem p = {.kind = TRINE_CHECK_COUNT, .where = "meta", .counter = "terms",
                         .expected = c->st.terms, .found = stored};
  check_report(c, &p, "meta: \"terms\" is %llu, but %llu terms are stored",
               (unsigned long long)stored, (unsigned long long)c->st.terms);
}

/* Terms: a kind per sequence number, then hash2id against them; when
 * the pairs exceed the memory allowed, in passes over ranges of hashes
 * (half the allowance each on average, so an uneven range still fits). */
static void check_terms(Check *c) {
  c->where = "terms";
  uint64_t need = kinds_needed(c);
  if (check_done(c)) return;
  if (!(c->kinds = calloc(need / 4 + 1, 1))) return check_nomem(c);
  c->nkinds = need;
  size_t limit = c->s->check_terms ? c->s->check_terms : CHECK_TERMS_DEFAULT;
  Pairs *pr = &c->pairs;
  *pr = (Pairs){.limit = limit, .parts = 1};
  terms_pass(c, pr, true);
  if (!check_done(c)) check_term_count(c);
  c->where = "hash2id";
  if (!pr->full) {
    if (!check_done(c)) merge_part(c, pr);
    return;
  }
  *pr = (Pairs){.v = pr->v, .cap = pr->cap, .limit = SIZE_MAX, /* a part never stops short */
                .parts = c->st.terms / limit * 2 + 2};
  for (; pr->part < pr->parts && !check_done(c); ++pr->part) {
    pr->n = 0;
    terms_pass(c, pr, false);
    if (!check_done(c)) merge_part(c, pr);
  }
}

/* ---- statistics ---- */

/* Whether a counter was recounted from indexes found to disagree: its
 * recount means nothing, and the index problems were reported. */
static bool recount_void(const Check *c, const char *counter) {
  const bool *odd = c->odd;
  if (strcmp(counter, "predicate subjects") == 0) return odd[IDX_GSPO] || odd[IDX_SPOG];
  if (strncmp(counter, "predicate", 9) == 0) return odd[IDX_GPOS] || odd[IDX_POSG];
  return odd[IDX_GSPO]; /* total quads, graph quads */
}

static void count_problem(Check *c, const char *counter, TrineId id, uint64_t expected,
                          uint64_t found) {
  char t[256];
  if (recount_void(c, counter)) return;
  TrineCheckProblem p = {.kind = TRINE_CHECK_COUNT, .where = "stats", .counter = counter,
                         .id = id, .expected = expected, .found = found};
  if (strcmp(counter, "total quads") == 0)
    check_report(c, &p, "stats: total quads %llu, but the store holds %llu",
                 (unsigned long long)found, (unsigned long long)expected);
  else
    check_report(c, &p, "stats: %s of %s: %llu stored, %llu counted", counter,
                 check_term(c, id, t, sizeof t), (unsigned long long)found,
                 (unsigned long long)expected);
}

static void stats_value(Check *c, const MDB_val *v, uint64_t *out, size_t n) {
  memset(out, 0, n * 8);
  if (v->mv_size == n * 8) memcpy(out, v->mv_data, n * 8);
  else {
    TrineCheckProblem p = {.kind = TRINE_CHECK_COUNT, .where = "stats"};
    check_report(c, &p, "stats: a counter of %zu bytes, not %zu", v->mv_size, n * 8);
  }
}

/* One graph's counter, the recount merged in id order: graphs counted
 * below g have no counter. */
static void stats_graph(Check *c, TrineId g, const MDB_val *v, size_t *gi) {
  uint64_t stored;
  stats_value(c, v, &stored, 1);
  for (; *gi < c->ngraphs && c->graphs[*gi].id < g; ++*gi)
    count_problem(c, "graph quads", c->graphs[*gi].id, c->graphs[*gi].quads, 0);
  uint64_t counted = 0;
  if (*gi < c->ngraphs && c->graphs[*gi].id == g) counted = c->graphs[(*gi)++].quads;
  if (counted != stored) count_problem(c, "graph quads", g, counted, stored);
}

static void stats_predicate(Check *c, TrineId id, const MDB_val *v) {
  static const char *const names[3] = {"predicate quads", "predicate subjects",
                                       "predicate objects"};
  uint64_t stored[3], zero[3] = {0, 0, 0};
  stats_value(c, v, stored, 3);
  PredCount *pc = pred_find(c, id);
  const uint64_t *counted = pc ? pc->c : zero;
  if (pc) pc->seen = true;
  for (int i = 0; i < 3; ++i)
    if (counted[i] != stored[i]) count_problem(c, names[i], id, counted[i], stored[i]);
}

/* The recounts that found no stored counter. */
static void stats_unstored(Check *c, size_t gi, bool total) {
  if (!total && c->st.quads) count_problem(c, "total quads", 0, c->st.quads, 0);
  for (; gi < c->ngraphs; ++gi)
    count_problem(c, "graph quads", c->graphs[gi].id, c->graphs[gi].quads, 0);
  for (size_t i = 0; c->preds && i <= c->pmask; ++i)
    if (c->preds[i].used && !c->preds[i].seen && c->preds[i].c[0])
      count_problem(c, "predicate quads", c->preds[i].id, c->preds[i].c[0], 0);
}

static void stats_entry(Check *c, const MDB_val *k, const MDB_val *v, size_t *gi, bool *total) {
  const unsigned char *kb = k->mv_data;
  if (k->mv_size == 1 && kb[0] == 'T') {
    uint64_t stored;
    stats_value(c, v, &stored, 1);
    if (stored != c->st.quads) count_problem(c, "total quads", 0, c->st.quads, stored);
    *total = true;
  } else if (k->mv_size == 9 && kb[0] == 'g') {
    stats_graph(c, be_get(kb + 1), v, gi);
  } else if (k->mv_size == 9 && kb[0] == 'p') {
    stats_predicate(c, be_get(kb + 1), v);
  } else {
    TrineCheckProblem p = {.kind = TRINE_CHECK_COUNT, .where = "stats"};
    check_report(c, &p, "stats: a key of %zu bytes that names no counter", k->mv_size);
  }
}

/* Every stored counter against the recount of the indexes. */
static void check_stats(Check *c) {
  c->where = "stats";
  MDB_cursor *cur = check_cursor(c, c->s->stats, "stats");
  if (!cur) return;
  int rc;
  MDB_val k, v;
  size_t gi = 0;
  bool total = false;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !check_done(c);
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    stats_entry(c, &k, &v, &gi, &total);
  check_cursor_close(c, cur);
  if (rc && rc != MDB_NOTFOUND) return check_lmdb(c, "stats", rc);
  if (!check_done(c)) stats_unstored(c, gi, total);
}

/* ---- the check ---- */

static void run(void *arg) {
  Check *c = arg;
  c->where = "meta";
  if (!check_meta(c)) return;
  check_terms(c);
  if (!check_done(c)) check_indexes(c);
  if (!check_done(c)) check_stats(c);
}

/* LMDB crashed reading damaged pages: the guard brought the check back. */
static void crashed(Check *c, int sig, const char *why) {
  for (int i = 0; i < CHECK_CURSORS; ++i)
    if (c->cursors[i]) check_cursor_close(c, c->cursors[i]);
  TrineCheckProblem p = {.kind = TRINE_CHECK_LMDB, .where = c->where};
  check_report(c, &p, "%s: LMDB crashed reading it (%s): its pages are damaged in a way LMDB "
                      "cannot detect; the check stopped here", c->where, why);
  c->err = store_error(c->s, TRINE_ERR_CORRUPT, "the store is damaged: LMDB crashed reading %s "
                       "(signal %d)", c->where, sig);
}

TrineStatus trine_store_check(TrineStore *s, TrineCheckFn report, void *ctx,
                              TrineCheckStats *out) {
  if (out) *out = (TrineCheckStats){0};
  if (!s) return api_misuse(NULL, "trine_store_check", "store is NULL");
  Check *c = calloc(1, sizeof *c);
  if (!c) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  *c = (Check){.s = s, .report = report, .ctx = ctx};
  TrineStatus st = trine_txn_begin(s, false, &c->t);
  if (!st) {
    char why[400];
    int sig = guard_run(s->env, run, c, why, sizeof why);
    if (sig) crashed(c, sig, why);
    termstore_reader_close(&c->reader);
    trine_txn_abort(c->t);
    st = c->err;
  }
  if (!st && c->st.problems)
    st = store_error(s, TRINE_ERR_CORRUPT, "the store is damaged: %llu problem%s found",
                     (unsigned long long)c->st.problems, c->st.problems == 1 ? "" : "s");
  if (out) *out = c->st;
  free(c->kinds);
  free(c->preds);
  free(c->graphs);
  free(c->pairs.v);
  free(c);
  return st;
}
