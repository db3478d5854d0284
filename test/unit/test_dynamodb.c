/*
 * test_dynamodb.c — unit tests of the DynamoDB response parsers and error
 * classification (aws_dynamodb.c), which read untrusted bytes.  No network.
 */
#include <stdio.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_dynamodb.h"
#include "unit_check.h"

static void
test_error_json(void)
{
	AwsError	err;
	const char *body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
		"\"message\":\"Requested resource not found\"}";

	aws_error_clear(&err);
	aws_ddb_parse_error(400, body, strlen(body), &err);
	CHECK(err.kind == AWS_ERR_SERVICE, "json error kind");
	CHECK(strcmp(err.type, "ResourceNotFoundException") == 0, "json error type without prefix");
	CHECK(strcmp(err.message, "Requested resource not found") == 0, "json error message");
	CHECK(err.http_status == 400, "json error status");
	CHECK(!aws_ddb_error_is_retryable(&err), "not found is not retryable");
}

static void
test_error_json_capital_message(void)
{
	AwsError	err;
	const char *body = "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\","
		"\"Message\":\"The security token included in the request is invalid.\"}";

	aws_error_clear(&err);
	aws_ddb_parse_error(400, body, strlen(body), &err);
	CHECK(strcmp(err.type, "UnrecognizedClientException") == 0, "coral error type");
	CHECK(strcmp(err.message, "The security token included in the request is invalid.") == 0,
		  "capitalised Message field");
}

static void
test_error_xml(void)
{
	AwsError	err;
	const char *body = "<?xml version=\"1.0\"?><ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
		"<Message>The request signature we calculated does not match</Message></Error></ErrorResponse>";

	aws_error_clear(&err);
	aws_ddb_parse_error(403, body, strlen(body), &err);
	CHECK(strcmp(err.type, "SignatureDoesNotMatch") == 0, "xml error code");
	CHECK(strcmp(err.message, "The request signature we calculated does not match") == 0, "xml message");
}

static void
test_error_garbage(void)
{
	AwsError	err;
	const char *body = "Service Unavailable\r\n\x01";

	aws_error_clear(&err);
	aws_ddb_parse_error(503, body, strlen(body), &err);
	CHECK(strcmp(err.type, "HTTP 503") == 0, "non-JSON body named by status");
	CHECK(strncmp(err.message, "Service Unavailable", 19) == 0, "excerpt of the body");
	CHECK(strchr(err.message, '\x01') == NULL, "control characters removed");
	CHECK(aws_ddb_error_is_retryable(&err), "5xx is retryable");

	aws_error_clear(&err);
	aws_ddb_parse_error(500, "", 0, &err);
	CHECK(strcmp(err.type, "HTTP 500") == 0, "empty body");
}

/* Only AWS error documents are trusted to say something (ddb_bridge shows the rest to superusers only). */
static void
test_error_documents(void)
{
	AwsError	err;
	const char *sts = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error></ErrorResponse>";
	const char *html = "<html><body>INTERNAL-SECRET-PAGE <ErrorResponse><Code>AccessDenied</Code>"
		"<Message>secret</Message></ErrorResponse></body></html>";
	const char *json_page = "{\"message\":\"INTERNAL-SECRET-JSON\"}";
	const char *bad_type = "{\"__type\":\"INTERNAL SECRET\",\"message\":\"secret\"}";
	const char *num_type = "{\"__type\":42,\"message\":\"secret\"}";
	const char *bare = "{\"__type\":\"ThrottlingException\",\"message\":\"slow down\"}";
	const char *xml_hash = "<ErrorResponse><Error><Code>a#B</Code></Error></ErrorResponse>";

	aws_error_clear(&err);
	aws_ddb_parse_error(403, sts, strlen(sts), &err);
	CHECK(!err.foreign_body && strcmp(err.type, "AccessDenied") == 0 &&
		  strcmp(err.message, "not authorized") == 0, "STS ErrorResponse is a document");
	aws_ddb_parse_error(400, html, strlen(html), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "HTML page is not a document");
	aws_ddb_parse_error(400, json_page, strlen(json_page), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "JSON without __type is not a document");
	aws_ddb_parse_error(400, bad_type, strlen(bad_type), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "__type of another form is not a document");
	aws_ddb_parse_error(400, num_type, strlen(num_type), &err);
	CHECK(err.foreign_body, "__type that is not a string is not a document");
	aws_ddb_parse_error(400, bare, strlen(bare), &err);
	CHECK(!err.foreign_body && strcmp(err.type, "ThrottlingException") == 0 &&
		  aws_ddb_error_is_retryable(&err), "bare __type name is a document");
	aws_ddb_parse_error(400, xml_hash, strlen(xml_hash), &err);
	CHECK(err.foreign_body, "XML Code with a namespace is not a document");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "x");
	CHECK(!err.foreign_body, "aws_error_set clears foreign_body");
}

