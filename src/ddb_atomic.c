/*
 * ddb_atomic.c — "sink.commit-mode" 'atomic' (ddb_atomic.h).
 *
 * The send path is its own, not the writer's send_batches: one request,
 * whose retries must keep one ClientRequestToken and must stop before
 * DynamoDB forgets it.  Memory: the noted writes live in a context under
 * TopTransactionContext (gone with the transaction); the request body in
 * the caller's context; malloc'ed client objects (responses, parsed
 * reasons) are freed before anything that can ereport.
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "common/hashfn.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/memutils.h"

#include "aws_sigv4.h"
#include "ddb_atomic.h"
#include "ddb_bridge.h"
#include "ddb_creds.h"
#include "ddb_stats.h"
#include "ddb_writer.h"

/*
 * DynamoDB honours a ClientRequestToken for 10 minutes after the first
 * request that used it completed; a retry sent later would be a new
 * request.  Measured from the first send (which completes later still),
 * with a minute to spare.
 */
#define IDEMPOTENCY_WINDOW_MS (10 * 60 * 1000)
#define IDEMPOTENCY_MARGIN_MS (60 * 1000)

/* Cancelled actions a TransactionCanceledException's DETAIL names one by one. */
#define MAX_NAMED_REASONS 10

typedef struct NotedKey
{
	const void *owner;
	const char *relname;
	const char *table_name;
	uint32		hash;
	char	   *key;			/* a copy: the writer reuses its buffer */
	int			key_len;
	int64		bytes;
} NotedKey;

typedef struct NotedServer
{
	Oid			serverid;
	Oid			userid;
	char	   *servername;
	NotedKey	keys[AWS_DDB_MAX_TRANSACT_ITEMS];
	int			n_keys;
	int64		bytes;
	struct NotedServer *next;
} NotedServer;

static MemoryContext AtomicContext = NULL;
static NotedServer *noted = NULL;

void
ddb_atomic_forget(void)
{
	if (AtomicContext != NULL)
		MemoryContextDelete(AtomicContext);
	AtomicContext = NULL;
	noted = NULL;
}

static NotedServer *
noted_server(const DdbTableOptions *opts)
{
	NotedServer *s;

	for (s = noted; s; s = s->next)
		if (s->serverid == opts->serverid)
			return s;
	if (AtomicContext == NULL)
		AtomicContext = AllocSetContextCreate(TopTransactionContext, "ddb_fdw atomic writes",
											  ALLOCSET_SMALL_SIZES);
	s = MemoryContextAllocZero(AtomicContext, sizeof(NotedServer));
	s->serverid = opts->serverid;
	s->userid = opts->userid;
	s->servername = MemoryContextStrdup(AtomicContext, GetForeignServer(opts->serverid)->servername);
	s->next = noted;
	noted = s;
	return s;
}

static void
refuse_size(const NotedServer *s, const DdbTableOptions *opts, int64 bytes)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("atomic transaction on server \"%s\" would exceed DynamoDB's 4 MB limit of TransactWriteItems",
					s->servername),
			 errdetail("With this write to foreign table \"%s\" its items would take about %lld bytes (of %d).",
					   opts->relname, (long long) bytes, AWS_DDB_MAX_TRANSACT_BYTES),
			 errhint("Split the transaction, or use \"sink.commit-mode\" 'batch' for this volume (not atomic).")));
}

