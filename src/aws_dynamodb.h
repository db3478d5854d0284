/*
 * aws_dynamodb.h — the DynamoDB JSON 1.0 API calls ddb_fdw makes.
 *
 * Contract: aws_ddb_call signs (aws_request.h) and POSTs one API call and
 * returns the 200 response body; any other status becomes an AWS_ERR_SERVICE
 * error carrying DynamoDB's error type (the part after '#') and message,
 * whether the body was JSON (DynamoDB, dynalite) or XML (auth errors from
 * some implementations), as aws_error_doc.h reads them.  The response parsers below read untrusted bytes and
 * fail cleanly on anything malformed.  All returned memory is malloc'ed and
 * owned by the caller; json-c objects never escape this module.
 */
#ifndef AWS_DYNAMODB_H
#define AWS_DYNAMODB_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_buf.h"
#include "aws_creds.h"
#include "aws_error.h"
#include "aws_http.h"

typedef struct AwsDdbEndpoint
{
	const char *url;			/* e.g. https://dynamodb.us-east-2.amazonaws.com */
	const char *region;
	const AwsCredentials *creds;
	long		read_timeout_ms;
	bool		insecure;
} AwsDdbEndpoint;

/*
 * The largest answer accepted to a call (aws_http fails the call with
 * AWS_ERR_PROTOCOL beyond it): DynamoDB's answers are small except
 * UnprocessedItems, which echoes at most the request, so a call may get
 * twice its request body (room for a peer's different JSON escaping) plus
 * AWS_DDB_RESPONSE_FLOOR, and DescribeTable at least
 * AWS_DDB_DESCRIBE_RESPONSE_FLOOR (a table's description with its indexes).
 */
#define AWS_DDB_RESPONSE_FLOOR (64 * 1024)
#define AWS_DDB_DESCRIBE_RESPONSE_FLOOR (1024 * 1024)
extern size_t aws_ddb_max_response(const char *operation, size_t body_len);

/* Default endpoint URL of a region, written into buf. */
extern void aws_ddb_default_url(const char *region, char *buf, size_t size);

/* Sign and send one call (operation e.g. "BatchWriteItem"); the body is JSON. */
extern bool aws_ddb_call(AwsHttp *http, const AwsDdbEndpoint *ep, const char *operation,
						 const char *body, size_t body_len, AwsBuf *response,
						 AwsError *err);

/* One of several calls made at once: body in, response or error out. */
typedef struct AwsDdbCall
{
	const char *body;
	size_t		body_len;
	bool		ok;				/* true: response holds the 200 body */
	AwsBuf		response;		/* the body, of an error status too; caller frees
								 * (aws_buf_free), ok or not */
	AwsError	err;
	long		retry_after_ms; /* the answer's x-amz-retry-after, 0 when absent */
} AwsDdbCall;

/*
 * Make n calls of one operation, at most max_inflight at a time over the
 * pooled connections.  Each call ends ok or with its own error.  Returns
 * false only when the batch could not run at all (cancelled: err says so).
 */
extern bool aws_ddb_call_many(AwsHttp *http, const AwsDdbEndpoint *ep, const char *operation,
							  AwsDdbCall *calls, size_t n, int max_inflight, AwsError *err);

/*
 * Read a BatchWriteItem response against the n_sent write requests just
 * sent to table (sent[i], sent_len[i]: the JSON text of each, e.g.
 * {"PutRequest":{"Item":{...}}}).  On success *n_unprocessed is how many
 * DynamoDB left over and unprocessed[i] (n_sent flags) marks each of them,
 * so the caller re-sends its own copies, never the peer's bytes.  An entry
 * matches a sent request when the two are the same JSON value up to member
 * order, number spelling ("N": "1.50" is "1.5") and the order of set
 * elements (SS, NS, BS); each sent request is matched at most once.
 * UnprocessedItems naming another table, a request never sent, one request
 * twice or more requests than were sent is AWS_ERR_PROTOCOL (type
 * AWS_DDB_FORGED_UNPROCESSED): the answer is not DynamoDB's, nothing of it
 * may be acted upon.  n_sent 0 (an UpdateItem answer) accepts no entry.
 * *consumed_wcu is the answer's ConsumedCapacity (aws_ddb_consumed_wcu,
 * for table), 0 when it has none or one that is not DynamoDB's shape: the
 * capacity is only reported, so a bad one never fails the write.
 */
#define AWS_DDB_FORGED_UNPROCESSED "ForgedUnprocessedItems"
extern bool aws_ddb_match_unprocessed(const char *body, size_t len, const char *table,
									  const char *const *sent, const size_t *sent_len,
									  size_t n_sent, bool *unprocessed,
									  size_t *n_unprocessed, double *consumed_wcu,
									  AwsError *err);

/*
 * The write capacity a 200 answer says its call consumed: the
 * CapacityUnits (else WriteCapacityUnits) of its ConsumedCapacity, one
 * object (UpdateItem, DeleteItem) or an array of at most
 * AWS_DDB_MAX_TRANSACT_ITEMS, one per table (BatchWriteItem,
 * TransactWriteItems), summed.  Every request body ddb_fdw writes asks for
 * it ("ReturnConsumedCapacity":"TOTAL").  The peer's bytes: a number must
 * be finite, non-negative and at most AWS_DDB_MAX_CONSUMED_WCU; with table
 * non-NULL, an entry naming another table does not fit either.  Returns
 * false, *wcu 0, for an answer that does not fit (or is not JSON); no
 * ConsumedCapacity is true and 0.
 */
