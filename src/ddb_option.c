/*
 * ddb_option.c — option table, validator and option resolution (ddb_option.h).
 */
#include "postgres.h"

#include "utils/guc.h"

#include <limits.h>

#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "aws_endpoint.h"
#include "ddb_option.h"

typedef enum DdbOptionKind
{
	OPT_STRING,
	OPT_INT,
	OPT_BOOL,
	OPT_PROVIDER
} DdbOptionKind;

/* Where an option may appear: bit per catalog. */
#define IN_SERVER	0x01
#define IN_MAPPING	0x02
#define IN_TABLE	0x04
#define IN_COLUMN	0x08

typedef struct DdbOption
{
	const char *keyword;
	int			where;
	DdbOptionKind kind;
	int			min_value;		/* OPT_INT only */
	int			max_value;
	bool		secret;			/* only ever in a user mapping, never echoed */
	bool		superuser_only; /* names a server file or weakens security */
	const char *range_hint;		/* why the range is what it is */
} DdbOption;

#define SINK	(IN_SERVER | IN_TABLE)
/* the credentials chain: a user mapping that sets any of these replaces the server's */
#define CREDS	(IN_SERVER | IN_MAPPING)

static const DdbOption ddb_options[] = {
	/* the foreign table: what to write to */
	{"connector", IN_TABLE, OPT_STRING},
	{"table-name", IN_TABLE, OPT_STRING},
	{"partitioned-by", IN_TABLE, OPT_STRING},
	{"version-column", IN_TABLE, OPT_STRING},

	/* the server: where DynamoDB is and how to reach it */
	{"aws.region", IN_SERVER, OPT_STRING},
	{"aws.endpoint", IN_SERVER, OPT_STRING},
	{"aws.trust.all.certificates", IN_SERVER, OPT_BOOL, 0, 0, false, true},

	/* credentials: secrets only in user mappings (server options are public) */
	{"aws.credentials.provider", IN_SERVER | IN_MAPPING, OPT_PROVIDER},
	{"aws.credentials.basic.accesskeyid", IN_MAPPING, OPT_STRING, 0, 0, true},
	{"aws.credentials.basic.secretkey", IN_MAPPING, OPT_STRING, 0, 0, true},
	{"aws.credentials.basic.sessiontoken", IN_MAPPING, OPT_STRING, 0, 0, true},
	{"aws.credentials.profile.path", CREDS, OPT_STRING, 0, 0, false, true},
	{"aws.credentials.profile.name", CREDS, OPT_STRING},
	/* ASSUME_ROLE, nested up to DDB_CRED_LEVELS - 1 roles (ddb_option.h) */
	{"aws.credentials.role.arn", CREDS, OPT_STRING},
	{"aws.credentials.role.sessionName", CREDS, OPT_STRING},
	{"aws.credentials.role.externalId", CREDS, OPT_STRING},
	{"aws.credentials.role.provider", CREDS, OPT_PROVIDER},
	{"aws.credentials.role.provider.role.arn", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.sessionName", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.externalId", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.provider", CREDS, OPT_PROVIDER},
	{"aws.credentials.role.provider.role.provider.role.arn", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.provider.role.sessionName", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.provider.role.externalId", CREDS, OPT_STRING},
	{"aws.credentials.role.provider.role.provider.role.provider", CREDS, OPT_PROVIDER},
	{"aws.credentials.webIdentityToken.file", CREDS, OPT_STRING, 0, 0, false, true},
	{"aws.credentials.custom.function", CREDS, OPT_STRING},
	{"aws.credentials.custom.class", CREDS, OPT_STRING},
	{"aws.sts.endpoint", IN_SERVER, OPT_STRING},

	/* sink settings: server-wide defaults, overridden per foreign table */
	{"sink.batch.max-size", SINK, OPT_INT, 1, 25, false, false,
	"BatchWriteItem accepts at most 25 items per request."},
	{"sink.requests.max-inflight", SINK, OPT_INT, 1, 1000},
	{"sink.requests.max-buffered", SINK, OPT_INT, 1, INT_MAX},
	{"sink.flush-buffer.timeout", SINK, OPT_INT, 0, INT_MAX, false, false,
	"The value is in milliseconds."},
	{"sink.fail-on-error", SINK, OPT_BOOL},
	{"sink.ignore-nulls", SINK, OPT_BOOL},
	{"sink.max-retries", SINK, OPT_INT, 0, 100},
	{"sink.http-client.max-concurrency", SINK, OPT_INT, 1, 100000},
	{"sink.http-client.read-timeout", SINK, OPT_INT, 1, INT_MAX, false, false,
	"The value is in milliseconds."},
	{"sink.commit-mode", SINK, OPT_STRING},

	/* columns */
	{"attribute-name", IN_COLUMN, OPT_STRING},
	{"attribute-type", IN_COLUMN, OPT_STRING},

	{NULL}
};

static const char *const provider_names[] = {
	"AUTO", "BASIC", "ENV_VAR", "SYS_PROP", "PROFILE", "ASSUME_ROLE", "WEB_IDENTITY_TOKEN", "CUSTOM"
};

/* The provider keys of the levels of the chain, level 0 first. */
static const char *const level_prefixes[DDB_CRED_LEVELS] = {
	"aws.credentials",
	"aws.credentials.role.provider",
	"aws.credentials.role.provider.role.provider",
	"aws.credentials.role.provider.role.provider.role.provider"
};

static int
catalog_bit(Oid catalog)
{
	switch (catalog)
	{
		case ForeignServerRelationId:
			return IN_SERVER;
		case UserMappingRelationId:
			return IN_MAPPING;
		case ForeignTableRelationId:
			return IN_TABLE;
		case AttributeRelationId:
			return IN_COLUMN;
		default:
			return 0;			/* the wrapper itself takes no options */
	}
}

static const char *
where_name(int bit)
{
	switch (bit)
	{
		case IN_SERVER:
			return "a foreign server";
		case IN_MAPPING:
			return "a user mapping";
		case IN_TABLE:
			return "a foreign table";
		case IN_COLUMN:
			return "a foreign table column";
		default:
			return "a foreign-data wrapper";
	}
}

static const DdbOption *
find_option(const char *keyword)
{
	const DdbOption *opt;

	for (opt = ddb_options; opt->keyword; opt++)
		if (strcmp(opt->keyword, keyword) == 0)
			return opt;
	return NULL;
}

#define NESTED_ROLE_PREFIX "aws.credentials.role.provider.role."

/* "a", "b", "c" for the hint; "(none)" where nothing is valid. */
static char *
valid_options_list(int bit)
{
	StringInfoData buf;
	const DdbOption *opt;

	bool		nested = false;

	initStringInfo(&buf);
	for (opt = ddb_options; opt->keyword; opt++)
	{
		if (!(opt->where & bit))
			continue;
		/* the keys of nested roles repeat level 0's: name them once, as a pattern */
		if (strncmp(opt->keyword, NESTED_ROLE_PREFIX, strlen(NESTED_ROLE_PREFIX)) == 0)
		{
			nested = true;
			continue;
		}
		appendStringInfo(&buf, "%s\"%s\"", buf.len > 0 ? ", " : "", opt->keyword);
	}
	if (nested)
		appendStringInfoString(&buf, ", and for nested roles the same \"role.*\" keys after \"" NESTED_ROLE_PREFIX "\" (up to two more levels)");
	if (buf.len == 0)
		appendStringInfoString(&buf, "(none)");
	return buf.data;
}

static bool
parse_provider(const char *value, DdbCredProvider *out)
{
	int			i;

	for (i = 0; i < lengthof(provider_names); i++)
	{
		if (pg_strcasecmp(value, provider_names[i]) == 0)
		{
			*out = (DdbCredProvider) i;
			return true;
		}
	}
	return false;
}

const char *
ddb_provider_name(DdbCredProvider provider)
{
	return provider_names[provider];
}

const char *
ddb_cred_level_prefix(int level)
{
	return level_prefixes[level];
}

bool
ddb_provider_is_ambient(DdbCredProvider provider)
{
	switch (provider)
	{
		case DDB_CRED_BASIC:
		case DDB_CRED_ASSUME_ROLE:	/* its source decides */
		case DDB_CRED_CUSTOM:	/* runs as the calling role */
			return false;
		default:
			return true;
	}
}

/*
 * Which level of the chain a credentials option belongs to, and what it
 * sets there ("provider", "role.arn", ...); -1 for other options.
 */
static int
cred_option_level(const char *keyword, const char **field)
{
	int			level;

	for (level = DDB_CRED_LEVELS - 1; level >= 0; level--)
	{
		const char *prefix = level_prefixes[level];
		size_t		n = strlen(prefix);

		if (strncmp(keyword, prefix, n) != 0)
			continue;
		if (level == 0 ? strcmp(keyword + n, ".provider") == 0 : keyword[n] == '\0')
			*field = "provider";
		else if (strncmp(keyword + n, ".role.", 6) == 0 && strchr(keyword + n + 6, '.') == NULL)
			*field = keyword + n + 6;
		else
			continue;
		return level;
	}
	return -1;
}

static int
parse_int_option(const DdbOption *opt, const char *value)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(value, &end, 10);
	while (*end == ' ')
		end++;
	if (end == value || *end != '\0' || errno == ERANGE || v < INT_MIN || v > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for integer option \"%s\": \"%s\"",
						opt->keyword, value),
				 errhint("Give a whole number between %d and %d.", opt->min_value, opt->max_value)));
	if (v < opt->min_value || v > opt->max_value)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value %ld is out of range for option \"%s\"", v, opt->keyword),
				 errdetail("Valid values are between %d and %d.",
						   opt->min_value, opt->max_value),
				 opt->range_hint ? errhint("%s", opt->range_hint) : 0));
	return (int) v;
}

