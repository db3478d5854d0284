/* ddb_xact.c — see ddb_xact.h */
#include "postgres.h"

#include "access/xact.h"

#include "ddb_writer.h"
#include "ddb_xact.h"

static bool callbacks_registered = false;

static void
ddb_xact_callback(XactEvent event, void *arg)
{
	(void) arg;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			/* an ERROR here turns the COMMIT into a rollback: nothing is lost silently */
			ddb_writer_flush_all();
			break;
		case XACT_EVENT_PRE_PREPARE:
			if (ddb_writer_has_pending() || ddb_writer_has_written())
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that has written to ddb_fdw foreign tables"),
						 errdetail("DynamoDB has no two-phase commit: the rows would be written at PREPARE, before the outcome is known.")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			if (ddb_writer_has_pending())
				elog(WARNING, "ddb_fdw: rows still queued at commit were not written");
			ddb_writer_end_xact(false);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			ddb_writer_end_xact(true);
			break;
	}
}

static void
ddb_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	(void) mySubid;
	(void) parentSubid;
	(void) arg;

	if (event == SUBXACT_EVENT_ABORT_SUB)
		ddb_writer_end_subxact(GetCurrentTransactionNestLevel(), true);
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		ddb_writer_end_subxact(GetCurrentTransactionNestLevel(), false);
}

void
ddb_xact_register(void)
{
	if (callbacks_registered)
		return;
	RegisterXactCallback(ddb_xact_callback, NULL);
	RegisterSubXactCallback(ddb_subxact_callback, NULL);
	callbacks_registered = true;
}
