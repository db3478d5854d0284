/*
 * ddb_stats.h — what this backend's writer has done, for ddb_fdw_stats().
 *
 * Contract: the writer adds to the counters as it works; they live as long
 * as the backend and are only reset by ddb_fdw_stats_reset().  Nothing here
 * is shared between backends, so no locking is needed.
 */
#ifndef DDB_STATS_H
#define DDB_STATS_H

typedef struct DdbStats
{
	int64		flushes;			/* queues sent (commit, max-buffered, timeout) */
	int64		requests;			/* HTTP requests sent, retries included */
	int64		items_written;		/* write requests DynamoDB acknowledged */
	int64		retries;			/* requests sent again after an error */
	int64		throttles;			/* of those errors, capacity refusals */
	int64		unprocessed_resent; /* items re-sent from UnprocessedItems */
	int64		bytes_sent;			/* request bodies */
	double		wait_ms;			/* waiting for DynamoDB, backoff included */
	int64		credential_fetches; /* temporary credentials fetched (STS, metadata, process, function) */
	double		consumed_wcu;	/* write capacity units DynamoDB's answers say were consumed */
	int64		stale_skipped;	/* guarded writes refused by their version condition */
} DdbStats;

extern DdbStats ddb_stats;

#endif							/* DDB_STATS_H */
