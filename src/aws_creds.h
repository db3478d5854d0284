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
#include <stddef.h>
#include <time.h>

#include "aws_error.h"

typedef struct AwsCredentials
{
	char	   *access_key_id;
	char	   *secret_access_key;
	char	   *session_token;	/* NULL for long-term keys */
	time_t		expiration;		/* 0: does not expire */
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
 * [profile NAME], as the config file spells it).  A profile without keys
 * but with credential_process runs that program (aws_creds_from_process).
 * When no path was given and the credentials file lacks the profile, the
 * config file (AWS_CONFIG_FILE, else $HOME/.aws/config) is read the same way.
 */
extern bool aws_creds_from_profile(AwsCredentials *out, const char *path, const char *profile,
								   AwsError *err);

/*
 * Run command with /bin/sh and read the credential_process JSON document it
 * prints ({"Version":1,"AccessKeyId":...,"SecretAccessKey":...,
 * "SessionToken":...,"Expiration":"2026-01-01T00:00:00Z"}).  A non-zero
 * exit status, a malformed document, a run longer than
 * aws_creds_process_timeout_ms or the abort check firing is an error (the
 * program is killed); the output is wiped.
 */
extern bool aws_creds_from_process(AwsCredentials *out, const char *command, AwsError *err);

/* true (the default): credential_process runs; the fuzz harness turns it off. */
extern bool aws_creds_run_processes;

/* A credential_process still running after this long is killed (default 60 s). */
extern int	aws_creds_process_timeout_ms;

/* Polled while a credential_process runs: non-zero kills it (a query cancel). */
extern void aws_creds_set_abort_check(int (*check) (void *arg), void *arg);

/*
 * Parse the JSON credentials document that credential_process programs,
 * the ECS container endpoint and EC2 instance metadata all return
 * (AccessKeyId, SecretAccessKey, SessionToken or Token, Expiration).
 * what names the source in error messages.
 */
extern bool aws_creds_parse_document(const char *body, size_t len, const char *what,
									 AwsCredentials *out, AwsError *err);

/* Parse an ISO 8601 UTC time ("2026-01-01T00:00:00Z", fractions and +00:00 allowed). */
extern bool aws_creds_parse_time(const char *text, time_t *out);

extern void aws_creds_free(AwsCredentials *creds);

/* Wipe and free a malloc'ed string that held a secret (NULL is fine). */
extern void aws_secret_free(char *s);

#endif							/* AWS_CREDS_H */
