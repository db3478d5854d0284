/*
 * ddb_creds.h — the AWS credentials a foreign table's writes are signed with.
 *
 * Contract: ddb_creds_resolve() walks the table's credentials chain
 * (DdbTableOptions.cred, ddb_option.h) for the role the writes run as and
 * fills *out with credentials palloc'ed in cxt.  It enforces the one
 * privilege rule: a provider that uses the database server's own identity
 * (ddb_provider_is_ambient) is used only by superusers, or by anyone when a
 * superuser named it in an option.  Temporary credentials (STS, container,
 * instance metadata, credential_process, CUSTOM) are cached per backend in
 * malloc'ed memory and fetched again 5 minutes before they expire, or
 * right away after ddb_creds_forget_temporary() (DynamoDB said they
 * expired).  A CUSTOM function is found without the writer's search_path:
 * a qualified name as written, an unqualified one in pg_catalog, then the
 * foreign table's schema.  SYS_PROP works only when ddb_fdw was preloaded
 * (ddb_settings_protected).  Failures are ereport(ERROR)s that never show a secret.
 */
#ifndef DDB_CREDS_H
#define DDB_CREDS_H

#include "aws_creds.h"
#include "aws_http.h"
#include "ddb_option.h"

extern void ddb_creds_resolve(const DdbTableOptions *o, AwsHttp *http, MemoryContext cxt,
							  AwsCredentials *out);

/* Drop every cached temporary credential of this backend. */
extern void ddb_creds_forget_temporary(void);

/* Did a request fail because its (temporary) credentials expired? */
extern bool ddb_creds_error_is_expired(const AwsError *err);

#endif							/* DDB_CREDS_H */
