/*
 * test_dynamodb.c — unit tests of the DynamoDB response parsers and error
 * classification (aws_dynamodb.c), which read untrusted bytes.  No network.
 */
#include <stdio.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_dynamodb.h"
#include "aws_error_doc.h"
#include "unit_check.h"

static void
test_error_json(void)
{
	AwsError	err;
	const char *body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\","
		"\"message\":\"Requested resource not found\"}";

	aws_error_clear(&err);
	aws_error_parse_document(400, body, strlen(body), &err);
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
	aws_error_parse_document(400, body, strlen(body), &err);
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
	aws_error_parse_document(403, body, strlen(body), &err);
	CHECK(strcmp(err.type, "SignatureDoesNotMatch") == 0, "xml error code");
	CHECK(strcmp(err.message, "The request signature we calculated does not match") == 0, "xml message");
}

static void
test_error_garbage(void)
{
	AwsError	err;
	const char *body = "Service Unavailable\r\n\x01";

	aws_error_clear(&err);
	aws_error_parse_document(503, body, strlen(body), &err);
	CHECK(strcmp(err.type, "HTTP 503") == 0, "non-JSON body named by status");
	CHECK(strncmp(err.message, "Service Unavailable", 19) == 0, "excerpt of the body");
	CHECK(strchr(err.message, '\x01') == NULL, "control characters removed");
	CHECK(aws_ddb_error_is_retryable(&err), "5xx is retryable");

	aws_error_clear(&err);
	aws_error_parse_document(500, "", 0, &err);
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
	aws_error_parse_document(403, sts, strlen(sts), &err);
	CHECK(!err.foreign_body && strcmp(err.type, "AccessDenied") == 0 &&
		  strcmp(err.message, "not authorized") == 0, "STS ErrorResponse is a document");
	aws_error_parse_document(400, html, strlen(html), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "HTML page is not a document");
	aws_error_parse_document(400, json_page, strlen(json_page), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "JSON without __type is not a document");
	aws_error_parse_document(400, bad_type, strlen(bad_type), &err);
	CHECK(err.foreign_body && strcmp(err.type, "HTTP 400") == 0, "__type of another form is not a document");
	aws_error_parse_document(400, num_type, strlen(num_type), &err);
	CHECK(err.foreign_body, "__type that is not a string is not a document");
	aws_error_parse_document(400, bare, strlen(bare), &err);
	CHECK(!err.foreign_body && strcmp(err.type, "ThrottlingException") == 0 &&
		  aws_ddb_error_is_retryable(&err), "bare __type name is a document");
	aws_error_parse_document(400, xml_hash, strlen(xml_hash), &err);
	CHECK(err.foreign_body, "XML Code with a namespace is not a document");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "x");
	CHECK(!err.foreign_body, "aws_error_set clears foreign_body");
}

static void
test_error_throttling_reasons(void)
{
	AwsError	err;
	const char *body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
		"\"message\":\"exceeded\",\"ThrottlingReasons\":[{\"reason\":\"TableWriteProvisionedThroughputExceeded\","
		"\"resource\":\"arn:aws:dynamodb:us-east-1:1:table/t\"},{\"reason\":\"IndexWriteProvisionedThroughputExceeded\"},"
		"7,{\"resource\":\"no reason\"},{\"reason\":\"bad\\u0001char\"}]}";
	const char *odd = "{\"__type\":\"x#ThrottlingException\",\"ThrottlingReasons\":{\"reason\":\"not a list\"}}";
	const char *none = "{\"__type\":\"x#ThrottlingException\"}";

	aws_error_clear(&err);
	aws_error_parse_document(400, body, strlen(body), &err);
	CHECK(strcmp(err.reasons, "TableWriteProvisionedThroughputExceeded (arn:aws:dynamodb:us-east-1:1:table/t), "
				 "IndexWriteProvisionedThroughputExceeded, bad char") == 0, "throttling reasons listed");
	CHECK(strcmp(err.message, "exceeded") == 0, "message kept beside the reasons");
	aws_error_parse_document(400, odd, strlen(odd), &err);
	CHECK(err.reasons[0] == '\0', "reasons that are not a list are left out");
	aws_error_parse_document(400, none, strlen(none), &err);
	CHECK(err.reasons[0] == '\0', "no reasons: empty");
}