void
ddb_atomic_note_write(const DdbTableOptions *opts, const void *owner, const char *key,
					  int key_len, DdbAtomicWrite kind, int64 bytes, bool check)
{
	NotedServer *s = noted_server(opts);
	uint32		h = hash_bytes((const unsigned char *) key, key_len);
	NotedKey   *k;
	int			i;

	/* one TransactWriteItems is signed by one identity */
	if (s->userid != opts->userid)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot write to server \"%s\" as two roles in one atomic transaction", s->servername),
				 errdetail("\"sink.commit-mode\" 'atomic' commits the transaction's writes to a server with one TransactWriteItems, signed with one role's credentials."),
				 errhint("Write as one role in the transaction, or commit between roles.")));
	for (i = 0; i < s->n_keys; i++)
	{
		int64		now;

		k = &s->keys[i];
		if (k->hash != h || k->key_len != key_len || memcmp(k->key, key, key_len) != 0 ||
			strcmp(k->table_name, opts->table_name) != 0)
			continue;
		if (k->owner != owner)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("DynamoDB item of table \"%s\" was already written through foreign table \"%s\" in this atomic transaction",
							opts->table_name, k->relname),
					 errdetail("One TransactWriteItems cannot name an item twice, and writes through foreign table \"%s\" are not combined with those of another foreign table.",
							   opts->relname),
					 errhint("Write an item through one foreign table per transaction.")));
		now = kind == DDB_ATOMIC_REPLACE ? bytes : k->bytes + bytes;
		if (check && s->bytes - k->bytes + now > AWS_DDB_MAX_TRANSACT_BYTES)
			refuse_size(s, opts, s->bytes - k->bytes + now);
		s->bytes += now - k->bytes;
		k->bytes = now;
		return;
	}
	if (kind == DDB_ATOMIC_ADD)
		bytes += key_len;
	if (check && s->n_keys == AWS_DDB_MAX_TRANSACT_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("atomic transaction on server \"%s\" would write more than %d DynamoDB items",
						s->servername, AWS_DDB_MAX_TRANSACT_ITEMS),
				 errdetail("\"sink.commit-mode\" 'atomic' commits the transaction's writes to a server with one TransactWriteItems, which takes at most %d actions on distinct items; this write to foreign table \"%s\" names item %d.",
						   AWS_DDB_MAX_TRANSACT_ITEMS, opts->relname, AWS_DDB_MAX_TRANSACT_ITEMS + 1),
				 errhint("Split the transaction, or use \"sink.commit-mode\" 'batch' for this volume (not atomic). Writes of one key count once.")));
	if (check && s->bytes + bytes > AWS_DDB_MAX_TRANSACT_BYTES)
		refuse_size(s, opts, s->bytes + bytes);
	k = &s->keys[s->n_keys++];
	k->owner = owner;
	k->relname = MemoryContextStrdup(AtomicContext, opts->relname);
	k->table_name = MemoryContextStrdup(AtomicContext, opts->table_name);
	k->hash = h;
	k->key = MemoryContextAlloc(AtomicContext, Max(key_len, 1));
	memcpy(k->key, key, key_len);
	k->key_len = key_len;
	k->bytes = bytes;
	s->bytes += bytes;
}

/* ---------- the token ---------- */

