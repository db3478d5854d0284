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
#if PG_VERSION_NUM >= 180000
#include "commands/explain_format.h"	/* ExplainProperty*, split from explain.h in 18 */
#include "commands/explain_state.h"		/* ExplainState */
#endif
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/appendinfo.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "optimizer/restrictinfo.h"
#include "parser/parse_coerce.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "ddb_activity.h"
#include "ddb_option.h"
#include "ddb_pacing.h"
#include "ddb_writer.h"

/*
 * PostgreSQL 15, 17 and 18 are tested (test/matrix.sh); 16 compiles by the
 * same guards but is untested (no Debian suite carries it); 13 and 14 are out
 * of community support.
 */
#if PG_VERSION_NUM < 150000
#error "ddb_fdw needs PostgreSQL 15 or later"
#endif

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	ddb_activity_init();		/* before ddb_define_settings reserves the prefix */
	ddb_pacing_init();
	ddb_define_settings();
}

/* The connector's words, kept verbatim so users recognise them. */
#define SINK_ONLY_MESSAGE \
	"Connector dynamodb can only be used as a sink. It cannot be used as a source."

/* How to write DELETE so that it needs no scan, for messages. */
#define DELETE_SHAPE_HINT \
	"Write DELETE FROM table WHERE key = value [AND sort_key = value], naming every key attribute of the DynamoDB table with = and a constant or parameter; OR, IN, other operators, joins and RETURNING cannot be sent to DynamoDB."

#define UPDATE_SHAPE_HINT \
	"Write UPDATE table SET column = value, ... WHERE key = value [AND sort_key = value], naming every key attribute with =; the new values may be constants, parameters or expressions of them, not of the row's current values."

/*
 * fdw_private of a direct DELETE or UPDATE's ForeignScan.  fdw_exprs holds
 * the key values (in DdbDirectKeyAttnums order), then the new values of
 * an UPDATE (in DdbDirectSetAttnums order).
 */
enum DdbDirectPrivateIndex
{
	DdbDirectKeyAttnums,		/* IntList: the columns the WHERE clause compares */
	DdbDirectSetAttnums			/* IntList: the columns an UPDATE assigns */
};

/*
 * Rows PostgreSQL hands over per ExecForeignBatchInsert call: one.  The
 * writer queues and batches rows itself, so an executor batch buys nothing,
 * and filling one costs a copy of every row into the batch's own slots
 * (~600 instructions a row of the benchmark's table).
 */
#define MODIFY_BATCH_SIZE 1

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
			 errhint("ddb_fdw foreign tables accept INSERT, COPY FROM, and UPDATE or DELETE of one key; read the data with DynamoDB's own tools.")));
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
	/* DELETE only by key, as a direct modification (ddbPlanDirectModify) */
	return (1 << CMD_INSERT) | (1 << CMD_UPDATE) | (1 << CMD_DELETE);
}

/*
 * Is the plan a Result the planner proved returns nothing?  That alone does
 * not make the statement a no-op: PostgreSQL 17 and later also prove
 * "id = 1 AND id = 2" empty (from its equivalence classes), which 15 leaves
 * to us and we refuse as not naming one key; see where_is_constant_false.
 */
static bool
plan_is_empty(Plan *plan)
{
	Result	   *result;
	List	   *quals;
	Node	   *qual;

	if (plan == NULL || !IsA(plan, Result) || outerPlan(plan) != NULL)
		return false;
	result = (Result *) plan;
	quals = (List *) result->resconstantqual;
	if (quals == NIL || !IsA(quals, List) || list_length(quals) != 1)
		return false;
	qual = (Node *) linitial(quals);
	return IsA(qual, Const) &&
		(((Const *) qual)->constisnull || !DatumGetBool(((Const *) qual)->constvalue));
}

/*
 * Did constant folding alone turn the WHERE clause false or NULL ("key =
 * NULL" names no item, nor does WHERE false)?  Only then is an empty plan a
 * no-op, the same on every PostgreSQL version.  The qualifiers are already
 * preprocessed here: an implicit-AND list, constants folded.
 */