static bool
parse_bool_option(const DdbOption *opt, const char *value)
{
	bool		result;

	if (!parse_bool(value, &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for boolean option \"%s\": \"%s\"",
						opt->keyword, value),
				 errhint("Use true or false.")));
	return result;
}

static void
check_provider_value(const DdbOption *opt, const char *value)
{
	DdbCredProvider provider;
	const char *field;

	if (parse_provider(value, &provider))
	{
		if (provider == DDB_CRED_ASSUME_ROLE &&
			cred_option_level(opt->keyword, &field) == DDB_CRED_LEVELS - 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("roles can be nested at most %d deep", DDB_CRED_LEVELS - 1),
					 errdetail("Option \"%s\" is the last level of the credentials chain.", opt->keyword),
					 errhint("Give the innermost role's source credentials here, for example BASIC.")));
		return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for option \"%s\": \"%s\"", opt->keyword, value),
			 errhint("Valid values are AUTO, BASIC, ENV_VAR, SYS_PROP, PROFILE, ASSUME_ROLE, WEB_IDENTITY_TOKEN and CUSTOM.")));
}

/* Checks that go beyond the value's type. */
/* DynamoDB's rule for table names: 3 to 255 of a-z, A-Z, 0-9, '_', '-' and '.'. */
#define DDB_TABLE_NAME_MIN 3
#define DDB_TABLE_NAME_MAX 255

