/*
 * ddb_option.h — the option keys of ddb_fdw, their validation, and the
 * resolved settings of one foreign table as seen by one user.
 *
 * Contract: one table in ddb_option.c lists every key with the catalog
 * objects it may appear on; ddb_fdw_validator() checks names, values and
 * required keys at CREATE/ALTER time, before anything is sent anywhere.
 * ddb_resolve_table() merges FOREIGN TABLE over SERVER defaults, and takes
 * secrets only from the USER MAPPING.  Endpoints: a role that is not a
 * superuser may set only AWS's own (aws_endpoint.h); at use, a non-AWS
 * endpoint serves such a role only on a server a superuser owns (the
 * catalog may predate the rule, or its owner have lost superuser).  Keys are spelled as the DynamoDB SQL
 * connector spells them ("table-name", "sink.batch.max-size", ...).
 */
#ifndef DDB_OPTION_H
#define DDB_OPTION_H

#include "nodes/pg_list.h"

/* The connector's aws.credentials.provider values. */
typedef enum DdbCredProvider
{
	DDB_CRED_AUTO = 0,			/* BASIC when the user mapping has keys, else the chain */
	DDB_CRED_BASIC,
	DDB_CRED_ENV_VAR,
	DDB_CRED_SYS_PROP,			/* superuser-only settings ddb_fdw.aws_* */
	DDB_CRED_PROFILE,			/* a shared credentials file of the server's OS user */
	DDB_CRED_ASSUME_ROLE,		/* STS AssumeRole with the next level's credentials */
	DDB_CRED_WEB_IDENTITY_TOKEN,	/* STS AssumeRoleWithWebIdentity, token from a file */
	DDB_CRED_CUSTOM				/* a SQL function returning a credentials document */
} DdbCredProvider;

/*
 * Credentials providers nest through ASSUME_ROLE, as the connector's keys
 * do: level 0 is "aws.credentials.provider" with "aws.credentials.role.*";
 * level k+1 gives the source credentials of level k's role, under the key
 * "<level k prefix>.role.provider" and that key's own ".role.*" keys.
 */
#define DDB_CRED_LEVELS 4

typedef struct DdbCredLevel
{
	DdbCredProvider provider;
	bool		explicit;		/* named by an option (validated at CREATE/ALTER) */
	char	   *role_arn;		/* ASSUME_ROLE, WEB_IDENTITY_TOKEN */
	char	   *session_name;
	char	   *external_id;	/* ASSUME_ROLE */
} DdbCredLevel;

/* The sink.* settings, effective for one table (table over server over default). */
typedef struct DdbSinkSettings
{
	int			batch_max_size;		/* items per BatchWriteItem, 1..25 */
	int			max_inflight;		/* parallel requests */
	int			max_buffered;		/* rows buffered before an early flush */
	int			flush_timeout_ms;	/* age of the oldest buffered row before a flush */
	bool		fail_on_error;		/* no retry of retryable failures */
	bool		ignore_nulls;		/* leave NULL columns out of the item */
	int			http_max_concurrency;	/* cap on open connections */
	int			http_read_timeout_ms;	/* per-request socket read timeout */
	int			max_retries;		/* retries of one batch before the flush fails */
	bool		atomic;				/* "sink.commit-mode" 'atomic': one TransactWriteItems */
	bool		max_buffered_set;	/* "sink.requests.max-buffered" named by an option */
	bool		flush_timeout_set;	/* "sink.flush-buffer.timeout" named, and not 0 */
} DdbSinkSettings;

typedef struct DdbTableOptions
{
	Oid			relid;
	char	   *relname;		/* for messages */
	Oid			serverid;
	Oid			userid;			/* the role whose user mapping applies */
	char	   *table_name;		/* DynamoDB table */
	char	   *region;
	char	   *endpoint;		/* NULL: https://dynamodb.REGION.amazonaws.com */
	bool		trust_all_certificates;
	DdbCredLevel cred[DDB_CRED_LEVELS];	/* from the user mapping if it sets any, else the server */
	bool		has_user_mapping;	/* for the role or PUBLIC */
	char	   *access_key_id;	/* from the user mapping only */
	char	   *secret_key;		/* from the user mapping only; never printed */
	char	   *session_token;	/* from the user mapping only; never printed */
	char	   *profile_path;	/* PROFILE: NULL for the default file */
	char	   *profile_name;	/* PROFILE: NULL for AWS_PROFILE or "default" */
	char	   *web_identity_token_file;	/* NULL: AWS_WEB_IDENTITY_TOKEN_FILE */
	char	   *custom_function;	/* CUSTOM: name of a function (regclass) */
	char	   *sts_endpoint;	/* NULL: https://sts.REGION.amazonaws.com */
	List	   *partitioned_by; /* column names (String nodes), may be NIL */
	char	   *version_column; /* "version-column": the guard's column, or NULL */
	DdbSinkSettings sink;
} DdbTableOptions;

/*
 * SYS_PROP credentials: superuser-only settings, hidden from SHOW for
 * everyone else (the connector's JVM system properties, in PostgreSQL terms).
 */
extern char *ddb_setting_access_key_id;
extern char *ddb_setting_secret_access_key;
extern char *ddb_setting_session_token;
extern void ddb_define_settings(void);

/*
 * Were the settings defined at postmaster start (ddb_fdw in
 * shared_preload_libraries)?  Otherwise a value in the configuration files
 * was readable by every role in sessions that had not loaded ddb_fdw, and
 * SYS_PROP refuses to use it.
 */
extern bool ddb_settings_protected;

/* Resolve everything needed to write to a foreign table as the given role. */
extern DdbTableOptions *ddb_resolve_table(Oid relid, Oid userid);

/* A column option's value, or NULL. */
extern char *ddb_column_option(Oid relid, AttrNumber attnum, const char *keyword);

/*
 * The DynamoDB type an "attribute-type" column option names: a DdbAttrType
 * (ddb_convert.h) numbered 1..9 in the order S, N, B, BOOL, SS, NS, BS, L, M,
 * or -1 for anything else.
 */
extern int	ddb_attribute_type_from_name(const char *name);

/* The DynamoDB attribute name of a column ("attribute-name" column option, else its name). */
extern char *ddb_column_attribute_name(Oid relid, AttrNumber attnum, const char *colname);

/* Split "a, b ,c" into a list of trimmed names; errors name the option. */
extern List *ddb_split_column_list(const char *value, const char *optname);

extern const char *ddb_provider_name(DdbCredProvider provider);

/*
 * ERROR: an early-flush option (keyword) applies together with
 * "sink.commit-mode" 'atomic'; relname NULL when both are on the object
 * being created or altered, else the foreign table they meet on.
 */
extern void ddb_refuse_early_flush(const char *keyword, const char *relname);

/* ERROR: "version-column" meets "sink.commit-mode" 'atomic' (relname as above). */
extern void ddb_refuse_guarded_atomic(const char *relname);

/*
 * Does the provider use the database server's own identity (its
 * environment, settings, files or machine)?  Only superusers may name such
 * a provider in an option, and only then may other roles use it.
 */
extern bool ddb_provider_is_ambient(DdbCredProvider provider);

/* The key prefix of a level of the credentials chain ("aws.credentials", ...), for messages. */
extern const char *ddb_cred_level_prefix(int level);

#endif							/* DDB_OPTION_H */
