/*
 * ddb_bridge.h — the error bridge between the AWS client (aws_*) and
 * PostgreSQL's ereport.
 *
 * Contract: the client reports failures in an AwsError; these functions turn
 * one into an ereport at the given level with a SQLSTATE chosen from
 * DynamoDB's error type, DynamoDB's own type and message kept verbatim in
 * errmsg, the foreign table and operation in errdetail, and advice in
 * errhint.  Secrets never reach them: AwsError messages do not carry any.
 */
#ifndef DDB_BRIDGE_H
#define DDB_BRIDGE_H

#include "aws_error.h"

/* ERROR (or lower) for a failed DynamoDB call made for a foreign table. */
extern void ddb_report_aws_error(int elevel, const AwsError *err, const char *operation,
								 const char *table_name, const char *relname);

/*
 * The abort check the client's long waits poll (aws_http transfers,
 * credential_process): non-zero once the user cancelled or the backend must
 * exit, so the wait ends and CHECK_FOR_INTERRUPTS can act.
 */
extern int	ddb_interrupt_pending(void *arg);

#endif							/* DDB_BRIDGE_H */
