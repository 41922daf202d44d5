/*
 * model.h -- what the crash and fault harnesses expect a store to hold: a
 * vocabulary of terms, a set of quads over it, and a seeded generator of
 * operations (loads, SPARQL updates, API transactions, compaction) whose
 * effect on the set is known when they are made.
 *
 * The generator is deterministic: the same seed from the same model and
 * vocabulary makes the same operations, so the parent of a killed child
 * replays exactly what the child ran. An operation's effect is a list of
 * adds and removes computed from the model as it was when the operation
 * was made; an operation meant to fail has no effect.
 */
#ifndef TRINE_CRASH_MODEL_H
#define TRINE_CRASH_MODEL_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A seeded generator (splitmix64). */
typedef struct {
  uint64_t s;
} Rng;

uint64_t rng_next(Rng *r);
/* A number in [0, n), n > 0. */
uint32_t rng_below(Rng *r, uint32_t n);
/* A seed of its own for item i of a series seeded by seed. */
uint64_t rng_mix(uint64_t seed, uint64_t i);

/* Terms by number; number 0 is the default graph. At most 65535 terms, so
 * a quad fits in 64 bits. Blank nodes are named "_:LABEL" where the store
 * also holds (_:LABEL, ex:bid, "LABEL"), by which the store's labels are
 * mapped back. */
typedef struct Vocab Vocab;

Vocab *vocab_new(void);
Vocab *vocab_copy(const Vocab *v);
void vocab_free(Vocab *v);
/* The number of term text (N-Triples form, "DEFAULT" for the default
 * graph), made when new; 0 when the vocabulary is full. */
uint32_t vocab_intern(Vocab *v, const char *text);
/* The number of text, or 0 when it has none. */
uint32_t vocab_find(const Vocab *v, const char *text);
const char *vocab_text(const Vocab *v, uint32_t id);
/* The term as the API takes it (views on the vocabulary's strings). */
TrineTerm vocab_term(const Vocab *v, uint32_t id);

/* The N-Triples form of a term as the harness writes it: "DEFAULT" for
 * the default graph, literals of xsd:string without a datatype. buf of
 * size bytes; the length, or 0 when it does not fit. */
size_t term_text(const TrineTerm *t, char *buf, size_t size);

/* A quad as four term numbers g, s, p, o in one key. */
typedef uint64_t QuadKey;

QuadKey quad_key(uint32_t g, uint32_t s, uint32_t p, uint32_t o);
uint32_t quad_part(QuadKey k, int i); /* 0 g, 1 s, 2 p, 3 o */

/* A set of quads. */
typedef struct {
  QuadKey *slots; /* 0: empty */
  size_t cap, n;
} QuadSet;

void qs_init(QuadSet *q);
void qs_free(QuadSet *q);
void qs_copy(QuadSet *dst, const QuadSet *src);
bool qs_has(const QuadSet *q, QuadKey k);
bool qs_add(QuadSet *q, QuadKey k);
bool qs_remove(QuadSet *q, QuadKey k);
bool qs_equal(const QuadSet *a, const QuadSet *b);
/* The members, sorted, in a malloc'd array of q->n keys. */
QuadKey *qs_sorted(const QuadSet *q);

/* One change an operation makes: add or remove a quad. */
typedef struct {
  QuadKey key;
  bool add;
} Change;

typedef enum {
  OP_LOAD_BUFFER, /* trine_store_load_buffer() */
  OP_LOAD_FILE,   /* trine_store_load_file() of a file the child writes */
  OP_UPDATE,      /* a SPARQL update request */
  OP_TXN,         /* trine_txn_begin(), steps, then commit or abort */
  OP_COMPACT      /* trine_store_compact() */
} OpKind;

typedef enum {
  STEP_ADD,    /* trine_txn_add() of quad */
  STEP_REMOVE, /* trine_txn_remove() of quad */
  STEP_LOAD,   /* a load in the transaction (TrineLoadOptions.txn) */
  STEP_UPDATE  /* an update in the transaction (TrineQueryOptions.txn) */
} StepKind;

typedef struct {
  StepKind kind;
  QuadKey quad;        /* ADD, REMOVE */
  char *text;          /* LOAD: the data; UPDATE: the request */
  size_t len;
  TrineFormat format;  /* LOAD */
  uint32_t graph;      /* LOAD of N-Triples: the target graph (0: default) */
  char *file;          /* UPDATE: a file its LOAD reads, written first (or NULL) */
  size_t file_len;
  bool fails;          /* LOAD, UPDATE: meant to fail; ADD, REMOVE: TRINE_NOT_FOUND */
  bool cancel;         /* LOAD: cancelled by its progress callback */
} Step;

typedef struct {
  OpKind kind;
  const char *what; /* a few words for messages */
  /* LOAD_*: one step of kind STEP_LOAD; UPDATE: one of kind STEP_UPDATE;
   * TXN: its steps. */
  Step *steps;
  size_t nsteps;
  bool commit;      /* TXN: commit (else abort) */
  bool expect_ok;   /* the call that commits returns TRINE_OK */
  Change *changes;  /* the effect on the model when it commits */
  size_t nchanges;
} Op;

/* Options of the generator. */
typedef struct {
  const char *files;  /* directory for files loaded by OP_LOAD_FILE and LOAD */
  unsigned max_quads; /* the model is cleared when it grows past this */
  unsigned max_load;  /* lines in a load at most */
  bool compact;       /* make OP_COMPACT operations */
} GenOptions;

/* A vocabulary holding the generator's fixed terms (always the same
 * numbers). */
Vocab *gen_vocab(void);

/* Operation number index of a series, from the model m as it is before
 * it (the vocabulary gets the operation's new terms). */
void op_make(Op *op, Rng *rng, const GenOptions *go, Vocab *v, const QuadSet *m,
             unsigned index);
void op_free(Op *op);
/* The operation's effect applied to m. */
void op_apply(const Op *op, QuadSet *m);

/* The file an operation loads: GenOptions.files/op-INDEX-STEP.EXT. */
void op_file_name(const GenOptions *go, unsigned index, size_t step, TrineFormat format,
                  char *buf, size_t size);

/* Told just before the call of an operation that commits (the load, the
 * update's first step, the transaction's commit or abort, the
 * compaction), done false, and just after it returned, done true. */
typedef void (*CommitHook)(void *ctx, unsigned index, bool done);

/* Run operation index of a series on store (run.c), writing first the
 * files it loads. 0: every call returned what op expects; 1: a call failed
 * with an error op does not expect (its status in *status); -1: a call
 * returned another wrong outcome. why says what, on 1 and -1. */
int op_run(TrineStore *store, const Op *op, const GenOptions *go, const Vocab *v,
           unsigned index, CommitHook hook, void *ctx, TrineStatus *status, char *why,
           size_t size);

/* Read every quad of store into out (vocabulary numbers, blank nodes
 * mapped through their ex:bid labels). 0, or -1 with why (a term the
 * vocabulary lacks, a blank node without its label, a store error). */
int store_quads(TrineStore *store, const Vocab *v, QuadSet *out, char *why, size_t size);

/* Print up to max quads in a but not in b, each line prefixed. */
void qs_print_diff(FILE *f, const Vocab *v, const QuadSet *a, const QuadSet *b,
                   const char *prefix, unsigned max);

#endif
