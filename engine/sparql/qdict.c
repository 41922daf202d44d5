/*
 * qdict.c -- stored and temporary terms of one query (see qdict.h).
 */
#include "qdict.h"
#include "dict.h"
#include "termstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  TrineTerm term;  /* views into the arena */
  uint64_t hash;
  size_t enc_off, enc_len; /* canonical bytes in the arena (hash key) */
} Temp;

typedef struct {
  TrineId id;
  char *label;
} BlankLabel;

struct QDict {
  TrineTxn *txn;
  Temp *temps;
  size_t ntemps, captemps;
  size_t *slots; /* open addressing over temps: index + 1, 0 empty (NULL: none yet) */
  size_t mask;
  BlankLabel *blanks; /* labels of stored blank nodes handed out: open */
  size_t nblanks, capblanks; /* addressing by id, capblanks a power of 2 */
  char **chunks;      /* arena chunks (strings never move) */
  size_t nchunks, capchunks;
  Buf enc;
  uint64_t generated;
  TermReader readers[QDICT_READERS]; /* qdict_term_in's, read txns only */
};

QDict *qdict_new(TrineTxn *txn) {
  QDict *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->txn = txn; /* slots are made with the first temporary term: most
                 * queries make none */
  return d;
}

void qdict_free(QDict *d) {
  if (!d) return;
  for (size_t i = 0; i < QDICT_READERS; ++i) termstore_reader_close(&d->readers[i]);
  for (size_t i = 0; i < d->nchunks; ++i) free(d->chunks[i]);
  free(d->chunks);
  free(d->temps);
  free(d->slots);
  free(d->blanks);
  buf_free(&d->enc);
  free(d);
}

TrineTxn *qdict_txn(QDict *d) { return d->txn; }

/* A private copy of n bytes (NUL-terminated) that lives as long as d. */
static char *keep(QDict *d, const char *s, size_t n) {
  if (d->nchunks == d->capchunks) { /* doubling: a VALUES table of 30,000
                                     * numbers made 120,000 copies of the list */
    size_t cap = d->capchunks ? d->capchunks * 2 : 64;
    char **c = realloc(d->chunks, cap * sizeof *c);
    if (!c) return NULL;
    d->chunks = c;
    d->capchunks = cap;
  }
  char *copy = malloc(n + 1);
  if (!copy) return NULL;
  if (n) memcpy(copy, s, n);
  copy[n] = '\0';
  d->chunks[d->nchunks++] = copy;
  return copy;
}

static int grow_slots(QDict *d) {
  size_t n = d->slots ? (d->mask + 1) * 2 : 256;
  size_t *s = calloc(n, sizeof *s);
  if (!s) return -1;
  for (size_t i = 0; i < d->ntemps; ++i) {
    size_t j = d->temps[i].hash & (n - 1);
    while (s[j]) j = (j + 1) & (n - 1);
    s[j] = i + 1;
  }
  free(d->slots);
  d->slots = s;
  d->mask = n - 1;
  return 0;
}

static TrineStatus nomem(QDict *d) {
  return store_error(d->txn->store, TRINE_ERR_NOMEM, "out of memory");
}

/* Find or add the temporary term with canonical bytes d->enc. */
static TrineStatus temp_id(QDict *d, const TrineTerm *t, TrineId *id) {
  if (!d->slots && grow_slots(d)) return nomem(d);
  uint64_t h = dict_hash(d->enc.data, d->enc.len);
  size_t i = h & d->mask;
  for (size_t k; (k = d->slots[i]); i = (i + 1) & d->mask) {
    Temp *e = &d->temps[k - 1];
    if (e->hash == h && e->enc_len == d->enc.len &&
        memcmp(d->chunks[e->enc_off], d->enc.data, d->enc.len) == 0) {
      *id = id_make(IDK_TEMP, k);
      return TRINE_OK;
    }
  }
  if (d->ntemps == d->captemps) {
    size_t cap = d->captemps ? d->captemps * 2 : 64;
    Temp *n = realloc(d->temps, cap * sizeof *n);
    if (!n) return nomem(d);
    d->temps = n;
    d->captemps = cap;
  }
  Temp e = {.hash = h, .enc_len = d->enc.len, .term = *t};
  if (!keep(d, d->enc.data, d->enc.len)) return nomem(d);
  e.enc_off = d->nchunks - 1;
  /* The term's strings, copied. */
  if (!(e.term.value = keep(d, t->value, t->value_len))) return nomem(d);
  if (t->datatype && t->datatype_len &&
      !(e.term.datatype = keep(d, t->datatype, t->datatype_len)))
    return nomem(d);
  if (t->lang && t->lang_len) {
    char *lang = keep(d, t->lang, t->lang_len);
    if (!lang) return nomem(d);
    for (char *c = lang; *c; ++c)
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    e.term.lang = lang;
    e.term.datatype = NULL;
    e.term.datatype_len = 0;
  }
  d->temps[d->ntemps++] = e;
  d->slots[i] = d->ntemps;
  *id = id_make(IDK_TEMP, d->ntemps);
  if (d->ntemps * 2 > d->mask && grow_slots(d)) return nomem(d);
  return TRINE_OK;
}

