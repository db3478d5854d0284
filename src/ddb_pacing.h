/*
 * ddb_pacing.h — client-side rate control of the writes one backend sends
 * to one DynamoDB table.
 *
 * Contract: ddb_pacer_get() returns the pacer of an (endpoint URL, table
 * name) pair; it lives as long as the backend (TopMemoryContext), so what
 * one transaction learned about a table's capacity serves the next.  The
 * send engine asks, before each request, how long to wait until it may send
 * n items (ddb_pacer_wait_ms), reserves them before waiting
 * (ddb_pacer_reserve), and reports
 * once per round of requests how many items DynamoDB accepted and whether
 * it throttled any (ddb_pacer_round).  Nothing here sleeps, sends or
 * raises an error.
 *
 * The model is the AWS SDKs' adaptive retry mode, counted in items (one
 * write capacity unit per item up to 1 KB) instead of requests, because a
 * BatchWriteItem of 25 items costs 25 times one of 1:
 *   - until the table first throttles in a round that also got items
 *     accepted (so there is a rate to learn), nothing is paced;
 *   - a token bucket of items refills at fill_rate per second and holds at
 *     most one second of it (at least DDB_PACER_MIN_CAPACITY items);
 *   - the measured rate is the accepted items per second, smoothed over
 *     half-second buckets (0.8 weight on the newest);
 *   - a round with a throttling answer or UnprocessedItems is one
 *     congestion event (however many of its requests were throttled, as TCP
 *     reduces once per window): the rate in use (the lower of fill_rate and
 *     the measured rate) becomes W_max and the fill rate W_max * 0.7;
 *   - otherwise the fill rate follows CUBIC from the last event,
 *     W(t) = 0.4 (t - K)^3 + W_max, K = cbrt(W_max * 0.3 / 0.4), and
 *     exceeds W_max by no more than twice the measured rate allows;
 *   - a pacer not used for DDB_PACER_IDLE_S forgets what it learned.
 * A request needs min(n, capacity) tokens (so a batch larger than one second
 * of the rate can still go) and takes n.  The bucket may go into debt by up
 * to one capacity: the send engine sends a round's worth ahead (the tokens
 * that will have come in by the time the round's answers are back, as a
 * round trip of requests in flight at once must), and the debt delays the
 * round after it, so the average stays the fill rate.
 *
 * With ddb_fdw in shared_preload_libraries a pacer's state is shared by
 * every backend writing the same (endpoint, table) ("ddb_fdw.pacer_slots"
 * slots; when they run out a backend paces alone), and a throttle reported
 * by a round that began before another backend's cut cuts nothing more.
 * ddb_fdw_pacers() shows the shared pacers and the backend's own.
 */
#ifndef DDB_PACING_H
#define DDB_PACING_H

#include <stdbool.h>

typedef struct DdbPacer DdbPacer;

/*
 * One full BatchWriteItem a second at least: the SDKs' floor is half a
 * request a second, but a throttle that came with little traffic (a hot
 * moment, a fault) must not make every later small transaction wait
 * seconds; slower tables are held back by the no-progress backoff instead.
 */
#define DDB_PACER_MIN_FILL_RATE 25.0	/* items per second */
#define DDB_PACER_MIN_CAPACITY 25.0		/* items */
#define DDB_PACER_IDLE_S 10.0

/* From _PG_init: define "ddb_fdw.pacer_slots" and ask for shared memory when preloaded. */
extern void ddb_pacing_init(void);

/* The pacer of a table; call once per flush (it starts the backend's round clock). */
extern DdbPacer *ddb_pacer_get(const char *url, const char *table_name);

/* Milliseconds to wait before n_items may be sent (0: now). */
extern double ddb_pacer_wait_ms(DdbPacer *p, int n_items);

/*
 * Take the tokens of n_items about to be sent, at once (under the shared
 * pacer's lock, so backends queue behind each other's reservations), and
 * return how many milliseconds to wait before sending them: what
 * ddb_pacer_wait_ms said, unless another backend reserved meanwhile.
 */
extern double ddb_pacer_reserve(DdbPacer *p, int n_items);

/* The outcome of one round: items accepted, and whether anything was throttled. */
extern void ddb_pacer_round(DdbPacer *p, long accepted, bool throttled);

/* Is the pacer limiting the rate (the table has throttled)? */
extern bool ddb_pacer_active(DdbPacer *p);

/* The fill rate in items per second (for DEBUG messages). */
extern double ddb_pacer_rate(DdbPacer *p);

#endif							/* DDB_PACING_H */
