/*
 * aws_request.h — one request to an AWS service, its headers assembled and
 * signed in one place for every service the client calls (DynamoDB's JSON
 * API, STS's query API).
 *
 * Contract: aws_request_prepare() writes the request's headers into an
 * AwsSignedRequest — Content-Type, Host (from the URL), X-Amz-Date (now),
 * X-Amz-Target when the spec names one and, when credentials are given,
 * X-Amz-Security-Token (if they carry a session token) and the SigV4
 * Authorization over all of them and the body — and points an
 * AwsHttpRequest at them, ready for aws_http_post(_many).  Without
 * credentials the request goes unsigned (AssumeRoleWithWebIdentity, whose
 * token is the proof).  The AwsHttpRequest borrows from the
 * AwsSignedRequest and from the spec's url, content_type, target and body:
 * all must outlive the transfer.  aws_request_release() frees what the
 * signature allocated; it is safe after a failure and on a zeroed one.
 * Nothing here logs; the secret key only enters aws_sigv4_sign.
 */
#ifndef AWS_REQUEST_H
#define AWS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_creds.h"
#include "aws_error.h"
#include "aws_http.h"
#include "aws_sigv4.h"

typedef struct AwsRequestSpec
{
	const char *url;			/* https://dynamodb.us-east-2.amazonaws.com */
	const char *region;			/* signing region */
	const char *service;		/* signing name: "dynamodb", "sts" */
	const char *content_type;
	const char *target;			/* X-Amz-Target (JSON APIs), NULL for none */
	const AwsCredentials *creds;	/* NULL: the request goes unsigned */
	const char *body;
	size_t		body_len;
	long		read_timeout_ms;
	size_t		max_response_bytes; /* 0: aws_http's default */
	bool		insecure;
} AwsRequestSpec;

/* Content-Type, Host, X-Amz-Date, X-Amz-Target, X-Amz-Security-Token, Authorization */
#define AWS_REQUEST_MAX_HEADERS 6

typedef struct AwsSignedRequest
{
	char		host[256];
	char		amz_date[17];
	AwsHeader	headers[AWS_REQUEST_MAX_HEADERS];
	AwsSigv4Result sig;
} AwsSignedRequest;

extern bool aws_request_prepare(const AwsRequestSpec *spec, AwsSignedRequest *sr,
								AwsHttpRequest *req, AwsError *err);
extern void aws_request_release(AwsSignedRequest *sr);

#endif							/* AWS_REQUEST_H */
