/*
 * ddb_fdw.c — the FDW handler: planner and executor callbacks.
 *
 * ddb_fdw is write-only, like the DynamoDB SQL connector it mirrors: rows
 * inserted into a foreign table are queued by the batch writer
 * (ddb_writer.h) and written with BatchWriteItem when the transaction
 * commits.  Scans are planned normally (so EXPLAIN works) but refuse to run
 * with the connector's own message.
 */
#include "postgres.h"

#include "access/table.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "utils/rel.h"

#include "ddb_option.h"
#include "ddb_writer.h"

PG_MODULE_MAGIC;

/* The connector's words, kept verbatim so users recognise them. */
#define SINK_ONLY_MESSAGE \
	"Connector dynamodb can only be used as a sink. It cannot be used as a source."

/* Rows PostgreSQL hands over per ExecForeignBatchInsert call. */
#define MODIFY_BATCH_SIZE 100

/* Executor state of one foreign table being inserted into. */
typedef struct DdbModifyState
{
	Relation	rel;
	Oid			userid;			/* whose user mapping and privileges apply */
	DdbTarget  *target;			/* opened at the first row */
} DdbModifyState;

PG_FUNCTION_INFO_V1(ddb_fdw_handler);

/* ---------- scans: planned, never executed ---------- */

static void
ddbGetForeignRelSize(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	(void) root;
	(void) foreigntableid;
	baserel->rows = 1000;		/* any estimate will do: the scan never runs */
}

static void
ddbGetForeignPaths(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid)
{
	(void) foreigntableid;
	add_path(baserel, (Path *)
			 create_foreignscan_path(root, baserel, NULL, baserel->rows,
#if PG_VERSION_NUM >= 180000
									 0,
#endif
									 10, 10 + baserel->rows, NIL,
									 baserel->lateral_relids, NULL,
#if PG_VERSION_NUM >= 170000
									 NIL,
#endif
									 NIL));
}

static ForeignScan *
ddbGetForeignPlan(PlannerInfo *root, RelOptInfo *baserel, Oid foreigntableid,
				  ForeignPath *best_path, List *tlist, List *scan_clauses,
				  Plan *outer_plan)
{
	(void) root;
	(void) foreigntableid;
	(void) best_path;
	scan_clauses = extract_actual_clauses(scan_clauses, false);
	return make_foreignscan(tlist, scan_clauses, baserel->relid, NIL, NIL, NIL, NIL,
							outer_plan);
}

static void
ddbBeginForeignScan(ForeignScanState *node, int eflags)
{
	(void) node;
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg(SINK_ONLY_MESSAGE),
			 errhint("ddb_fdw foreign tables accept INSERT and COPY FROM; read the data with DynamoDB's own tools.")));
}

static TupleTableSlot *
ddbIterateForeignScan(ForeignScanState *node)
{
	return ExecClearTuple(node->ss.ss_ScanTupleSlot);
}

static void
ddbReScanForeignScan(ForeignScanState *node)
{
	(void) node;
}

static void
ddbEndForeignScan(ForeignScanState *node)
{
	(void) node;
}

/* ---------- inserts ---------- */

static int
ddbIsForeignRelUpdatable(Relation rel)
{
	(void) rel;
	return (1 << CMD_INSERT);
}

static List *
ddbPlanForeignModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					 int subplan_index)
{
	(void) root;
	(void) plan;
	(void) resultRelation;
	(void) subplan_index;
	return NIL;					/* INSERT writes whole rows: nothing to plan */
}

/* The role whose user mapping applies: the view owner's, or the current user. */
static Oid
modify_user(ResultRelInfo *rinfo, EState *estate)
{
#if PG_VERSION_NUM >= 160000
	return ExecGetResultRelCheckAsUser(rinfo, estate);
#else
	Index		rti = rinfo->ri_RangeTableIndex;
	RangeTblEntry *rte;

	/* a partition reached by tuple routing has no range table entry of its own */
	if (rti == 0 && rinfo->ri_RootResultRelInfo != NULL)
		rti = rinfo->ri_RootResultRelInfo->ri_RangeTableIndex;
	if (rti == 0)
		return GetUserId();
	rte = exec_rt_fetch(rti, estate);
	return OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
#endif
}

static DdbModifyState *
create_modify_state(ResultRelInfo *rinfo, EState *estate)
{
	DdbModifyState *state = palloc0(sizeof(DdbModifyState));

	state->rel = rinfo->ri_RelationDesc;
	state->userid = modify_user(rinfo, estate);
	return state;
}

static void
ddbBeginForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					  List *fdw_private, int subplan_index, int eflags)
{
	(void) fdw_private;
	(void) subplan_index;
	(void) eflags;
	/* nothing is contacted here, so EXPLAIN without ANALYZE stays offline */
	rinfo->ri_FdwState = create_modify_state(rinfo, mtstate->ps.state);
}