static bool
where_is_constant_false(PlannerInfo *root)
{
	Node	   *quals = root->parse->jointree ? root->parse->jointree->quals : NULL;
	List	   *conjuncts;
	ListCell   *lc;

	if (quals == NULL)
		return false;
	conjuncts = IsA(quals, List) ? (List *) quals : make_ands_implicit((Expr *) quals);
	foreach(lc, conjuncts)
	{
		Node	   *qual = (Node *) lfirst(lc);

		if (IsA(qual, Const) &&
			(((Const *) qual)->constisnull || !DatumGetBool(((Const *) qual)->constvalue)))
			return true;
	}
	return false;
}

/* An UPDATE or DELETE that cannot be sent as one request per key. */
static void
refuse_modify(CmdType operation, const char *relname, bool returning)
{
	bool		update = operation == CMD_UPDATE;

	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 update ?
			 errmsg("UPDATE on foreign table \"%s\" must select one item by its key and assign values that do not depend on the row",
					relname) :
			 errmsg("DELETE on foreign table \"%s\" must select one item by its key", relname),
			 returning ?
			 errdetail("DynamoDB cannot return the %s rows.", update ? "updated" : "deleted") :
			 update ?
			 errdetail("ddb_fdw never reads from DynamoDB, so it cannot compute a new value from the current one or find items other than the one the WHERE clause names.") :
			 errdetail("ddb_fdw never reads from DynamoDB, so it can only delete the item the WHERE clause names."),
			 errhint(update ? UPDATE_SHAPE_HINT : DELETE_SHAPE_HINT)));
}

/*
 * UPDATE or DELETE of a partitioned table or an inheritance parent reaches
 * its foreign children through a scan of each, which ddb_fdw cannot run:
 * only a statement naming the foreign table itself becomes one request per key.
 */
static void
refuse_modify_through_parent(CmdType operation, const char *relname, const char *parent)
{
	const char *verb = operation == CMD_UPDATE ? "UPDATE" : "DELETE";

	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s on \"%s\" cannot reach its foreign partition or child \"%s\"",
					verb, parent, relname),
			 errdetail("ddb_fdw sends %s only as one request per key, for a statement that names the foreign table itself; through a partitioned table or an inheritance parent it would have to scan DynamoDB. INSERT through the parent is supported.",
					   verb),
			 errhint("Run the %s on foreign table \"%s\" directly: %s.", verb, relname,
					 operation == CMD_UPDATE ? "UPDATE ... SET column = value WHERE key = value" :
					 "DELETE FROM ... WHERE key = value")));
}

/*
 * BatchWriteItem overwrites the item of the same key and has no condition,
 * so it can honour neither DO NOTHING nor DO UPDATE: refuse rather than
 * overwrite what the statement promised to leave alone.
 */
static void
refuse_on_conflict(OnConflictAction action, const char *relname)
{
	if (action == ONCONFLICT_NONE)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("INSERT with ON CONFLICT is not supported on foreign table \"%s\"", relname),
			 errdetail("DynamoDB's BatchWriteItem replaces an existing item with the same key; it cannot skip or merge it."),
			 errhint("A plain INSERT already replaces the item of the same key (an upsert); to change some attributes only, use UPDATE ... WHERE key = value.")));
}

/* Only reached when the statement could not be sent as it is. */
static List *
ddbPlanForeignModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					 int subplan_index)
{
	(void) subplan_index;
	if (plan->operation == CMD_INSERT)
		refuse_on_conflict(plan->onConflictAction,
						   get_rel_name(planner_rt_fetch(resultRelation, root)->relid));
	if ((plan->operation == CMD_DELETE || plan->operation == CMD_UPDATE) &&
		plan->returningLists == NIL && plan_is_empty(outerPlan(plan)) &&
		where_is_constant_false(root))
		return NIL;				/* "key = NULL" names no item: nothing to send */
	if ((plan->operation == CMD_UPDATE || plan->operation == CMD_DELETE) &&
		root->parse->resultRelation != (int) resultRelation)
		refuse_modify_through_parent(plan->operation,
									 get_rel_name(planner_rt_fetch(resultRelation, root)->relid),
									 get_rel_name(planner_rt_fetch(root->parse->resultRelation, root)->relid));
	if (plan->operation == CMD_UPDATE || plan->operation == CMD_DELETE)
		refuse_modify(plan->operation, get_rel_name(planner_rt_fetch(resultRelation, root)->relid),
					  plan->returningLists != NIL);
	return NIL;					/* INSERT writes whole rows: nothing to plan */
}