static void
test_retryable(void)
{
	AwsError	err;
	const char *throttled = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"x\"}";
	const char *validation = "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"x\"}";

	aws_error_clear(&err);
	aws_error_parse_document(400, throttled, strlen(throttled), &err);
	CHECK(aws_ddb_error_is_retryable(&err), "throughput exceeded is retryable");
	aws_error_clear(&err);
	aws_error_parse_document(400, validation, strlen(validation), &err);
	CHECK(!aws_ddb_error_is_retryable(&err), "validation is not retryable");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "Connection reset by peer");
	CHECK(aws_ddb_error_is_retryable(&err), "connection reset is retryable");
	aws_error_set(&err, AWS_ERR_TRANSPORT, "request cancelled");
	CHECK(!aws_ddb_error_is_retryable(&err), "a cancelled request is not retried");
}

static double wcu;				/* the consumed capacity of the last match() */

/* Run the matcher on body against the three requests below; returns its result. */
static bool
match(const char *body, bool *left, size_t *n, AwsError *err)
{
	static const char *const sent[] = {
		"{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"1\"},\"v\":{\"S\":\"a\"}}}}",
		"{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"\\u00e9\"}}}}",
		"{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"3\"},\"s\":{\"NS\":[\"1.50\",\"2\"]}}}}",
	};
	size_t		lens[3];
	int			i;

	for (i = 0; i < 3; i++)
		lens[i] = strlen(sent[i]);
	aws_error_clear(err);
	wcu = -1;
	return aws_ddb_match_unprocessed(body, strlen(body), "t/1", sent, lens, 3, left, n, &wcu, err);
}

static void
test_batch_response(void)
{
	AwsError	err;
	bool		left[3];
	size_t		n = 99;

	CHECK(match("{\"UnprocessedItems\":{}}", left, &n, &err) && n == 0 && !left[0],
		  "empty UnprocessedItems");
	CHECK(match("{}", left, &n, &err) && n == 0, "absent UnprocessedItems");
	CHECK(match("{\"UnprocessedItems\":{\"t/1\":[]}}", left, &n, &err) && n == 0,
		  "empty list of the table");
	/* member order, number spelling, set order and escapes may differ */
	CHECK(match("{\"UnprocessedItems\":{\"t\\/1\":[{\"PutRequest\":{\"Item\":{\"s\":{\"NS\":[\"2\",\"15e-1\"]},"
				"\"id\":{\"N\":\"3.0\"}}}},{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"\xc3\xa9\"}}}}]}}",
				left, &n, &err) && n == 2 && !left[0] && left[1] && left[2],
		  "two unprocessed requests mapped back to the ones sent");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"2\"}}}}]}}",
				 left, &n, &err) && err.kind == AWS_ERR_PROTOCOL &&
		  strcmp(err.type, AWS_DDB_FORGED_UNPROCESSED) == 0 && strstr(err.message, "not sent") && n == 0,
		  "a request never sent is refused");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"1\"},\"v\":{\"S\":\"b\"}}}}]}}",
				 left, &n, &err) && strstr(err.message, "not sent"),
		  "a sent key with other attributes is refused");
	CHECK(!match("{\"UnprocessedItems\":{\"other\":[{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"\xc3\xa9\"}}}}]}}",
				 left, &n, &err) && strstr(err.message, "table") && strstr(err.message, "other") == NULL,
		  "another table is refused without echoing its name");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[],\"x\":[]}}", left, &n, &err) &&
		  err.kind == AWS_ERR_PROTOCOL, "a second table is refused");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"1\"},\"v\":{\"S\":\"a\"}}}},"
				 "{\"PutRequest\":{\"Item\":{\"v\":{\"S\":\"a\"},\"id\":{\"N\":\"1\"}}}}]}}",
				 left, &n, &err) && strstr(err.message, "twice"),
		  "the same request twice is refused");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[1,2,3,4]}}", left, &n, &err) &&
		  strstr(err.message, "more requests"), "more requests than sent are refused");
	CHECK(!match("{\"UnprocessedItems\":", left, &n, &err) &&
		  err.kind == AWS_ERR_PROTOCOL, "truncated response is a protocol error");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":5}}", left, &n, &err), "non-array item list refused");
	CHECK(!match("[1]", left, &n, &err), "non-object refused");
	CHECK(!match("{\"UnprocessedItems\":{\"t/1\":[{\"PutRequest\":{\"Item\":{\"id\":{\"N\":\"1e0x\"},\"v\":{\"S\":\"a\"}}}}]}}",
				 left, &n, &err), "a malformed number matches nothing");
	aws_error_clear(&err);
	CHECK(!aws_ddb_match_unprocessed("{\"UnprocessedItems\":{\"t\":[{}]}}", 31, "t", NULL, NULL, 0,
									 NULL, &n, &wcu, &err) && err.kind == AWS_ERR_PROTOCOL,
		  "an answer with nothing sent accepts no entry");
	CHECK(aws_ddb_max_response("BatchWriteItem", 10) == 20 + AWS_DDB_RESPONSE_FLOOR &&
		  aws_ddb_max_response("BatchWriteItem", 1000000) == 2000000 + AWS_DDB_RESPONSE_FLOOR &&
		  aws_ddb_max_response("DescribeTable", 100) == AWS_DDB_DESCRIBE_RESPONSE_FLOOR,
		  "response caps sized from the request");
	{
		AwsHttpRequest req = {0};

		req.read_timeout_ms = 3000;
		CHECK(aws_http_deadline_ms(&req) == 3000, "deadline of a small request is the read timeout");
		req.body_len = 16 * 1024 * 1024;
		CHECK(aws_http_deadline_ms(&req) == 3000 + 256000,
			  "a 16 MB request gets one second more per 64 KiB");
	}
}

