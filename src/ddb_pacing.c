/*
 * ddb_pacing.c — adaptive rate control per (endpoint, table) (ddb_pacing.h).
 *
 * Written from the description of the AWS SDKs' adaptive retry mode (a token
 * bucket whose fill rate follows CUBIC, RFC 8312, capped by twice the
 * measured rate), counted in items.  Two departures, both because a
 * BatchWriteItem answer says exactly how much the table took: one
 * congestion event per round of requests rather than per throttled
 * response (a round of 50 requests that overshoots would otherwise cut the
 * rate by 0.7^k for k throttled answers of one overshoot), and before the
 * first half-second bucket closes the measured rate is estimated from what
 * was accepted so far (else the first throttle, which usually comes within
 * the first half second, would take the rate to its minimum).
 *
 * Shared pacers: with ddb_fdw in shared_preload_libraries the state of a
 * pacer lives in a slot of shared memory ("ddb_fdw.pacer_slots"), one per
 * (endpoint, table), under a spinlock, so every backend writing a table
 * draws from one bucket and learns from every answer: a backend that starts
 * after the table throttled starts at the learned rate instead of finding
 * the capacity again, and the measured rate is the table's, not one
 * backend's share.  Congestion is still one event per round trip: a
 * throttle reported by a round that began before another backend's cut is
 * the same overshoot and cuts nothing more.  A backend's own handle stays
 * in TopMemoryContext; when the slots run out it paces alone, as without
 * preloading.
 */
#include "postgres.h"

#include <math.h>
#include <time.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "ddb_pacing.h"

#define CUBIC_BETA 0.7
#define CUBIC_SCALE 0.4
#define SMOOTHING 0.8
#define BUCKET_S 0.5

#define PACER_TRANCHE "ddb_fdw pacers"
#define SHARED_URL_LEN 512		/* longer endpoint URLs pace per backend */
#define SHARED_TABLE_LEN 256	/* DynamoDB table names are at most 255 bytes */

/* What a pacer knows: local to a backend, or in a shared slot. */
typedef struct PacerState
{
	bool		enabled;		/* the table has throttled: pace */
	double		fill_rate;		/* items per second */
	double		capacity;		/* tokens now */
	double		max_capacity;
	double		last_refill;
	double		last_max_rate;	/* W_max */
	double		last_throttle;
	double		time_window;	/* K */
	double		measured_rate;
	bool		have_measured;
	double		bucket_start;	/* start of the current half-second bucket */
	double		bucket_items;	/* items accepted in it */
	double		last_used;
	int64		throttle_events;	/* congestion events (rate cuts) */
	TimestampTz last_throttle_at;
} PacerState;

typedef struct SharedPacer
{
	slock_t		mutex;			/* guards everything below */
	bool		in_use;
	char		url[SHARED_URL_LEN];
	char		table_name[SHARED_TABLE_LEN];
	PacerState	state;
} SharedPacer;

typedef struct PacerShared
{
	LWLock	   *lock;			/* taken to claim a slot */
	int			nslots;
	SharedPacer slots[FLEXIBLE_ARRAY_MEMBER];
} PacerShared;

/* A backend's handle of a pacer (TopMemoryContext). */
struct DdbPacer
{
	char	   *url;
	char	   *table_name;
	PacerState	local;			/* used when shared is NULL */
	SharedPacer *shared;		/* the slot, or NULL: paced by this backend alone */
	double		since;			/* this backend's current round began no earlier */
	struct DdbPacer *next;
};

static DdbPacer *pacers = NULL;
static int	pacer_slots = 64;
static PacerShared *shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* one clock for every backend */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------- shared memory ---------- */

static Size
shared_size(void)
{
	return add_size(offsetof(PacerShared, slots), mul_size(pacer_slots, sizeof(SharedPacer)));
}

static void
pacer_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	if (pacer_slots == 0)
		return;
	RequestAddinShmemSpace(shared_size());
	RequestNamedLWLockTranche(PACER_TRANCHE, 1);
}

