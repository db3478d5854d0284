/*
 * ddb_atomic.h — "sink.commit-mode" 'atomic': the writes of a transaction
 * to the ddb_fdw tables of one server, committed by one TransactWriteItems.
 *
 * Contract: the writer (ddb_writer.c) calls ddb_atomic_note_write before it
 * queues each write of an atomic table; it counts the distinct items of the
 * transaction per server (writes of one key fold into one action, as the
 * writer folds them) and their estimated size, and raises an ERROR at that
 * statement, before the write is queued, when the transaction would cross
 * DynamoDB's limits (100 actions on distinct items, 4 MB).  Rolled-back
 * subtransactions: the writer calls ddb_atomic_forget and notes what is
 * left again.  At COMMIT the writer folds its queues into actions and
 * calls ddb_atomic_send, which sends them as one TransactWriteItems with a
 * ClientRequestToken derived from the transaction (system identifier, top
 * xid, a per-backend nonce), retries throttling, conflicts, 5xx and
 * transport errors with the same token under "sink.max-retries" and
 * "sink.fail-on-error" (never later than DynamoDB's 10-minute idempotency
 * window allows), maps CancellationReasons back to the foreign table and
 * key, and raises an ERROR on any failure saying whether anything can have
 * been applied (all or nothing either way).
 */
#ifndef DDB_ATOMIC_H
#define DDB_ATOMIC_H

#include "aws_dynamodb.h"
#include "ddb_option.h"

/* The kinds of write the writer notes, as the limits count them. */
typedef enum DdbAtomicWrite
{
	DDB_ATOMIC_REPLACE,			/* put or delete: the key's size is this write's */
	DDB_ATOMIC_ADD				/* update: its assignments add to the key's size */
} DdbAtomicWrite;

/*
 * Before queueing one write of an atomic table (owner: the writer's
 * target, compared by address; key: the write's dedup key).  Raises when
 * the transaction's writes to the server would cross a limit, or when the
 * server is written as a second role (one TransactWriteItems is signed by
 * one identity) or one DynamoDB item through two foreign tables.
 * check false: re-noting after a rollback, no limit can be crossed.
 */
extern void ddb_atomic_note_write(const DdbTableOptions *opts, const void *owner,
								  const char *key, int key_len, DdbAtomicWrite kind,
								  int64 bytes, bool check);

/* Forget every noted write (transaction end, or before re-noting). */
extern void ddb_atomic_forget(void);

/* One action of the transaction, after folding per key. */
typedef struct DdbAtomicAction
{
	AwsDdbActionKind kind;
	const char *table_name;
	const char *relname;
	const char *attrs;			/* put: the item; delete, update: the key */
	int			attrs_len;
	const char *key_text;		/* the key as JSON, for messages */
	const char *sets;			/* update only */
	int			sets_len;
	const char *removes;
	int			removes_len;
} DdbAtomicAction;

/* Fresh credentials after an ExpiredToken answer: refill *ep (arg: the writer's). */
typedef void (*DdbAtomicRefresh) (void *arg, AwsDdbEndpoint *ep);

/*
 * Send the actions (1..AWS_DDB_MAX_TRANSACT_ITEMS) as one TransactWriteItems
 * to ep, with the retry settings of sink; servername for messages.
 */
extern void ddb_atomic_send(AwsHttp *http, AwsDdbEndpoint *ep, const DdbSinkSettings *sink,
							const char *servername, const DdbAtomicAction *actions, int n,
							DdbAtomicRefresh refresh, void *refresh_arg);

/* The transaction's ClientRequestToken for round (written into out, NUL-terminated). */
extern void ddb_atomic_token(int round, char out[AWS_DDB_MAX_TOKEN_LEN + 1]);

#endif							/* DDB_ATOMIC_H */
