/*
 * aws_sigv4.h — AWS Signature Version 4, header form.
 *
 * Contract: aws_sigv4_sign() computes the canonical request, the string to
 * sign, the signature and the Authorization header value for one request.
 * It signs exactly the headers it is given (names in any case, duplicates
 * allowed): the caller includes Host and X-Amz-Date — equal to
 * params->amz_date — and, when the credentials carry a session token that
 * must be signed, X-Amz-Security-Token.  The result's strings are malloc'ed
 * and released by aws_sigv4_result_free, also after a failure.  Nothing is
 * logged; the secret key only enters HMAC computations.  It passes the public
 * SigV4 test suite (test/unit/test_sigv4.c).
 */
#ifndef AWS_SIGV4_H
#define AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_error.h"

typedef struct AwsHeader
{
	const char *name;
	const char *value;
} AwsHeader;

typedef struct AwsSigv4Params
{
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;	/* informational: sign it by passing the header */
	const char *region;			/* "us-east-1" */
	const char *service;		/* "dynamodb" */
	const char *amz_date;		/* "20150830T123600Z", as in the X-Amz-Date header */
	bool		normalize_path; /* true for every service but S3 */
} AwsSigv4Params;

typedef struct AwsSigv4Result
{
	char	   *canonical_request;
	char	   *string_to_sign;
	char	   *signature;		/* 64 lower-case hex digits */
	char	   *authorization;	/* the Authorization header's value */
} AwsSigv4Result;

/* path_and_query is the request target, e.g. "/" or "/a/b?x=1&y". */
extern bool aws_sigv4_sign(const AwsSigv4Params *p, const char *method,
						   const char *path_and_query,
						   const AwsHeader *headers, size_t n_headers,
						   const void *payload, size_t payload_len,
						   AwsSigv4Result *out, AwsError *err);
extern void aws_sigv4_result_free(AwsSigv4Result *r);

/* "YYYYMMDDTHHMMSSZ" in UTC. */
extern void aws_sigv4_format_amz_date(time_t t, char out[17]);

/* Lower-case hex SHA-256 of data. */
extern bool aws_sigv4_sha256_hex(const void *data, size_t len, char out[65]);

#endif							/* AWS_SIGV4_H */
