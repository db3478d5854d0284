/* ddb_bridge.c — see ddb_bridge.h */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/timestamp.h"
#if PG_VERSION_NUM >= 170000
#include "utils/wait_event.h"
#endif

#include "aws_http.h"
#include "ddb_bridge.h"

typedef struct ErrorAdvice
{
	const char *type;			/* DynamoDB error type */
	int			sqlstate;
	const char *hint;
} ErrorAdvice;

static const ErrorAdvice advice[] = {
	{"ResourceNotFoundException", ERRCODE_FDW_TABLE_NOT_FOUND,
	"Check the foreign table's \"table-name\" and its server's \"aws.region\" and \"aws.endpoint\"."},
	{"AccessDeniedException", ERRCODE_INSUFFICIENT_PRIVILEGE,
	"Grant the IAM identity dynamodb:BatchWriteItem on the table."},
	{"AccessDenied", ERRCODE_INSUFFICIENT_PRIVILEGE,
	"Grant the IAM identity dynamodb:BatchWriteItem on the table."},
	{"UnrecognizedClientException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"Check the access key id in the user mapping or the server's environment."},
	{"InvalidClientTokenId", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"Check the access key id in the user mapping or the server's environment."},
	{"InvalidSignatureException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"Check the secret key that belongs to the access key id."},
	{"SignatureDoesNotMatch", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"Check the secret key that belongs to the access key id."},
	{"ExpiredTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
	"The session token has expired; provide fresh credentials."},
	{"MissingAuthenticationTokenException", ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, NULL},
	{"ValidationException", ERRCODE_DATA_EXCEPTION,
	"Check that the foreign table's columns match the DynamoDB table's key attributes and types."},
	{"ProvisionedThroughputExceededException", ERRCODE_FDW_ERROR,
	"Raise the table's capacity, or allow retries with \"sink.fail-on-error\" 'false' and \"sink.max-retries\"."},
	{"ThrottlingException", ERRCODE_FDW_ERROR,
	"Allow retries with \"sink.fail-on-error\" 'false' and \"sink.max-retries\"."},
	{"UnprocessedItems", ERRCODE_FDW_ERROR,
	"The table lacks write capacity for the load: raise its capacity, or allow more retries with \"sink.max-retries\"."},
	{"RequestLimitExceeded", ERRCODE_FDW_ERROR,
	"Allow retries with \"sink.fail-on-error\" 'false' and \"sink.max-retries\"."},
	{NULL}
};

const AwsError *
ddb_error_visible(const AwsError *err, AwsError *buf)
{
	if (err->kind != AWS_ERR_SERVICE || !err->foreign_body || superuser())
		return err;
	aws_error_set_service(buf, err->http_status, err->type,
						  "the answer is not an AWS error document; only a superuser sees it");
	buf->foreign_body = true;
	return buf;
}

void
ddb_raise_aws_error(int elevel, const AwsError *err, const DdbAwsReport *r)
{
	AwsError	withheld;
	const char *message;
	const char *headline;
	bool		service;

	err = ddb_error_visible(err, &withheld);
	message = err->message[0] ? err->message : "(no message)";
	service = err->kind == AWS_ERR_SERVICE && r->service != NULL;
	headline = r->headline ? r->headline : aws_error_kind_name(err->kind);
	ereport(elevel,
			(errcode(r->sqlstate ? r->sqlstate : ERRCODE_FDW_ERROR),
			 service ? errmsg("%s error %s: %s", r->service, err->type, message) :
			 r->message_in_detail ? errmsg("%s", headline) :
			 errmsg("%s: %s", headline, err->message),
			 r->message_in_detail ? errdetail("%s: %s.", r->detail, err->message) :
			 r->detail ? errdetail("%s", r->detail) : 0,
			 r->hint ? errhint("%s", r->hint) : 0));
}

void
ddb_report_client_error(const AwsError *err, int sqlstate, const char *headline)
{
	DdbAwsReport r = {0};

	r.sqlstate = sqlstate;
	r.headline = headline;
	ddb_raise_aws_error(ERROR, err, &r);
}

void
ddb_report_aws_error(int elevel, const AwsError *err, const char *operation,
					 const char *table_name, const char *relname)
{
	DdbAwsReport r = {0};
	char	   *detail;

	if (err->kind == AWS_ERR_SERVICE)
	{
		const ErrorAdvice *a;

		for (a = advice; a->type; a++)
			if (strcmp(a->type, err->type) == 0)
				break;
		r.sqlstate = a->type ? a->sqlstate : ERRCODE_FDW_ERROR;
		r.service = "DynamoDB";
		r.hint = a->type ? a->hint : NULL;
		if (err->reasons[0] != '\0')
			detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" failed with HTTP status %ld; throttling reasons: %s.",
							  operation, table_name, relname, err->http_status, err->reasons);
		else if (strcmp(err->type, "UnprocessedItems") != 0)
			detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" failed with HTTP status %ld.",
							  operation, table_name, relname, err->http_status);
		else
			detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" was accepted, but DynamoDB kept leaving items unprocessed.",
							  operation, table_name, relname);
	}
	else if (err->kind == AWS_ERR_TRANSPORT && strcmp(err->type, AWS_TLS_VERIFICATION_FAILED) == 0)
	{
		r.sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
		r.headline = "could not verify the TLS certificate of DynamoDB endpoint";
		detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" was not sent.",
						  operation, table_name, relname);
		r.hint = "Install the endpoint's CA certificate in the system CA store; only for tests may a superuser set \"aws.trust.all.certificates\" 'true'.";
	}
	else if (err->kind == AWS_ERR_TRANSPORT && strcmp(err->type, AWS_HTTP_DEADLINE_EXCEEDED) == 0)
	{
		r.sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
		r.headline = "could not reach DynamoDB";
		detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" got no complete response in time; a request that reached DynamoDB may have been applied.",
						  operation, table_name, relname);
		r.hint = "Every request must complete within \"sink.http-client.read-timeout\" plus one second per 64 kB sent; raise it for a slow link.";
	}
	else if (err->kind == AWS_ERR_TRANSPORT)
	{
		r.sqlstate = ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION;
		r.headline = "could not reach DynamoDB";
		detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" got no complete response; a request that reached DynamoDB may have been applied.",
						  operation, table_name, relname);
		r.hint = "Check the server's \"aws.endpoint\" and \"aws.region\" and the network.";
	}
	else if (err->kind == AWS_ERR_PROTOCOL)
	{
		r.sqlstate = ERRCODE_PROTOCOL_VIOLATION;
		r.headline = psprintf("DynamoDB %s", aws_error_kind_name(err->kind));
		detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\" got an answer no DynamoDB sends, so nothing of it was acted upon; a request that reached DynamoDB may have been applied.",
						  operation, table_name, relname);
		r.hint = "Check that the server's \"aws.endpoint\" is DynamoDB.";
	}
	else
	{
		r.sqlstate = err->kind == AWS_ERR_INTERNAL ? ERRCODE_INTERNAL_ERROR : ERRCODE_FDW_ERROR;
		r.headline = psprintf("DynamoDB %s", aws_error_kind_name(err->kind));
		detail = psprintf("%s on DynamoDB table \"%s\" for foreign table \"%s\".",
						  operation, table_name, relname);
	}
	r.detail = detail;
	ddb_raise_aws_error(elevel, err, &r);
	pfree(detail);				/* below ERROR, the report returns */
}

