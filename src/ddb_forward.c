/*
 * ddb_forward.c — forwarding a local table's changes (ddb_forward.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"

#include "ddb_forward.h"
#include "ddb_writer.h"

PG_FUNCTION_INFO_V1(ddb_fdw_forward);

/* The foreign table named by the trigger's argument, checked to be ours. */
static Oid
forward_target(TriggerData *trigdata)
{
	Trigger    *trigger = trigdata->tg_trigger;
	List	   *names;
	Oid			relid;
	ForeignTable *ft;
	ForeignServer *server;
	ForeignDataWrapper *fdw;

	if (trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on table \"%s\" must pass ddb_fdw_forward() one argument",
						trigger->tgname, RelationGetRelationName(trigdata->tg_relation)),
				 errhint("Name the ddb_fdw foreign table to forward to: EXECUTE FUNCTION ddb_fdw_forward('orders_ddb').")));

	names = stringToQualifiedNameList(trigger->tgargs[0]
#if PG_VERSION_NUM >= 160000
									  , NULL
#endif
		);
	/*
	 * An unqualified name means the schema of the table the trigger is on,
	 * and only that: the trigger fires with the search_path of whoever
	 * changes the table, who could otherwise put a table of their own
	 * first (and replication workers run with an empty search_path).
	 */
	if (list_length(names) == 1)
		relid = get_relname_relid(strVal(linitial(names)),
								  RelationGetNamespace(trigdata->tg_relation));
	else
		relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("foreign table \"%s\" named by trigger \"%s\" does not exist",
						trigger->tgargs[0], trigger->tgname),
				 list_length(names) == 1 ?
				 errdetail("An unqualified name is looked up in schema \"%s\" of table \"%s\" only, never in the search_path.",
						   get_namespace_name(RelationGetNamespace(trigdata->tg_relation)),
						   RelationGetRelationName(trigdata->tg_relation)) : 0,
				 errhint("Qualify the name with its schema: EXECUTE FUNCTION ddb_fdw_forward('schema.%s').",
						 strVal(llast(names)))));
	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a foreign table", trigger->tgargs[0]),
				 errhint("ddb_fdw_forward() forwards to a foreign table of the ddb_fdw wrapper.")));
	ft = GetForeignTable(relid);
	server = GetForeignServer(ft->serverid);
	fdw = GetForeignDataWrapper(server->fdwid);
	if (strcmp(fdw->fdwname, "ddb_fdw") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("foreign table \"%s\" does not belong to the ddb_fdw wrapper", trigger->tgargs[0])));
	return relid;
}

/*
 * Copy a local row into a slot of the foreign table, matching columns by
 * name; a column of another type goes through its text form (the foreign
 * type's input function), a missing one is NULL.
 */
static void
fill_slot(TupleTableSlot *dst, Relation local, HeapTuple tuple)
{
	TupleDesc	ldesc = RelationGetDescr(local);
	TupleDesc	fdesc = dst->tts_tupleDescriptor;
	int			i;

	ExecClearTuple(dst);
	for (i = 0; i < fdesc->natts; i++)
	{
		Form_pg_attribute fatt = TupleDescAttr(fdesc, i);
		int			j;

		dst->tts_values[i] = (Datum) 0;
		dst->tts_isnull[i] = true;
		if (fatt->attisdropped)
			continue;
		for (j = 0; j < ldesc->natts; j++)
		{
			Form_pg_attribute latt = TupleDescAttr(ldesc, j);
			bool		isnull;
			Datum		value;

			if (latt->attisdropped || strcmp(NameStr(latt->attname), NameStr(fatt->attname)) != 0)
				continue;
			value = heap_getattr(tuple, j + 1, ldesc, &isnull);
			if (!isnull && latt->atttypid != fatt->atttypid)
			{
				Oid			outfunc;
				Oid			infunc;
				Oid			ioparam;
				bool		isvarlena;

				getTypeOutputInfo(latt->atttypid, &outfunc, &isvarlena);
				getTypeInputInfo(fatt->atttypid, &infunc, &ioparam);
				value = OidInputFunctionCall(infunc, OidOutputFunctionCall(outfunc, value),
											 ioparam, fatt->atttypmod);
			}
			dst->tts_values[i] = value;
			dst->tts_isnull[i] = isnull;
			break;
		}
	}
	ExecStoreVirtualTuple(dst);
}

static void
check_privilege(Oid relid, AclMode mode)
{
	AclResult	result = pg_class_aclcheck(relid, GetUserId(), mode);

	if (result != ACLCHECK_OK)
		aclcheck_error(result, OBJECT_FOREIGN_TABLE, get_rel_name(relid));
}

Datum
ddb_fdw_forward(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	Oid			relid;
	Relation	frel;
	DdbTarget  *target;
	TupleTableSlot *new_slot = NULL;
	TupleTableSlot *old_slot = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ddb_fdw_forward() must be called as a trigger")));
	event = trigdata->tg_event;
	if (TRIGGER_FIRED_BY_TRUNCATE(event))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("TRUNCATE of table \"%s\" cannot be forwarded to DynamoDB",
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("DynamoDB has no statement that empties a table, and the rows are gone before the trigger runs."),
				 errhint("Use DELETE to forward removals, or drop and re-create the DynamoDB table.")));
	if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_FOR_ROW(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ddb_fdw_forward() must be fired AFTER ... FOR EACH ROW"),
				 errhint("CREATE TRIGGER ... AFTER INSERT OR UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION ddb_fdw_forward('t_ddb').")));

	relid = forward_target(trigdata);
	check_privilege(relid, TRIGGER_FIRED_BY_INSERT(event) ? ACL_INSERT :
					TRIGGER_FIRED_BY_DELETE(event) ? ACL_DELETE : ACL_INSERT | ACL_DELETE);

	frel = table_open(relid, RowExclusiveLock);
	target = ddb_writer_open(frel, GetUserId());
	if (!TRIGGER_FIRED_BY_INSERT(event))
	{
		old_slot = MakeSingleTupleTableSlot(RelationGetDescr(frel), &TTSOpsVirtual);
		fill_slot(old_slot, trigdata->tg_relation, trigdata->tg_trigtuple);
	}
	if (!TRIGGER_FIRED_BY_DELETE(event))
	{
		new_slot = MakeSingleTupleTableSlot(RelationGetDescr(frel), &TTSOpsVirtual);
		fill_slot(new_slot, trigdata->tg_relation,
				  TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple);
	}

	/* an UPDATE that moves the row to another key removes the old item */
	if (old_slot != NULL &&
		(new_slot == NULL || !ddb_writer_key_known(target) ||
		 !ddb_writer_same_key(target, old_slot, new_slot)))
		ddb_writer_delete_row(target, old_slot);
	if (new_slot != NULL)
		ddb_writer_put_row(target, new_slot);

	if (old_slot)
		ExecDropSingleTupleTableSlot(old_slot);
	if (new_slot)
		ExecDropSingleTupleTableSlot(new_slot);
	table_close(frel, NoLock);
	return PointerGetDatum(NULL);
}
