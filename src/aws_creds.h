/*
 * aws_creds.h — AWS credentials and the providers that find them.
 *
 * Contract: an AwsCredentials owns malloc'ed copies of its strings; free it
 * with aws_creds_free on every path.  Providers never print key material:
 * their error messages name the missing variable, not its value.  Which
 * provider a role may use is decided by the PostgreSQL side (ddb_writer.c),
 * not here.
 */
#ifndef AWS_CREDS_H
#define AWS_CREDS_H

#include <stdbool.h>

#include "aws_error.h"

typedef struct AwsCredentials
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL for long-term keys */
} AwsCredentials;

/* Copy explicit keys (BASIC); token may be NULL. */
extern bool aws_creds_from_keys(AwsCredentials *out, const char *access_key_id,
								const char *secret_access_key, const char *session_token,
								AwsError *err);

/* AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN of this process (ENV_VAR). */
extern bool aws_creds_from_env(AwsCredentials *out, AwsError *err);

/*
 * A profile of a shared credentials file (PROFILE): path NULL means
 * AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials; profile NULL
 * means AWS_PROFILE, else "default".  Reads aws_access_key_id,
 * aws_secret_access_key and aws_session_token of section [profile] (or
 * [profile NAME], as the config file spells it).
 */
extern bool aws_creds_from_profile(AwsCredentials *out, const char *path, const char *profile,
								   AwsError *err);

extern void aws_creds_free(AwsCredentials *creds);

#endif							/* AWS_CREDS_H */
