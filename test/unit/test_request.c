/*
 * test_request.c — unit tests of the signed-request layer (aws_request.c),
 * the one place that assembles and signs the headers of a DynamoDB or STS
 * call.  No network: the signature is checked against aws_sigv4_sign over
 * the same headers, the header list and the borrowed request fields
 * directly.
 */
#include <stdio.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_request.h"
#include "unit_check.h"

static const char *
header(const AwsHttpRequest *req, const char *name)
{
	size_t		i;

	for (i = 0; i < req->n_headers; i++)
		if (strcmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

static void
test_signed_json_call(void)
{
	AwsCredentials creds;
	AwsRequestSpec spec;
	AwsSignedRequest sr;
	AwsHttpRequest req;
	AwsSigv4Params p;
	AwsSigv4Result again;
	AwsError	err;
	const char *body = "{\"TableName\":\"t\"}";
	char		prefix[256];
	bool		ok;

	aws_error_clear(&err);
	CHECK(aws_creds_from_keys(&creds, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
							  "session-token", &err), "credentials");
	memset(&spec, 0, sizeof(spec));
	spec.url = "http://127.0.0.1:28000";
	spec.region = "us-east-2";
	spec.service = "dynamodb";
	spec.content_type = "application/x-amz-json-1.0";
	spec.target = "DynamoDB_20120810.DescribeTable";
	spec.creds = &creds;
	spec.body = body;
	spec.body_len = strlen(body);
	spec.read_timeout_ms = 1234;
	spec.max_response_bytes = 99;
	spec.insecure = true;
	ok = aws_request_prepare(&spec, &sr, &req, &err);
	CHECK(ok, "a DynamoDB call is prepared");
	if (!ok)
		return;
	CHECK(req.n_headers == 6, "content type, host, date, target, token and authorization");
	CHECK(strcmp(req.headers[0].name, "Content-Type") == 0 &&
		  strcmp(req.headers[5].name, "Authorization") == 0, "authorization comes last");
	CHECK(header(&req, "Host") && strcmp(header(&req, "Host"), "127.0.0.1:28000") == 0,
		  "Host is the URL's host and port");
	CHECK(header(&req, "X-Amz-Date") && strlen(header(&req, "X-Amz-Date")) == 16,
		  "X-Amz-Date is set");
	CHECK(header(&req, "X-Amz-Target") && strcmp(header(&req, "X-Amz-Target"), spec.target) == 0,
		  "X-Amz-Target as given");
	CHECK(header(&req, "X-Amz-Security-Token") &&
		  strcmp(header(&req, "X-Amz-Security-Token"), "session-token") == 0,
		  "the session token is sent");
	snprintf(prefix, sizeof(prefix),
			 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/%.8s/us-east-2/dynamodb/aws4_request, "
			 "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=",
			 header(&req, "X-Amz-Date"));
	CHECK(strncmp(header(&req, "Authorization"), prefix, strlen(prefix)) == 0,
		  "every header is signed, the token too");

	/* the same headers signed directly give the same signature */
	memset(&p, 0, sizeof(p));
	p.access_key_id = creds.access_key_id;
	p.secret_access_key = creds.secret_access_key;
	p.session_token = creds.session_token;
	p.region = spec.region;
	p.service = spec.service;
	p.amz_date = header(&req, "X-Amz-Date");
	p.normalize_path = true;
	CHECK(aws_sigv4_sign(&p, "POST", "/", req.headers, 5, body, strlen(body), &again, &err) &&
		  strcmp(again.authorization, header(&req, "Authorization")) == 0,
		  "the Authorization is SigV4 over the headers sent and the body");
	aws_sigv4_result_free(&again);

	CHECK(strcmp(req.method, "POST") == 0 && req.url == spec.url && req.body == body &&
		  req.body_len == strlen(body), "method, URL and body");
	CHECK(req.read_timeout_ms == 1234 && req.max_response_bytes == 99 && req.insecure,
		  "timeout, response cap and TLS setting carried over");
	aws_request_release(&sr);
	aws_request_release(&sr);	/* twice is harmless */
	aws_creds_free(&creds);
}

/* An STS form call without credentials, to url. */
static bool
prepare_unsigned(const char *url, AwsSignedRequest *sr, AwsHttpRequest *req, AwsError *err)
{
	AwsRequestSpec spec;

	aws_error_clear(err);
	memset(&spec, 0, sizeof(spec));
	spec.url = url;
	spec.region = "us-east-2";
	spec.service = "sts";
	spec.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	spec.body = "Action=AssumeRoleWithWebIdentity";
	spec.body_len = strlen(spec.body);
	return aws_request_prepare(&spec, sr, req, err);
}

static void
test_unsigned_form_call(void)
{
	AwsSignedRequest sr;
	AwsHttpRequest req;
	AwsError	err;

	CHECK(prepare_unsigned("https://sts.us-east-2.amazonaws.com/", &sr, &req, &err),
		  "an unsigned STS call is prepared");
	CHECK(req.n_headers == 3 && header(&req, "Authorization") == NULL &&
		  header(&req, "X-Amz-Target") == NULL, "no target, no signature without credentials");
	CHECK(strcmp(header(&req, "Host"), "sts.us-east-2.amazonaws.com") == 0, "STS host");
	CHECK(sr.sig.authorization == NULL, "nothing allocated");
	aws_request_release(&sr);

	CHECK(!prepare_unsigned("no-scheme", &sr, &req, &err) && err.kind == AWS_ERR_INPUT,
		  "a URL without a scheme is refused");
	aws_request_release(&sr);
}

int
main(void)
{
	test_signed_json_call();
	test_unsigned_form_call();
	return unit_summary();
}
