/*
 * ddb_writer.c — the per-backend batch writer (ddb_writer.h).
 *
 * Memory: TopMemoryContext holds what outlives transactions (the HTTP
 * handle, learned key schemas).  WriterTxnContext holds the targets of the
 * running transaction and is deleted at its end; each target has a context
 * for its queued requests (reset after every flush, so max-buffered bounds
 * memory) and a per-row scratch context (reset for every row).
 *
 * Ownership across the client boundary: malloc'ed client objects (response
 * bodies) are released before anything that can ereport, so no PG_TRY is
 * needed to avoid leaking them.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "aws_dynamodb.h"
#include "aws_http.h"
#include "ddb_activity.h"
#include "ddb_atomic.h"
#include "ddb_bridge.h"
#include "ddb_convert.h"
#include "ddb_creds.h"
#include "ddb_pacing.h"
#include "ddb_stats.h"
#include "ddb_writer.h"
#include "ddb_xact.h"

/* DynamoDB refuses BatchWriteItem requests over 16 MB. */
#define DDB_MAX_REQUEST_BYTES (16 * 1024 * 1024)

/* Backoff between retries: full jitter over base * 2^attempt, capped. */
#define BACKOFF_BASE_MS 25
#define BACKOFF_CAP_MS 5000

/* The kinds of write a queue holds. */
typedef enum DdbOpKind
{
	DDB_OP_PUT,					/* request: {"PutRequest":{"Item":{...}}} */
	DDB_OP_DELETE,				/* request: {"DeleteRequest":{"Key":{...}}} */
	DDB_OP_UPDATE				/* request: the key {...}; sets and removes below */
} DdbOpKind;

#define PUT_PREFIX "{\"PutRequest\":{\"Item\":"
#define DELETE_PREFIX "{\"DeleteRequest\":{\"Key\":"
#define REQUEST_SUFFIX "}}"

typedef struct DdbPending
{
	DdbOpKind	kind;
	char	   *request;		/* see DdbOpKind; NULL once folded into a later write */
	int			request_len;
	char	   *sets;			/* UPDATE: {"attr":{value},...} */
	int			sets_len;
	char	   *removes;		/* UPDATE: {"attr":true,...} */
	int			removes_len;
	char	   *key;			/* dedup key, NULL when the key is unknown */
	int			key_len;
	char	   *key_text;		/* atomic tables: the key as JSON, for messages */
	char	   *version;		/* guarded tables: {"attr":{value}}, the write's version */
	int			version_len;
	int			level;			/* subtransaction nesting level that queued it */
} DdbPending;

/* The DynamoDB key a target was built with (its row format's key columns). */
typedef struct KeyUsed
{
	bool		from_describe;	/* learned by DescribeTable (else partitioned-by or none) */
	char	   *hash_attr;
	char		hash_type;
	char	   *range_attr;		/* NULL: no sort key */
	char		range_type;
} KeyUsed;

struct DdbTarget
{
	Oid			relid;
	Oid			userid;
	uint64		generation;		/* transaction generation it belongs to */
	bool		stale;			/* the definition changed since: no new rows */
	bool		flushing;		/* a flush of it is running (no nested flush) */
	KeyUsed		key_used;
	DdbTableOptions *opts;
	DdbRowFormat *format;
	char	   *url;
	AwsCredentials creds;		/* strings palloc'ed in WriterTxnContext */
	MemoryContext items_cxt;	/* queued requests */
	MemoryContext row_cxt;		/* per-row conversion */
	MemoryContext flush_cxt;	/* a flush's requests (rows may be queued meanwhile) */
	DdbPending *items;			/* in WriterTxnContext, kept across flushes */
	int			n_items;
	int			max_items;
	StringInfoData item_buf;	/* reused for every row */
	StringInfoData key_buf;
	TimestampTz oldest_queued_at;	/* when the first row of the queue came */
	int64		flushed_rows;	/* rows written before COMMIT in this transaction */
	int64	   *flushed_by_level;	/* the same, by the level that queued them */
	int64		commit_written; /* rows the COMMIT's own flush wrote */
	int			atomic_sent;	/* rows of the queue the atomic flush running sends */
	int			n_levels;
	struct DdbTarget *next;
};

/* What a backend learned about a DynamoDB table's key. */
typedef struct KeySchemaEntry
{
	char	   *url;
	char	   *table_name;
	bool		known;			/* false: DescribeTable was denied, no dedup */
	uint64		confirmed_in;	/* the transaction generation that last described it */
	char	   *hash_attr;
	char		hash_type;		/* 'S', 'N', 'B' or '?' */
	char	   *range_attr;
	char		range_type;
	struct KeySchemaEntry *next;
} KeySchemaEntry;

static MemoryContext WriterTxnContext = NULL;
static DdbTarget *targets = NULL;	/* in the order they were opened */
static DdbTarget *targets_tail = NULL;
static uint64 current_generation = 1;
static bool in_commit_flush = false;	/* ddb_writer_flush_all is running */
static AwsHttp *backend_http = NULL;
static KeySchemaEntry *key_schemas = NULL;

/* ---------- per-backend HTTP handle ---------- */

static void
release_http(int code, Datum arg)
{
	(void) code;
	(void) arg;
	aws_http_destroy(backend_http);
	backend_http = NULL;
}

static AwsHttp *
get_http(void)
{
	AwsError	err;

	if (backend_http != NULL)
		return backend_http;
	aws_error_clear(&err);
	backend_http = aws_http_create(0, &err);
	if (backend_http == NULL)
		ddb_report_client_error(&err, ERRCODE_FDW_OUT_OF_MEMORY, "could not create an HTTP client");
	aws_http_set_abort_check(backend_http, ddb_interrupt_pending, NULL);
	aws_http_set_wait_hook(backend_http, ddb_network_wait_hook, NULL);
	on_proc_exit(release_http, (Datum) 0);
	return backend_http;
}

static void
endpoint_of(const DdbTarget *t, AwsDdbEndpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->url = t->url;
	ep->region = t->opts->region;
	ep->creds = &t->creds;
	ep->read_timeout_ms = t->opts->sink.http_read_timeout_ms;
	ep->insecure = t->opts->trust_all_certificates;
}

/* ---------- key schema ---------- */

static KeySchemaEntry *
find_key_schema(const char *url, const char *table_name)
{
	KeySchemaEntry *e;

	for (e = key_schemas; e; e = e->next)
		if (strcmp(e->url, url) == 0 && strcmp(e->table_name, table_name) == 0)
			return e;
	return NULL;
}

static char *
top_strdup(const char *s)
{
	return s ? MemoryContextStrdup(TopMemoryContext, s) : NULL;
}

/*
 * Ask DynamoDB for the table's key and store it in e.  A role allowed only
 * dynamodb:BatchWriteItem must still be able to insert, so a denied
 * DescribeTable just leaves the key unknown (no deduplication).  Other
 * failures (no such table, bad credentials, endpoint down) would fail the
 * commit anyway and are raised now.
 */
static void
describe_table(DdbTarget *t, KeySchemaEntry *e)
{
	AwsDdbEndpoint ep;
	AwsError	err;
	AwsBuf		response = {0};
	AwsDdbKeySchema ks;
	StringInfoData body;
	bool		ok;

	initStringInfo(&body);
	appendStringInfoString(&body, "{\"TableName\":");
	ddb_append_json_string(&body, t->opts->table_name, strlen(t->opts->table_name));
	appendStringInfoChar(&body, '}');

	endpoint_of(t, &ep);
	aws_error_clear(&err);
	ddb_stats.requests++;
	ddb_stats.bytes_sent += body.len;
	ok = aws_ddb_call(get_http(), &ep, "DescribeTable", body.data, body.len, &response, &err);
	memset(&ks, 0, sizeof(ks));
	if (ok)
		ok = aws_ddb_parse_key_schema(response.data, response.len, &ks, &err);
	aws_buf_free(&response);
	pfree(body.data);

	if (!ok)
	{
		aws_ddb_key_schema_free(&ks);
		CHECK_FOR_INTERRUPTS();
		if (err.kind != AWS_ERR_SERVICE ||
			(strcmp(err.type, "AccessDeniedException") != 0 &&
			 strcmp(err.type, "AccessDenied") != 0 &&
			 strcmp(err.type, "UnknownOperationException") != 0))
			ddb_report_aws_error(ERROR, &err, "DescribeTable", t->opts->table_name,
								 t->opts->relname);
		elog(DEBUG1, "ddb_fdw: DescribeTable on \"%s\" failed (%s), writing without deduplication",
			 t->opts->table_name, err.type);
	}

	if (e->hash_attr)
		pfree(e->hash_attr);
	if (e->range_attr)
		pfree(e->range_attr);
	e->hash_attr = e->range_attr = NULL;
	e->hash_type = e->range_type = '?';
	e->known = ok;
	e->confirmed_in = current_generation;
	if (ok)
	{
		e->hash_attr = top_strdup(ks.hash_key);
		e->hash_type = ks.hash_type;
		e->range_attr = top_strdup(ks.range_key);
		e->range_type = ks.range_type;
		aws_ddb_key_schema_free(&ks);
	}
}