/* aws_ddb_consumed_wcu on body for table; -1 when it refuses (its *wcu must then be 0) */
static double
consumed(const char *body, const char *table)
{
	double		v = -2;

	if (aws_ddb_consumed_wcu(body, strlen(body), table, &v))
		return v;
	return v == 0 ? -1 : -3;
}

static void
test_consumed_capacity(void)
{
	AwsError	err;
	bool		left[3];
	size_t		n;

	/* the shapes dynalite, moto and DynamoDB answer with */
	CHECK(consumed("{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"CapacityUnits\":4,\"TableName\":\"t\"}]}",
				   "t") == 4, "BatchWriteItem: an array with the table's units");
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\",\"CapacityUnits\":1.0,\"Table\":{\"CapacityUnits\":1.0}}]}",
				   "t") == 1, "INDEXES detail besides the total");
	CHECK(consumed("{\"ConsumedCapacity\":{\"CapacityUnits\":0.5,\"TableName\":\"t\"}}", "t") == 0.5,
		  "UpdateItem: one object");
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"a\",\"CapacityUnits\":4.0,\"WriteCapacityUnits\":4.0},"
				   "{\"TableName\":\"b\",\"WriteCapacityUnits\":2}]}", NULL) == 6,
		  "TransactWriteItems: every table's units summed, WriteCapacityUnits when alone");
	CHECK(consumed("{\"ConsumedCapacity\":[],\"ItemCollectionMetrics\":{}}", NULL) == 0,
		  "an empty array (moto's TransactWriteItems) is none");
	CHECK(consumed("{\"UnprocessedItems\":{}}", "t") == 0 && consumed("{\"ConsumedCapacity\":null}", "t") == 0 &&
		  consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\"}]}", "t") == 0,
		  "absent, null or without units: none, not an error");
	/* what does not fit is not counted at all */
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\",\"CapacityUnits\":-1}]}", "t") == -1,
		  "negative units refused");
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\",\"CapacityUnits\":1e999}]}", "t") == -1,
		  "an infinite number refused");
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\",\"CapacityUnits\":NaN}]}", "t") == -1,
		  "NaN refused");
	CHECK(consumed("{\"ConsumedCapacity\":{\"TableName\":\"t\",\"CapacityUnits\":1e8}}", "t") == -1,
		  "more than AWS_DDB_MAX_CONSUMED_WCU refused");
	CHECK(consumed("{\"ConsumedCapacity\":{\"TableName\":\"t\",\"CapacityUnits\":\"5\"}}", "t") == -1,
		  "a string refused");
	CHECK(consumed("{\"ConsumedCapacity\":{\"TableName\":7,\"CapacityUnits\":5}}", "t") == -1,
		  "a table name that is not a string refused");
	CHECK(consumed("{\"ConsumedCapacity\":[{\"TableName\":\"t\",\"CapacityUnits\":1},"
				   "{\"TableName\":\"other\",\"CapacityUnits\":1}]}", "t") == -1,
		  "another table's entry in a one-table answer refused");
	CHECK(consumed("{\"ConsumedCapacity\":5}", "t") == -1 && consumed("{\"ConsumedCapacity\":[5]}", "t") == -1 &&
		  consumed("[1]", "t") == -1 && consumed("{\"ConsumedCapacity\":", "t") == -1,
		  "neither object nor array, a non-object answer, a truncated one: refused");
	{
		char		big[4096];
		int			i;
		size_t		len = 0;

		len += snprintf(big + len, sizeof(big) - len, "{\"ConsumedCapacity\":[");
		for (i = 0; i <= AWS_DDB_MAX_TRANSACT_ITEMS; i++)
			len += snprintf(big + len, sizeof(big) - len, "%s{\"CapacityUnits\":1}", i ? "," : "");
		snprintf(big + len, sizeof(big) - len, "]}");
		CHECK(consumed(big, NULL) == -1, "more entries than a transaction has tables refused");
	}
	/* through the BatchWriteItem matcher: counted, and never failing the write */
	aws_error_clear(&err);
	CHECK(match("{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"TableName\":\"t/1\",\"CapacityUnits\":3}]}",
				left, &n, &err) && n == 0 && wcu == 3, "the matcher reports the consumed capacity");
	CHECK(match("{\"UnprocessedItems\":{\"t/1\":[{\"DeleteRequest\":{\"Key\":{\"id\":{\"S\":\"\u00e9\"}}}}]},"
				"\"ConsumedCapacity\":[{\"TableName\":\"t/1\",\"CapacityUnits\":2}]}", left, &n, &err) &&
		  n == 1 && left[1] && wcu == 2, "the processed part's capacity beside UnprocessedItems");
	CHECK(match("{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"TableName\":\"t/1\",\"CapacityUnits\":-3}]}",
				left, &n, &err) && n == 0 && wcu == 0, "a bad ConsumedCapacity counts 0 and the write stands");
	CHECK(match("{\"UnprocessedItems\":{}}", left, &n, &err) && wcu == 0, "none: 0");
	CHECK(!match("{\"UnprocessedItems\":{\"x\":[]},\"ConsumedCapacity\":[{\"TableName\":\"t/1\",\"CapacityUnits\":3}]}",
				 left, &n, &err) && wcu == 0, "a refused answer counts nothing");
	/* the usual answers, read without json-c: the same results */
	{
		static const struct
		{
			const char *body;
			bool		ok;
			double		wcu;
		}			cases[] = {
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":25.0,\"TableName\":\"bench\"}],\"UnprocessedItems\":{}}", true, 25},
			{"{\"UnprocessedItems\":{},\"ConsumedCapacity\":[{\"CapacityUnits\":4,\"TableName\":\"bench\"}]}", true, 4},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":2.5e1,\"TableName\":\"bench\"}],\"UnprocessedItems\":{}}", true, 25},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":1e999,\"TableName\":\"bench\"}],\"UnprocessedItems\":{}}", true, 0},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":-1,\"TableName\":\"bench\"}],\"UnprocessedItems\":{}}", true, 0},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":3,\"TableName\":\"other\"}],\"UnprocessedItems\":{}}", true, 0},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":3,\"TableName\":\"bench\"}],\"UnprocessedItems\":{}} ", true, 3},
			{"{\"ConsumedCapacity\":[{\"CapacityUnits\":3,\"TableName\":\"bench\"}],\"UnprocessedItems\":{\"bench\":[{}]}}", false, 0},
		};
		size_t		i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			bool		ok;

			aws_error_clear(&err);
			wcu = -1;
			ok = aws_ddb_match_unprocessed(cases[i].body, strlen(cases[i].body), "bench", NULL, NULL, 0,
										   NULL, &n, &wcu, &err);
			CHECK(ok == cases[i].ok && wcu == cases[i].wcu && n == 0, cases[i].body);
		}
	}
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
				 "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"x\"},\":v1\":{\"NULL\":true}},"
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "UpdateItem with SET and REMOVE through placeholders");
	CHECK(aws_ddb_build_update_item("t", S("{\"id\":{\"N\":\"1\"}}"), NULL, 0,
									S("{\"d\":true}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"UpdateExpression\":\"REMOVE #a0\",\"ExpressionAttributeNames\":{\"#a0\":\"d\"},"
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "UpdateItem with REMOVE only has no values");
	CHECK(aws_ddb_build_update_item("t", S("{\"id\":{\"N\":\"1\"}}"), NULL, 0, NULL, 0, &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "UpdateItem with nothing to change names only the key");
	aws_buf_free(&out);
}

static void
test_guarded_writes(void)
{
	AwsBuf		out = {0};
	AwsError	err;

	aws_error_clear(&err);
	CHECK(aws_ddb_build_guarded_write(AWS_DDB_PUT, "t", S("{\"id\":{\"N\":\"1\"},\"ver\":{\"N\":\"7\"}}"),
									  NULL, 0, NULL, 0, S("{\"ver\":{\"N\":\"7\"}}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Item\":{\"id\":{\"N\":\"1\"},\"ver\":{\"N\":\"7\"}},"
				 "\"ExpressionAttributeNames\":{\"#ver\":\"ver\"},"
				 "\"ExpressionAttributeValues\":{\":ver\":{\"N\":\"7\"}},"
				 "\"ConditionExpression\":\"attribute_not_exists(#ver) OR #ver < :ver\","
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "guarded PutItem: only over an absent or older version");
	CHECK(aws_ddb_build_guarded_write(AWS_DDB_DELETE, "t", S("{\"id\":{\"N\":\"1\"}}"),
									  NULL, 0, NULL, 0, S("{\"up at\":{\"S\":\"2026\"}}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"ExpressionAttributeNames\":{\"#ver\":\"up at\"},"
				 "\"ExpressionAttributeValues\":{\":ver\":{\"S\":\"2026\"}},"
				 "\"ConditionExpression\":\"attribute_not_exists(#ver) OR #ver <= :ver\","
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "guarded DeleteItem: not over a newer version, the name through a placeholder");
	CHECK(aws_ddb_build_guarded_write(AWS_DDB_UPDATE, "t", S("{\"id\":{\"N\":\"1\"}}"),
									  S("{\"a\":{\"S\":\"x\"},\"ver\":{\"N\":\"8\"}}"), S("{\"b\":true}"),
									  S("{\"ver\":{\"N\":\"8\"}}"), &out, &err) &&
		  strcmp(out.data, "{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},"
				 "\"UpdateExpression\":\"SET #a0 = :v0, #a1 = :v1 REMOVE #a2\","
				 "\"ExpressionAttributeNames\":{\"#a0\":\"a\",\"#a1\":\"ver\",\"#a2\":\"b\",\"#ver\":\"ver\"},"
				 "\"ExpressionAttributeValues\":{\":v0\":{\"S\":\"x\"},\":v1\":{\"N\":\"8\"},\":ver\":{\"N\":\"8\"}},"
				 "\"ConditionExpression\":\"attribute_not_exists(#ver) OR #ver < :ver\","
				 "\"ReturnConsumedCapacity\":\"TOTAL\"}") == 0,
		  "guarded UpdateItem: its placeholders and the condition's side by side");
	CHECK(!aws_ddb_build_guarded_write(AWS_DDB_PUT, "t", S("{\"id\":{\"N\":\"1\"}}"), NULL, 0, NULL, 0,
									   S("{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"}}"), &out, &err) &&
		  err.kind == AWS_ERR_INPUT,
		  "a version of two attributes is refused");
	CHECK(!aws_ddb_build_guarded_write(AWS_DDB_PUT, "t", S("[1]"), NULL, 0, NULL, 0,
									   S("{\"v\":{\"N\":\"1\"}}"), &out, &err) &&
		  err.kind == AWS_ERR_INPUT,
		  "a guarded put of a non-object is refused");
	aws_error_clear(&err);
	aws_error_set(&err, AWS_ERR_SERVICE, "The conditional request failed");
	snprintf(err.type, sizeof(err.type), "ConditionalCheckFailedException");
	CHECK(aws_ddb_error_is_condition_failed(&err) && !aws_ddb_error_is_retryable(&err),
		  "ConditionalCheckFailedException is a refused condition, not retried");
	aws_buf_free(&out);
}

static void
test_transact_actions(void)
{
	AwsBuf		out = {0};
	AwsError	err;
	const char *item = "{\"id\":{\"N\":\"1\"},\"v\":{\"S\":\"a\"}}";
	const char *key = "{\"id\":{\"N\":\"1\"}}";
	const char *sets = "{\"v\":{\"S\":\"b\"}}";
	const char *removes = "{\"w\":true}";

	aws_error_clear(&err);
	CHECK(aws_ddb_build_transact_action(AWS_DDB_PUT, "t\"x", item, strlen(item), NULL, 0, NULL, 0,
										&out, &err) &&
		  strcmp(out.data, "{\"Put\":{\"TableName\":\"t\\\"x\",\"Item\":{\"id\":{\"N\":\"1\"},\"v\":{\"S\":\"a\"}}}}") == 0,
		  "Put action, table name escaped");
	CHECK(aws_ddb_build_transact_action(AWS_DDB_DELETE, "t", key, strlen(key), NULL, 0, NULL, 0,
										&out, &err) &&
		  strcmp(out.data, "{\"Delete\":{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}}}}") == 0,
		  "Delete action");
	CHECK(aws_ddb_build_transact_action(AWS_DDB_UPDATE, "t", key, strlen(key), sets, strlen(sets),
										removes, strlen(removes), &out, &err) &&
		  strstr(out.data, "{\"Update\":{\"TableName\":\"t\",\"Key\":{\"id\":{\"N\":\"1\"}},") == out.data &&
		  strstr(out.data, "ReturnConsumedCapacity") == NULL &&
		  strstr(out.data, "\"UpdateExpression\":\"SET #a0 = :v0 REMOVE #a1\"") != NULL &&
		  strstr(out.data, "\"ExpressionAttributeNames\":{\"#a0\":\"v\",\"#a1\":\"w\"}") != NULL,
		  "Update action: the UpdateItem expression");
	CHECK(!aws_ddb_build_transact_action(AWS_DDB_UPDATE, "t", key, strlen(key), NULL, 0, NULL, 0,
										 &out, &err) && err.kind == AWS_ERR_INPUT,
		  "an Update action without an expression is refused");
	CHECK(!aws_ddb_build_transact_action(AWS_DDB_PUT, "t", "[1]", 3, NULL, 0, NULL, 0, &out, &err),
		  "a Put of a non-object is refused");
	aws_buf_free(&out);
}

static void
test_cancellation(void)
{
	AwsDdbCancellation c;
	AwsError	err;
	const char *body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\","
		"\"Message\":\"Transaction cancelled\",\"CancellationReasons\":[{\"Code\":\"None\"},"
		"{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"},"
		"{\"Code\":\"TransactionConflict\",\"Message\":\"bad\\u0001byte\"},7]}";
	char		many[8192];
	size_t		n;
	int			i;

	aws_error_clear(&err);
	CHECK(aws_ddb_parse_cancellation(body, strlen(body), &c, &err) && c.n == 4, "four reasons");
	CHECK(c.n == 4 && strcmp(c.codes[0], "None") == 0 && strcmp(c.messages[0], "") == 0 &&
		  strcmp(c.codes[1], "ConditionalCheckFailed") == 0 &&
		  strcmp(c.messages[1], "The conditional request failed") == 0 &&
		  strcmp(c.messages[2], "bad byte") == 0 && strcmp(c.codes[3], "None") == 0,
		  "codes and printable messages by action; a non-object reason is None");
	CHECK(aws_ddb_cancellation_is_retryable(c.codes[0]) && !aws_ddb_cancellation_is_retryable(c.codes[1]) &&
		  aws_ddb_cancellation_is_retryable(c.codes[2]), "which reasons a retry can clear");
	aws_ddb_cancellation_free(&c);
	CHECK(!aws_ddb_parse_cancellation("{\"message\":\"x\"}", 15, &c, &err) && err.kind == AWS_ERR_PROTOCOL,
		  "no CancellationReasons");
	CHECK(!aws_ddb_parse_cancellation("not json", 8, &c, &err), "not JSON");
	n = (size_t) snprintf(many, sizeof(many), "{\"CancellationReasons\":[");
	for (i = 0; i < 101; i++)
		n += (size_t) snprintf(many + n, sizeof(many) - n, "%s{\"Code\":\"None\"}", i ? "," : "");
	n += (size_t) snprintf(many + n, sizeof(many) - n, "]}");
	CHECK(!aws_ddb_parse_cancellation(many, n, &c, &err) && err.kind == AWS_ERR_PROTOCOL,
		  "more reasons than a transaction has actions");
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
	test_error_throttling_reasons();
	test_retryable();
	test_batch_response();
	test_consumed_capacity();
	test_key_schema();
	test_default_url();
	test_split_url();
	test_json_patch();
	test_update_item();
	test_guarded_writes();
	test_transact_actions();
	test_cancellation();
	test_profile_file();
	return unit_summary();
}