/* ---------- DELETE by key: direct modification, no scan ---------- */

static Oid	modify_user(ResultRelInfo *rinfo, EState *estate);

/* "col = value": the column's attnum and the value coerced to its type, or false. */
static bool
key_equality(Expr *clause, Index relid, AttrNumber *attnum, Expr **value)
{
	OpExpr	   *op;
	Expr	   *left;
	Expr	   *right;
	Var		   *var;
	char	   *opname;

	if (!IsA(clause, OpExpr))
		return false;
	op = (OpExpr *) clause;
	if (list_length(op->args) != 2)
		return false;
	opname = get_opname(op->opno);
	if (opname == NULL || strcmp(opname, "=") != 0)
		return false;
	left = (Expr *) linitial(op->args);
	right = (Expr *) lsecond(op->args);
	while (IsA(left, RelabelType))
		left = ((RelabelType *) left)->arg;
	while (IsA(right, RelabelType))
		right = ((RelabelType *) right)->arg;
	if (!IsA(left, Var))
	{
		Expr	   *tmp = left;

		left = right;
		right = tmp;
		if (IsA(left, RelabelType))
			left = ((RelabelType *) left)->arg;
	}
	if (!IsA(left, Var))
		return false;
	var = (Var *) left;
	if (var->varno != relid || var->varlevelsup != 0 || var->varattno <= 0)
		return false;
	/* a constant, a parameter, or an expression of them evaluated at execution */
	if (contain_var_clause((Node *) right) || contain_volatile_functions((Node *) right) ||
		contain_subplans((Node *) right))
		return false;
	right = (Expr *) coerce_to_target_type(NULL, (Node *) right, exprType((Node *) right),
										   var->vartype, var->vartypmod,
										   COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (right == NULL)
		return false;
	*attnum = var->varattno;
	*value = right;
	return true;
}

/*
 * DELETE or UPDATE ... SET col = value ... WHERE key = value [AND key2 = value]
 * on one foreign table becomes a DeleteRequest or UpdateItem of that key;
 * anything else is refused by ddbPlanForeignModify.  Whether the columns are exactly the DynamoDB key
 * is checked at execution, when the key schema is known.
 */
static bool
ddbPlanDirectModify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
					int subplan_index)
{
	Plan	   *subplan = outerPlan(plan);
	ForeignScan *fscan;
	List	   *attnums = NIL;
	List	   *values = NIL;
	List	   *set_attnums = NIL;
	ListCell   *lc;

	(void) subplan_index;
	if ((plan->operation != CMD_DELETE && plan->operation != CMD_UPDATE) ||
		plan->returningLists != NIL)
		return false;
	if (subplan == NULL || !IsA(subplan, ForeignScan))
		return false;
	fscan = (ForeignScan *) subplan;
	if (fscan->scan.scanrelid != resultRelation || fscan->scan.plan.qual == NIL)
		return false;

	foreach(lc, fscan->scan.plan.qual)
	{
		AttrNumber	attnum;
		Expr	   *value;

		if (!key_equality((Expr *) lfirst(lc), resultRelation, &attnum, &value))
			return false;
		if (list_member_int(attnums, attnum))
			return false;		/* the same column twice: not one key */
		attnums = lappend_int(attnums, attnum);
		values = lappend(values, value);
	}

	if (plan->operation == CMD_UPDATE)
	{
		List	   *tlist;
		List	   *colnos;
		ListCell   *lc2;

		/* the new values: only what is known without reading the row */
		get_translated_update_targetlist(root, resultRelation, &tlist, &colnos);
		forboth(lc, tlist, lc2, colnos)
		{
			TargetEntry *tle = lfirst_node(TargetEntry, lc);

			if (lfirst_int(lc2) <= 0 || contain_var_clause((Node *) tle->expr) ||
				contain_volatile_functions((Node *) tle->expr) ||
				contain_subplans((Node *) tle->expr))
				return false;
			set_attnums = lappend_int(set_attnums, lfirst_int(lc2));
			values = lappend(values, tle->expr);
		}
	}

	fscan->operation = plan->operation;
	fscan->resultRelation = resultRelation;
	fscan->scan.plan.qual = NIL;
	/* the targetlist stays: ModifyTable looks for UPDATE's junk "wholerow" in it */
	fscan->fdw_exprs = values;
	fscan->fdw_private = list_make2(attnums, set_attnums);
	return true;
}