/* The table's key as this backend knows it: learned once, confirmed when a flush relies on it. */
static KeySchemaEntry *
learn_key_schema(DdbTarget *t)
{
	KeySchemaEntry *e = find_key_schema(t->url, t->opts->table_name);

	if (e != NULL)
	{
		if (e->confirmed_in == 0)
			describe_table(t, e);	/* DynamoDB rejected a key: ask again */
		return e;
	}
	e = MemoryContextAllocZero(TopMemoryContext, sizeof(KeySchemaEntry));
	e->url = top_strdup(t->url);
	e->table_name = top_strdup(t->opts->table_name);
	describe_table(t, e);		/* an error leaves e unlinked (a small leak, once) */
	e->next = key_schemas;
	key_schemas = e;
	return e;
}

static void
describe_key_used(StringInfo out, const char *hash_attr, char hash_type,
				  const char *range_attr, char range_type)
{
	appendStringInfo(out, "(%s %c", hash_attr, hash_type);
	if (range_attr)
		appendStringInfo(out, ", %s %c", range_attr, range_type);
	appendStringInfoChar(out, ')');
}

/*
 * Before a flush relies on the key — it merged writes of one key, or it
 * sends more than one request, whose order only the key makes safe — make
 * sure DynamoDB still declares the key the rows were queued under: a table
 * re-created with another key under a long-lived backend must never get
 * distinct rows merged.  One DescribeTable per table per transaction at
 * most; a flush of one request with nothing merged needs none (DynamoDB
 * itself rejects a key that no longer fits).  Raises before anything of
 * the flush is sent.
 */
static void
confirm_key(DdbTarget *t)
{
	KeySchemaEntry *e;
	const KeyUsed *k = &t->key_used;
	StringInfoData was;
	StringInfoData now;

	if (!k->from_describe)
		return;					/* partitioned-by: the user's declaration */
	e = find_key_schema(t->url, t->opts->table_name);
	if (e == NULL)
		e = learn_key_schema(t);
	else if (e->confirmed_in != current_generation)
		describe_table(t, e);
	if (e->known && strcmp(e->hash_attr, k->hash_attr) == 0 && e->hash_type == k->hash_type &&
		((e->range_attr == NULL && k->range_attr == NULL) ||
		 (e->range_attr != NULL && k->range_attr != NULL &&
		  strcmp(e->range_attr, k->range_attr) == 0 && e->range_type == k->range_type)))
		return;

	initStringInfo(&was);
	describe_key_used(&was, k->hash_attr, k->hash_type, k->range_attr, k->range_type);
	initStringInfo(&now);
	if (e->known)
		describe_key_used(&now, e->hash_attr, e->hash_type, e->range_attr, e->range_type);
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("the key of DynamoDB table \"%s\" changed under foreign table \"%s\"",
					t->opts->table_name, t->opts->relname),
			 e->known ?
			 errdetail("The rows were queued for key %s; DynamoDB now declares %s. Nothing of this flush was sent.",
					   was.data, now.data) :
			 errdetail("The rows were queued for key %s; DescribeTable no longer answers, so that key cannot be confirmed. Nothing of this flush was sent.",
					   was.data),
			 errhint("Retry the transaction: it will use the key DynamoDB declares now.")));
}

/* DynamoDB rejected a key: the next transaction asks for the table's key again. */
static void
doubt_key(const DdbTarget *t, const AwsError *err)
{
	KeySchemaEntry *e;

	if (err->kind != AWS_ERR_SERVICE || strcmp(err->type, "ValidationException") != 0)
		return;
	e = find_key_schema(t->url, t->opts->table_name);
	if (e != NULL)
		e->confirmed_in = 0;
}

/* ---------- targets ---------- */

/* Once per backend and server: nobody should forget that TLS is not verified. */
static void
warn_insecure_once(const DdbTableOptions *o)
{
	static List *warned_servers = NIL;
	MemoryContext old;

	if (!o->trust_all_certificates || list_member_oid(warned_servers, o->serverid))
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	warned_servers = lappend_oid(warned_servers, o->serverid);
	MemoryContextSwitchTo(old);
	ereport(WARNING,
			(errmsg("TLS certificates of DynamoDB endpoint \"%s\" are not verified",
					o->endpoint ? o->endpoint : o->region),
			 errdetail("The foreign server of table \"%s\" sets \"aws.trust.all.certificates\" 'true'; anyone on the network path can read and change the requests.",
					   o->relname),
			 errhint("Use this for tests only: install the endpoint's CA certificate instead.")));
}

/*
 * A target caches the table's options, credentials and row format for the
 * transaction.  When the catalog changes under it — ALTER FOREIGN TABLE
 * (options, column types, attribute names, dropped columns), ALTER SERVER,
 * ALTER USER MAPPING, a type, or ROLLBACK TO SAVEPOINT undoing any of
 * these — the target is closed to new rows; the next statement opens a new
 * one from the definition then in force.  Rows already queued keep what
 * they were converted to and are flushed in order.  postgres_fdw's
 * connection.c invalidates its cached connections the same way.
 */
static void
stale_relation(Datum arg, Oid relid)
{
	DdbTarget  *t;

	(void) arg;
	for (t = targets; t; t = t->next)
		if (relid == InvalidOid || t->relid == relid)
			t->stale = true;
}

static void
stale_catalog(Datum arg, int cacheid, uint32 hashvalue)
{
	DdbTarget  *t;

	(void) arg;
	(void) cacheid;
	(void) hashvalue;
	/* servers, mappings and types are shared by tables: close every target */
	for (t = targets; t; t = t->next)
		t->stale = true;
}

static void
register_invalidation(void)
{
	static bool registered = false;

	if (registered)
		return;
	CacheRegisterRelcacheCallback(stale_relation, (Datum) 0);
	CacheRegisterSyscacheCallback(FOREIGNTABLEREL, stale_catalog, (Datum) 0);
	CacheRegisterSyscacheCallback(FOREIGNSERVEROID, stale_catalog, (Datum) 0);
	CacheRegisterSyscacheCallback(USERMAPPINGOID, stale_catalog, (Datum) 0);
	CacheRegisterSyscacheCallback(TYPEOID, stale_catalog, (Datum) 0);
	registered = true;
}

DdbTarget *
ddb_writer_open(Relation rel, Oid userid)
{
	Oid			relid = RelationGetRelid(rel);
	DdbTarget  *t;
	MemoryContext old;
	KeySchemaEntry *ks;
	char		default_url[256];

	for (t = targets; t; t = t->next)
		if (t->relid == relid && t->userid == userid && !t->stale)
			return t;

	register_invalidation();
	if (WriterTxnContext == NULL)
		WriterTxnContext = AllocSetContextCreate(TopMemoryContext, "ddb_fdw transaction",
												 ALLOCSET_DEFAULT_SIZES);
	ddb_xact_register();

	old = MemoryContextSwitchTo(WriterTxnContext);
	t = palloc0(sizeof(DdbTarget));
	t->relid = relid;
	t->userid = userid;
	t->generation = current_generation;
	t->opts = ddb_resolve_table(relid, userid);
	if (t->opts->endpoint)
		t->url = pstrdup(t->opts->endpoint);
	else
	{
		aws_ddb_default_url(t->opts->region, default_url, sizeof(default_url));
		t->url = pstrdup(default_url);
	}
	ddb_creds_resolve(t->opts, get_http(), WriterTxnContext, &t->creds);
	warn_insecure_once(t->opts);
	t->items_cxt = AllocSetContextCreate(WriterTxnContext, "ddb_fdw queued rows",
										 ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE,
										 8 * 1024 * 1024);
	t->row_cxt = AllocSetContextCreate(WriterTxnContext, "ddb_fdw row",
									   ALLOCSET_DEFAULT_SIZES);
	t->flush_cxt = AllocSetContextCreate(WriterTxnContext, "ddb_fdw flush",
										 ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&t->item_buf);
	initStringInfo(&t->key_buf);
	MemoryContextSwitchTo(old);

	ks = learn_key_schema(t);

	old = MemoryContextSwitchTo(WriterTxnContext);
	t->format = ddb_row_format_create(rel, t->opts,
									  ks->known ? ks->hash_attr : NULL,
									  ks->known ? ks->range_attr : NULL,
									  ks->hash_type, ks->range_type);
	/* a copy: the backend's entry may be re-described while the rows wait */
	t->key_used.from_describe = ks->known && t->opts->partitioned_by == NIL;
	if (t->key_used.from_describe)
	{
		t->key_used.hash_attr = pstrdup(ks->hash_attr);
		t->key_used.hash_type = ks->hash_type;
		t->key_used.range_attr = ks->range_attr ? pstrdup(ks->range_attr) : NULL;
		t->key_used.range_type = ks->range_type;
	}
	MemoryContextSwitchTo(old);

	/* one TransactWriteItems may name an item once: writes must fold by key */
	if (t->opts->sink.atomic && t->format->nkeys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foreign table \"%s\" with \"sink.commit-mode\" 'atomic' needs the key of DynamoDB table \"%s\"",
						t->opts->relname, t->opts->table_name),
				 errdetail("DescribeTable was not allowed, and the foreign table has no \"partitioned-by\" option."),
				 errhint("Set \"partitioned-by\" to the key columns, or allow dynamodb:DescribeTable.")));

	/*
	 * Link it only now (a target that failed to open is never flushed), at
	 * the end: targets are flushed in the order they were opened, so rows
	 * queued before an ALTER reach DynamoDB before rows queued after it.
	 */
	if (targets_tail)
		targets_tail->next = t;
	else
		targets = t;
	targets_tail = t;
	return t;
}

