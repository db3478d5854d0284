/*
 * aws_error.h — the error record the AWS client modules (aws_*) report through.
 *
 * Contract: the client side never calls ereport (it must not longjmp past
 * libcurl/json-c/OpenSSL objects it owns).  Every fallible aws_* function
 * takes an AwsError *, returns false (or NULL) on failure and fills it in;
 * the PostgreSQL side turns it into an ereport (ddb_bridge.h).  The record
 * is plain fixed-size storage: no ownership, nothing to free.
 */
#ifndef AWS_ERROR_H
#define AWS_ERROR_H

#include <stdbool.h>

typedef enum AwsErrorKind
{
	AWS_OK = 0,
	AWS_ERR_INTERNAL,		/* out of memory, library failure, bug */
	AWS_ERR_INPUT,			/* the caller passed something unusable */
	AWS_ERR_TRANSPORT,		/* no HTTP response: connect, reset, timeout */
	AWS_ERR_SERVICE,		/* the service answered with an error body */
	AWS_ERR_PROTOCOL		/* the service answered something unparseable */
} AwsErrorKind;

typedef struct AwsError
{
	AwsErrorKind kind;
	long		http_status;	/* 0 when no response was received */
	char		type[128];		/* service error type, e.g. ResourceNotFoundException */
	char		message[1024];	/* human readable detail, never holds secrets */
	bool		foreign_body;	/* AWS_ERR_SERVICE: the answer was no AWS error
								 * document (aws_error_parse_document), so type and
								 * message come from whatever answered: shown to
								 * superusers only (ddb_bridge.h) */
	char		reasons[512];	/* DynamoDB's ThrottlingReasons, "reason (resource), ..."; "" if none */
} AwsError;

/* Reset to AWS_OK. */
extern void aws_error_clear(AwsError *err);

/* Record an error (printf-style message); the type is left empty. */
extern void aws_error_set(AwsError *err, AwsErrorKind kind, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Record a service error with its type and message as DynamoDB sent them. */
extern void aws_error_set_service(AwsError *err, long http_status,
								  const char *type, const char *message);

/* Name of the kind, for messages ("transport error", ...). */
extern const char *aws_error_kind_name(AwsErrorKind kind);

#endif							/* AWS_ERROR_H */