static void
test_retryable(void)
{
	AwsError	err;
	const char *throttled = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"x\"}";
	const char *validation = "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"x\"}";

	aws_error_clear(&err);
	aws_ddb_parse_error(400, throttled, strlen(throttled), &err);
	CHECK(aws_ddb_error_is_retryable(&err), "throughput exceeded is retryable");
	aws_error_clear(&err);
	aws_ddb_parse_error(400, validation, strlen(validation), &err);
	CHECK(!aws_ddb_error_is_retryable(&err), "validation is not retryable");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "Connection reset by peer");
	CHECK(aws_ddb_error_is_retryable(&err), "connection reset is retryable");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "request cancelled");
	CHECK(!aws_ddb_error_is_retryable(&err), "a cancelled request is not retried");
}

static void
test_batch_response(void)
{
	AwsError	err;
	AwsBuf		retry = {0};
	size_t		n = 99;
	const char *none = "{\"UnprocessedItems\":{}}";
	const char *some = "{\"UnprocessedItems\":{\"t/1\":[{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"1\"}}}},"
		"{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"\\u00e9\"}}}}]}}";

	aws_error_clear(&err);
	CHECK(aws_ddb_parse_batch_response(none, strlen(none), &n, &retry, &err) && n == 0,
		  "empty UnprocessedItems");
	CHECK(aws_ddb_parse_batch_response("{}", 2, &n, &retry, &err) && n == 0,
		  "absent UnprocessedItems");
	CHECK(aws_ddb_parse_batch_response(some, strlen(some), &n, &retry, &err) && n == 2,
		  "two unprocessed items counted");
	CHECK(retry.data != NULL && strncmp(retry.data, "{\"RequestItems\":{\"t/1\":[", 24) == 0,
		  "retry body is a BatchWriteItem request, slash not escaped");
	CHECK(retry.data != NULL && strstr(retry.data, "\"DeleteRequest\"") != NULL,
		  "retry body keeps every request");
	CHECK(!aws_ddb_parse_batch_response("{\"UnprocessedItems\":", 20, &n, &retry, &err) &&
		  err.kind == AWS_ERR_PROTOCOL, "truncated response is a protocol error");
	CHECK(!aws_ddb_parse_batch_response("{\"UnprocessedItems\":{\"t\":5}}", 28, &n, &retry, &err),
		  "non-array item list refused");
	CHECK(!aws_ddb_parse_batch_response("[1]", 3, &n, &retry, &err), "non-object refused");
	aws_buf_free(&retry);
}

static void
test_key_schema(void)
{
	AwsError	err;
	AwsDdbKeySchema ks;
	const char *both = "{\"Table\":{\"AttributeDefinitions\":[{\"AttributeName\":\"user_id\",\"AttributeType\":\"N\"},"
		"{\"AttributeName\":\"item\",\"AttributeType\":\"S\"}],"
		"\"KeySchema\":[{\"AttributeName\":\"item\",\"KeyType\":\"RANGE\"},{\"AttributeName\":\"user_id\",\"KeyType\":\"HASH\"}]}}";
	const char *hash_only = "{\"Table\":{\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}}";

	aws_error_clear(&err);
	CHECK(aws_ddb_parse_key_schema(both, strlen(both), &ks, &err), "key schema parsed");
	CHECK(ks.hash_key && strcmp(ks.hash_key, "user_id") == 0 && ks.hash_type == 'N', "hash key and type");
	CHECK(ks.range_key && strcmp(ks.range_key, "item") == 0 && ks.range_type == 'S', "range key and type");
	aws_ddb_key_schema_free(&ks);
	CHECK(aws_ddb_parse_key_schema(hash_only, strlen(hash_only), &ks, &err) &&
		  ks.range_key == NULL && ks.hash_type == '?', "hash-only table, undeclared type");
	aws_ddb_key_schema_free(&ks);
	CHECK(!aws_ddb_parse_key_schema("{\"Table\":{}}", 12, &ks, &err) && ks.hash_key == NULL,
		  "missing KeySchema refused");
	CHECK(!aws_ddb_parse_key_schema("{\"Table\":{\"KeySchema\":[]}}", 26, &ks, &err),
		  "table without a hash key refused");
}

static void
test_default_url(void)
{
	char		url[128];

	aws_ddb_default_url("us-east-2", url, sizeof(url));
	CHECK(strcmp(url, "https://dynamodb.us-east-2.amazonaws.com") == 0, "default endpoint");
	aws_ddb_default_url("cn-north-1", url, sizeof(url));
	CHECK(strcmp(url, "https://dynamodb.cn-north-1.amazonaws.com.cn") == 0, "china endpoint");
}

static void
test_split_url(void)
{
	AwsError	err;
	char		host[64];
	const char *path;

	aws_error_clear(&err);
	CHECK(aws_http_split_url("http://127.0.0.1:8000", host, sizeof(host), &path, &err) &&
		  strcmp(host, "127.0.0.1:8000") == 0 && strcmp(path, "/") == 0, "host with port, no path");
	CHECK(aws_http_split_url("https://h.example/base", host, sizeof(host), &path, &err) &&
		  strcmp(host, "h.example") == 0 && strcmp(path, "/base") == 0, "path kept");
	CHECK(!aws_http_split_url("nourl", host, sizeof(host), &path, &err), "not a URL");
}

