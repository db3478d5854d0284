/* ddb_activity.c — see ddb_activity.h */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ddb_activity.h"

#define ACTIVITY_TRANCHE "ddb_fdw activity"
#define ERROR_TEXT_LEN 256

/* One backend's writes to one foreign table. */
struct DdbActivitySlot
{
	slock_t		mutex;
	int			pid;			/* 0: free */
	Oid			dbid;
	Oid			relid;
	Oid			userid;			/* the session's user, for who may read last_error */
	char		foreign_table[2 * NAMEDATALEN + 2];
	char		dynamodb_table[256];
	int64		flushes;
	int64		items_written;
	int64		requests;
	int64		retries;
	int64		throttles;
	int64		unprocessed_resent;
	double		wait_ms;
	double		consumed_wcu;
	int64		stale_skipped;
	TimestampTz last_flush_at;
	TimestampTz last_error_at;	/* 0: none */
	char		last_error[ERROR_TEXT_LEN];
};
typedef struct DdbActivitySlot ActivitySlot;

typedef struct ActivityShared
{
	LWLock	   *lock;			/* taken to claim or free slots */
	int			nslots;
	pg_atomic_uint64 overflow;	/* tables not recorded: every slot taken */
	ActivitySlot slots[FLEXIBLE_ARRAY_MEMBER];
} ActivityShared;

static int	activity_slots = 256;
static ActivityShared *shared = NULL;

/* This backend's slots: relid -> index, in TopMemoryContext. */
typedef struct OwnSlot
{
	Oid			relid;
	int			index;
} OwnSlot;
static OwnSlot *own = NULL;
static int	n_own = 0;
static bool exit_registered = false;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
shared_size(void)
{
	return add_size(offsetof(ActivityShared, slots),
					mul_size(activity_slots, sizeof(ActivitySlot)));
}

#if PG_VERSION_NUM >= 150000
static void
activity_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(shared_size());
	RequestNamedLWLockTranche(ACTIVITY_TRANCHE, 1);
}
#endif