TrineStatus qdict_lookup(QDict *d, const TrineTerm *t, TrineId *id) {
  return dict_lookup(d->txn, t, id);
}

TrineStatus qdict_intern(QDict *d, const TrineTerm *t, TrineId *id) {
  TrineStatus st = dict_lookup(d->txn, t, id);
  if (st != TRINE_NOT_FOUND) return st;
  d->enc.len = 0;
  if (dict_encode_append(t, &d->enc))
    return store_error(d->txn->store, TRINE_ERR_ARG, "not a valid term");
  return temp_id(d, t, id);
}

TrineId qdict_new_blank(QDict *d) {
  char label[32];
  int n = snprintf(label, sizeof label, "g%llu", (unsigned long long)++d->generated);
  TrineTerm t = {.kind = TRINE_TERM_BLANK, .value = label, .value_len = (size_t)n};
  TrineId id = 0;
  d->enc.len = 0;
  if (dict_encode_append(&t, &d->enc) || temp_id(d, &t, &id)) return 0;
  return id;
}

/* Slot of id in a blank-label table of cap (a power of 2) slots. */
static size_t blank_slot(const BlankLabel *b, size_t cap, TrineId id) {
  size_t i = (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
  while (b[i].id && b[i].id != id) i = (i + 1) & (cap - 1);
  return i;
}

static bool blanks_grow(QDict *d) {
  size_t cap = d->capblanks ? d->capblanks * 2 : 64;
  BlankLabel *b = calloc(cap, sizeof *b);
  if (!b) return false;
  for (size_t i = 0; i < d->capblanks; ++i)
    if (d->blanks[i].id) b[blank_slot(b, cap, d->blanks[i].id)] = d->blanks[i];
  free(d->blanks);
  d->blanks = b;
  d->capblanks = cap;
  return true;
}

/* The label of a stored blank node, kept for the life of d. */
static TrineStatus blank_label(QDict *d, TrineId id, TrineTerm *out) {
  if (d->capblanks) {
    const BlankLabel *b = &d->blanks[blank_slot(d->blanks, d->capblanks, id)];
    if (b->id) {
      *out = (TrineTerm){.kind = TRINE_TERM_BLANK, .value = b->label,
                         .value_len = strlen(b->label)};
      return TRINE_OK;
    }
  }
  char scratch[24];
  TrineStatus st = dict_term(d->txn, id, out, scratch);
  if (st) return st;
  if (2 * (d->nblanks + 1) > d->capblanks && !blanks_grow(d)) return nomem(d);
  char *label = keep(d, scratch, out->value_len);
  if (!label) return nomem(d);
  d->blanks[blank_slot(d->blanks, d->capblanks, id)] = (BlankLabel){id, label};
  d->nblanks++;
  out->value = label;
  return TRINE_OK;
}

TrineStatus qdict_term(QDict *d, TrineId id, TrineTerm *out) {
  return qdict_term_in(d, QDICT_READERS - 1, id, out, NULL);
}

TrineStatus qdict_term_in(QDict *d, size_t r, TrineId id, TrineTerm *out, char *buf) {
  switch (id_kind(id)) {
  case IDK_TEMP: {
    uint64_t k = id_seq(id);
    if (k == 0 || k > d->ntemps)
      return store_error(d->txn->store, TRINE_ERR_INTERNAL, "bad temporary term id");
    *out = d->temps[k - 1].term;
    return TRINE_OK;
  }
  case IDK_BLANK:
    return blank_label(d, id, out);
  default: {
    /* The usual case first, without a call: the reader's block holds it. */
    TermReader *tr = &d->readers[r % QDICT_READERS];
    const void *data;
    size_t len;
    if ((id_kind(id) == IDK_IRI || id_kind(id) == IDK_LITERAL) && !d->txn->write &&
        termstore_get_near(tr, id_seq(id), &data, &len) && dict_decode_bytes(data, len, out) == 0)
      return TRINE_OK;
    if (buf) return dict_term_kept(d->txn, tr, id, out, buf);
    char scratch[24];
    return dict_term_at(d->txn, tr, id, out, scratch);
  }
  }
}