/* Executor state of a direct DELETE or UPDATE. */
typedef struct DdbDirectState
{
	CmdType		operation;
	Relation	rel;
	Oid			userid;
	List	   *attnums;		/* key columns compared */
	AttrNumber *set_attnums;	/* columns an UPDATE assigns */
	int			n_set;
	List	   *value_states;	/* ExprState per attnum, then per set_attnum */
	TupleTableSlot *key_slot;	/* the foreign table's row type, key columns set */
	bool		done;
} DdbDirectState;

static void
ddbBeginDirectModify(ForeignScanState *node, int eflags)
{
	ForeignScan *fscan = (ForeignScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	DdbDirectState *state;
	List	   *set_list;
	ListCell   *lc;

	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	state = palloc0(sizeof(DdbDirectState));
	state->rel = node->ss.ss_currentRelation;
	state->userid = modify_user(node->resultRelInfo, estate);
	state->operation = fscan->operation;
	state->attnums = (List *) list_nth(fscan->fdw_private, DdbDirectKeyAttnums);
	set_list = (List *) list_nth(fscan->fdw_private, DdbDirectSetAttnums);
	state->set_attnums = palloc(sizeof(AttrNumber) * Max(list_length(set_list), 1));
	foreach(lc, set_list)
		state->set_attnums[state->n_set++] = (AttrNumber) lfirst_int(lc);
	state->value_states = ExecInitExprList(fscan->fdw_exprs, (PlanState *) node);
	state->key_slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(state->rel), &TTSOpsVirtual);
	node->fdw_state = state;
}

/* The WHERE clause must name the DynamoDB key exactly: say which one it is. */
static void
check_key_columns(DdbDirectState *state, DdbTarget *target)
{
	AttrNumber	key_attnums[2];
	const char *key_names[2];
	int			nkeys = ddb_writer_key_attnums(target, key_attnums, key_names);
	AttrNumber	version = ddb_writer_version_attnum(target);
	/* a guarded DELETE names the version it removes beside the key */
	int			compared = list_length(state->attnums) -
		(state->operation == CMD_DELETE && version != InvalidAttrNumber &&
		 list_member_int(state->attnums, version) ? 1 : 0);
	bool		exact = nkeys == compared;
	int			i;

	ddb_writer_require_key(target, state->operation == CMD_UPDATE ? "update" : "delete from");
	for (i = 0; exact && i < nkeys; i++)
		exact = list_member_int(state->attnums, key_attnums[i]);
	if (!exact)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s on foreign table \"%s\" must select one item by its key",
						state->operation == CMD_UPDATE ? "UPDATE" : "DELETE",
						RelationGetRelationName(state->rel)),
				 errdetail("The key is %s%s%s; the WHERE clause must compare exactly %s with =.",
						   key_names[0], nkeys > 1 ? ", " : "", nkeys > 1 ? key_names[1] : "",
						   nkeys > 1 ? "these columns" : "this column"),
				 errhint(state->operation == CMD_UPDATE ? UPDATE_SHAPE_HINT : DELETE_SHAPE_HINT)));
}