void
ddb_atomic_token(int round, char out[AWS_DDB_MAX_TOKEN_LEN + 1])
{
	static uint64 nonce = 0;
	char		input[128];
	char		hex[65];
	int			len;

	/*
	 * The nonce tells apart clusters that share a system identifier and
	 * reuse xids (a restored base backup, a promoted standby that went back
	 * in time); the xid, the transactions of one cluster.
	 */
	if (nonce == 0 && !pg_strong_random(&nonce, sizeof(nonce)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random bytes for a ClientRequestToken")));
	len = snprintf(input, sizeof(input), "%llu:%llu:%llu:%d:%d",
				   (unsigned long long) GetSystemIdentifier(),
				   (unsigned long long) U64FromFullTransactionId(GetTopFullTransactionId()),
				   (unsigned long long) nonce, MyProcPid, round);
	if (!aws_sigv4_sha256_hex(input, len, hex))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not hash a ClientRequestToken")));
	/* "ddbfdw-" and 29 hex digits (116 bits): DynamoDB takes at most 36 characters */
	snprintf(out, AWS_DDB_MAX_TOKEN_LEN + 1, "ddbfdw-%.29s", hex);
}

/* ---------- sending ---------- */

typedef struct SendContext
{
	const char *servername;
	int			n;
	bool		in_doubt;		/* an attempt may have been applied */
	bool		sent;			/* anything went out */
} SendContext;

/* The ERROR of a failed atomic COMMIT says what DynamoDB can hold. */
static void
send_error_context(void *arg)
{
	SendContext *c = arg;
	const char *actions = c->n == 1 ? "action" : "actions";

	if (!c->sent)
		errcontext("atomic COMMIT to server \"%s\" (%d %s): nothing was sent to DynamoDB",
				   c->servername, c->n, actions);
	else if (c->in_doubt)
		errcontext("atomic COMMIT to server \"%s\" (%d %s): an attempt got no definite answer (HTTP 5xx or no response), so DynamoDB holds either all of them or none",
				   c->servername, c->n, actions);
	else
		errcontext("atomic COMMIT to server \"%s\" (%d %s): DynamoDB applied none of them",
				   c->servername, c->n, actions);
}

/* An error on a TransactWriteItems answer that a retry may clear. */
static bool
retryable(const AwsError *err, const AwsDdbCancellation *reasons)
{
	size_t		i;

	if (reasons != NULL)
	{
		for (i = 0; i < reasons->n; i++)
			if (!aws_ddb_cancellation_is_retryable(reasons->codes[i]))
				return false;
		return true;
	}
	return aws_ddb_error_is_retryable(err) ||
		(err->kind == AWS_ERR_SERVICE && strcmp(err->type, "TransactionConflictException") == 0);
}

/* Could the failed attempt have been applied (DynamoDB answered nothing definite)? */
static bool
maybe_applied(const AwsError *err)
{
	if (err->kind == AWS_ERR_TRANSPORT || err->kind == AWS_ERR_PROTOCOL)
		return true;
	return err->kind == AWS_ERR_SERVICE && err->http_status >= 500;
}

static void
report_cancellation(const AwsError *err, const AwsDdbCancellation *reasons,
					const DdbAtomicAction *actions, int n, const char *servername)
{
	DdbAwsReport r = {0};
	StringInfoData detail;
	size_t		i;
	int			named = 0;
	int			more = 0;

	initStringInfo(&detail);
	appendStringInfo(&detail, "TransactWriteItems of %d actions on server \"%s\" was cancelled by", n, servername);
	for (i = 0; i < reasons->n && i < (size_t) n; i++)
	{
		const DdbAtomicAction *a = &actions[i];

		if (strcmp(reasons->codes[i], "None") == 0)
			continue;
		/* a message, not a log: name the first few, count the rest */
		if (named == MAX_NAMED_REASONS)
		{
			more++;
			continue;
		}
		appendStringInfo(&detail, "%s %s of foreign table \"%s\" (DynamoDB table \"%s\") key %s: %s%s%s",
						 named++ ? ";" : "",
						 a->kind == AWS_DDB_PUT ? "the put" : a->kind == AWS_DDB_DELETE ? "the delete" : "the update",
						 a->relname, a->table_name, a->key_text, reasons->codes[i],
						 reasons->messages[i][0] ? ", " : "", reasons->messages[i]);
	}
	if (named == 0)
		appendStringInfoString(&detail, " no action it names");
	if (more > 0)
		appendStringInfo(&detail, "; and %d more actions", more);
	if (reasons->n != (size_t) n)
		appendStringInfo(&detail, " (DynamoDB listed %zu reasons for %d actions)", reasons->n, n);
	appendStringInfoChar(&detail, '.');
	r.service = "DynamoDB";
	r.detail = detail.data;
	r.hint = "Nothing of the transaction was applied; fix the cause and run it again.";
	ddb_raise_aws_error(ERROR, err, &r);
}

void
ddb_atomic_send(AwsHttp *http, AwsDdbEndpoint *ep, const DdbSinkSettings *sink,
				const char *servername, const DdbAtomicAction *actions, int n,
				DdbAtomicRefresh refresh, void *refresh_arg)
{
	StringInfoData items;
	StringInfoData body;
	SendContext sc;
	ErrorContextCallback context;
	instr_time	first_sent;
	int			attempts = 0;
	int			round = 0;
	bool		refreshed = false;
	int			i;

	/* the actions, once; the token changes only after a definite cancellation */
	initStringInfo(&items);
	for (i = 0; i < n; i++)
	{
		const DdbAtomicAction *a = &actions[i];
		AwsBuf		buf = {0};
		AwsError	err;
		bool		ok;

		aws_error_clear(&err);
		ok = aws_ddb_build_transact_action(a->kind, a->table_name, a->attrs, a->attrs_len,
										   a->sets, a->sets_len, a->removes, a->removes_len,
										   &buf, &err);
		if (ok)
		{
			appendStringInfoString(&items, i ? "," : "");
			appendBinaryStringInfo(&items, buf.data, buf.len);
		}
		aws_buf_free(&buf);
		if (!ok)
			ddb_report_client_error(&err, ERRCODE_FDW_ERROR,
									psprintf("could not build the TransactWriteItems action for foreign table \"%s\"",
											 a->relname));
	}
	initStringInfo(&body);

	sc.servername = servername;
	sc.n = n;
	sc.in_doubt = false;
	sc.sent = false;
	context.callback = send_error_context;
	context.arg = &sc;
	context.previous = error_context_stack;
	error_context_stack = &context;
	INSTR_TIME_SET_ZERO(first_sent);
	ddb_stats.flushes++;

	for (;;)
	{
		char		token[AWS_DDB_MAX_TOKEN_LEN + 1];
		AwsDdbCall	call;
		AwsError	err;
		AwsDdbCancellation reasons;
		bool		have_reasons = false;
		bool		ran;
		instr_time	started;
		instr_time	elapsed;

		ddb_atomic_token(round, token);
		resetStringInfo(&body);
		appendStringInfoString(&body, "{\"ReturnConsumedCapacity\":\"TOTAL\",\"TransactItems\":[");
		appendBinaryStringInfo(&body, items.data, items.len);
		appendStringInfo(&body, "],\"ClientRequestToken\":\"%s\"}", token);

		memset(&call, 0, sizeof(call));
		call.body = body.data;
		call.body_len = body.len;
		aws_error_clear(&err);
		ddb_stats.requests++;
		ddb_stats.bytes_sent += body.len;
		INSTR_TIME_SET_CURRENT(started);
		if (INSTR_TIME_IS_ZERO(first_sent))
			first_sent = started;
		sc.sent = true;
		ran = aws_ddb_call_many(http, ep, "TransactWriteItems", &call, 1, 1, &err);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, started);
		ddb_stats.wait_ms += INSTR_TIME_GET_MILLISEC(elapsed);
		if (!ran)
		{
			aws_buf_free(&call.response);
			sc.in_doubt = true;
			CHECK_FOR_INTERRUPTS();
			ddb_report_aws_error(ERROR, &err, "TransactWriteItems", actions[0].table_name,
								 actions[0].relname);
		}
		if (call.ok)
		{
			double		wcu;

			/* every table's share, under the first table like the rest (0 when it does not fit) */
			(void) aws_ddb_consumed_wcu(call.response.data, call.response.len, NULL, &wcu);
			aws_buf_free(&call.response);
			ddb_stats.items_written += n;
			ddb_stats.consumed_wcu += wcu;
			break;
		}
		err = call.err;
		if (err.kind == AWS_ERR_SERVICE && strcmp(err.type, "TransactionCanceledException") == 0)
		{
			AwsError	perr;

			aws_error_clear(&perr);
			have_reasons = aws_ddb_parse_cancellation(call.response.data, call.response.len,
													  &reasons, &perr);
		}
		aws_buf_free(&call.response);
		if (maybe_applied(&err))
			sc.in_doubt = true;	/* retried or not, this attempt may have been applied */

		if (ddb_creds_error_is_expired(&err) && !refreshed && refresh != NULL)
		{
			if (have_reasons)
				aws_ddb_cancellation_free(&reasons);
			refresh(refresh_arg, ep);
			refreshed = true;
			ddb_stats.retries++;
			continue;
		}
		if (retryable(&err, have_reasons ? &reasons : NULL) && !sink->fail_on_error &&
			attempts < sink->max_retries &&
			!(err.kind == AWS_ERR_SERVICE && strcmp(err.type, "TransactionCanceledException") == 0 &&
			  !have_reasons))
		{
			if (have_reasons)
				aws_ddb_cancellation_free(&reasons);
			if (strcmp(err.type, "TransactionCanceledException") == 0 && !sc.in_doubt)
				round++;		/* nothing was applied: a fresh token cannot repeat anything */
			if (sc.in_doubt)
			{
				INSTR_TIME_SET_CURRENT(elapsed);
				INSTR_TIME_SUBTRACT(elapsed, first_sent);
				if (INSTR_TIME_GET_MILLISEC(elapsed) > IDEMPOTENCY_WINDOW_MS - IDEMPOTENCY_MARGIN_MS)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_ERROR),
							 errmsg("gave up retrying TransactWriteItems on server \"%s\": DynamoDB's idempotency window is closing",
									servername),
							 errdetail("The first attempt was sent %.0f s ago and DynamoDB honours a ClientRequestToken for 10 minutes; a retry after that could apply the transaction a second time. The last attempt failed with %s %s.",
									   INSTR_TIME_GET_MILLISEC(elapsed) / 1000.0,
									   aws_error_kind_name(err.kind), err.type),
							 errhint("Check in DynamoDB whether the transaction's writes are there.")));
			}
			elog(DEBUG1, "ddb_fdw: retrying TransactWriteItems on server \"%s\" after %s %s (token %s)",
				 servername, aws_error_kind_name(err.kind), err.type, token);
			attempts++;
			ddb_stats.retries++;
			if (aws_ddb_error_is_throttle(&err))
				ddb_stats.throttles++;
			ddb_backoff_sleep(attempts - 1);
			continue;
		}
		if (have_reasons)
		{
			/* report_cancellation raises: copy what it needs out of malloc first */
			AwsDdbCancellation copy;
			size_t		k;

			copy.n = reasons.n;
			copy.codes = palloc(sizeof(char *) * Max(reasons.n, 1));
			copy.messages = palloc(sizeof(char *) * Max(reasons.n, 1));
			for (k = 0; k < reasons.n; k++)
			{
				copy.codes[k] = pstrdup(reasons.codes[k]);
				copy.messages[k] = pstrdup(reasons.messages[k]);
			}
			aws_ddb_cancellation_free(&reasons);
			report_cancellation(&err, &copy, actions, n, servername);
		}
		ddb_report_aws_error(ERROR, &err, "TransactWriteItems", actions[0].table_name,
							 actions[0].relname);
	}
	error_context_stack = context.previous;
	pfree(items.data);
	pfree(body.data);
}
