/*
 * ddb_xact.h — transaction and subtransaction hooks.
 *
 * Contract: ddb_xact_register() is called before the first row of a
 * transaction is queued; it registers the callbacks once per backend, so a
 * backend that never writes to a ddb_fdw table pays nothing, and the
 * callbacks return at once in transactions that queued nothing.  PRE_COMMIT
 * flushes every pending row (an error there aborts the commit), PRE_PREPARE
 * refuses two-phase commit while rows are pending, ABORT discards them, and
 * a rolled-back subtransaction drops the rows it queued.
 */
#ifndef DDB_XACT_H
#define DDB_XACT_H

extern void ddb_xact_register(void);

#endif							/* DDB_XACT_H */