bool
ddb_writer_target_valid(const DdbTarget *target)
{
	return target != NULL && target->generation == current_generation && !target->stale;
}

const DdbTableOptions *
ddb_writer_options(const DdbTarget *target)
{
	return target->opts;
}

/* ---------- sending ---------- */

/* Full jitter over base * 2^attempt, capped: how long the next wait lasts. */
static long
backoff_ms(int attempt)
{
	int			cap = BACKOFF_BASE_MS << Min(attempt, 16);

	if (cap > BACKOFF_CAP_MS || cap <= 0)
		cap = BACKOFF_CAP_MS;
	return (long) pg_prng_uint64_range(&pg_global_prng_state, 1, (uint64) cap);
}

/* Wait ms (backoff or pacing) without sending, interruptibly. */
static void
pause_ms(long ms)
{
	if (ms <= 0)
		return;
	ddb_stats.wait_ms += ms;
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 ms, ddb_wait_event_backoff());
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

void
ddb_backoff_sleep(int attempt)
{
	pause_ms(backoff_ms(attempt));
}

/* Copy an AwsBuf result into the flush's memory, or raise the client error. */
static char *
take_result(bool ok, AwsBuf *buf, AwsError *err, int *len)
{
	char	   *copy;

	if (!ok)
	{
		aws_buf_free(buf);
		ddb_report_client_error(err, ERRCODE_FDW_ERROR, "could not combine writes of one key");
	}
	copy = palloc(buf->len + 1);
	memcpy(copy, buf->data, buf->len + 1);
	*len = (int) buf->len;
	aws_buf_free(buf);
	return copy;
}

static void
make_put(DdbPending *item, const char *attrs, int attrs_len)
{
	StringInfoData req;

	initStringInfo(&req);
	appendStringInfoString(&req, PUT_PREFIX);
	appendBinaryStringInfo(&req, attrs, attrs_len);
	appendStringInfoString(&req, REQUEST_SUFFIX);
	item->kind = DDB_OP_PUT;
	item->request = req.data;
	item->request_len = req.len;
}

/*
 * Fold an UPDATE into the earlier write of its key, so one request per key
 * gives the state the statements gave in order: after a put, the put
 * patched; after a delete, a put of the key and the assigned attributes
 * (what UpdateItem makes of a missing item); after an update, one update.
 */
static void
fold_update(DdbPending *prev, DdbPending *cur)
{
	AwsBuf		buf = {0};
	AwsError	err;
	bool		ok;
	char	   *attrs;
	int			attrs_len;

	aws_error_clear(&err);
	switch (prev->kind)
	{
		case DDB_OP_PUT:
		case DDB_OP_DELETE:
			{
				/* the put's item, or the deleted key (REMOVE on a missing item does nothing) */
				bool		put = prev->kind == DDB_OP_PUT;
				size_t		prefix = strlen(put ? PUT_PREFIX : DELETE_PREFIX);

				ok = aws_ddb_json_patch(prev->request + prefix,
										prev->request_len - prefix - strlen(REQUEST_SUFFIX),
										cur->sets, cur->sets_len,
										put ? cur->removes : NULL, put ? cur->removes_len : 0,
										&buf, &err);
				attrs = take_result(ok, &buf, &err, &attrs_len);
				make_put(cur, attrs, attrs_len);
			}
			break;
		case DDB_OP_UPDATE:
			{
				char	   *sets;
				int			sets_len;

				/* later assignments win; a later SET cancels an earlier REMOVE */
				ok = aws_ddb_json_patch(prev->sets, prev->sets_len, cur->sets, cur->sets_len,
										cur->removes, cur->removes_len, &buf, &err);
				sets = take_result(ok, &buf, &err, &sets_len);
				ok = aws_ddb_json_patch(prev->removes, prev->removes_len,
										cur->removes, cur->removes_len,
										cur->sets, cur->sets_len, &buf, &err);
				cur->removes = take_result(ok, &buf, &err, &cur->removes_len);
				cur->sets = sets;
				cur->sets_len = sets_len;
			}
			break;
	}
}

/*
 * Leave one write per key in items, a copy of the queue (the others get
 * request = NULL): the latest put or delete wins, an update is folded into
 * what came before it.  The queue itself stays as it was queued: a flush
 * that fails inside a subtransaction leaves it whole for ROLLBACK TO
 * SAVEPOINT to trim and for the COMMIT to send.
 */
static int
fold_per_key(const DdbTarget *t, DdbPending *items, int n_items)
{
	int			size = 16;
	int		   *slots;
	int			i;
	int			merged = 0;

	if (t->format->nkeys == 0 || n_items < 2)
		return 0;
	while (size < n_items * 2)
		size *= 2;
	slots = palloc(sizeof(int) * size);
	memset(slots, -1, sizeof(int) * size);

	for (i = 0; i < n_items; i++)
	{
		DdbPending *item = &items[i];
		uint32		h = hash_bytes((const unsigned char *) item->key, item->key_len);
		int			s = h & (size - 1);

		for (;;)
		{
			DdbPending *prev;

			if (slots[s] < 0)
			{
				slots[s] = i;
				break;
			}
			prev = &items[slots[s]];
			if (prev->key_len == item->key_len &&
				memcmp(prev->key, item->key, item->key_len) == 0)
			{
				if (item->kind == DDB_OP_UPDATE)
					fold_update(prev, item);
				prev->request = NULL;
				slots[s] = i;
				merged++;
				break;
			}
			s = (s + 1) & (size - 1);
		}
	}
	pfree(slots);
	return merged;
}

static void
count_flushed(DdbTarget *t, int level, int64 rows)
{
	if (in_commit_flush)
	{
		/* the COMMIT's own writes: nothing can roll them back by then either */
		t->commit_written += rows;
		return;
	}
	if (level >= t->n_levels)
	{
		int			n = Max(level + 1, 8);

		if (t->flushed_by_level == NULL)
			t->flushed_by_level = MemoryContextAllocZero(WriterTxnContext, sizeof(int64) * n);
		else
		{
			t->flushed_by_level = repalloc(t->flushed_by_level, sizeof(int64) * n);
			memset(t->flushed_by_level + t->n_levels, 0, sizeof(int64) * (n - t->n_levels));
		}
		t->n_levels = n;
	}
	t->flushed_by_level[level] += rows;
	t->flushed_rows += rows;
}

/* One BatchWriteItem request of a flush, until DynamoDB has all of it. */
typedef struct Batch
{
	StringInfoData body;		/* the request; replaced by the unprocessed rest */
	int			n_items;
	int		   *levels;			/* subtransaction level of each row, for warnings */
	const char **reqs;			/* BatchWriteItem: each write request, our own bytes */
	size_t	   *req_lens;
	int		   *live;			/* indexes of the requests the body holds now */
	int			n_live;
	int			attempts;		/* failed tries since the last progress */
	bool		done;
} Batch;

static void
begin_body(DdbTarget *t, StringInfo body)
{
	initStringInfo(body);
	/* first, so the body still ends where its last request does */
	appendStringInfoString(body, "{\"ReturnConsumedCapacity\":\"TOTAL\",\"RequestItems\":{");
	ddb_append_json_string(body, t->opts->table_name, strlen(t->opts->table_name));
	appendStringInfoString(body, ":[");
}