#define S(lit) lit, sizeof(lit) - 1

static void
test_json_patch(void)
{
	AwsBuf		out = {0};
	AwsError	err;

	aws_error_clear(&err);
	CHECK(aws_ddb_json_patch(S("{\"id\":{\"N\":\"1\"},\"a\":{\"S\":\"x\"},\"b\":{\"N\":\"2\"}}"),
							 S("{\"b\":{\"N\":\"3\"},\"c\":{\"BOOL\":true}}"),
							 S("{\"a\":true}"), &out, &err) &&
		  strcmp(out.data, "{\"id\":{\"N\":\"1\"},\"b\":{\"N\":\"3\"},\"c\":{\"BOOL\":true}}") == 0,
		  "patch replaces, adds and removes attributes in order");
	CHECK(aws_ddb_json_patch(NULL, 0, S("{\"é/\\\"q\":{\"S\":\"ü\"}}"), NULL, 0, &out, &err) &&
		  strcmp(out.data, "{\"é/\\\"q\":{\"S\":\"ü\"}}") == 0,
		  "patch of nothing keeps names and UTF-8 as they are");
	CHECK(!aws_ddb_json_patch(S("[1]"), NULL, 0, NULL, 0, &out, &err) && err.kind == AWS_ERR_INPUT,
		  "patch refuses a non-object");
	aws_buf_free(&out);
}

static void
test_update_item(void)
{
	AwsBuf		out = {0};
	AwsError	err;

	aws_error_clear(&err);
	CHECK(aws_ddb_build_update_item("t", S("{\"id\":{\"N\":\"1\"}}"),
									S("{\"a b\":{\"S\":\"x\"},\"c\":{\"NULL\":true}}"),
									S("{\"d\":true}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"UpdateExpression\":\"SET #a0 = :v0, #a1 = :v1 REMOVE #a2\","
				 "\"ExpressionAttributeNames\":{\"#a0\":\"a b\",\"#a1\":\"c\",\"#a2\":\"d\"},"
				 "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"x\"},\":v1\":{\"NULL\":true}}}") == 0,
		  "UpdateItem with SET and REMOVE through placeholders");
	CHECK(aws_ddb_build_update_item("t", S("{\"id\":{\"N\":\"1\"}}"), NULL, 0,
									S("{\"d\":true}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"UpdateExpression\":\"REMOVE #a0\",\"ExpressionAttributeNames\":{\"#a0\":\"d\"}}") == 0,
		  "UpdateItem with REMOVE only has no values");
	CHECK(aws_ddb_build_update_item("t", S("{\"id\":{\"N\":\"1\"}}"), NULL, 0, NULL, 0, &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}}}") == 0,
		  "UpdateItem with nothing to change names only the key");
	aws_buf_free(&out);
}

static void
test_profile_file(void)
{
	const char *path = "/tmp/ddb_fdw_unit_credentials";
	FILE	   *f = fopen(path, "w");
	AwsCredentials c;
	AwsError	err;

	fputs("# comment\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key=sd\n"
		  "\n[profile other]\r\n  aws_access_key_id\t= AKIAOTHER  \r\naws_secret_access_key = so\n"
		  "aws_session_token = tok\n[nokey]\naws_access_key_id = AKIANOKEY\n", f);
	fclose(f);
	aws_error_clear(&err);
	CHECK(aws_creds_from_profile(&c, path, "default", &err) &&
		  strcmp(c.access_key_id, "AKIADEFAULT") == 0 && strcmp(c.secret_access_key, "sd") == 0 &&
		  c.session_token == NULL, "profile [default]");
	aws_creds_free(&c);
	CHECK(aws_creds_from_profile(&c, path, "other", &err) &&
		  strcmp(c.access_key_id, "AKIAOTHER") == 0 && strcmp(c.secret_access_key, "so") == 0 &&
		  c.session_token != NULL && strcmp(c.session_token, "tok") == 0,
		  "profile [profile other] with CRLF, tabs and a token");
	aws_creds_free(&c);
	CHECK(!aws_creds_from_profile(&c, path, "nokey", &err) &&
		  strstr(err.message, "lacks aws_secret_access_key") != NULL, "profile without a secret");
	CHECK(!aws_creds_from_profile(&c, path, "absent", &err) &&
		  strstr(err.message, "has no profile \"absent\"") != NULL, "missing profile");
	CHECK(!aws_creds_from_profile(&c, "/nonexistent/credentials", NULL, &err) &&
		  strstr(err.message, "could not open") != NULL, "missing file");
	remove(path);
}

int
main(void)
{
	test_error_json();
	test_error_json_capital_message();
	test_error_xml();
	test_error_garbage();
	test_error_documents();
	test_retryable();
	test_batch_response();
	test_key_schema();
	test_default_url();
	test_split_url();
	test_json_patch();
	test_update_item();
	test_profile_file();
	return unit_summary();
}