static void
pacer_shmem_startup(void)
{
	bool		found;
	int			i;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	if (pacer_slots == 0)
		return;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("ddb_fdw pacers", shared_size(), &found);
	if (!found)
	{
		shared->lock = &(GetNamedLWLockTranche(PACER_TRANCHE))->lock;
		shared->nslots = pacer_slots;
		for (i = 0; i < pacer_slots; i++)
		{
			memset(&shared->slots[i], 0, sizeof(SharedPacer));
			SpinLockInit(&shared->slots[i].mutex);
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

void
ddb_pacing_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("ddb_fdw.pacer_slots",
							"Pacers shared by all backends: one per DynamoDB endpoint and table written.",
							"Needs ddb_fdw in shared_preload_libraries; takes effect at server start. 0: every backend paces its writes alone.",
							&pacer_slots, 64, 0, 65536, PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pacer_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pacer_shmem_startup;
}

/* ---------- the model ---------- */

static void
forget(PacerState *s, double now)
{
	int64		events = s->throttle_events;
	TimestampTz at = s->last_throttle_at;

	memset(s, 0, sizeof(PacerState));
	s->max_capacity = DDB_PACER_MIN_CAPACITY;
	s->last_refill = now;
	s->last_throttle = now;
	s->bucket_start = floor(now / BUCKET_S) * BUCKET_S;
	s->last_used = now;
	/* the history of the slot stays for ddb_fdw_pacers() */
	s->throttle_events = events;
	s->last_throttle_at = at;
}

/* The state to work on, locked when shared: every use ends with unlock_state. */
static inline PacerState *
lock_state(DdbPacer *p)
{
	if (p->shared == NULL)
		return &p->local;
	SpinLockAcquire(&p->shared->mutex);
	return &p->shared->state;
}

static inline void
unlock_state(DdbPacer *p)
{
	if (p->shared != NULL)
		SpinLockRelease(&p->shared->mutex);
}

static bool
slot_is(SharedPacer *slot, const char *url, const char *table_name)
{
	return slot->in_use && strcmp(slot->url, url) == 0 &&
		strcmp(slot->table_name, table_name) == 0;
}

/*
 * The shared slot of (url, table): the one that has it, else a free one or
 * one idle past DDB_PACER_IDLE_S (what it knew is stale anyway); NULL when
 * none is left or the names do not fit.
 */
static SharedPacer *
attach(const char *url, const char *table_name, double now)
{
	SharedPacer *found = NULL;
	SharedPacer *spare = NULL;
	int			i;

	if (shared == NULL || strlen(url) >= SHARED_URL_LEN || strlen(table_name) >= SHARED_TABLE_LEN)
		return NULL;
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	for (i = 0; i < shared->nslots && found == NULL; i++)
	{
		SharedPacer *slot = &shared->slots[i];

		SpinLockAcquire(&slot->mutex);
		if (slot_is(slot, url, table_name))
			found = slot;
		else if (spare == NULL &&
				 (!slot->in_use || now - slot->state.last_used > DDB_PACER_IDLE_S))
			spare = slot;
		SpinLockRelease(&slot->mutex);
	}
	if (found == NULL && spare != NULL)
	{
		SpinLockAcquire(&spare->mutex);
		spare->in_use = true;
		strlcpy(spare->url, url, sizeof(spare->url));
		strlcpy(spare->table_name, table_name, sizeof(spare->table_name));
		spare->state.throttle_events = 0;
		spare->state.last_throttle_at = 0;
		forget(&spare->state, now);
		SpinLockRelease(&spare->mutex);
		found = spare;
	}
	LWLockRelease(shared->lock);
	return found;
}

DdbPacer *
ddb_pacer_get(const char *url, const char *table_name)
{
	DdbPacer   *p;
	PacerState *s;
	double		now = now_s();
	bool		still_ours = true;

	for (p = pacers; p; p = p->next)
		if (strcmp(p->url, url) == 0 && strcmp(p->table_name, table_name) == 0)
			break;
	if (p == NULL)
	{
		p = MemoryContextAllocZero(TopMemoryContext, sizeof(DdbPacer));
		p->url = MemoryContextStrdup(TopMemoryContext, url);
		p->table_name = MemoryContextStrdup(TopMemoryContext, table_name);
		forget(&p->local, now);
		p->shared = attach(url, table_name, now);
		p->next = pacers;
		pacers = p;
	}
	else if (p->shared != NULL)
	{
		/* an idle slot may have gone to another table meanwhile */
		SpinLockAcquire(&p->shared->mutex);
		still_ours = slot_is(p->shared, url, table_name);
		SpinLockRelease(&p->shared->mutex);
		if (!still_ours)
			p->shared = attach(url, table_name, now);
	}
	else
		p->shared = attach(url, table_name, now);	/* a slot may have come free */
	s = lock_state(p);
	if (now - s->last_used > DDB_PACER_IDLE_S)
		forget(s, now);
	s->last_used = now;
	unlock_state(p);
	p->since = now;
	return p;
}

static void
refill(PacerState *s, double now)
{
	s->capacity = Min(s->max_capacity, s->capacity + (now - s->last_refill) * s->fill_rate);
	s->last_refill = now;
}

double
ddb_pacer_wait_ms(DdbPacer *p, int n_items)
{
	double		now = now_s();
	double		wait = 0;
	PacerState *s = lock_state(p);

	if (s->enabled)
	{
		double		need;

		refill(s, now);
		need = Min((double) n_items, s->max_capacity);
		if (s->capacity < need)
			wait = (need - s->capacity) / s->fill_rate * 1000.0;
	}
	unlock_state(p);
	return wait;
}

double
ddb_pacer_reserve(DdbPacer *p, int n_items)
{
	double		now = now_s();
	double		wait = 0;
	PacerState *s = lock_state(p);

	s->last_used = now;
	if (s->enabled)
	{
		double		need;

		refill(s, now);
		need = Min((double) n_items, s->max_capacity);
		if (s->capacity < need)
			wait = (need - s->capacity) / s->fill_rate * 1000.0;

		/*
		 * In debt by at most one bucket: what a round sent ahead is waited
		 * for later.  A shared bucket keeps all of its debt: every backend
		 * sends its round ahead, and a debt forgiven to one is capacity
		 * another spends twice.
		 */
		s->capacity = p->shared ? s->capacity - n_items :
			Max(-s->max_capacity, s->capacity - n_items);
	}
	unlock_state(p);
	return wait;
}

/* Fold the accepted items into the measured rate (half-second buckets). */
static void
measure(PacerState *s, long accepted, double now)
{
	double		bucket = floor(now / BUCKET_S) * BUCKET_S;

	s->bucket_items += accepted;
	if (bucket > s->bucket_start)
	{
		double		rate = s->bucket_items / (bucket - s->bucket_start);

		s->measured_rate = s->have_measured ?
			rate * SMOOTHING + s->measured_rate * (1 - SMOOTHING) : rate;
		s->have_measured = true;
		s->bucket_items = 0;
		s->bucket_start = bucket;
	}
}

static double
measured(const PacerState *s, double now)
{
	if (s->have_measured)
		return s->measured_rate;
	/* no bucket closed yet: what was accepted so far, over at least one bucket */
	return s->bucket_items / Max(now - s->bucket_start, BUCKET_S);
}

void
ddb_pacer_round(DdbPacer *p, long accepted, bool throttled)
{
	double		now = now_s();
	TimestampTz wall = throttled ? GetCurrentTimestamp() : 0;
	PacerState *s = lock_state(p);
	double		since = p->since;
	double		rate;
	double		cap_rate;

	p->since = now;
	s->last_used = now;
	measure(s, accepted, now);
	if (!s->enabled && (!throttled || measured(s, now) <= 0))
	{
		unlock_state(p);
		return;					/* nothing learned about a rate: backoff's business */
	}
	if (throttled && s->enabled && s->last_throttle > since)
	{
		/* another backend cut the rate while this round was out: the same overshoot */
		unlock_state(p);
		return;
	}
	if (throttled)
	{
		double		in_use = s->enabled ? Min(measured(s, now), s->fill_rate) : measured(s, now);

		s->last_max_rate = in_use;
		s->time_window = cbrt(s->last_max_rate * (1 - CUBIC_BETA) / CUBIC_SCALE);
		s->last_throttle = now;
		s->last_throttle_at = wall;
		s->throttle_events++;
		rate = in_use * CUBIC_BETA;
		if (!s->enabled)
		{
			s->enabled = true;
			s->last_refill = now;
			s->capacity = 0;
		}
	}
	else
	{
		double		dt = now - s->last_throttle - s->time_window;

		rate = CUBIC_SCALE * dt * dt * dt + s->last_max_rate;
	}
	/* beyond W_max only as far as the demand shows (a quiet spell is no reason to stay low) */
	cap_rate = Max(2 * measured(s, now), s->last_max_rate);
	if (rate > cap_rate)
		rate = cap_rate;
	refill(s, now);
	s->fill_rate = Max(rate, DDB_PACER_MIN_FILL_RATE);
	s->max_capacity = Max(s->fill_rate, DDB_PACER_MIN_CAPACITY);
	s->capacity = Min(s->capacity, s->max_capacity);
	unlock_state(p);
}

bool
ddb_pacer_active(DdbPacer *p)
{
	PacerState *s = lock_state(p);
	bool		enabled = s->enabled;

	unlock_state(p);
	return enabled;
}

double
ddb_pacer_rate(DdbPacer *p)
{
	PacerState *s = lock_state(p);
	double		rate = s->fill_rate;

	unlock_state(p);
	return rate;
}

/* ---------- ddb_fdw_pacers() ---------- */

static void
put_pacer_row(ReturnSetInfo *rsinfo, const char *url, const char *table_name, bool is_shared,
			  const PacerState *s, double now)
{
	Datum		values[9];
	bool		nulls[9] = {0};

	values[0] = CStringGetTextDatum(url);
	values[1] = CStringGetTextDatum(table_name);
	values[2] = BoolGetDatum(is_shared);
	values[3] = BoolGetDatum(s->enabled);
	values[4] = Float8GetDatum(s->enabled ? s->fill_rate : 0);
	values[5] = Float8GetDatum(measured(s, now));
	values[6] = Int64GetDatum(s->throttle_events);
	if (s->last_throttle_at == 0)
		nulls[7] = true;
	else
		values[7] = TimestampTzGetDatum(s->last_throttle_at);
	values[8] = Float8GetDatum(now - s->last_used);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(ddb_fdw_pacers);

/* The shared pacers, then this backend's own (those without a slot). */
Datum
ddb_fdw_pacers(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double		now = now_s();
	DdbPacer   *p;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; shared != NULL && i < shared->nslots; i++)
	{
		SharedPacer copy;

		SpinLockAcquire(&shared->slots[i].mutex);
		memcpy(&copy, &shared->slots[i], sizeof(copy));
		SpinLockRelease(&shared->slots[i].mutex);
		if (copy.in_use)
			put_pacer_row(rsinfo, copy.url, copy.table_name, true, &copy.state, now);
	}
	for (p = pacers; p; p = p->next)
		if (p->shared == NULL)
			put_pacer_row(rsinfo, p->url, p->table_name, false, &p->local, now);
	return (Datum) 0;
}