/* Cut the folded queue into BatchWriteItem requests: max-size items, under 16 MB. */
static Batch *
build_batches(DdbTarget *t, const DdbPending *items, int n_items, int *n_batches)
{
	int			max = n_items / t->opts->sink.batch_max_size + 2;
	Batch	   *batches = palloc0(sizeof(Batch) * max);
	Batch	   *b = NULL;
	int			n = 0;
	int			i;

	for (i = 0; i < n_items; i++)
	{
		const DdbPending *item = &items[i];

		if (item->request == NULL || item->kind == DDB_OP_UPDATE ||
			t->format->version_column >= 0)
			continue;			/* folded into a later write, or sent on its own */
		if (b != NULL &&
			(b->n_items == t->opts->sink.batch_max_size ||
			 b->body.len + item->request_len + 4 > DDB_MAX_REQUEST_BYTES))
		{
			appendStringInfoString(&b->body, "]}}");
			b = NULL;
		}
		if (b == NULL)
		{
			if (n == max)
			{
				batches = repalloc(batches, sizeof(Batch) * max * 2);
				memset(batches + max, 0, sizeof(Batch) * max);
				max *= 2;
			}
			b = &batches[n++];
			begin_body(t, &b->body);
			/* items of a table are alike in size: grow the body once, not by doubling */
			enlargeStringInfo(&b->body,
							  Min((int64) (item->request_len + 1) * t->opts->sink.batch_max_size + 16,
								  DDB_MAX_REQUEST_BYTES));
			b->levels = palloc(sizeof(int) * t->opts->sink.batch_max_size);
			b->reqs = palloc(sizeof(char *) * t->opts->sink.batch_max_size);
			b->req_lens = palloc(sizeof(size_t) * t->opts->sink.batch_max_size);
			b->live = palloc(sizeof(int) * t->opts->sink.batch_max_size);
		}
		else
			appendStringInfoChar(&b->body, ',');
		appendBinaryStringInfo(&b->body, item->request, item->request_len);
		b->reqs[b->n_items] = item->request;
		b->req_lens[b->n_items] = item->request_len;
		b->live[b->n_live++] = b->n_items;
		b->levels[b->n_items++] = item->level;
	}
	if (b != NULL)
		appendStringInfoString(&b->body, "]}}");
	*n_batches = n;
	return batches;
}

/*
 * One request per remaining write of kind (one per key, after folding):
 * UpdateItem for every UPDATE; for a guarded table ("version-column") also
 * PutItem and DeleteItem, each conditioned on the stored version, as
 * BatchWriteItem takes no conditions.
 */
static Batch *
build_single_writes(DdbTarget *t, const DdbPending *items, int n_items, DdbOpKind kind,
					int *n_writes)
{
	bool		guarded = t->format->version_column >= 0;
	Batch	   *writes = NULL;
	int			n = 0;
	int			max = 0;
	int			i;

	for (i = 0; i < n_items; i++)
	{
		const DdbPending *item = &items[i];
		AwsBuf		body = {0};
		AwsError	err;
		Batch	   *b;
		char	   *data;
		int			len;
		bool		ok;

		if (item->request == NULL || item->kind != kind)
			continue;
		if (n == max)
		{
			max = max ? max * 2 : 16;
			writes = writes ? repalloc(writes, sizeof(Batch) * max) : palloc(sizeof(Batch) * max);
		}
		aws_error_clear(&err);
		if (guarded)
		{
			/* puts and deletes are queued framed for BatchWriteItem: the item or key inside */
			size_t		prefix = kind == DDB_OP_PUT ? strlen(PUT_PREFIX) :
				kind == DDB_OP_DELETE ? strlen(DELETE_PREFIX) : 0;
			size_t		suffix = kind == DDB_OP_UPDATE ? 0 : strlen(REQUEST_SUFFIX);

			ok = aws_ddb_build_guarded_write(kind == DDB_OP_PUT ? AWS_DDB_PUT :
											 kind == DDB_OP_DELETE ? AWS_DDB_DELETE : AWS_DDB_UPDATE,
											 t->opts->table_name, item->request + prefix,
											 item->request_len - prefix - suffix,
											 item->sets, item->sets_len,
											 item->removes, item->removes_len,
											 item->version, item->version_len, &body, &err);
		}
		else
			ok = aws_ddb_build_update_item(t->opts->table_name, item->request,
										   item->request_len, item->sets, item->sets_len,
										   item->removes, item->removes_len, &body, &err);
		data = take_result(ok, &body, &err, &len);
		b = &writes[n++];
		memset(b, 0, sizeof(Batch));
		b->body.data = data;
		b->body.len = len;
		b->body.maxlen = len + 1;
		b->n_items = 1;
		b->levels = palloc(sizeof(int));
		b->levels[0] = item->level;
	}
	*n_writes = n;
	return writes;
}

/*
 * Make the batch's body the requests marked left (flags over b->live), in
 * our own bytes: what DynamoDB did not process is re-sent as we wrote it.
 */
static void
keep_unprocessed(DdbTarget *t, Batch *b, const bool *left)
{
	int			n_left = 0;
	int			j;

	pfree(b->body.data);
	begin_body(t, &b->body);
	for (j = 0; j < b->n_live; j++)
	{
		if (!left[j])
			continue;
		if (n_left > 0)
			appendStringInfoChar(&b->body, ',');
		appendBinaryStringInfo(&b->body, b->reqs[b->live[j]], b->req_lens[b->live[j]]);
		b->live[n_left++] = b->live[j];
	}
	appendStringInfoString(&b->body, "]}}");
	b->n_live = n_left;
}

/* Items a batch carries now (an UpdateItem: 1). */
static int
batch_items(const Batch *b)
{
	return b->n_live > 0 ? b->n_live : b->n_items;
}

/* Says, in the CONTEXT of a give-up, that the table stopped taking writes. */
typedef struct NoProgress
{
	const char *table_name;
	int			tries;
	int			max_retries;
} NoProgress;

static void
no_progress_context(void *arg)
{
	NoProgress *np = arg;

	errcontext("DynamoDB table \"%s\" accepted no item in %d tries in a row (\"sink.max-retries\" is %d)",
			   np->table_name, np->tries, np->max_retries);
}

/*
 * Send the batches until every item is written, paced per (endpoint, table)
 * by ddb_pacing: until the table has throttled, rounds of up to
 * max-inflight requests run at once (doubling while nothing is throttled);
 * afterwards a round holds the requests the pacer's tokens allow (at least
 * one, after waiting for it), so requests go at the rate the table takes
 * instead of in bursts that wait for their slowest member.
 *
 * Throttling (a throttling error, UnprocessedItems) is counted for the
 * table, not per batch: the flush gives up only when sink.max-retries + 1
 * rounds in a row got not one item accepted, with full-jitter backoff
 * between them (x-amz-retry-after, when the answer has it, is the shortest
 * wait); any accepted item resets the count.  Other retryable errors (5xx,
 * transport) count per batch, sink.max-retries times each, as before.
 * UnprocessedItems are re-sent from our own copies of the requests they
 * match, and only when they are a subset of what the batch just sent
 * (aws_ddb_match_unprocessed): a forged answer is a protocol error, so a
 * peer can neither make us write what no row asked for nor keep a flush
 * going longer than one round per item; anything else raises.  When the
 * key is unknown no dedup happened, so two batches may hold the same key:
 * then they go one at a time, in order.
 */
