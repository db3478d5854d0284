/*
 * ddb_forward.h — ddb_fdw_forward(), the trigger function that forwards a
 * local table's row changes to a ddb_fdw foreign table.
 *
 * Contract: used as an AFTER ... FOR EACH ROW trigger with the foreign
 * table's name as its argument.  INSERT queues a put of the new row,
 * UPDATE a put of the new row (after a delete of the old key when the key
 * changed), DELETE a delete of the old key, all in the firing transaction,
 * so they reach DynamoDB when it commits and never when it rolls back.
 * Columns are matched by name; local columns the foreign table lacks are
 * not sent.  The role firing the trigger needs INSERT (and, for deletes,
 * DELETE) on the foreign table, and its user mapping applies.  Works from
 * the logical replication apply worker (ENABLE ALWAYS TRIGGER).
 */
#ifndef DDB_FORWARD_H
#define DDB_FORWARD_H

#include "fmgr.h"

extern Datum ddb_fdw_forward(PG_FUNCTION_ARGS);

#endif							/* DDB_FORWARD_H */
