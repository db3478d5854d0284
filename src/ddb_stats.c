/*
 * ddb_stats.c — the SQL functions over this backend's writer counters
 * (ddb_stats.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "ddb_stats.h"

DdbStats	ddb_stats;

PG_FUNCTION_INFO_V1(ddb_fdw_stats);
PG_FUNCTION_INFO_V1(ddb_fdw_stats_reset);

Datum
ddb_fdw_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	/* a database still at 1.0 declares the first 9 columns: it gets those */
	if (tupdesc->natts != 9 && tupdesc->natts != lengthof(values))
		elog(ERROR, "ddb_fdw_stats() returns %d columns, expected %d: update the extension",
			 tupdesc->natts, (int) lengthof(values));

	values[0] = Int64GetDatum(ddb_stats.flushes);
	values[1] = Int64GetDatum(ddb_stats.requests);
	values[2] = Int64GetDatum(ddb_stats.items_written);
	values[3] = Int64GetDatum(ddb_stats.retries);
	values[4] = Int64GetDatum(ddb_stats.throttles);
	values[5] = Int64GetDatum(ddb_stats.unprocessed_resent);
	values[6] = Int64GetDatum(ddb_stats.bytes_sent);
	values[7] = Float8GetDatum(ddb_stats.wait_ms);
	values[8] = Int64GetDatum(ddb_stats.credential_fetches);
	values[9] = Float8GetDatum(ddb_stats.consumed_wcu);		/* 1.1 */
	values[10] = Int64GetDatum(ddb_stats.stale_skipped);	/* 1.1 */
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

Datum
ddb_fdw_stats_reset(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	memset(&ddb_stats, 0, sizeof(ddb_stats));
	PG_RETURN_VOID();
}