static void
send_batches(DdbTarget *t, const char *operation, Batch *batches, int n)
{
	AwsDdbEndpoint ep;
	AwsDdbCall *calls = palloc0(sizeof(AwsDdbCall) * Max(n, 1));
	int		   *which = palloc(sizeof(int) * Max(n, 1));
	int			inflight = t->format->nkeys > 0 ?
		Min(t->opts->sink.max_inflight, t->opts->sink.http_max_concurrency) : 1;
	int			unpaced_round = inflight;
	int			round_start = 0;
	bool		creds_refreshed = false;
	DdbPacer   *pacer = ddb_pacer_get(t->url, t->opts->table_name);
	int			no_progress = 0;	/* rounds in a row in which the table took nothing */
	double		lookahead_ms = 0;	/* how long a round takes (smoothed), at most 1 s */
	AwsError	throttle_err;	/* the last throttling answer */
	AwsError	cap_err;

	endpoint_of(t, &ep);
	aws_error_clear(&cap_err);
	aws_error_clear(&throttle_err);
	if (!aws_http_set_max_connections(get_http(), t->opts->sink.http_max_concurrency, &cap_err))
		ddb_report_client_error(&cap_err, ERRCODE_FDW_ERROR,
								"could not apply \"sink.http-client.max-concurrency\"");
	for (;;)
	{
		AwsError	err;
		AwsError	fatal;
		bool		have_fatal = false;
		bool		refresh_creds = false;
		bool		ran;
		bool		paced = ddb_pacer_active(pacer);
		bool		throttled = false;
		long		accepted = 0;
		long		retry_after = 0;
		int			n_calls = 0;
		int			max_attempts = 0;
		int			i;
		instr_time	started;
		instr_time	elapsed;

		/* without dedup, keep order: the earliest unfinished batch alone */
		for (i = round_start; i < n; i++)
		{
			int			items;

			if (batches[i].done)
				continue;
			items = batch_items(&batches[i]);
			if (paced)
			{
				double		wait = ddb_pacer_wait_ms(pacer, items);

				/* what will be due before this round's answers are back goes with it */
				if (wait > lookahead_ms && n_calls > 0)
					break;		/* the rest waits for the next round */
				/*
				 * Sending it: take its tokens first and wait for them after
				 * (another backend sharing the pacer queues behind them,
				 * instead of waking at the same moment); after a backoff the
				 * first request of a round goes at once.
				 */
				wait = ddb_pacer_reserve(pacer, items);
				if (wait > lookahead_ms && no_progress == 0)
					pause_ms((long) ceil(wait - lookahead_ms));
			}
			which[n_calls] = i;
			calls[n_calls].body = batches[i].body.data;
			calls[n_calls].body_len = batches[i].body.len;
			ddb_stats.bytes_sent += batches[i].body.len;
			n_calls++;
			if (inflight == 1 || (!paced && n_calls >= unpaced_round) ||
				(paced && n_calls >= inflight))
				break;
		}
		if (n_calls == 0)
			break;

		aws_error_clear(&err);
		ddb_stats.requests += n_calls;
		INSTR_TIME_SET_CURRENT(started);
		ran = aws_ddb_call_many(get_http(), &ep, operation, calls, n_calls,
								inflight, &err);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, started);
		ddb_stats.wait_ms += INSTR_TIME_GET_MILLISEC(elapsed);
		lookahead_ms = Min(1000.0, lookahead_ms > 0 ?
						   0.7 * lookahead_ms + 0.3 * INSTR_TIME_GET_MILLISEC(elapsed) :
						   INSTR_TIME_GET_MILLISEC(elapsed));
		for (i = 0; ran && i < n_calls; i++)
		{
			Batch	   *b = &batches[which[i]];
			const char **sent = palloc(sizeof(char *) * Max(b->n_live, 1));
			size_t	   *sent_lens = palloc(sizeof(size_t) * Max(b->n_live, 1));
			bool	   *left = palloc(sizeof(bool) * Max(b->n_live, 1));
			size_t		n_unprocessed = 0;
			double		wcu = 0;
			int			n_sent = batch_items(b);
			bool		ok = calls[i].ok;
			AwsError	call_err = calls[i].err;
			int			j;

			for (j = 0; j < b->n_live; j++)
			{
				sent[j] = b->reqs[b->live[j]];
				sent_lens[j] = b->req_lens[b->live[j]];
			}
			if (ok)
				ok = aws_ddb_match_unprocessed(calls[i].response.data, calls[i].response.len,
											   t->opts->table_name, sent, sent_lens, b->n_live,
											   left, &n_unprocessed, &wcu, &call_err);
			aws_buf_free(&calls[i].response);
			/*
			 * Counted once DynamoDB has them, the processed part of a partly
			 * processed batch too (a later failure must not hide them): an
			 * abort warns about exactly these.
			 */
			if (ok)
			{
				for (j = 0; j < b->n_live; j++)
					if (n_unprocessed == 0 || !left[j])
						count_flushed(t, b->levels[b->live[j]], 1);
				if (b->n_live == 0)
					count_flushed(t, b->levels[0], b->n_items);		/* UpdateItem */
				ddb_stats.items_written += n_sent - (long) n_unprocessed;
				ddb_stats.consumed_wcu += wcu;
				accepted += n_sent - (long) n_unprocessed;
			}
			if (ok && n_unprocessed > 0)
				keep_unprocessed(t, b, left);
			pfree(sent);
			pfree(sent_lens);
			pfree(left);
			retry_after = Max(retry_after, calls[i].retry_after_ms);
			if (ok && n_unprocessed == 0)
			{
				b->done = true;
				b->attempts = 0;
				continue;
			}
			if (ok)
			{
				/* DynamoDB took part of it, or none: the table's capacity decides */
				b->attempts = 0;
				if (t->opts->sink.fail_on_error)
				{
					aws_error_set(&call_err, AWS_ERR_SERVICE,
								  "%zu items were left unprocessed %d times in a row",
								  n_unprocessed, 1);
					snprintf(call_err.type, sizeof(call_err.type), "UnprocessedItems");
				}
				else
				{
					throttled = true;
					ddb_stats.unprocessed_resent += n_unprocessed;
					continue;
				}
			}
			else if (aws_ddb_error_is_condition_failed(&call_err) &&
					 t->format->version_column >= 0)
			{
				/* DynamoDB holds this version or a newer one: a stale write, skipped */
				b->done = true;
				b->attempts = 0;
				ddb_stats.stale_skipped++;
				accepted++;		/* the table took the call: progress */
				continue;
			}
			else if (ddb_creds_error_is_expired(&call_err) && !creds_refreshed)
			{
				/* temporary credentials ran out: send it again once with fresh ones */
				refresh_creds = true;
				continue;
			}
			else if (aws_ddb_error_is_throttle(&call_err) && !t->opts->sink.fail_on_error)
			{
				/* counted against the table's progress, not the batch's budget */
				throttled = true;
				throttle_err = call_err;
				ddb_stats.retries++;
				ddb_stats.throttles++;
				continue;
			}
			else if (aws_ddb_error_is_retryable(&call_err) && !t->opts->sink.fail_on_error &&
					 b->attempts < t->opts->sink.max_retries)
			{
				elog(DEBUG1, "ddb_fdw: retrying %s on \"%s\" after %s %s",
					 operation, t->opts->table_name, aws_error_kind_name(call_err.kind), call_err.type);
				b->attempts++;
				max_attempts = Max(max_attempts, b->attempts);
				ddb_stats.retries++;
				continue;
			}
			if (!have_fatal)
			{
				fatal = call_err;
				have_fatal = true;
			}
		}
		/* every malloc'ed response is freed by now: safe to raise */
		if (!ran)
		{
			int64		in_doubt = 0;

			for (i = 0; i < n_calls; i++)
				in_doubt += batches[which[i]].n_items;
			/* a request may be applied even though its answer never came back */
			ereport(WARNING,
					(errmsg_plural("%lld row sent to DynamoDB table \"%s\" may or may not have been written",
								   "%lld rows sent to DynamoDB table \"%s\" may or may not have been written",
								   in_doubt, (long long) in_doubt, t->opts->table_name),
					 errdetail("The flush for foreign table \"%s\" was interrupted (%s) while its requests were in flight.",
							   t->opts->relname, err.message)));
			CHECK_FOR_INTERRUPTS();
			ddb_report_aws_error(ERROR, &err, operation, t->opts->table_name,
								 t->opts->relname);
		}
		if (have_fatal)
		{
			doubt_key(t, &fatal);
			ddb_report_aws_error(ERROR, &fatal, operation, t->opts->table_name,
								 t->opts->relname);
		}
		ddb_pacer_round(pacer, accepted, throttled);
		elog(DEBUG2, "ddb_fdw: %s round on \"%s\": %d requests, %ld items accepted%s, pacing at %.0f items/s",
			 operation, t->opts->table_name, n_calls, accepted, throttled ? ", throttled" : "",
			 ddb_pacer_active(pacer) ? ddb_pacer_rate(pacer) : 0.0);
		if (accepted > 0)
			no_progress = 0;
		else if (throttled)
			no_progress++;
		if (!throttled && !paced)
			unpaced_round = Min(unpaced_round * 2, Max(n, 1));
		if (no_progress > t->opts->sink.max_retries)
		{
			ErrorContextCallback cb;
			NoProgress	np;

			np.table_name = t->opts->table_name;
			np.tries = no_progress;
			np.max_retries = t->opts->sink.max_retries;
			cb.callback = no_progress_context;
			cb.arg = &np;
			cb.previous = error_context_stack;
			error_context_stack = &cb;
			if (throttle_err.kind == AWS_OK)
			{
				/* only UnprocessedItems: DynamoDB took the calls, but no item */
				aws_error_set(&throttle_err, AWS_ERR_SERVICE,
							  "every item was left unprocessed %d times in a row", no_progress);
				snprintf(throttle_err.type, sizeof(throttle_err.type), "UnprocessedItems");
			}
			ddb_report_aws_error(ERROR, &throttle_err, operation, t->opts->table_name,
								 t->opts->relname);
			error_context_stack = cb.previous;	/* not reached */
		}
		if (refresh_creds)
		{
			elog(DEBUG1, "ddb_fdw: credentials for \"%s\" expired, fetching fresh ones",
				 t->opts->relname);
			explicit_bzero(t->creds.secret_access_key, strlen(t->creds.secret_access_key));
			ddb_creds_forget_temporary();
			ddb_creds_resolve(t->opts, get_http(), WriterTxnContext, &t->creds);
			endpoint_of(t, &ep);
			creds_refreshed = true;
			ddb_stats.retries++;
		}
		while (round_start < n && batches[round_start].done)
			round_start++;
		if (no_progress > 0 || max_attempts > 0 || retry_after > 0)
		{
			long		ms = 0;

			if (no_progress > 0)
				ms = backoff_ms(no_progress - 1);
			if (max_attempts > 0)
				ms = Max(ms, backoff_ms(max_attempts - 1));
			pause_ms(Max(ms, retry_after));
		}
	}
	pfree(calls);
	pfree(which);
}

