/* ddb_bridge.c — see ddb_bridge.h */
#include "postgres.h"

#include "miscadmin.h"

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
ddb_report_aws_error(int elevel, const AwsError *err, const char *operation,
					 const char *table_name, const char *relname)
{
	const ErrorAdvice *a;
	AwsError	withheld;

	err = ddb_error_visible(err, &withheld);

	if (err->kind == AWS_ERR_SERVICE)
	{
		for (a = advice; a->type; a++)
			if (strcmp(a->type, err->type) == 0)
				break;
		ereport(elevel,
				(errcode(a->type ? a->sqlstate : ERRCODE_FDW_ERROR),
				 errmsg("DynamoDB error %s: %s", err->type,
						err->message[0] ? err->message : "(no message)"),
				 errdetail("%s on DynamoDB table \"%s\" for foreign table \"%s\" failed with HTTP status %ld.",
						   operation, table_name, relname, err->http_status),
				 (a->type && a->hint) ? errhint("%s", a->hint) : 0));
	}
	else if (err->kind == AWS_ERR_TRANSPORT && strcmp(err->type, AWS_TLS_VERIFICATION_FAILED) == 0)
		ereport(elevel,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not verify the TLS certificate of DynamoDB endpoint: %s", err->message),
				 errdetail("%s on DynamoDB table \"%s\" for foreign table \"%s\" was not sent.",
						   operation, table_name, relname),
				 errhint("Install the endpoint's CA certificate in the system CA store; only for tests may a superuser set \"aws.trust.all.certificates\" 'true'.")));
	else if (err->kind == AWS_ERR_TRANSPORT)
		ereport(elevel,
				(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
				 errmsg("could not reach DynamoDB: %s", err->message),
				 errdetail("%s on DynamoDB table \"%s\" for foreign table \"%s\" got no complete response; a request that reached DynamoDB may have been applied.",
						   operation, table_name, relname),
				 errhint("Check the server's \"aws.endpoint\" and \"aws.region\" and the network.")));
	else
		ereport(elevel,
				(errcode(err->kind == AWS_ERR_INTERNAL ? ERRCODE_INTERNAL_ERROR : ERRCODE_FDW_ERROR),
				 errmsg("DynamoDB %s: %s", aws_error_kind_name(err->kind), err->message),
				 errdetail("%s on DynamoDB table \"%s\" for foreign table \"%s\".",
						   operation, table_name, relname)));
}

int
ddb_interrupt_pending(void *arg)
{
	(void) arg;
	return (QueryCancelPending || ProcDiePending) ? 1 : 0;
}