static void
check_table_name(const char *value)
{
	size_t		len = strlen(value);
	const char *p;

	for (p = value; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			break;
	if (*p == '\0' && len >= DDB_TABLE_NAME_MIN && len <= DDB_TABLE_NAME_MAX)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for option \"table-name\": \"%.64s%s\"", value, len > 64 ? "..." : ""),
			 *p != '\0' ?
			 errdetail("DynamoDB table names consist of the characters a-z, A-Z, 0-9, '_', '-' and '.'; character %d is not one of them.",
					   (int) (p - value) + 1) :
			 errdetail("DynamoDB table names are %d to %d characters long; this one has %zu.",
					   DDB_TABLE_NAME_MIN, DDB_TABLE_NAME_MAX, len),
			 errhint("Name the DynamoDB table exactly as DynamoDB shows it.")));
}

static void
check_string_value(const DdbOption *opt, const char *value)
{
	const char *p;

	if (strcmp(opt->keyword, "aws.region") == 0)
	{
		/* the region becomes part of a host name and of the signing scope */
		for (p = value; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
				break;
		if (*value == '\0' || *p != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"aws.region\": \"%s\"", value),
					 errhint("A region is written like \"us-east-2\": lower-case letters, digits and hyphens.")));
	}
	else if (strcmp(opt->keyword, "aws.endpoint") == 0 || strcmp(opt->keyword, "aws.sts.endpoint") == 0)
	{
		bool		sts = opt->keyword[4] == 's';

		if ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
			strpbrk(value, " \t\r\n") != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"%s\": \"%s\"", opt->keyword, value),
					 errhint("Give a URL such as \"https://%s.us-east-2.amazonaws.com\" or \"http://127.0.0.1:8000\".",
							 sts ? "sts" : "dynamodb")));
	}
	else if (strcmp(opt->keyword, "attribute-type") == 0)
	{
		if (ddb_attribute_type_from_name(value) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"attribute-type\": \"%s\"", value),
					 errhint("Valid values are S, N, B, BOOL, SS, NS, BS, L and M.")));
	}
	else if (strcmp(opt->keyword, "connector") == 0)
	{
		if (strcmp(value, "dynamodb") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"connector\": \"%s\"", value),
					 errhint("ddb_fdw implements only the connector \"dynamodb\".")));
	}
	else if (strcmp(opt->keyword, "partitioned-by") == 0)
		(void) ddb_split_column_list(value, opt->keyword);
	else if (strcmp(opt->keyword, "table-name") == 0)
		check_table_name(value);
	else if (strcmp(opt->keyword, "sink.commit-mode") == 0)
	{
		if (strcmp(value, "batch") != 0 && strcmp(value, "atomic") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"sink.commit-mode\": \"%s\"", value),
					 errhint("Valid values are \"batch\" (BatchWriteItem, the default) and \"atomic\" (one TransactWriteItems per transaction and server).")));
	}
	else if (*value == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must not be empty", opt->keyword)));
}