static void
activity_shmem_startup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("ddb_fdw activity", shared_size(), &found);
	if (!found)
	{
		shared->lock = &(GetNamedLWLockTranche(ACTIVITY_TRANCHE))->lock;
		shared->nslots = activity_slots;
		pg_atomic_init_u64(&shared->overflow, 0);
		for (i = 0; i < activity_slots; i++)
		{
			memset(&shared->slots[i], 0, sizeof(ActivitySlot));
			SpinLockInit(&shared->slots[i].mutex);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

void
ddb_activity_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("ddb_fdw.activity_slots",
							"Slots for ddb_fdw_activity: one per backend and foreign table written.",
							"Needs ddb_fdw in shared_preload_libraries; takes effect at server start.",
							&activity_slots, 256, 16, 65536, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = activity_shmem_request;
#else
	RequestAddinShmemSpace(shared_size());
	RequestNamedLWLockTranche(ACTIVITY_TRANCHE, 1);
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = activity_shmem_startup;
}

bool
ddb_activity_enabled(void)
{
	return shared != NULL;
}

/* At exit the backend's slots become free for others. */
static void
free_own_slots(int code, Datum arg)
{
	int			i;

	(void) code;
	(void) arg;
	if (shared == NULL || n_own == 0)
		return;
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	for (i = 0; i < n_own; i++)
	{
		ActivitySlot *s = &shared->slots[own[i].index];

		SpinLockAcquire(&s->mutex);
		s->pid = 0;
		SpinLockRelease(&s->mutex);
	}
	LWLockRelease(shared->lock);
	n_own = 0;
}

DdbActivitySlot *
ddb_activity_slot(Oid relid, const char *dynamodb_table)
{
	ActivitySlot *s = NULL;
	int			i;
	char	   *nspname;
	char	   *relname;

	if (shared == NULL)
		return NULL;
	for (i = 0; i < n_own; i++)
		if (own[i].relid == relid)
			return &shared->slots[own[i].index];

	if (!exit_registered)
	{
		on_shmem_exit(free_own_slots, (Datum) 0);
		exit_registered = true;
	}
	relname = get_rel_name(relid);
	nspname = get_namespace_name(get_rel_namespace(relid));

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	for (i = 0; i < shared->nslots; i++)
		if (shared->slots[i].pid == 0)
		{
			s = &shared->slots[i];
			break;
		}
	if (s != NULL)
	{
		SpinLockAcquire(&s->mutex);
		memset(((char *) s) + offsetof(ActivitySlot, pid), 0,
			   sizeof(ActivitySlot) - offsetof(ActivitySlot, pid));
		s->pid = MyProcPid;
		s->dbid = MyDatabaseId;
		s->relid = relid;
		s->userid = GetSessionUserId();
		snprintf(s->foreign_table, sizeof(s->foreign_table), "%s.%s",
				 nspname ? nspname : "?", relname ? relname : "?");
		strlcpy(s->dynamodb_table, dynamodb_table, sizeof(s->dynamodb_table));
		SpinLockRelease(&s->mutex);
	}
	LWLockRelease(shared->lock);
	if (s == NULL)
	{
		pg_atomic_fetch_add_u64(&shared->overflow, 1);
		return NULL;
	}

	own = own ? repalloc(own, sizeof(OwnSlot) * (n_own + 1)) :
		MemoryContextAlloc(TopMemoryContext, sizeof(OwnSlot));
	own[n_own].relid = relid;
	own[n_own].index = (int) (s - shared->slots);
	n_own++;
	return s;
}

void
ddb_activity_flushed(DdbActivitySlot *s, const DdbStats *before, const DdbStats *after,
					 const char *error_message)
{
	if (s == NULL)
		return;
	SpinLockAcquire(&s->mutex);
	s->flushes++;
	s->items_written += after->items_written - before->items_written;
	s->requests += after->requests - before->requests;
	s->retries += after->retries - before->retries;
	s->throttles += after->throttles - before->throttles;
	s->unprocessed_resent += after->unprocessed_resent - before->unprocessed_resent;
	s->wait_ms += after->wait_ms - before->wait_ms;
	s->consumed_wcu += after->consumed_wcu - before->consumed_wcu;
	s->stale_skipped += after->stale_skipped - before->stale_skipped;
	s->last_flush_at = GetCurrentTimestamp();
	if (error_message != NULL)
	{
		s->last_error_at = s->last_flush_at;
		strlcpy(s->last_error, error_message, sizeof(s->last_error));
	}
	SpinLockRelease(&s->mutex);
}

PG_FUNCTION_INFO_V1(ddb_fdw_activity);

/*
 * Every backend's slots.  Like pg_stat_activity, the error text of another
 * role's session is shown only to superusers, pg_read_all_stats and members
 * of that role (a DynamoDB error can quote key values).
 */
Datum
ddb_fdw_activity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		all_stats;
	int			i;

	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ddb_fdw_activity needs ddb_fdw in shared_preload_libraries"),
				 errdetail("The writers' activity is kept in shared memory, which only a library loaded at server start can have."),
				 errhint("Add ddb_fdw to shared_preload_libraries and restart the server; ddb_fdw_stats() shows the current session's writer meanwhile.")));

	InitMaterializedSRF(fcinfo, 0);
	all_stats = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	for (i = 0; i < shared->nslots; i++)
	{
		ActivitySlot copy;
		Datum		values[17];
		bool		nulls[17] = {0};
		char	   *dbname;

		SpinLockAcquire(&shared->slots[i].mutex);
		memcpy(&copy, &shared->slots[i], sizeof(copy));
		SpinLockRelease(&shared->slots[i].mutex);
		if (copy.pid == 0)
			continue;

		values[0] = Int32GetDatum(copy.pid);
		dbname = get_database_name(copy.dbid);
		if (dbname)
			values[1] = CStringGetTextDatum(dbname);
		else
			nulls[1] = true;
		values[2] = ObjectIdGetDatum(copy.relid);
		values[3] = CStringGetTextDatum(copy.foreign_table);
		values[4] = CStringGetTextDatum(copy.dynamodb_table);
		values[5] = Int64GetDatum(copy.flushes);
		values[6] = Int64GetDatum(copy.items_written);
		values[7] = Int64GetDatum(copy.requests);
		values[8] = Int64GetDatum(copy.retries);
		values[9] = Int64GetDatum(copy.throttles);
		values[10] = Int64GetDatum(copy.unprocessed_resent);
		values[11] = Float8GetDatum(copy.wait_ms);
		values[12] = Float8GetDatum(copy.consumed_wcu);
		values[13] = Int64GetDatum(copy.stale_skipped);
		values[14] = TimestampTzGetDatum(copy.last_flush_at);
		if (copy.last_error_at == 0)
			nulls[15] = nulls[16] = true;
		else
		{
			if (all_stats || has_privs_of_role(GetUserId(), copy.userid))
				values[15] = CStringGetTextDatum(copy.last_error);
			else
				values[15] = CStringGetTextDatum("<insufficient privilege>");
			values[16] = TimestampTzGetDatum(copy.last_error_at);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(ddb_fdw_activity_overflow);

/* Tables a backend could not record, for want of a free slot, since the server started. */
Datum
ddb_fdw_activity_overflow(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	if (shared == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INT64((int64) pg_atomic_read_u64(&shared->overflow));
}