/*
 * The table was dropped by the transaction that queued its rows: they go
 * with it, as the rows of a local table dropped by the transaction that
 * inserted them do.
 */
static bool
table_dropped(DdbTarget *t)
{
	if (SearchSysCacheExists1(FOREIGNTABLEREL, ObjectIdGetDatum(t->relid)))
		return false;
	ereport(NOTICE,
			(errmsg_plural("%d row queued for foreign table \"%s\" is not written to DynamoDB table \"%s\"",
						   "%d rows queued for foreign table \"%s\" are not written to DynamoDB table \"%s\"",
						   t->n_items, t->n_items, t->opts->relname, t->opts->table_name),
			 errdetail("The foreign table was dropped in the same transaction; its queued rows go with it.")));
	return true;
}

/* Fold the first n queued writes, build their requests and send them. */
static void
send_queue(DdbTarget *t, int n)
{
	Batch	   *batches;
	int			n_batches;
	Batch	   *updates;
	int			n_updates;
	Batch	   *puts = NULL;
	int			n_puts = 0;
	Batch	   *deletes = NULL;
	int			n_deletes = 0;
	DdbPending *folded;
	MemoryContext old;
	int			merged;

	ddb_stats.flushes++;
	old = MemoryContextSwitchTo(t->flush_cxt);
	folded = palloc(sizeof(DdbPending) * n);
	memcpy(folded, t->items, sizeof(DdbPending) * n);
	merged = fold_per_key(t, folded, n);
	batches = build_batches(t, folded, n, &n_batches);
	if (t->format->version_column >= 0)
	{
		puts = build_single_writes(t, folded, n, DDB_OP_PUT, &n_puts);
		deletes = build_single_writes(t, folded, n, DDB_OP_DELETE, &n_deletes);
	}
	updates = build_single_writes(t, folded, n, DDB_OP_UPDATE, &n_updates);
	if (merged > 0 || n_batches + n_puts + n_deletes + n_updates > 1)
		confirm_key(t);
	/* one write per key after folding: the three kinds cannot overtake each other */
	if (n_batches > 0)
		send_batches(t, "BatchWriteItem", batches, n_batches);
	if (n_puts > 0)
		send_batches(t, "PutItem", puts, n_puts);
	if (n_deletes > 0)
		send_batches(t, "DeleteItem", deletes, n_deletes);
	if (n_updates > 0)
		send_batches(t, "UpdateItem", updates, n_updates);
	MemoryContextSwitchTo(old);
	MemoryContextReset(t->flush_cxt);
}

/* In a PG_CATCH: what the DBA sees in ddb_fdw_activity, the error with its time. */
static void
activity_failed(DdbActivitySlot *slot, const DdbStats *before, MemoryContext caller)
{
	ErrorData  *edata;

	if (slot == NULL)
		return;
	MemoryContextSwitchTo(caller);
	edata = CopyErrorData();
	ddb_activity_flushed(slot, before, &ddb_stats, edata->message);
	FreeErrorData(edata);
}

static void
flush_target(DdbTarget *t)
{
	int			n_flushed = t->n_items;

	/*
	 * No nested flush: a CUSTOM credentials function run by this flush may
	 * itself queue rows, even into this target; they wait for the next one.
	 */
	if (n_flushed == 0 || t->flushing)
		return;
	if (!table_dropped(t))
	{
		DdbActivitySlot *slot = ddb_activity_slot(t->relid, t->opts->table_name);
		DdbStats	before = ddb_stats;
		MemoryContext caller = CurrentMemoryContext;

		t->flushing = true;		/* reset by a (sub)transaction abort on error */
		PG_TRY();
		{
			send_queue(t, n_flushed);
		}
		PG_CATCH();
		{
			activity_failed(slot, &before, caller);
			PG_RE_THROW();
		}
		PG_END_TRY();
		ddb_activity_flushed(slot, &before, &ddb_stats, NULL);
		t->flushing = false;
	}

	/* drop what was sent; rows queued meanwhile move to the front */
	if (t->n_items > n_flushed)
	{
		t->n_items -= n_flushed;
		memmove(t->items, t->items + n_flushed, sizeof(DdbPending) * t->n_items);
		return;
	}
	/* the array itself stays (it lives in WriterTxnContext): regrowing it by
	 * doubling after every flush cost more than the rows' conversion */
	t->n_items = 0;
	MemoryContextReset(t->items_cxt);
}

/* ---------- queueing ---------- */

/*
 * An early flush of t (max-buffered, flush timeout).  Targets opened before
 * it for the same DynamoDB table — the one an ALTER closed, in particular —
 * hold older writes of the same keys: they go first, or the COMMIT would
 * later send an older write on top of the newer one sent now.
 */
static void
flush_early(DdbTarget *t)
{
	DdbTarget  *earlier;

	for (earlier = targets; earlier && earlier != t; earlier = earlier->next)
		if (earlier->n_items > 0 &&
			strcmp(earlier->url, t->url) == 0 &&
			strcmp(earlier->opts->table_name, t->opts->table_name) == 0)
			flush_target(earlier);
	flush_target(t);
}

/*
 * Queue one write of the row: a PutRequest of the whole row, a
 * DeleteRequest of its key, or an update of its key setting the columns
 * set_attnums.  All carry the same dedup key, so fold_per_key can leave
 * one write per key.
 */
static void
queue_request(DdbTarget *t, TupleTableSlot *slot, DdbOpKind kind,
			  const AttrNumber *set_attnums, int n_set)
{
	MemoryContext old;
	DdbPending *item;
	TimestampTz now = t->opts->sink.flush_timeout_ms > 0 ? GetCurrentTimestamp() : 0;
	StringInfoData sets = {0};
	StringInfoData removes = {0};
	StringInfoData version = {0};
	char	   *atomic_key_text = NULL;

	/*
	 * Backpressure bounds what one transaction holds in memory; the timeout
	 * bounds how long a row of a slow trickle (a long COPY from a pipe, a
	 * trigger on a busy table) waits.  Both are checked when the next row
	 * comes, as a backend has no thread to flush on its own, so a queue
	 * that just reached its limit still waits for COMMIT.
	 */
	if (t->n_items > 0 && !t->flushing && !t->opts->sink.atomic &&
		(t->n_items >= t->opts->sink.max_buffered ||
		 (t->opts->sink.flush_timeout_ms > 0 &&
		  TimestampDifferenceExceeds(t->oldest_queued_at, now, t->opts->sink.flush_timeout_ms))))
		flush_early(t);

	resetStringInfo(&t->item_buf);
	resetStringInfo(&t->key_buf);
	old = MemoryContextSwitchTo(t->row_cxt);
	switch (kind)
	{
		case DDB_OP_PUT:
			appendBinaryStringInfo(&t->item_buf, PUT_PREFIX, sizeof(PUT_PREFIX) - 1);
			ddb_convert_row(t->format, slot, &t->item_buf,
							t->format->nkeys > 0 ? &t->key_buf : NULL);
			appendBinaryStringInfo(&t->item_buf, REQUEST_SUFFIX, sizeof(REQUEST_SUFFIX) - 1);
			break;
		case DDB_OP_DELETE:
			appendStringInfoString(&t->item_buf, DELETE_PREFIX);
			ddb_convert_key(t->format, slot, &t->item_buf, &t->key_buf);
			appendStringInfoString(&t->item_buf, REQUEST_SUFFIX);
			break;
		case DDB_OP_UPDATE:
			ddb_convert_key(t->format, slot, &t->item_buf, &t->key_buf);
			/* in the queue's memory: they live until the flush */
			MemoryContextSwitchTo(t->items_cxt);
			initStringInfo(&sets);
			initStringInfo(&removes);
			MemoryContextSwitchTo(t->row_cxt);
			ddb_convert_columns(t->format, slot, set_attnums, n_set, &sets, &removes);
			break;
	}
	if (t->format->version_column >= 0)
	{
		/* in the queue's memory too: the guarded request is built at the flush */
		MemoryContextSwitchTo(t->items_cxt);
		initStringInfo(&version);
		MemoryContextSwitchTo(t->row_cxt);
		ddb_convert_version(t->format, slot,
							kind == DDB_OP_PUT ? "put" : kind == DDB_OP_DELETE ? "delete" : "update",
							&version);
	}
	MemoryContextSwitchTo(old);

	/*
	 * Atomic: the limits of the one TransactWriteItems are checked before
	 * the write is queued, so the statement that crosses them fails; the
	 * key as JSON is kept for messages naming a cancelled action.
	 */
	if (t->opts->sink.atomic)
	{
		int64		bytes = kind == DDB_OP_PUT ?
			t->item_buf.len - (int) (strlen(PUT_PREFIX) + strlen(REQUEST_SUFFIX)) :
			kind == DDB_OP_DELETE ? t->key_buf.len : sets.len + removes.len;
		StringInfoData key_text;
		StringInfoData scratch;

		ddb_atomic_note_write(t->opts, t, t->key_buf.data, t->key_buf.len,
							  kind == DDB_OP_UPDATE ? DDB_ATOMIC_ADD : DDB_ATOMIC_REPLACE,
							  bytes, true);
		MemoryContextSwitchTo(t->row_cxt);
		initStringInfo(&key_text);
		initStringInfo(&scratch);
		if (kind == DDB_OP_UPDATE)
			appendBinaryStringInfo(&key_text, t->item_buf.data, t->item_buf.len);
		else
			ddb_convert_key(t->format, slot, &key_text, &scratch);
		MemoryContextSwitchTo(old);
		atomic_key_text = MemoryContextStrdup(t->items_cxt, key_text.data);
	}
	MemoryContextReset(t->row_cxt);

	if (t->n_items == 0)
		t->oldest_queued_at = now;
	if (t->n_items == t->max_items)
	{
		int			n = t->max_items ? t->max_items * 2 : 64;

		if (t->items == NULL)
			t->items = MemoryContextAlloc(WriterTxnContext, sizeof(DdbPending) * n);
		else
			t->items = repalloc_huge(t->items, sizeof(DdbPending) * n);
		t->max_items = n;
	}
	item = &t->items[t->n_items];
	item->kind = kind;
	item->sets = sets.data;
	item->sets_len = sets.len;
	item->removes = removes.data;
	item->removes_len = removes.len;
	item->request = MemoryContextAlloc(t->items_cxt, t->item_buf.len + 1);
	memcpy(item->request, t->item_buf.data, t->item_buf.len + 1);
	item->request_len = t->item_buf.len;
	item->key = NULL;
	item->key_len = t->key_buf.len;
	if (t->format->nkeys > 0)
	{
		item->key = MemoryContextAlloc(t->items_cxt, t->key_buf.len);
		memcpy(item->key, t->key_buf.data, t->key_buf.len);
	}
	item->key_text = atomic_key_text;
	item->version = version.data;
	item->version_len = version.len;
	item->level = GetCurrentTransactionNestLevel();
	t->n_items++;
}