static void
check_option_value(const DdbOption *opt, const char *value)
{
	switch (opt->kind)
	{
		case OPT_INT:
			(void) parse_int_option(opt, value);
			break;
		case OPT_BOOL:
			(void) parse_bool_option(opt, value);
			break;
		case OPT_PROVIDER:
			check_provider_value(opt, value);
			break;
		case OPT_STRING:
			check_string_value(opt, value);
			break;
	}
}

static void
report_misplaced_option(const DdbOption *opt, const char *keyword, int bit)
{
	if (opt != NULL && opt->secret)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" is only allowed in a user mapping", keyword),
				 errdetail("Options of foreign servers and foreign tables can be read by every role."),
				 errhint("Use CREATE USER MAPPING ... SERVER ... OPTIONS (\"%s\" '...').", keyword)));
	if (opt != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
				 errmsg("option \"%s\" is not valid for %s", keyword, where_name(bit)),
				 errhint("Valid options in this context are: %s.", valid_options_list(bit))));
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
			 errmsg("invalid option \"%s\"", keyword),
			 errhint("Valid options in this context are: %s.", valid_options_list(bit))));
}

/*
 * A role that is not a superuser named (or uses, when server is given) an
 * endpoint that is not AWS's own.
 */
static void
report_endpoint_refused(const char *keyword, const char *url, AwsService service,
						const char *region, const char *server)
{
	const char *svc = aws_service_name(service);

	if (server == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set option \"%s\" to \"%s\"", keyword, url),
				 errdetail("Only a superuser may point a server at an endpoint other than AWS's own %s endpoints for region \"%s\" (https://%s.%s.amazonaws.com, FIPS and VPC endpoint names): any other lets the database server connect wherever its network reaches.",
						   service == AWS_SERVICE_STS ? "STS" : "DynamoDB", region ? region : "",
						   svc, region ? region : "REGION"),
				 errhint("Leave \"%s\" out to use https://%s.%s.amazonaws.com, or ask a superuser to create the server.",
						 keyword, svc, region ? region : "REGION")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to use option \"%s\" of server \"%s\"", keyword, server),
			 errdetail("Endpoint \"%s\" is not one of AWS's own %s endpoints for region \"%s\", and the server's owner is not a superuser; other roles may use such an endpoint only on a server a superuser owns.",
					   url, service == AWS_SERVICE_STS ? "STS" : "DynamoDB", region ? region : ""),
			 errhint("Ask a superuser to own the server, or drop \"%s\" to use https://%s.%s.amazonaws.com.",
					 keyword, svc, region ? region : "REGION")));
}

/*
 * At use, the endpoint rule again: CREATE/ALTER checked whoever set the
 * options then, but the server may predate the rule, or its owner may have
 * been a superuser then and no longer be one.  A non-AWS endpoint is used
 * for a role that is not a superuser only on a server a superuser owns.
 */
static void
check_endpoints(const DdbTableOptions *t, const ForeignServer *server)
{
	if (superuser_arg(t->userid) || superuser_arg(server->owner))
		return;
	if (t->endpoint != NULL && !aws_endpoint_is_aws(t->endpoint, AWS_SERVICE_DYNAMODB, t->region))
		report_endpoint_refused("aws.endpoint", t->endpoint, AWS_SERVICE_DYNAMODB, t->region,
								server->servername);
	if (t->sts_endpoint != NULL && !aws_endpoint_is_aws(t->sts_endpoint, AWS_SERVICE_STS, t->region))
		report_endpoint_refused("aws.sts.endpoint", t->sts_endpoint, AWS_SERVICE_STS, t->region,
								server->servername);
}

char	   *ddb_setting_access_key_id = NULL;
char	   *ddb_setting_secret_access_key = NULL;
char	   *ddb_setting_session_token = NULL;
bool		ddb_settings_protected = false;