static void
queue_row(DdbModifyState *state, TupleTableSlot *slot)
{
	if (!ddb_writer_target_valid(state->target))
		state->target = ddb_writer_open(state->rel, state->userid);
	ddb_writer_put_row(state->target, slot);
}

static TupleTableSlot *
ddbExecForeignInsert(EState *estate, ResultRelInfo *rinfo,
					 TupleTableSlot *slot, TupleTableSlot *planSlot)
{
	(void) estate;
	(void) planSlot;
	queue_row((DdbModifyState *) rinfo->ri_FdwState, slot);
	return slot;
}

#if PG_VERSION_NUM >= 140000
static TupleTableSlot **
ddbExecForeignBatchInsert(EState *estate, ResultRelInfo *rinfo,
						  TupleTableSlot **slots, TupleTableSlot **planSlots,
						  int *numSlots)
{
	int			i;

	(void) estate;
	(void) planSlots;
	for (i = 0; i < *numSlots; i++)
		queue_row((DdbModifyState *) rinfo->ri_FdwState, slots[i]);
	return slots;
}

static int
ddbGetForeignModifyBatchSize(ResultRelInfo *rinfo)
{
	/* RETURNING and AFTER ROW triggers need each row back as it is inserted */
	if (rinfo->ri_projectReturning != NULL ||
		(rinfo->ri_TrigDesc != NULL &&
		 (rinfo->ri_TrigDesc->trig_insert_after_row ||
		  rinfo->ri_TrigDesc->trig_insert_before_row)))
		return 1;
	return MODIFY_BATCH_SIZE;
}
#endif

static void
ddbEndForeignModify(EState *estate, ResultRelInfo *rinfo)
{
	(void) estate;
	(void) rinfo;
	/* queued rows belong to the transaction, which flushes them at commit */
}

static void
ddbBeginForeignInsert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	rinfo->ri_FdwState = create_modify_state(rinfo, mtstate->ps.state);
}

static void
ddbEndForeignInsert(EState *estate, ResultRelInfo *rinfo)
{
	(void) estate;
	(void) rinfo;
}

static void
ddbExplainForeignModify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
						List *fdw_private, int subplan_index, ExplainState *es)
{
	DdbModifyState *state = (DdbModifyState *) rinfo->ri_FdwState;
	DdbTableOptions *opts;

	(void) mtstate;
	(void) fdw_private;
	(void) subplan_index;
	if (!es->verbose)
		return;
	opts = ddb_resolve_table(RelationGetRelid(state->rel), state->userid);
	ExplainPropertyText("DynamoDB Table", opts->table_name, es);
	ExplainPropertyText("AWS Region", opts->region, es);
	ExplainPropertyText("Endpoint", opts->endpoint ? opts->endpoint : "(default for the region)", es);
	ExplainPropertyInteger("Batch Size", NULL, opts->sink.batch_max_size, es);
	ExplainPropertyInteger("Max Inflight Requests", NULL,
						   Min(opts->sink.max_inflight, opts->sink.http_max_concurrency), es);
	ExplainPropertyInteger("Max Buffered Rows", NULL, opts->sink.max_buffered, es);
	ExplainPropertyInteger("Flush Timeout", "ms", opts->sink.flush_timeout_ms, es);
	ExplainPropertyText("On Error", opts->sink.fail_on_error ? "fail" :
						psprintf("retry up to %d times", opts->sink.max_retries), es);
	ExplainPropertyText("Credentials Provider", ddb_provider_name(opts->provider), es);
}

Datum
ddb_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *routine = makeNode(FdwRoutine);

	(void) fcinfo;
	routine->GetForeignRelSize = ddbGetForeignRelSize;
	routine->GetForeignPaths = ddbGetForeignPaths;
	routine->GetForeignPlan = ddbGetForeignPlan;
	routine->BeginForeignScan = ddbBeginForeignScan;
	routine->IterateForeignScan = ddbIterateForeignScan;
	routine->ReScanForeignScan = ddbReScanForeignScan;
	routine->EndForeignScan = ddbEndForeignScan;

	routine->IsForeignRelUpdatable = ddbIsForeignRelUpdatable;
	routine->PlanForeignModify = ddbPlanForeignModify;
	routine->BeginForeignModify = ddbBeginForeignModify;
	routine->ExecForeignInsert = ddbExecForeignInsert;
#if PG_VERSION_NUM >= 140000
	routine->ExecForeignBatchInsert = ddbExecForeignBatchInsert;
	routine->GetForeignModifyBatchSize = ddbGetForeignModifyBatchSize;
#endif
	routine->EndForeignModify = ddbEndForeignModify;
	routine->BeginForeignInsert = ddbBeginForeignInsert;
	routine->EndForeignInsert = ddbEndForeignInsert;
	routine->ExplainForeignModify = ddbExplainForeignModify;

	PG_RETURN_POINTER(routine);
}
