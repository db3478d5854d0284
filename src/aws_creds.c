/* aws_creds.c — see aws_creds.h */
#include "aws_creds.h"

#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

bool
aws_creds_from_keys(AwsCredentials *out, const char *access_key_id,
					const char *secret_access_key, const char *session_token,
					AwsError *err)
{
	memset(out, 0, sizeof(*out));
	if (access_key_id == NULL || *access_key_id == '\0' ||
		secret_access_key == NULL || *secret_access_key == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT, "an access key id and a secret key are both required");
		return false;
	}
	out->access_key_id = strdup(access_key_id);
	out->secret_access_key = strdup(secret_access_key);
	if (session_token && *session_token)
		out->session_token = strdup(session_token);
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
		(session_token && *session_token && out->session_token == NULL))
	{
		aws_creds_free(out);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	return true;
}

bool
aws_creds_from_env(AwsCredentials *out, AwsError *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");

	memset(out, 0, sizeof(*out));
	if (id == NULL || *id == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "environment variable AWS_ACCESS_KEY_ID is not set in the server process");
		return false;
	}
	if (secret == NULL || *secret == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "environment variable AWS_SECRET_ACCESS_KEY is not set in the server process");
		return false;
	}
	return aws_creds_from_keys(out, id, secret, getenv("AWS_SESSION_TOKEN"), err);
}

void
aws_creds_free(AwsCredentials *creds)
{
	/* wipe secrets before handing the memory back */
	if (creds->secret_access_key)
		explicit_bzero(creds->secret_access_key, strlen(creds->secret_access_key));
	if (creds->session_token)
		explicit_bzero(creds->session_token, strlen(creds->session_token));
	free(creds->access_key_id);
	free(creds->secret_access_key);
	free(creds->session_token);
	memset(creds, 0, sizeof(*creds));
}