void
ddb_writer_put_row(DdbTarget *t, TupleTableSlot *slot)
{
	queue_request(t, slot, DDB_OP_PUT, NULL, 0);
}

void
ddb_writer_require_key(const DdbTarget *t, const char *action)
{
	if (t->format->nkeys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot %s foreign table \"%s\": the key of DynamoDB table \"%s\" is unknown",
						action, t->opts->relname, t->opts->table_name),
				 errdetail("DescribeTable was not allowed, and the foreign table has no \"partitioned-by\" option."),
				 errhint("Set \"partitioned-by\" to the key columns, or allow dynamodb:DescribeTable.")));
}

void
ddb_writer_delete_row(DdbTarget *t, TupleTableSlot *slot)
{
	ddb_writer_require_key(t, "delete from");
	queue_request(t, slot, DDB_OP_DELETE, NULL, 0);
}

void
ddb_writer_update_row(DdbTarget *t, TupleTableSlot *slot, const AttrNumber *set_attnums, int n_set)
{
	int			i;
	int			k;

	ddb_writer_require_key(t, "update");
	if (t->format->version_column >= 0)
	{
		const DdbColumn *vcol = &t->format->columns[t->format->version_column];

		for (i = 0; i < n_set && set_attnums[i] != vcol->attnum; i++)
			;
		if (i == n_set)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("UPDATE of foreign table \"%s\" must assign its \"version-column\" \"%s\"",
							t->opts->relname, vcol->colname),
					 errdetail("Every write of a version-guarded table is applied only over an older version of its item, so an update needs its new version."),
					 errhint("Add %s = <newer version> to the SET list.", vcol->colname)));
	}
	for (i = 0; i < n_set; i++)
		for (k = 0; k < t->format->nkeys; k++)
		{
			const DdbColumn *col = &t->format->columns[t->format->key_columns[k]];

			if (col->attnum == set_attnums[i])
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("UPDATE cannot change column \"%s\" of foreign table \"%s\": it holds key attribute \"%s\"",
								col->colname, t->opts->relname, col->attr_name),
						 errhint("To move an item to another key, DELETE it and INSERT the new row.")));
		}
	queue_request(t, slot, DDB_OP_UPDATE, set_attnums, n_set);
}

AttrNumber
ddb_writer_version_attnum(const DdbTarget *t)
{
	return t->format->version_column >= 0 ?
		t->format->columns[t->format->version_column].attnum : InvalidAttrNumber;
}

bool
ddb_writer_key_known(const DdbTarget *t)
{
	return t->format->nkeys > 0;
}

int
ddb_writer_key_attnums(const DdbTarget *t, AttrNumber *attnums, const char **colnames)
{
	int			i;

	for (i = 0; i < t->format->nkeys; i++)
	{
		const DdbColumn *col = &t->format->columns[t->format->key_columns[i]];

		attnums[i] = col->attnum;
		colnames[i] = col->colname;
	}
	return t->format->nkeys;
}

bool
ddb_writer_same_key(const DdbTarget *t, TupleTableSlot *a, TupleTableSlot *b)
{
	int			i;

	slot_getallattrs(a);
	slot_getallattrs(b);
	for (i = 0; i < t->format->nkeys; i++)
	{
		const DdbColumn *col = &t->format->columns[t->format->key_columns[i]];
		int			att = col->attnum - 1;
		Form_pg_attribute attr = TupleDescAttr(a->tts_tupleDescriptor, att);

		if (a->tts_isnull[att] != b->tts_isnull[att])
			return false;
		if (!a->tts_isnull[att] &&
			!datumIsEqual(a->tts_values[att], b->tts_values[att], attr->attbyval, attr->attlen))
			return false;
	}
	return true;
}

/* ---------- transaction hooks ---------- */

bool
ddb_writer_has_pending(void)
{
	DdbTarget  *t;

	for (t = targets; t; t = t->next)
		if (t->n_items > 0)
			return true;
	return false;
}

bool
ddb_writer_has_written(void)
{
	DdbTarget  *t;

	for (t = targets; t; t = t->next)
		if (t->flushed_rows > 0 || t->commit_written > 0)
			return true;
	return false;
}

/* ---------- sink.commit-mode 'atomic' ---------- */

/* The size of a queued write as ddb_atomic_note_write counts it. */
static int64
atomic_bytes(const DdbPending *item)
{
	if (item->kind == DDB_OP_PUT)
		return item->request_len - (int) (strlen(PUT_PREFIX) + strlen(REQUEST_SUFFIX));
	if (item->kind == DDB_OP_DELETE)
		return item->key_len;
	return item->sets_len + item->removes_len;
}

/* After a subtransaction rolled back: note again what the atomic queues still hold. */
static void
atomic_renote(void)
{
	DdbTarget  *t;
	int			i;

	ddb_atomic_forget();
	for (t = targets; t; t = t->next)
		if (t->opts->sink.atomic)
			for (i = 0; i < t->n_items; i++)
				ddb_atomic_note_write(t->opts, t, t->items[i].key, t->items[i].key_len,
									  t->items[i].kind == DDB_OP_UPDATE ?
									  DDB_ATOMIC_ADD : DDB_ATOMIC_REPLACE,
									  atomic_bytes(&t->items[i]), false);
}

static void
atomic_refresh(void *arg, AwsDdbEndpoint *ep)
{
	DdbTarget  *t = arg;

	elog(DEBUG1, "ddb_fdw: credentials for \"%s\" expired, fetching fresh ones", t->opts->relname);
	explicit_bzero(t->creds.secret_access_key, strlen(t->creds.secret_access_key));
	ddb_creds_forget_temporary();
	ddb_creds_resolve(t->opts, get_http(), WriterTxnContext, &t->creds);
	endpoint_of(t, ep);
}

/*
 * Send what the atomic targets of first's server queued as one
 * TransactWriteItems: each queue folded per key (as a batch flush folds
 * it), every remaining write one action.
 */