static TupleTableSlot *
ddbIterateDirectModify(ForeignScanState *node)
{
	DdbDirectState *state = (DdbDirectState *) node->fdw_state;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	TupleTableSlot *slot = state->key_slot;
	DdbTarget  *target;
	ListCell   *a;
	ListCell   *v;
	bool		matches = true;
	int			i;

	if (state->done)
		return ExecClearTuple(node->ss.ss_ScanTupleSlot);
	state->done = true;

	/* open first: the key schema decides whether the statement is valid */
	target = ddb_writer_open(state->rel, state->userid);
	check_key_columns(state, target);

	ExecClearTuple(slot);
	for (i = 0; i < slot->tts_tupleDescriptor->natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	v = list_head(state->value_states);
	foreach(a, state->attnums)
	{
		int			att = lfirst_int(a) - 1;

		slot->tts_values[att] = ExecEvalExpr((ExprState *) lfirst(v), econtext,
											 &slot->tts_isnull[att]);
		/* key = NULL is never true: no item is named */
		if (slot->tts_isnull[att])
			matches = false;
		v = lnext(state->value_states, v);
	}
	for (i = 0; i < state->n_set; i++)
	{
		int			att = state->set_attnums[i] - 1;

		slot->tts_values[att] = ExecEvalExpr((ExprState *) lfirst(v), econtext,
											 &slot->tts_isnull[att]);
		v = lnext(state->value_states, v);
	}
	ExecStoreVirtualTuple(slot);
	if (matches)
	{
		if (state->operation == CMD_UPDATE)
			ddb_writer_update_row(target, slot, state->set_attnums, state->n_set);
		else
			ddb_writer_delete_row(target, slot);
		node->ss.ps.state->es_processed++;
	}
	return ExecClearTuple(node->ss.ss_ScanTupleSlot);
}

static void
ddbEndDirectModify(ForeignScanState *node)
{
	(void) node;
	/* the write belongs to the transaction, which flushes it at commit */
}

static char *
column_names(Relation rel, List *attnums)
{
	StringInfoData cols;
	ListCell   *lc;

	initStringInfo(&cols);
	foreach(lc, attnums)
	{
		if (cols.len > 0)
			appendStringInfoString(&cols, ", ");
		appendStringInfoString(&cols, NameStr(TupleDescAttr(RelationGetDescr(rel), lfirst_int(lc) - 1)->attname));
	}
	return cols.data;
}

static void
ddbExplainDirectModify(ForeignScanState *node, ExplainState *es)
{
	ForeignScan *fscan = (ForeignScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	List	   *attnums = (List *) list_nth(fscan->fdw_private, DdbDirectKeyAttnums);
	List	   *set_attnums = (List *) list_nth(fscan->fdw_private, DdbDirectSetAttnums);

	ExplainPropertyText("DynamoDB Request", fscan->operation == CMD_UPDATE ?
						"UpdateItem by key" : "DeleteRequest by key", es);
	if (es->verbose)
	{
		ExplainPropertyText("Key Columns", column_names(rel, attnums), es);
		if (fscan->operation == CMD_UPDATE)
			ExplainPropertyText("Assigned Columns", column_names(rel, set_attnums), es);
	}
}

/* Never called: UPDATE is either a direct modification or refused at planning. */
static TupleTableSlot *
ddbExecForeignUpdate(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
					 TupleTableSlot *planSlot)
{
	(void) estate;
	(void) slot;
	(void) planSlot;
	refuse_modify(CMD_UPDATE, RelationGetRelationName(rinfo->ri_RelationDesc), false);
	return NULL;
}

/* Never called: DELETE is either a direct modification or refused at planning. */
static TupleTableSlot *
ddbExecForeignDelete(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
					 TupleTableSlot *planSlot)
{
	(void) estate;
	(void) slot;
	(void) planSlot;
	refuse_modify(CMD_DELETE, RelationGetRelationName(rinfo->ri_RelationDesc), false);
	return NULL;
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

/*
 * Let an INSERT hand us its subplan's rows as they are.  ModifyTable copies
 * every row into a slot of the kind the table's access method asks for
 * unless the subplan's slot is already of that kind, and a foreign table
 * asks for a heap tuple slot: for INSERT ... SELECT (a virtual slot) that is
 * a heap_form_tuple per row, ~900 instructions of the benchmark's ~14,000,
 * for a tuple nobody reads (the writer reads tts_values).  ModifyTable builds
 * that slot lazily, at the first row, unless ri_projectNewInfoValid says it
 * is done; this does it first, with the subplan's own kind of slot, which
 * makes ExecGetInsertNewTuple pass the subplan's slot through.
 *
 * Only where nothing but the writer sees the slot, and where ModifyTable
 * would neither project (no junk columns) nor refuse the plan (its check
 * that the subplan's columns are the table's, done here by the same rules;
 * anything else is left to ModifyTable, which then reports it): no trigger,
 * RETURNING, WITH CHECK OPTION or stored generated column, whose code may
 * expect a slot of the table's kind, and a subplan whose slot kind is fixed.
 */
static void
pass_subplan_slot(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	ModifyTable *plan = (ModifyTable *) mtstate->ps.plan;
	Plan	   *subplan = outerPlan(plan);
	PlanState  *substate = outerPlanState(mtstate);
	TupleDesc	desc = RelationGetDescr(rinfo->ri_RelationDesc);
	const TupleTableSlotOps *ops;
	bool		fixed;
	int			attno = 0;
	ListCell   *cell;

	if (mtstate->operation != CMD_INSERT || rinfo->ri_projectNewInfoValid ||
		subplan == NULL || substate == NULL ||
		rinfo->ri_TrigDesc != NULL || plan->returningLists != NIL ||
		plan->withCheckOptionLists != NIL ||
		(desc->constr != NULL && desc->constr->has_generated_stored))
		return;
	foreach(cell, subplan->targetlist)
	{
		TargetEntry *tle = (TargetEntry *) lfirst(cell);
		Form_pg_attribute att;

		if (tle->resjunk || attno >= desc->natts)
			return;
		att = TupleDescAttr(desc, attno++);
		if (att->attisdropped ? !(IsA(tle->expr, Const) && ((Const *) tle->expr)->constisnull) :
			exprType((Node *) tle->expr) != att->atttypid)
			return;
	}
	if (attno != desc->natts)
		return;
	ops = ExecGetResultSlotOps(substate, &fixed);
	if (!fixed || ops == NULL)
		return;
	rinfo->ri_newTupleSlot = ExecInitExtraTupleSlot(mtstate->ps.state, desc, ops);
	rinfo->ri_projectNew = NULL;
	rinfo->ri_projectNewInfoValid = true;
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
	pass_subplan_slot(mtstate, rinfo);
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
	/* tuple routing into a foreign partition never passes through PlanForeignModify */
	if (mtstate != NULL && mtstate->ps.plan != NULL)
		refuse_on_conflict(((ModifyTable *) mtstate->ps.plan)->onConflictAction,
						   RelationGetRelationName(rinfo->ri_RelationDesc));
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
	ExplainPropertyText("Commit Mode", opts->sink.atomic ?
						"atomic (one TransactWriteItems per transaction and server)" : "batch", es);
	ExplainPropertyText("AWS Region", opts->region, es);
	ExplainPropertyText("Endpoint", opts->endpoint ? opts->endpoint : "(default for the region)", es);
	ExplainPropertyInteger("Batch Size", NULL, opts->sink.batch_max_size, es);
	ExplainPropertyInteger("Max Inflight Requests", NULL,
						   Min(opts->sink.max_inflight, opts->sink.http_max_concurrency), es);
	ExplainPropertyInteger("Max Buffered Rows", NULL, opts->sink.max_buffered, es);
	ExplainPropertyInteger("Flush Timeout", "ms", opts->sink.flush_timeout_ms, es);
	ExplainPropertyText("On Error", opts->sink.fail_on_error ? "fail" :
						psprintf("retry up to %d times", opts->sink.max_retries), es);
	ExplainPropertyText("Credentials Provider", ddb_provider_name(opts->cred[0].provider), es);
	if (opts->version_column != NULL)
		ExplainPropertyText("Version Guard",
							psprintf("%s (PutItem, UpdateItem and DeleteItem, each only over an older version)",
									 opts->version_column), es);
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
	routine->ExecForeignBatchInsert = ddbExecForeignBatchInsert;
	routine->GetForeignModifyBatchSize = ddbGetForeignModifyBatchSize;
	routine->ExecForeignUpdate = ddbExecForeignUpdate;
	routine->ExecForeignDelete = ddbExecForeignDelete;
	routine->EndForeignModify = ddbEndForeignModify;
	routine->PlanDirectModify = ddbPlanDirectModify;
	routine->BeginDirectModify = ddbBeginDirectModify;
	routine->IterateDirectModify = ddbIterateDirectModify;
	routine->EndDirectModify = ddbEndDirectModify;
	routine->ExplainDirectModify = ddbExplainDirectModify;
	routine->BeginForeignInsert = ddbBeginForeignInsert;
	routine->EndForeignInsert = ddbEndForeignInsert;
	routine->ExplainForeignModify = ddbExplainForeignModify;

	PG_RETURN_POINTER(routine);
}
