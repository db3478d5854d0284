/*
 * ddb_activity.h — every backend's writer, per foreign table, seen from any
 * session (the ddb_fdw_activity view).
 *
 * Contract: when ddb_fdw is in shared_preload_libraries, a fixed array of
 * slots in shared memory ("ddb_fdw.activity_slots", one per backend and
 * foreign table written) holds what each backend's flushes did to each
 * table: flushes, items written, requests, retries, throttles, re-sent
 * UnprocessedItems, the write capacity DynamoDB says they consumed, the
 * last flush's time, and the last error with its time.  A backend writes
 * only its own slots and frees them at exit; readers copy a slot under its
 * spinlock.  Without preloading nothing is recorded (ddb_activity_enabled()
 * is false) and the view says how to enable it.  When the slots run out,
 * further tables are not recorded and the view's overflow count says so.
 */
#ifndef DDB_ACTIVITY_H
#define DDB_ACTIVITY_H

#include "ddb_stats.h"

/* From _PG_init: ask for shared memory when preloaded. */
extern void ddb_activity_init(void);

extern bool ddb_activity_enabled(void);

typedef struct DdbActivitySlot DdbActivitySlot;

/*
 * This backend's slot for a foreign table, claimed at its first flush
 * (catalog lookups: call it before the flush, not while an error unwinds);
 * NULL when activity is off or every slot is taken.
 */
extern DdbActivitySlot *ddb_activity_slot(Oid relid, const char *dynamodb_table);

/* What one flush did: the backend counters before and after it, and its error (or NULL). */
extern void ddb_activity_flushed(DdbActivitySlot *slot, const DdbStats *before,
								 const DdbStats *after, const char *error_message);

#endif							/* DDB_ACTIVITY_H */