void
ddb_define_settings(void)
{
	/*
	 * Loaded at postmaster start, the settings exist (and are protected)
	 * before any session runs.  Loaded later, a value from the configuration
	 * files was a public placeholder until now, which any role could read.
	 */
	ddb_settings_protected = process_shared_preload_libraries_in_progress;

	/* GUC_SUPERUSER_ONLY: SHOW and pg_settings hide them from other roles */
	DefineCustomStringVariable("ddb_fdw.aws_access_key_id",
							   "AWS access key id for credentials provider SYS_PROP.",
							   NULL, &ddb_setting_access_key_id, NULL, PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, NULL, NULL, NULL);
	DefineCustomStringVariable("ddb_fdw.aws_secret_access_key",
							   "AWS secret access key for credentials provider SYS_PROP.",
							   NULL, &ddb_setting_secret_access_key, NULL, PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, NULL, NULL, NULL);
	DefineCustomStringVariable("ddb_fdw.aws_session_token",
							   "AWS session token for credentials provider SYS_PROP.",
							   NULL, &ddb_setting_session_token, NULL, PGC_SUSET,
							   GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, NULL, NULL, NULL);
	if (!ddb_settings_protected && ddb_setting_secret_access_key != NULL &&
		*ddb_setting_secret_access_key != '\0')
		ereport(WARNING,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("setting \"ddb_fdw.aws_secret_access_key\" is readable by every role"),
				 errdetail("ddb_fdw is not in shared_preload_libraries, so in a session that has not loaded it the setting is a placeholder that SHOW and current_setting() show to anyone; credentials provider SYS_PROP refuses it."),
				 errhint("Add ddb_fdw to shared_preload_libraries and restart the server, or remove the key from the configuration.")));
	MarkGUCPrefixReserved("ddb_fdw");
}

PG_FUNCTION_INFO_V1(ddb_fdw_validator);

/*
 * Validate the generic options given to a FOREIGN DATA WRAPPER, SERVER,
 * USER MAPPING, FOREIGN TABLE or column.  On ALTER, PostgreSQL passes the
 * complete resulting list, so required keys are checked here too.
 */
Datum
ddb_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	int			bit = catalog_bit(catalog);
	bool		have_region = false;
	bool		have_table_name = false;
	bool		have_keys = false;
	const char *region = NULL;
	const char *endpoints[2] = {NULL, NULL};	/* by AwsService */
	DdbCredProvider providers[DDB_CRED_LEVELS];
	bool		named[DDB_CRED_LEVELS] = {false};
	bool		atomic = false;
	bool		guarded = false;	/* "version-column" on this object */
	const char *early_flush = NULL;	/* an early-flush option this object sets */
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const DdbOption *opt = find_option(def->defname);
		char	   *value = defGetString(def);
		const char *field;
		int			level;

		if (opt == NULL || !(opt->where & bit))
			report_misplaced_option(opt, def->defname, bit);

		check_option_value(opt, value);

		if (strcmp(opt->keyword, "sink.commit-mode") == 0)
			atomic = strcmp(value, "atomic") == 0;
		else if (strcmp(opt->keyword, "version-column") == 0)
			guarded = true;
		else if (strcmp(opt->keyword, "sink.requests.max-buffered") == 0 ||
				 (strcmp(opt->keyword, "sink.flush-buffer.timeout") == 0 &&
				  parse_int_option(opt, value) != 0))
			early_flush = opt->keyword;

		if (strcmp(opt->keyword, "aws.credentials.custom.class") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("option \"aws.credentials.custom.class\" names a Java class, which PostgreSQL cannot load"),
					 errhint("Write a SQL function that returns the credentials and name it in \"aws.credentials.custom.function\".")));

		/* like file_fdw's filename: the server's files are not every role's to read */
		if (opt->superuser_only && opt->kind != OPT_BOOL && !superuser() &&
			!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to set option \"%s\"", opt->keyword),
					 errdetail("The option names a file on the database server."),
					 errhint("Only superusers and members of pg_read_server_files may set it.")));

		/*
		 * Like postgres_fdw's password_required: naming a provider that uses
		 * the server's own identity grants it to every role that can use
		 * this server or mapping, so only a superuser may do so.
		 */
		if (opt->kind == OPT_PROVIDER && !superuser())
		{
			DdbCredProvider provider = DDB_CRED_BASIC;

			(void) parse_provider(value, &provider);
			if (ddb_provider_is_ambient(provider))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to set option \"%s\" to \"%s\"", opt->keyword, value),
						 errdetail("Credentials provider %s uses the AWS identity of the database server (its environment, settings, files or machine), which only a superuser may grant.",
								   ddb_provider_name(provider)),
						 errhint("Use BASIC with \"aws.credentials.basic.accesskeyid\" and \"aws.credentials.basic.secretkey\" in your user mapping, or ask a superuser to configure the provider.")));
		}

		if (opt->superuser_only && !superuser())
		{
			if (parse_bool_option(opt, value))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("only superuser can set option \"%s\" to true", opt->keyword),
						 errdetail("Accepting any certificate exposes the credentials to whoever can intercept the connection.")));
		}

		if (strcmp(opt->keyword, "aws.region") == 0)
		{
			have_region = true;
			region = value;
		}
		else if (strcmp(opt->keyword, "table-name") == 0)
			have_table_name = true;
		else if (strcmp(opt->keyword, "aws.endpoint") == 0)
			endpoints[AWS_SERVICE_DYNAMODB] = value;
		else if (strcmp(opt->keyword, "aws.sts.endpoint") == 0)
			endpoints[AWS_SERVICE_STS] = value;
		else if (strcmp(opt->keyword, "aws.credentials.basic.accesskeyid") == 0 ||
				 strcmp(opt->keyword, "aws.credentials.basic.secretkey") == 0)
			have_keys = true;
		else if (opt->kind == OPT_PROVIDER &&
				 (level = cred_option_level(opt->keyword, &field)) >= 0)
			named[level] = parse_provider(value, &providers[level]);
	}

	if (atomic && early_flush != NULL)
		ddb_refuse_early_flush(early_flush, NULL);
	if (atomic && guarded)
		ddb_refuse_guarded_atomic(NULL);

	if (catalog == ForeignServerRelationId && !have_region)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"aws.region\" is required for a ddb_fdw server"),
				 errhint("Add OPTIONS (\"aws.region\" 'us-east-2') or the region of your table.")));
	if (catalog == ForeignTableRelationId && !have_table_name)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("option \"table-name\" is required for a ddb_fdw foreign table"),
				 errhint("Add OPTIONS (\"table-name\" '...') naming the DynamoDB table.")));

	if (!superuser())
	{
		int			level;
		int			service;

		/*
		 * ASSUME_ROLE's source defaults to AUTO, which without keys in the
		 * same user mapping is the server's own identity: refused here like
		 * naming it, not only when used.  (On a server the keys would come
		 * from each user mapping, so the source must be named.)
		 */
		for (level = 0; level < DDB_CRED_LEVELS - 1; level++)
			if (named[level] && providers[level] == DDB_CRED_ASSUME_ROLE && !named[level + 1] &&
				!(catalog == UserMappingRelationId && have_keys))
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to set option \"%s%s\" to \"ASSUME_ROLE\" without \"%s.role.provider\"",
								level_prefixes[level], level == 0 ? ".provider" : "",
								level_prefixes[level]),
						 errdetail("The source credentials of ASSUME_ROLE default to AUTO, which without keys in the user mapping uses the AWS identity of the database server, which only a superuser may grant."),
						 errhint("Set \"%s.role.provider\" to BASIC and put the keys in your user mapping.",
								 level_prefixes[level])));

		/*
		 * An endpoint is where the backend connects: anything but AWS's own
		 * names would let any role probe the database server's network
		 * (ddb_resolve_table() checks again when the server is used).
		 */
		for (service = 0; service < 2; service++)
			if (endpoints[service] != NULL &&
				!aws_endpoint_is_aws(endpoints[service], (AwsService) service, region))
				report_endpoint_refused(service == AWS_SERVICE_STS ? "aws.sts.endpoint" : "aws.endpoint",
										endpoints[service], (AwsService) service, region, NULL);
	}

	PG_RETURN_VOID();
}

