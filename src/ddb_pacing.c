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
 */
#include "postgres.h"

#include <math.h>
#include <time.h>

#include "utils/memutils.h"

#include "ddb_pacing.h"

#define CUBIC_BETA 0.7
#define CUBIC_SCALE 0.4
#define SMOOTHING 0.8
#define BUCKET_S 0.5

struct DdbPacer
{
	char	   *url;
	char	   *table_name;
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
	struct DdbPacer *next;
};

static DdbPacer *pacers = NULL;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
forget(DdbPacer *p, double now)
{
	p->enabled = false;
	p->fill_rate = 0;
	p->capacity = 0;
	p->max_capacity = DDB_PACER_MIN_CAPACITY;
	p->last_refill = now;
	p->last_max_rate = 0;
	p->last_throttle = now;
	p->time_window = 0;
	p->measured_rate = 0;
	p->have_measured = false;
	p->bucket_start = floor(now / BUCKET_S) * BUCKET_S;
	p->bucket_items = 0;
	p->last_used = now;
}

DdbPacer *
ddb_pacer_get(const char *url, const char *table_name)
{
	DdbPacer   *p;
	double		now = now_s();

	for (p = pacers; p; p = p->next)
		if (strcmp(p->url, url) == 0 && strcmp(p->table_name, table_name) == 0)
			break;
	if (p == NULL)
	{
		p = MemoryContextAllocZero(TopMemoryContext, sizeof(DdbPacer));
		p->url = MemoryContextStrdup(TopMemoryContext, url);
		p->table_name = MemoryContextStrdup(TopMemoryContext, table_name);
		forget(p, now);
		p->next = pacers;
		pacers = p;
	}
	else if (now - p->last_used > DDB_PACER_IDLE_S)
		forget(p, now);
	p->last_used = now;
	return p;
}

static void
refill(DdbPacer *p, double now)
{
	p->capacity = Min(p->max_capacity, p->capacity + (now - p->last_refill) * p->fill_rate);
	p->last_refill = now;
}

static double
needed(const DdbPacer *p, int n_items)
{
	return Min((double) n_items, p->max_capacity);
}

double
ddb_pacer_wait_ms(DdbPacer *p, int n_items)
{
	double		now = now_s();
	double		need;

	if (!p->enabled)
		return 0;
	refill(p, now);
	need = needed(p, n_items);
	if (p->capacity >= need)
		return 0;
	return (need - p->capacity) / p->fill_rate * 1000.0;
}

void
ddb_pacer_take(DdbPacer *p, int n_items)
{
	double		now = now_s();

	p->last_used = now;
	if (!p->enabled)
		return;
	refill(p, now);
	/* in debt by at most one bucket: what a round sent ahead is waited for later */
	p->capacity = Max(-p->max_capacity, p->capacity - n_items);
}

/* Fold the accepted items into the measured rate (half-second buckets). */
static void
measure(DdbPacer *p, long accepted, double now)
{
	double		bucket = floor(now / BUCKET_S) * BUCKET_S;

	p->bucket_items += accepted;
	if (bucket > p->bucket_start)
	{
		double		rate = p->bucket_items / (bucket - p->bucket_start);

		p->measured_rate = p->have_measured ?
			rate * SMOOTHING + p->measured_rate * (1 - SMOOTHING) : rate;
		p->have_measured = true;
		p->bucket_items = 0;
		p->bucket_start = bucket;
	}
}

static double
measured(const DdbPacer *p, double now)
{
	if (p->have_measured)
		return p->measured_rate;
	/* no bucket closed yet: what was accepted so far, over at least one bucket */
	return p->bucket_items / Max(now - p->bucket_start, BUCKET_S);
}

void
ddb_pacer_round(DdbPacer *p, long accepted, bool throttled)
{
	double		now = now_s();
	double		rate;
	double		cap_rate;

	p->last_used = now;
	measure(p, accepted, now);
	if (!p->enabled && (!throttled || measured(p, now) <= 0))
		return;					/* nothing learned about a rate: backoff's business */
	if (throttled)
	{
		double		in_use = p->enabled ? Min(measured(p, now), p->fill_rate) : measured(p, now);

		p->last_max_rate = in_use;
		p->time_window = cbrt(p->last_max_rate * (1 - CUBIC_BETA) / CUBIC_SCALE);
		p->last_throttle = now;
		rate = in_use * CUBIC_BETA;
		if (!p->enabled)
		{
			p->enabled = true;
			p->last_refill = now;
			p->capacity = 0;
		}
	}
	else
	{
		double		dt = now - p->last_throttle - p->time_window;

		rate = CUBIC_SCALE * dt * dt * dt + p->last_max_rate;
	}
	/* beyond W_max only as far as the demand shows (a quiet spell is no reason to stay low) */
	cap_rate = Max(2 * measured(p, now), p->last_max_rate);
	if (rate > cap_rate)
		rate = cap_rate;
	refill(p, now);
	p->fill_rate = Max(rate, DDB_PACER_MIN_FILL_RATE);
	p->max_capacity = Max(p->fill_rate, DDB_PACER_MIN_CAPACITY);
	p->capacity = Min(p->capacity, p->max_capacity);
}

bool
ddb_pacer_active(const DdbPacer *p)
{
	return p->enabled;
}

double
ddb_pacer_rate(const DdbPacer *p)
{
	return p->fill_rate;
}
