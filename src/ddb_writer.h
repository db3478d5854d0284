/*
 * ddb_writer.h — the per-backend batch writer.
 *
 * Contract: rows written to ddb_fdw foreign tables are converted at once
 * (so bad values fail the statement) and queued per (foreign table, role)
 * "target" in memory owned by the current transaction.  Nothing is sent
 * until the transaction commits (ddb_writer_flush_all at PRE_COMMIT), except
 * when a target has buffered "sink.requests.max-buffered" rows: those are
 * flushed early, and an abort afterwards warns that they cannot be taken
 * back.  A flush sends BatchWriteItem requests of at most
 * "sink.batch.max-size" items, keeps only the latest write per key, re-sends
 * UnprocessedItems and retries retryable errors with backoff; any failure
 * raises an ERROR naming the DynamoDB error and the table.  Rows queued in a
 * subtransaction are dropped when it rolls back.  Tables with
 * "sink.commit-mode" 'atomic' are never flushed early; at COMMIT the queues
 * of a server's atomic tables, folded per key, go as one TransactWriteItems
 * (ddb_atomic.h), whose limits are checked as each row is queued.
 * Per-backend state (the HTTP connection, key schemas) outlives
 * transactions; everything else is released at transaction end.
 */
#ifndef DDB_WRITER_H
#define DDB_WRITER_H

#include "executor/tuptable.h"
#include "utils/relcache.h"

#include "ddb_option.h"

typedef struct DdbTarget DdbTarget;

/* Find or set up the target of this transaction for a foreign table and role. */
extern DdbTarget *ddb_writer_open(Relation rel, Oid userid);

/* Is the target still the one of the running transaction? */
extern bool ddb_writer_target_valid(const DdbTarget *target);

extern const DdbTableOptions *ddb_writer_options(const DdbTarget *target);

/* Convert the row and queue it as a PutRequest. */
extern void ddb_writer_put_row(DdbTarget *target, TupleTableSlot *slot);

/* Error unless the table's key is known; action is "update" or "delete from". */
extern void ddb_writer_require_key(const DdbTarget *target, const char *action);

/* Queue a DeleteRequest of the row's key (errors when the key is unknown). */
extern void ddb_writer_delete_row(DdbTarget *target, TupleTableSlot *slot);

/*
 * Queue an update of the row's key that sets the columns set_attnums to
 * the row's values (NULL removes the attribute with "sink.ignore-nulls").
 * Errors when the key is unknown or a key column is assigned.
 */
extern void ddb_writer_update_row(DdbTarget *target, TupleTableSlot *slot,
								  const AttrNumber *set_attnums, int n_set);

/*
 * The "version-column" of a version-guarded table (its puts, updates and
 * deletes go one by one, each conditioned on the stored version; a write
 * the condition refuses is stale: skipped and counted, never an error),
 * or InvalidAttrNumber.
 */
extern AttrNumber ddb_writer_version_attnum(const DdbTarget *target);

/* Does the writer know the table's key (DescribeTable or "partitioned-by")? */
extern bool ddb_writer_key_known(const DdbTarget *target);

/* The key's columns (attnums and names, hash key first); returns how many (0: unknown). */
extern int	ddb_writer_key_attnums(const DdbTarget *target, AttrNumber *attnums,
								   const char **colnames);

/* Do two rows of the target's foreign table have the same key (binary equality)? */
extern bool ddb_writer_same_key(const DdbTarget *target, TupleTableSlot *a, TupleTableSlot *b);

/* Sleep before retry attempt (0-based): full jitter, honours query cancel. */
extern void ddb_backoff_sleep(int attempt);

/* Transaction hooks (ddb_xact.c). */
extern bool ddb_writer_has_pending(void);
extern bool ddb_writer_has_written(void);	/* rows flushed before commit */
extern void ddb_writer_flush_all(void);
extern void ddb_writer_end_xact(bool aborted);
extern void ddb_writer_end_subxact(int level, bool aborted);

#endif							/* DDB_WRITER_H */