void
ddb_refuse_guarded_atomic(const char *relname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 relname ?
			 errmsg("foreign table \"%s\" combines \"sink.commit-mode\" 'atomic' with \"version-column\"",
					relname) :
			 errmsg("option \"version-column\" cannot be combined with \"sink.commit-mode\" 'atomic'"),
			 errdetail("A guarded write refused by its version condition is skipped; in a TransactWriteItems it would cancel the whole transaction."),
			 errhint("Drop \"version-column\", or use \"sink.commit-mode\" 'batch'.")));
}

void
ddb_refuse_early_flush(const char *keyword, const char *relname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 relname ?
			 errmsg("foreign table \"%s\" combines \"sink.commit-mode\" 'atomic' with \"%s\"",
					relname, keyword) :
			 errmsg("option \"%s\" cannot be combined with \"sink.commit-mode\" 'atomic'", keyword),
			 errdetail("An atomic transaction is written by one TransactWriteItems at COMMIT; a flush before COMMIT could not be taken back."),
			 errhint("Drop \"%s\"%s, or use \"sink.commit-mode\" 'batch'.", keyword,
					 strcmp(keyword, "sink.flush-buffer.timeout") == 0 ? " (or set it to '0')" : "")));
}

List *
ddb_split_column_list(const char *value, const char *optname)
{
	List	   *result = NIL;
	char	   *copy = pstrdup(value);
	char	   *start = copy;

	for (;;)
	{
		char	   *comma = strchr(start, ',');
		char	   *end;

		if (comma)
			*comma = '\0';
		while (*start == ' ' || *start == '\t')
			start++;
		end = start + strlen(start);
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*start == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value for option \"%s\": \"%s\"", optname, value),
					 errhint("Give a comma-separated list of column names, such as 'user_id, item_id'.")));
		result = lappend(result, makeString(pstrdup(start)));
		if (!comma)
			break;
		start = comma + 1;
	}
	return result;
}

