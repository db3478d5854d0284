/*
 * aws_sts.h — temporary credentials from AWS STS (query API, XML answers).
 *
 * Contract: AssumeRole is signed (SigV4, service "sts") with the source
 * credentials; AssumeRoleWithWebIdentity is not signed, the token read from
 * a file proves the identity.  On success *out owns malloc'ed temporary
 * credentials with their expiration (free with aws_creds_free).  STS
 * errors come back as AWS_ERR_SERVICE with STS's error code and message;
 * nothing here logs, and no message carries a secret or the token.
 */
#ifndef AWS_STS_H
#define AWS_STS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_creds.h"
#include "aws_error.h"
#include "aws_http.h"

typedef struct AwsStsEndpoint
{
	const char *url;			/* e.g. https://sts.us-east-2.amazonaws.com */
	const char *region;			/* signing region */
	long		read_timeout_ms;
	bool		insecure;
} AwsStsEndpoint;

/* The regional STS endpoint URL, written into buf. */
extern void aws_sts_default_url(const char *region, char *buf, size_t size);

/* STS AssumeRole as source; external_id may be NULL. */
extern bool aws_sts_assume_role(AwsHttp *http, const AwsStsEndpoint *ep,
								const AwsCredentials *source, const char *role_arn,
								const char *session_name, const char *external_id,
								AwsCredentials *out, AwsError *err);

/* STS AssumeRoleWithWebIdentity with the token held in token_file. */
extern bool aws_sts_assume_role_with_web_identity(AwsHttp *http, const AwsStsEndpoint *ep,
												  const char *token_file, const char *role_arn,
												  const char *session_name,
												  AwsCredentials *out, AwsError *err);

/* Read the <Credentials> of an AssumeRole* response. */
extern bool aws_sts_parse_credentials(const char *body, size_t len,
									  AwsCredentials *out, AwsError *err);

#endif							/* AWS_STS_H */
