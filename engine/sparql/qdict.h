/*
 * qdict.h -- the dictionary as a query sees it: stored terms keep their
 * store ids; terms a query computes (BIND, functions, aggregates) that the
 * store does not hold get temporary ids, kind IDK_TEMP, private to the
 * query. Equal terms always get equal ids, so joins and sameTerm compare
 * ids. Decoded terms stay valid until qdict_free().
 */
#ifndef TRINE_QDICT_H
#define TRINE_QDICT_H

#include "dict.h"

#define IDK_TEMP 4

typedef struct QDict QDict;

/// A dictionary over the snapshot of txn (which must outlive it).
QDict *qdict_new(TrineTxn *txn);
void qdict_free(QDict *d);

/// The id of term t: its store id when stored, else a temporary id.
TrineStatus qdict_intern(QDict *d, const TrineTerm *t, TrineId *id);

/// The store id of t, or TRINE_NOT_FOUND when the store lacks it.
TrineStatus qdict_lookup(QDict *d, const TrineTerm *t, TrineId *id);

/// The term of an id (store or temporary); views live until qdict_free().
TrineStatus qdict_term(QDict *d, TrineId id, TrineTerm *out);

/// Readers of qdict_term_in: one per result column is plenty.
#define QDICT_READERS 8

/**
 * qdict_term through reader r (taken modulo QDICT_READERS): a reader reads
 * ids near its previous one cheaply, so give each result column its own.
 * With buf (DICT_KEPT_BYTES), a store term may come from the store's cache
 * of terms (dict_term_kept()), its views in buf until buf's next use.
 */
TrineStatus qdict_term_in(QDict *d, size_t r, TrineId id, TrineTerm *out, char *buf);

/// A fresh blank node, distinct from every other (BNODE(), templates).
TrineId qdict_new_blank(QDict *d);

/// The transaction the dictionary reads.
TrineTxn *qdict_txn(QDict *d);

#endif