#define AWS_DDB_MAX_CONSUMED_WCU 1e7	/* 25 items of 400 KB and 20 indexes: ~210,000 */
extern bool aws_ddb_consumed_wcu(const char *body, size_t len, const char *table, double *wcu);

/* Key schema of a table from a DescribeTable response; range_key is NULL when absent. */
typedef struct AwsDdbKeySchema
{
	char	   *hash_key;
	char		hash_type;		/* 'S', 'N' or 'B'; '?' when not declared */
	char	   *range_key;
	char		range_type;
} AwsDdbKeySchema;

extern bool aws_ddb_parse_key_schema(const char *body, size_t len,
									 AwsDdbKeySchema *out, AwsError *err);
extern void aws_ddb_key_schema_free(AwsDdbKeySchema *ks);

/*
 * Write into out the JSON object obj (its members in order) with the
 * members of add added or replaced and the members named by the keys of
 * remove left out: how ddb_fdw folds an update into an earlier write of
 * the same key.  Any argument may be NULL or empty for {}.
 */
extern bool aws_ddb_json_patch(const char *obj, size_t obj_len,
							   const char *add, size_t add_len,
							   const char *remove, size_t remove_len,
							   AwsBuf *out, AwsError *err);

/*
 * Write into out an UpdateItem request body for table: Key is key (an
 * attribute map), "SET" every attribute of sets (a map of attribute
 * values) and "REMOVE" every attribute named by the keys of removes, with
 * placeholders for every name and value, so no name needs escaping; it
 * asks for the consumed capacity (ReturnConsumedCapacity TOTAL).
 */
extern bool aws_ddb_build_update_item(const char *table, const char *key, size_t key_len,
									  const char *sets, size_t sets_len,
									  const char *removes, size_t removes_len,
									  AwsBuf *out, AwsError *err);

/*
 * TransactWriteItems (DynamoDB's limits: at most 100 actions, on distinct
 * items, of at most 4 MB together; ClientRequestToken 1 to 36 characters).
 * aws_ddb_build_transact_action writes into out one element of
 * TransactItems for table: {"Put":{"TableName":..,"Item":attrs}},
 * {"Delete":{"TableName":..,"Key":attrs}} or {"Update":{"TableName":..,
 * "Key":attrs,...}} with the expression aws_ddb_build_update_item writes
 * (an update that sets and removes nothing is refused: a transaction's
 * Update needs an expression).
 */
#define AWS_DDB_MAX_TRANSACT_ITEMS 100
#define AWS_DDB_MAX_TRANSACT_BYTES (4 * 1024 * 1024)
#define AWS_DDB_MAX_TOKEN_LEN 36

typedef enum AwsDdbActionKind
{
	AWS_DDB_PUT,
	AWS_DDB_DELETE,
	AWS_DDB_UPDATE
} AwsDdbActionKind;

extern bool aws_ddb_build_transact_action(AwsDdbActionKind kind, const char *table,
										  const char *attrs, size_t attrs_len,
										  const char *sets, size_t sets_len,
										  const char *removes, size_t removes_len,
										  AwsBuf *out, AwsError *err);

/*
 * A version-guarded write ("version-column"): write into out the body of a
 * PutItem (kind AWS_DDB_PUT, attrs the item), DeleteItem (AWS_DDB_DELETE,
 * attrs the key) or UpdateItem (AWS_DDB_UPDATE, attrs the key, sets and
 * removes as for aws_ddb_build_update_item) on table, conditioned on the
 * stored version: version is the one-member map {"attr":{value}} of the
 * write's version; a put or update applies only when the item lacks the
 * attribute or holds a smaller value, a delete when it lacks it or holds
 * one not greater.  DynamoDB answers a refused condition with
 * ConditionalCheckFailedException (aws_ddb_error_is_condition_failed).
 */
extern bool aws_ddb_build_guarded_write(AwsDdbActionKind kind, const char *table,
										const char *attrs, size_t attrs_len,
										const char *sets, size_t sets_len,
										const char *removes, size_t removes_len,
										const char *version, size_t version_len,
										AwsBuf *out, AwsError *err);

/* Did DynamoDB refuse a write by its condition (a stale guarded write)? */
extern bool aws_ddb_error_is_condition_failed(const AwsError *err);

/*
 * The CancellationReasons of a TransactionCanceledException's body:
 * codes[i] and messages[i] (printable, at most 200 bytes each: the peer's
 * bytes) for action i; "None" for an action that was not the cause.  More
 * than AWS_DDB_MAX_TRANSACT_ITEMS reasons, or none, is AWS_ERR_PROTOCOL.
 */
typedef struct AwsDdbCancellation
{
	size_t		n;
	char	  **codes;
	char	  **messages;
} AwsDdbCancellation;

extern bool aws_ddb_parse_cancellation(const char *body, size_t len, AwsDdbCancellation *out,
									   AwsError *err);
extern void aws_ddb_cancellation_free(AwsDdbCancellation *c);

/* Is a cancellation reason one a retry can clear (None, conflict, capacity)? */
extern bool aws_ddb_cancellation_is_retryable(const char *code);

/* Is it worth sending the same request again (throttling, 5xx, transport)? */
extern bool aws_ddb_error_is_retryable(const AwsError *err);

/* Did DynamoDB refuse for lack of capacity (a subset of the retryable errors)? */
extern bool aws_ddb_error_is_throttle(const AwsError *err);

#endif							/* AWS_DYNAMODB_H */