static void
flush_atomic_server(DdbTarget *first)
{
	DdbTarget  *t;
	DdbAtomicAction *actions;
	int			n_actions = 0;
	int			max_actions = 0;
	AwsDdbEndpoint ep;
	MemoryContext old;
	int			i;

	for (t = first; t; t = t->next)
		if (t->opts->sink.atomic && t->opts->serverid == first->opts->serverid && !t->flushing)
			max_actions += t->n_items;
	if (max_actions == 0)
		return;
	old = MemoryContextSwitchTo(first->flush_cxt);
	actions = palloc0(sizeof(DdbAtomicAction) * max_actions);
	for (t = first; t; t = t->next)
	{
		DdbPending *folded;
		int			n = t->n_items;

		if (!t->opts->sink.atomic || t->opts->serverid != first->opts->serverid ||
			t->flushing || n == 0)
			continue;
		t->flushing = true;		/* reset by a (sub)transaction abort on error */
		t->atomic_sent = n;
		if (table_dropped(t))
			continue;
		folded = palloc(sizeof(DdbPending) * n);
		memcpy(folded, t->items, sizeof(DdbPending) * n);
		if (fold_per_key(t, folded, n) > 0)
			confirm_key(t);
		for (i = 0; i < n; i++)
		{
			DdbPending *item = &folded[i];
			DdbAtomicAction *a;

			if (item->request == NULL)
				continue;
			a = &actions[n_actions++];
			a->table_name = t->opts->table_name;
			a->relname = t->opts->relname;
			a->key_text = item->key_text;
			switch (item->kind)
			{
				case DDB_OP_PUT:
					a->kind = AWS_DDB_PUT;
					a->attrs = item->request + strlen(PUT_PREFIX);
					a->attrs_len = item->request_len - strlen(PUT_PREFIX) - strlen(REQUEST_SUFFIX);
					break;
				case DDB_OP_DELETE:
					a->kind = AWS_DDB_DELETE;
					a->attrs = item->request + strlen(DELETE_PREFIX);
					a->attrs_len = item->request_len - strlen(DELETE_PREFIX) - strlen(REQUEST_SUFFIX);
					break;
				case DDB_OP_UPDATE:
					a->kind = AWS_DDB_UPDATE;
					a->attrs = item->request;
					a->attrs_len = item->request_len;
					a->sets = item->sets;
					a->sets_len = item->sets_len;
					a->removes = item->removes;
					a->removes_len = item->removes_len;
					break;
			}
		}
	}
	/* the limits were checked at every statement; this is the last line of defence */
	if (n_actions > AWS_DDB_MAX_TRANSACT_ITEMS)
		elog(ERROR, "atomic transaction holds %d actions after folding", n_actions);
	if (n_actions > 0)
	{
		/* ddb_fdw_activity shows the request under the first table of the server */
		DdbActivitySlot *slot = ddb_activity_slot(first->relid, first->opts->table_name);
		DdbStats	before = ddb_stats;
		const char *servername = GetForeignServer(first->opts->serverid)->servername;
		MemoryContext caller = CurrentMemoryContext;

		endpoint_of(first, &ep);
		PG_TRY();
		{
			ddb_atomic_send(get_http(), &ep, &first->opts->sink, servername,
							actions, n_actions, atomic_refresh, first);
		}
		PG_CATCH();
		{
			activity_failed(slot, &before, caller);
			PG_RE_THROW();
		}
		PG_END_TRY();
		ddb_activity_flushed(slot, &before, &ddb_stats, NULL);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(first->flush_cxt);

	/* written: the queues go, as after a batch flush */
	for (t = first; t; t = t->next)
	{
		if (!t->opts->sink.atomic || t->opts->serverid != first->opts->serverid ||
			!t->flushing || t->atomic_sent == 0)
			continue;
		count_flushed(t, 0, t->atomic_sent);
		t->flushing = false;
		/* rows a credentials function queued meanwhile wait for the next pass */
		if (t->n_items > t->atomic_sent)
		{
			t->n_items -= t->atomic_sent;
			memmove(t->items, t->items + t->atomic_sent, sizeof(DdbPending) * t->n_items);
			t->atomic_sent = 0;
			continue;
		}
		t->atomic_sent = 0;
		t->n_items = 0;
		t->max_items = 0;
		t->items = NULL;
		MemoryContextReset(t->items_cxt);
	}
}

/* Passes over the targets before rows that keep coming during the flush fail the COMMIT. */
#define MAX_COMMIT_FLUSH_PASSES 10

/*
 * At PRE_COMMIT: write every queued row.  A CUSTOM credentials function
 * run by the flush may queue more rows (into any target, new ones
 * included): they are written by the next pass, so a row queued before
 * the COMMIT returns is written or the COMMIT fails.  Functions need a
 * snapshot, which PostgreSQL no longer has active at PRE_COMMIT.
 */
/*
 * An ERROR of the COMMIT's flush says what the COMMIT had already written:
 * those rows stay in DynamoDB although the transaction rolls back.  (A
 * context line, not a WARNING at abort: it reaches the client with the
 * ERROR, never after it.)
 */
static void
commit_flush_context(void *arg)
{
	DdbTarget  *t;

	(void) arg;
	for (t = targets; t; t = t->next)
		if (t->commit_written > 0)
			errcontext("COMMIT had written %lld %s to DynamoDB table \"%s\" for foreign table \"%s\"; %s there, as DynamoDB has no transaction spanning BatchWriteItem requests",
					   (long long) t->commit_written, t->commit_written == 1 ? "row" : "rows",
					   t->opts->table_name, t->opts->relname,
					   t->commit_written == 1 ? "it stays" : "they stay");
}

void
ddb_writer_flush_all(void)
{
	DdbTarget  *t;
	bool		pushed = false;
	int			pass;
	ErrorContextCallback context;

	if (!ddb_writer_has_pending())
		return;
	context.callback = commit_flush_context;
	context.arg = NULL;
	context.previous = error_context_stack;
	error_context_stack = &context;
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	in_commit_flush = true;		/* reset at the end of the transaction too */
	for (pass = 0; ddb_writer_has_pending(); pass++)
	{
		if (pass == MAX_COMMIT_FLUSH_PASSES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("rows kept being queued for ddb_fdw foreign tables while the COMMIT wrote them"),
					 errdetail("After %d passes over the queued rows, more were queued by functions the flush ran.",
							   MAX_COMMIT_FLUSH_PASSES),
					 errhint("Check the credentials function (\"aws.credentials.custom.function\"): it should not write to ddb_fdw foreign tables.")));
		for (t = targets; t; t = t->next)
		{
			if (t->opts->sink.atomic)
				flush_atomic_server(t);
			else
				flush_target(t);
		}
	}
	in_commit_flush = false;
	error_context_stack = context.previous;
	if (pushed)
		PopActiveSnapshot();
}

void
ddb_writer_end_xact(bool aborted)
{
	DdbTarget  *t;

	if (aborted)
		for (t = targets; t; t = t->next)
		{
			if (t->flushed_rows > 0)
				ereport(WARNING,
						(errcode(ERRCODE_WARNING),
						 errmsg_plural("%lld row was already written to DynamoDB table \"%s\" and stays there although the transaction rolled back",
									   "%lld rows were already written to DynamoDB table \"%s\" and stay there although the transaction rolled back",
									   t->flushed_rows, (long long) t->flushed_rows, t->opts->table_name),
						 errdetail("Foreign table \"%s\" flushed them before the end of the transaction, when its queue reached \"sink.requests.max-buffered\" rows or its oldest row \"sink.flush-buffer.timeout\".",
								   t->opts->relname),
						 errhint("Raise \"sink.requests.max-buffered\" to keep a whole transaction in memory until COMMIT.")));
		}
	targets = NULL;
	targets_tail = NULL;
	in_commit_flush = false;
	ddb_atomic_forget();
	current_generation++;
	if (WriterTxnContext != NULL)
	{
		MemoryContextDelete(WriterTxnContext);
		WriterTxnContext = NULL;
	}
}

void
ddb_writer_end_subxact(int level, bool aborted)
{
	DdbTarget  *t;

	for (t = targets; t; t = t->next)
	{
		int			i;
		int64		lost = 0;

		if (aborted)
			t->flushing = false;	/* an error ended the flush it was in */
		/* rows of a subtransaction are the tail of the queue */
		for (i = t->n_items - 1; i >= 0 && t->items[i].level >= level; i--)
		{
			if (!aborted)
				t->items[i].level = level - 1;
		}
		if (aborted)
			t->n_items = i + 1;

		for (i = level; i < t->n_levels; i++)
		{
			if (aborted)
				lost += t->flushed_by_level[i];
			else
				t->flushed_by_level[level - 1] += t->flushed_by_level[i];
			t->flushed_by_level[i] = 0;
		}
		if (aborted && lost > 0)
			ereport(WARNING,
					(errcode(ERRCODE_WARNING),
					 errmsg_plural("%lld row was already written to DynamoDB table \"%s\" and stays there although the subtransaction rolled back",
								   "%lld rows were already written to DynamoDB table \"%s\" and stay there although the subtransaction rolled back",
								   lost, (long long) lost, t->opts->table_name),
					 errdetail("Foreign table \"%s\" flushed them before the end of the transaction.",
							   t->opts->relname),
					 errhint("Raise \"sink.requests.max-buffered\" to keep a whole transaction in memory until COMMIT.")));
	}
	if (aborted)
		atomic_renote();
}