static void
init_sink_defaults(DdbSinkSettings *s)
{
	s->batch_max_size = 25;
	s->max_inflight = 50;
	s->max_buffered = 10000;
	s->flush_timeout_ms = 5000;
	s->fail_on_error = false;
	s->ignore_nulls = false;
	s->http_max_concurrency = 10000;
	s->http_read_timeout_ms = 360000;
	s->max_retries = 10;
}

/* Apply one sink.* option; false when the key is not a sink key. */
static bool
apply_sink_option(DdbSinkSettings *s, const DdbOption *opt, const char *value)
{
	const char *k = opt->keyword;

	if (strncmp(k, "sink.", 5) != 0)
		return false;
	if (strcmp(k, "sink.batch.max-size") == 0)
		s->batch_max_size = parse_int_option(opt, value);
	else if (strcmp(k, "sink.requests.max-inflight") == 0)
		s->max_inflight = parse_int_option(opt, value);
	else if (strcmp(k, "sink.requests.max-buffered") == 0)
	{
		s->max_buffered = parse_int_option(opt, value);
		s->max_buffered_set = true;
	}
	else if (strcmp(k, "sink.flush-buffer.timeout") == 0)
	{
		s->flush_timeout_ms = parse_int_option(opt, value);
		s->flush_timeout_set = s->flush_timeout_ms != 0;
	}
	else if (strcmp(k, "sink.commit-mode") == 0)
		s->atomic = strcmp(value, "atomic") == 0;
	else if (strcmp(k, "sink.fail-on-error") == 0)
		s->fail_on_error = parse_bool_option(opt, value);
	else if (strcmp(k, "sink.ignore-nulls") == 0)
		s->ignore_nulls = parse_bool_option(opt, value);
	else if (strcmp(k, "sink.max-retries") == 0)
		s->max_retries = parse_int_option(opt, value);
	else if (strcmp(k, "sink.http-client.max-concurrency") == 0)
		s->http_max_concurrency = parse_int_option(opt, value);
	else if (strcmp(k, "sink.http-client.read-timeout") == 0)
		s->http_read_timeout_ms = parse_int_option(opt, value);
	else
		elog(ERROR, "sink option \"%s\" has no setting", k);
	return true;
}

/* The user mapping for (userid, server), falling back to PUBLIC; NIL if none. */
static List *
user_mapping_options(Oid userid, Oid serverid, bool *found)
{
	HeapTuple	tp;
	Datum		datum;
	bool		isnull;
	List	   *result = NIL;

	tp = SearchSysCache2(USERMAPPINGUSERSERVER,
						 ObjectIdGetDatum(userid), ObjectIdGetDatum(serverid));
	if (!HeapTupleIsValid(tp))
		tp = SearchSysCache2(USERMAPPINGUSERSERVER,
							 ObjectIdGetDatum(InvalidOid), ObjectIdGetDatum(serverid));
	*found = HeapTupleIsValid(tp);
	if (!HeapTupleIsValid(tp))
		return NIL;
	datum = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
							Anum_pg_user_mapping_umoptions, &isnull);
	if (!isnull)
		result = untransformRelOptions(datum);
	ReleaseSysCache(tp);
	return result;
}

/* Is option keyword part of the credentials chain (not the keys)? */
static bool
is_chain_option(const char *keyword)
{
	const DdbOption *opt = find_option(keyword);

	return opt != NULL && opt->where == CREDS;
}

static bool
mapping_sets_chain(List *mapping)
{
	ListCell   *cell;

	foreach(cell, mapping)
		if (is_chain_option(((DefElem *) lfirst(cell))->defname))
			return true;
	return false;
}

/*
 * The credentials chain from one catalog's options (the server's or a user
 * mapping's).  locations_only takes just the options saying where to look
 * (files, profile, function), which a user mapping may leave to the server;
 * providers and roles always come from one catalog, so that a user mapping
 * cannot point the server's own identity at another role.
 */
static void
apply_cred_options(DdbTableOptions *t, List *options, bool locations_only)
{
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		char	   *value = defGetString(def);
		const char *field;
		int			level = cred_option_level(def->defname, &field);
		DdbCredLevel *l = (level >= 0 && !locations_only) ? &t->cred[level] : NULL;

		if (l != NULL && strcmp(field, "provider") == 0)
			l->explicit = parse_provider(value, &l->provider);
		else if (l != NULL && strcmp(field, "arn") == 0)
			l->role_arn = value;
		else if (l != NULL && strcmp(field, "sessionName") == 0)
			l->session_name = value;
		else if (l != NULL && strcmp(field, "externalId") == 0)
			l->external_id = value;
		else if (strcmp(def->defname, "aws.credentials.profile.path") == 0)
			t->profile_path = value;
		else if (strcmp(def->defname, "aws.credentials.profile.name") == 0)
			t->profile_name = value;
		else if (strcmp(def->defname, "aws.credentials.webIdentityToken.file") == 0)
			t->web_identity_token_file = value;
		else if (strcmp(def->defname, "aws.credentials.custom.function") == 0)
			t->custom_function = value;
	}
}

