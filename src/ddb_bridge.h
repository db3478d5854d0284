/*
 * ddb_bridge.h — the error bridge between the AWS client (aws_*) and
 * PostgreSQL's ereport.
 *
 * Contract: the client reports failures in an AwsError; these functions turn
 * one into an ereport at the given level with a SQLSTATE chosen from
 * DynamoDB's error type, DynamoDB's own type and message kept verbatim in
 * errmsg, the foreign table and operation in errdetail, and advice in
 * errhint.  Secrets never reach them: AwsError messages do not carry any.
 *
 * What the endpoint said is shown only when it is safe to: an answer that
 * is not an AWS error document (err->foreign_body, decided by
 * aws_error_parse_document for DynamoDB and STS alike) came from something other
 * than DynamoDB or STS, maybe a service the endpoint was pointed at to read
 * it, so a role that is not a superuser sees only its HTTP status.  Every
 * error that shows a service answer goes through ddb_error_visible().
 */
#ifndef DDB_BRIDGE_H
#define DDB_BRIDGE_H

#include "aws_error.h"

/*
 * The one route from an AwsError to ereport: every report of a client error
 * goes through ddb_raise_aws_error, which applies ddb_error_visible() and
 * writes the errmsg.  A service error (AWS_ERR_SERVICE, with a service
 * named) reads "<service> error <type>: <message>", any other error
 * "<headline>: <message>"; with message_in_detail the errmsg is the headline
 * alone and the message ends the detail ("<detail>: <message>.").  detail
 * and hint are finished sentences (NULL: none); sqlstate 0 is
 * ERRCODE_FDW_ERROR.
 */
typedef struct DdbAwsReport
{
	int			sqlstate;
	const char *service;		/* "DynamoDB", "STS"; NULL: no service answered */
	const char *headline;		/* "could not reach DynamoDB" */
	const char *detail;
	const char *hint;
	bool		message_in_detail;
} DdbAwsReport;

extern void ddb_raise_aws_error(int elevel, const AwsError *err, const DdbAwsReport *r);

/* ERROR (or lower) for a failed DynamoDB call made for a foreign table. */
extern void ddb_report_aws_error(int elevel, const AwsError *err, const char *operation,
								 const char *table_name, const char *relname);

/* ERROR for a client failure outside any call ("could not create an HTTP client"). */
extern void ddb_report_client_error(const AwsError *err, int sqlstate, const char *headline);

/*
 * err as the current role may see it: err itself, or (for a non-superuser
 * and an answer that is no AWS error document) *buf holding only the HTTP
 * status.
 */
extern const AwsError *ddb_error_visible(const AwsError *err, AwsError *buf);

/*
 * The abort check the client's long waits poll (aws_http transfers,
 * credential_process): non-zero once the user cancelled, the backend must
 * exit or the client has gone away (checked at most once a second on the
 * client's socket, whatever client_connection_check_interval says: a flush
 * can wait minutes), so the wait ends and CHECK_FOR_INTERRUPTS can act.
 */
extern int	ddb_interrupt_pending(void *arg);

/*
 * Wait events shown in pg_stat_activity: "DynamoDBRequest" while a backend
 * waits on the network for DynamoDB, STS or a metadata service,
 * "DynamoDBBackoff" while it sleeps between retries (wait_event_type
 * Extension; before PostgreSQL 17 both are the generic "Extension").
 */
extern uint32 ddb_wait_event_backoff(void);

/* aws_http's wait hook (AwsHttpWaitHook): reports "DynamoDBRequest". */
extern void ddb_network_wait_hook(bool waiting, void *arg);

#endif							/* DDB_BRIDGE_H */