/*
 * From libpq/libpq.h (PostgreSQL 14+), which is not included: it pulls in
 * libpq-be.h and with it the GSSAPI headers of a server built with GSS.
 */
extern bool pq_check_connection(void);

/*
 * PostgreSQL notices a closed client only when it next reads or writes the
 * socket, which a backend waiting on DynamoDB does not do: look at the
 * socket, at most once a second.  Lost, it is what ProcessInterrupts acts
 * on (FATAL "connection to client lost").
 */
static bool
client_gone(void)
{
	static TimestampTz last_check = 0;
	TimestampTz now;

	if (MyProcPort == NULL || whereToSendOutput != DestRemote)
		return false;			/* a background worker (logical apply), or single-user */
	now = GetCurrentTimestamp();
	if (now - last_check < USECS_PER_SEC && now >= last_check)
		return false;
	last_check = now;
	if (pq_check_connection())
		return false;
	ClientConnectionLost = true;
	InterruptPending = true;
	return true;
}

int
ddb_interrupt_pending(void *arg)
{
	(void) arg;
	if (QueryCancelPending || ProcDiePending || ClientConnectionLost)
		return 1;
	return client_gone() ? 1 : 0;
}

#if PG_VERSION_NUM >= 170000
static uint32
named_wait_event(const char *name, uint32 *cache)
{
	if (*cache == 0)
		*cache = WaitEventExtensionNew(name);
	return *cache;
}
#endif

static uint32
wait_event_request(void)
{
#if PG_VERSION_NUM >= 170000
	static uint32 event = 0;

	return named_wait_event("DynamoDBRequest", &event);
#else
	return PG_WAIT_EXTENSION;
#endif
}

uint32
ddb_wait_event_backoff(void)
{
#if PG_VERSION_NUM >= 170000
	static uint32 event = 0;

	return named_wait_event("DynamoDBBackoff", &event);
#else
	return PG_WAIT_EXTENSION;
#endif
}

void
ddb_network_wait_hook(bool waiting, void *arg)
{
	(void) arg;
	if (waiting)
		pgstat_report_wait_start(wait_event_request());
	else
		pgstat_report_wait_end();
}