DdbTableOptions *
ddb_resolve_table(Oid relid, Oid userid)
{
	DdbTableOptions *t = palloc0(sizeof(DdbTableOptions));
	ForeignTable *table = GetForeignTable(relid);
	ForeignServer *server = GetForeignServer(table->serverid);
	List	   *mapping = user_mapping_options(userid, table->serverid, &t->has_user_mapping);
	List	   *layers[2];
	ListCell   *cell;
	int			i;

	t->relid = relid;
	t->relname = get_rel_name(relid);
	t->serverid = table->serverid;
	t->userid = userid;
	init_sink_defaults(&t->sink);
	if (mapping_sets_chain(mapping))
	{
		apply_cred_options(t, server->options, true);
		apply_cred_options(t, mapping, false);
	}
	else
		apply_cred_options(t, server->options, false);

	/* table settings override server settings: apply the server's first */
	layers[0] = server->options;
	layers[1] = table->options;
	for (i = 0; i < 2; i++)
	{
		foreach(cell, layers[i])
		{
			DefElem    *def = (DefElem *) lfirst(cell);
			const DdbOption *opt = find_option(def->defname);
			char	   *value = defGetString(def);

			if (opt == NULL)
				continue;		/* the validator let nothing else in */
			if (apply_sink_option(&t->sink, opt, value))
				continue;
			if (strcmp(opt->keyword, "table-name") == 0)
				t->table_name = value;
			else if (strcmp(opt->keyword, "aws.region") == 0)
				t->region = value;
			else if (strcmp(opt->keyword, "aws.endpoint") == 0)
				t->endpoint = value;
			else if (strcmp(opt->keyword, "aws.trust.all.certificates") == 0)
				t->trust_all_certificates = parse_bool_option(opt, value);
			else if (strcmp(opt->keyword, "partitioned-by") == 0)
				t->partitioned_by = ddb_split_column_list(value, opt->keyword);
			else if (strcmp(opt->keyword, "version-column") == 0)
				t->version_column = value;
			else if (strcmp(opt->keyword, "aws.sts.endpoint") == 0)
				t->sts_endpoint = value;
		}
	}

	foreach(cell, mapping)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		char	   *value = defGetString(def);

		if (strcmp(def->defname, "aws.credentials.basic.accesskeyid") == 0)
			t->access_key_id = value;
		else if (strcmp(def->defname, "aws.credentials.basic.secretkey") == 0)
			t->secret_key = value;
		else if (strcmp(def->defname, "aws.credentials.basic.sessiontoken") == 0)
			t->session_token = value;
	}

	/*
	 * Atomic: nothing is flushed before COMMIT.  An early-flush option met
	 * from another object (server and table) is refused here, at the
	 * statement; the defaults simply do not apply.
	 */
	if (t->sink.atomic)
	{
		if (t->sink.max_buffered_set)
			ddb_refuse_early_flush("sink.requests.max-buffered", t->relname);
		if (t->sink.flush_timeout_set)
			ddb_refuse_early_flush("sink.flush-buffer.timeout", t->relname);
		t->sink.max_buffered = INT_MAX;
		t->sink.flush_timeout_ms = 0;
		if (t->version_column != NULL)
			ddb_refuse_guarded_atomic(t->relname);
	}

	if (t->table_name == NULL || t->region == NULL)
		elog(ERROR, "foreign table \"%s\" lacks \"table-name\" or its server lacks \"aws.region\"",
			 t->relname);
	check_endpoints(t, server);
	return t;
}

char *
ddb_column_option(Oid relid, AttrNumber attnum, const char *keyword)
{
	List	   *options = GetForeignColumnOptions(relid, attnum);
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);

		if (strcmp(def->defname, keyword) == 0)
			return defGetString(def);
	}
	return NULL;
}

char *
ddb_column_attribute_name(Oid relid, AttrNumber attnum, const char *colname)
{
	char	   *name = ddb_column_option(relid, attnum, "attribute-name");

	return name ? name : pstrdup(colname);
}

int
ddb_attribute_type_from_name(const char *name)
{
	static const char *const names[] = {"S", "N", "B", "BOOL", "SS", "NS", "BS", "L", "M"};
	int			i;

	for (i = 0; i < (int) lengthof(names); i++)
		if (pg_strcasecmp(name, names[i]) == 0)
			return i + 1;		/* DdbAttrType: 0 is "by the column's type" */
	return -1;
}
