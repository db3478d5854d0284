/*
 * ddb_creds.c — the credentials chain of a foreign table (ddb_creds.h).
 *
 * Memory: credentials leave the client code (aws_creds, aws_sts,
 * aws_metadata) malloc'ed.  Each step frees what it holds before it can
 * ereport, and the cache of temporary credentials is malloc'ed too, so an
 * error never strands a secret in a memory context nobody wipes.
 */
#include "postgres.h"

#include <time.h>

#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"

#include "aws_metadata.h"
#include "aws_sigv4.h"
#include "aws_sts.h"
#include "ddb_bridge.h"
#include "ddb_creds.h"
#include "ddb_stats.h"

/* Temporary credentials are replaced this long before they expire. */
#define REFRESH_MARGIN_S 300

/* STS needs a session name; the connector's users may give their own. */
#define DEFAULT_SESSION_NAME "ddb_fdw"

typedef struct CachedCreds
{
	char	   *fingerprint;	/* what produced them; holds no secret */
	AwsCredentials creds;
	struct CachedCreds *next;
} CachedCreds;

static CachedCreds *cache = NULL;

static void
cached_free(CachedCreds *c)
{
	aws_creds_free(&c->creds);
	free(c->fingerprint);
	free(c);
}

void
ddb_creds_forget_temporary(void)
{
	while (cache)
	{
		CachedCreds *next = cache->next;

		cached_free(cache);
		cache = next;
	}
}

/* A malloc'ed copy of the cached credentials for fp that are not about to expire. */
static bool
cache_get(const char *fp, AwsCredentials *out)
{
	CachedCreds *c;

	for (c = cache; c; c = c->next)
	{
		AwsError	err;

		if (strcmp(c->fingerprint, fp) != 0)
			continue;
		if (time(NULL) >= c->creds.expiration - REFRESH_MARGIN_S)
			return false;
		aws_error_clear(&err);
		if (!aws_creds_from_keys(out, c->creds.access_key_id, c->creds.secret_access_key,
								 c->creds.session_token, &err))
			return false;
		out->expiration = c->creds.expiration;
		return true;
	}
	return false;
}

/* Remember temporary credentials under fp (nothing happens for long-term ones or without memory). */
static void
cache_put(const char *fp, const AwsCredentials *creds)
{
	CachedCreds **link;
	CachedCreds *c;
	AwsError	err;

	if (creds->expiration == 0)
		return;
	for (link = &cache; *link; link = &(*link)->next)
		if (strcmp((*link)->fingerprint, fp) == 0)
		{
			c = *link;
			*link = c->next;
			cached_free(c);
			break;
		}
	c = calloc(1, sizeof(CachedCreds));
	if (c == NULL)
		return;
	aws_error_clear(&err);
	c->fingerprint = strdup(fp);
	if (c->fingerprint == NULL ||
		!aws_creds_from_keys(&c->creds, creds->access_key_id, creds->secret_access_key,
							 creds->session_token, &err))
	{
		cached_free(c);
		return;
	}
	c->creds.expiration = creds->expiration;
	c->next = cache;
	cache = c;
}

bool
ddb_creds_error_is_expired(const AwsError *err)
{
	return err->kind == AWS_ERR_SERVICE &&
		(strcmp(err->type, "ExpiredTokenException") == 0 ||
		 strcmp(err->type, "ExpiredToken") == 0);
}

/* ---------- the providers ---------- */

/* Keys come from a user mapping: when there is none at all, say so, as postgres_fdw does. */
static void
require_user_mapping(const DdbTableOptions *o)
{
	const char *server;
	const char *user;

	if (o->has_user_mapping)
		return;
	server = GetForeignServer(o->serverid)->servername;
	user = GetUserNameFromId(o->userid, true);
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("user mapping not found for user \"%s\", server \"%s\"",
					user ? user : "?", server),
			 errdetail("Foreign table \"%s\" needs AWS credentials, and ddb_fdw takes them from the user mapping of the role that writes.",
					   o->relname),
			 errhint("Create one with CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (\"aws.credentials.basic.accesskeyid\" '...', \"aws.credentials.basic.secretkey\" '...').",
					 quote_identifier(server))));
}

static void
check_ambient(const DdbTableOptions *o, int level, DdbCredProvider provider)
{
	if (o->cred[level].explicit || superuser_arg(o->userid))
		return;
	if (level == 0 && provider == DDB_CRED_AUTO)
		require_user_mapping(o);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to use the database server's AWS credentials"),
			 errdetail("Credentials provider %s uses the AWS identity of the database server (its environment, settings, files or machine); other roles may use it only when a superuser names the provider in the server's or user mapping's options.",
					   ddb_provider_name(provider)),
			 errhint("Create a user mapping with \"aws.credentials.basic.accesskeyid\" and \"aws.credentials.basic.secretkey\".")));
}

static void
report_missing(const DdbTableOptions *o, DdbCredProvider provider, const AwsError *err)
{
	DdbAwsReport r = {0};

	r.sqlstate = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
	r.headline = psprintf("no AWS credentials for foreign table \"%s\"", o->relname);
	r.detail = psprintf("Credentials provider %s", ddb_provider_name(provider));
	r.message_in_detail = true;
	r.hint = "Create a user mapping with \"aws.credentials.basic.accesskeyid\" and \"aws.credentials.basic.secretkey\", or configure the provider on the server.";
	ddb_raise_aws_error(ERROR, err, &r);
}

static void
report_sts_error(const DdbTableOptions *o, const char *action, const char *role_arn,
				 const AwsError *err)
{
	DdbAwsReport r = {0};

	if (err->kind == AWS_ERR_SERVICE)
	{
		r.sqlstate = strncmp(err->type, "AccessDenied", 12) == 0 ?
			ERRCODE_INSUFFICIENT_PRIVILEGE : ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		r.service = "STS";
		r.detail = psprintf("%s of role \"%s\" for foreign table \"%s\" failed with HTTP status %ld.",
							action, role_arn, o->relname, err->http_status);
		r.hint = "Check the role's trust policy and the source credentials' permission to assume it.";
	}
	else
	{
		r.sqlstate = err->kind == AWS_ERR_TRANSPORT ? ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION :
			ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		r.headline = "could not get temporary credentials from STS";
		r.detail = psprintf("%s of role \"%s\" for foreign table \"%s\".", action, role_arn, o->relname);
		if (err->kind == AWS_ERR_TRANSPORT)
			r.hint = "Check the server's \"aws.sts.endpoint\" and \"aws.region\" and the network.";
	}
	ddb_raise_aws_error(ERROR, err, &r);
}

/* SYS_PROP: the superuser-only settings ddb_fdw.aws_access_key_id and friends. */
static bool
creds_from_settings(AwsCredentials *out, AwsError *err)
{
	if (!ddb_settings_protected)
	{
		memset(out, 0, sizeof(*out));
		aws_error_set(err, AWS_ERR_INPUT,
					  "not used, as ddb_fdw is not in shared_preload_libraries");
		return false;
	}
	if (ddb_setting_access_key_id == NULL || *ddb_setting_access_key_id == '\0' ||
		ddb_setting_secret_access_key == NULL || *ddb_setting_secret_access_key == '\0')
	{
		memset(out, 0, sizeof(*out));
		aws_error_set(err, AWS_ERR_INPUT,
					  "settings ddb_fdw.aws_access_key_id and ddb_fdw.aws_secret_access_key are not both set");
		return false;
	}
	return aws_creds_from_keys(out, ddb_setting_access_key_id, ddb_setting_secret_access_key,
							   (ddb_setting_session_token && *ddb_setting_session_token) ?
							   ddb_setting_session_token : NULL, err);
}

static void
sts_endpoint(const DdbTableOptions *o, AwsStsEndpoint *ep, char *buf, size_t size)
{
	memset(ep, 0, sizeof(*ep));
	if (o->sts_endpoint)
		ep->url = o->sts_endpoint;
	else
	{
		aws_sts_default_url(o->region, buf, size);
		ep->url = buf;
	}
	ep->region = o->region;
	ep->read_timeout_ms = o->sink.http_read_timeout_ms;
	ep->insecure = o->trust_all_certificates;
}

static const char *
env_or(const char *option, const char *variable, const char *fallback)
{
	const char *v;

	if (option != NULL)
		return option;
	v = getenv(variable);
	return (v != NULL && *v != '\0') ? v : fallback;
}

/* Where a web identity's token and role come from: options first, then the SDKs' variables. */
typedef struct WebIdentity
{
	const char *token_file;
	const char *role_arn;
	const char *session_name;
} WebIdentity;

static bool
web_identity_config(const DdbTableOptions *o, int level, WebIdentity *w)
{
	w->token_file = env_or(o->web_identity_token_file, "AWS_WEB_IDENTITY_TOKEN_FILE", NULL);
	w->role_arn = env_or(o->cred[level].role_arn, "AWS_ROLE_ARN", NULL);
	w->session_name = env_or(o->cred[level].session_name, "AWS_ROLE_SESSION_NAME",
							 DEFAULT_SESSION_NAME);
	return w->token_file != NULL && w->role_arn != NULL;
}

static bool
web_identity_fetch(const DdbTableOptions *o, AwsHttp *http, const WebIdentity *w,
				   AwsCredentials *out, StringInfo fp, AwsError *err)
{
	AwsStsEndpoint ep;
	char		url[256];

	sts_endpoint(o, &ep, url, sizeof(url));
	appendStringInfo(fp, "WEB_IDENTITY(%s|%s|%s|%s)", w->token_file, w->role_arn,
					 w->session_name, ep.url);
	if (cache_get(fp->data, out))
		return true;
	ddb_stats.credential_fetches++;
	if (!aws_sts_assume_role_with_web_identity(http, &ep, w->token_file, w->role_arn,
											   w->session_name, out, err))
		return false;
	cache_put(fp->data, out);
	return true;
}

/*
 * The CUSTOM function, found independently of the search_path of whoever
 * writes (who could otherwise put a function of their own first, and have
 * it run with the writer's rights): a qualified name as written; an
 * unqualified one in pg_catalog, then in the foreign table's schema only.
 */
static Oid
custom_function_oid(const DdbTableOptions *o, Oid *argtypes)
{
	List	   *names;
	const char *schemas[2];
	Oid			fn = InvalidOid;
	int			i;

	names = stringToQualifiedNameList(o->custom_function
#if PG_VERSION_NUM >= 160000
									  , NULL
#endif
		);
	if (list_length(names) > 1)
		return LookupFuncName(names, 1, argtypes, false);
	schemas[0] = "pg_catalog";
	schemas[1] = get_namespace_name(get_rel_namespace(o->relid));
	for (i = 0; i < 2 && !OidIsValid(fn); i++)
		fn = LookupFuncName(list_make2(makeString(pstrdup(schemas[i])), linitial(names)),
							1, argtypes, true);
	if (!OidIsValid(fn))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("credentials function %s(regclass) does not exist", o->custom_function),
				 errdetail("An unqualified name in \"aws.credentials.custom.function\" is looked up in pg_catalog and in schema \"%s\" of foreign table \"%s\" only, never in the search_path.",
						   schemas[1], o->relname),
				 errhint("Qualify the name with its schema, such as 'myschema.%s'.", o->custom_function)));
	return fn;
}

/* CUSTOM: call the named function with the foreign table; it returns a credentials document. */
static void
custom_fetch(const DdbTableOptions *o, AwsCredentials *out, StringInfo fp)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Oid			fn;
	Oid			rettype;
	Oid			outfn;
	bool		varlena;
	AclResult	acl;
	FmgrInfo	flinfo;
	Datum		result;
	char	   *text;
	AwsError	err;
	bool		ok;
	LOCAL_FCINFO(fcinfo, 1);

	if (o->custom_function == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("credentials provider CUSTOM needs option \"aws.credentials.custom.function\""),
				 errhint("Name a function that takes the foreign table (regclass) and returns json, jsonb or text with AccessKeyId, SecretAccessKey and optionally SessionToken and Expiration.")));
	fn = custom_function_oid(o, argtypes);
#if PG_VERSION_NUM >= 160000
	acl = object_aclcheck(ProcedureRelationId, fn, o->userid, ACL_EXECUTE);
#else
	acl = pg_proc_aclcheck(fn, o->userid, ACL_EXECUTE);
#endif
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_FUNCTION, get_func_name(fn));
	rettype = get_func_rettype(fn);
	if (rettype != JSONOID && rettype != JSONBOID && rettype != TEXTOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("credentials function %s must return json, jsonb or text", o->custom_function),
				 errdetail("It returns %s.", format_type_be(rettype))));

	appendStringInfo(fp, "CUSTOM(%u|%u|%u)", fn, o->userid, o->relid);
	if (cache_get(fp->data, out))
		return;

	ddb_stats.credential_fetches++;
	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*fcinfo, &flinfo, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(o->relid);
	fcinfo->args[0].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("credentials function %s returned NULL for foreign table \"%s\"",
						o->custom_function, o->relname)));
	getTypeOutputInfo(rettype, &outfn, &varlena);
	text = OidOutputFunctionCall(outfn, result);
	aws_error_clear(&err);
	ok = aws_creds_parse_document(text, strlen(text), "the credentials function", out, &err);
	explicit_bzero(text, strlen(text));
	pfree(text);
	if (!ok)
	{
		DdbAwsReport r = {0};

		r.sqlstate = ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
		r.headline = psprintf("credentials function %s returned unusable credentials",
							  o->custom_function);
		r.hint = "Return an object like {\"AccessKeyId\": \"...\", \"SecretAccessKey\": \"...\", \"SessionToken\": \"...\", \"Expiration\": \"2030-01-01T00:00:00Z\"}.";
		ddb_raise_aws_error(ERROR, &err, &r);
	}
	cache_put(fp->data, out);
}

/* Credentials from the machine (container endpoint or instance metadata), cached under name. */
static bool
machine_source(const char *name, bool (*fetch) (AwsHttp *, AwsCredentials *, AwsError *),
			   AwsHttp *http, AwsCredentials *out, StringInfo fp, AwsError *err)
{
	resetStringInfo(fp);
	appendStringInfoString(fp, name);
	if (cache_get(fp->data, out))
		return true;
	ddb_stats.credential_fetches++;
	if (!fetch(http, out, err))
		return false;
	cache_put(fp->data, out);
	return true;
}

/* AUTO without keys: the chain of the AWS SDKs, first hit wins; reasons collects the misses. */
static bool
auto_chain(const DdbTableOptions *o, AwsHttp *http, AwsCredentials *out, StringInfo fp,
		   StringInfo reasons)
{
	AwsError	err;
	WebIdentity w;

	aws_error_clear(&err);
	appendStringInfoString(fp, "AUTO_ENV");
	if (aws_creds_from_env(out, &err))
		return true;
	appendStringInfo(reasons, "environment: %s; ", err.message);
	resetStringInfo(fp);
	appendStringInfoString(fp, "AUTO_SYS_PROP");
	if (creds_from_settings(out, &err))
		return true;
	appendStringInfo(reasons, "settings: %s; ", err.message);
	resetStringInfo(fp);
	if (web_identity_config(o, 0, &w))
	{
		AwsError	withheld;
		const AwsError *shown;

		if (web_identity_fetch(o, http, &w, out, fp, &err))
			return true;
		shown = ddb_error_visible(&err, &withheld);
		appendStringInfo(reasons, "web identity: %s%s%s; ", shown->type, shown->type[0] ? " " : "",
						 shown->message);
	}
	else
		appendStringInfoString(reasons, "web identity: not configured; ");
	resetStringInfo(fp);
	appendStringInfo(fp, "AUTO_PROFILE(%s|%s)", o->profile_path ? o->profile_path : "",
					 o->profile_name ? o->profile_name : "");
	if (cache_get(fp->data, out))
		return true;
	if (aws_creds_from_profile(out, o->profile_path, o->profile_name, &err))
	{
		cache_put(fp->data, out);
		return true;
	}
	appendStringInfo(reasons, "profile: %s; ", err.message);
	if (aws_metadata_container_configured())
	{
		if (machine_source("AUTO_CONTAINER", aws_metadata_container_credentials, http, out, fp, &err))
			return true;
		appendStringInfo(reasons, "container: %s; ", err.message);
	}
	else
		appendStringInfoString(reasons, "container: not configured; ");
	if (machine_source("AUTO_INSTANCE", aws_metadata_instance_credentials, http, out, fp, &err))
		return true;
	appendStringInfo(reasons, "instance metadata: %s", err.message);
	return false;
}

/*
 * The credentials of level of o's chain, malloc'ed into *out (the caller
 * frees them); fp receives a description of where they came from, without
 * secrets, to key the cache of the level above.
 */
static void
resolve_level(const DdbTableOptions *o, int level, AwsHttp *http, AwsCredentials *out,
			  StringInfo fp)
{
	const DdbCredLevel *l = &o->cred[level];
	DdbCredProvider provider = l->provider;
	bool		have_keys = o->access_key_id != NULL || o->secret_key != NULL;
	AwsError	err;

	memset(out, 0, sizeof(*out));
	aws_error_clear(&err);
	if (provider == DDB_CRED_AUTO && have_keys)
		provider = DDB_CRED_BASIC;
	if (ddb_provider_is_ambient(provider))
		check_ambient(o, level, provider);

	switch (provider)
	{
		case DDB_CRED_BASIC:
			{
				StringInfoData secret;
				char		digest[65];

				if (o->access_key_id == NULL || o->secret_key == NULL)
					require_user_mapping(o);
				if (o->access_key_id == NULL || o->secret_key == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
							 errmsg("user mapping for foreign table \"%s\" lacks %s",
									o->relname,
									o->access_key_id == NULL ? "\"aws.credentials.basic.accesskeyid\"" :
									"\"aws.credentials.basic.secretkey\""),
							 errhint("Set both \"aws.credentials.basic.accesskeyid\" and \"aws.credentials.basic.secretkey\" with ALTER USER MAPPING.")));
				/*
				 * Only a role above needs a cache key (BASIC credentials
				 * are not cached), and it tells keys apart by a digest,
				 * never by the secret.
				 */
				if (level > 0)
				{
					initStringInfo(&secret);
					appendStringInfo(&secret, "%s\n%s", o->secret_key,
									 o->session_token ? o->session_token : "");
					(void) aws_sigv4_sha256_hex(secret.data, secret.len, digest);
					explicit_bzero(secret.data, secret.len);
					pfree(secret.data);
					appendStringInfo(fp, "BASIC(%s|%s)", o->access_key_id, digest);
				}
				if (!aws_creds_from_keys(out, o->access_key_id, o->secret_key, o->session_token, &err))
					report_missing(o, provider, &err);
				return;
			}
		case DDB_CRED_ENV_VAR:
			appendStringInfoString(fp, "ENV_VAR");
			if (!aws_creds_from_env(out, &err))
				report_missing(o, provider, &err);
			return;
		case DDB_CRED_SYS_PROP:
			if (!ddb_settings_protected)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("credentials provider SYS_PROP needs ddb_fdw in shared_preload_libraries"),
						 errdetail("Without it, a setting ddb_fdw.aws_* in the server's configuration is a placeholder that every role can read with SHOW or current_setting() in a session that has not loaded ddb_fdw."),
						 errhint("Add ddb_fdw to shared_preload_libraries in postgresql.conf and restart the server; until then keep the keys out of the configuration.")));
			appendStringInfoString(fp, "SYS_PROP");
			if (!creds_from_settings(out, &err))
				report_missing(o, provider, &err);
			return;
		case DDB_CRED_PROFILE:
			appendStringInfo(fp, "PROFILE(%s|%s)", o->profile_path ? o->profile_path : "",
							 o->profile_name ? o->profile_name : "");
			if (cache_get(fp->data, out))
				return;
			if (!aws_creds_from_profile(out, o->profile_path, o->profile_name, &err))
				report_missing(o, provider, &err);
			cache_put(fp->data, out);
			return;
		case DDB_CRED_WEB_IDENTITY_TOKEN:
			{
				WebIdentity w;

				if (!web_identity_config(o, level, &w))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
							 errmsg("credentials provider WEB_IDENTITY_TOKEN needs a token file and a role"),
							 errdetail("No %s was given.",
									   w.token_file == NULL ?
									   "\"aws.credentials.webIdentityToken.file\" or AWS_WEB_IDENTITY_TOKEN_FILE" :
									   "role ARN option or AWS_ROLE_ARN"),
							 errhint("Set \"aws.credentials.webIdentityToken.file\" and \"%s.role.arn\" on the server.",
									 ddb_cred_level_prefix(level))));
				if (!web_identity_fetch(o, http, &w, out, fp, &err))
					report_sts_error(o, "AssumeRoleWithWebIdentity", w.role_arn, &err);
				return;
			}
		case DDB_CRED_CUSTOM:
			custom_fetch(o, out, fp);
			return;
		case DDB_CRED_ASSUME_ROLE:
			{
				AwsCredentials source;
				AwsStsEndpoint ep;
				char		url[256];
				StringInfoData source_fp;
				bool		ok;

				if (l->role_arn == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
							 errmsg("credentials provider ASSUME_ROLE needs option \"%s.role.arn\"",
									ddb_cred_level_prefix(level)),
							 errhint("Name the role to assume, and its source credentials in \"%s.role.provider\".",
									 ddb_cred_level_prefix(level))));
				if (level + 1 >= DDB_CRED_LEVELS)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("roles can be nested at most %d deep", DDB_CRED_LEVELS - 1)));
				sts_endpoint(o, &ep, url, sizeof(url));
				initStringInfo(&source_fp);
				resolve_level(o, level + 1, http, &source, &source_fp);
				appendStringInfo(fp, "ROLE(%s|%s|%s|%s)<%s", l->role_arn,
								 l->session_name ? l->session_name : DEFAULT_SESSION_NAME,
								 l->external_id ? l->external_id : "", ep.url, source_fp.data);
				pfree(source_fp.data);
				if (cache_get(fp->data, out))
				{
					aws_creds_free(&source);
					return;
				}
				ddb_stats.credential_fetches++;
				ok = aws_sts_assume_role(http, &ep, &source, l->role_arn,
										 l->session_name ? l->session_name : DEFAULT_SESSION_NAME,
										 l->external_id, out, &err);
				aws_creds_free(&source);
				if (!ok)
					report_sts_error(o, "AssumeRole", l->role_arn, &err);
				cache_put(fp->data, out);
				return;
			}
		case DDB_CRED_AUTO:
			{
				StringInfoData reasons;

				initStringInfo(&reasons);
				if (!auto_chain(o, http, out, fp, &reasons))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
							 errmsg("no AWS credentials for foreign table \"%s\"", o->relname),
							 errdetail("Credentials provider AUTO found none: %s.", reasons.data),
							 errhint("Create a user mapping with \"aws.credentials.basic.accesskeyid\" and \"aws.credentials.basic.secretkey\", or configure the provider on the server.")));
				pfree(reasons.data);
				return;
			}
	}
	elog(ERROR, "unknown credentials provider %d", (int) provider);
}

void
ddb_creds_resolve(const DdbTableOptions *o, AwsHttp *http, MemoryContext cxt,
				  AwsCredentials *out)
{
	AwsCredentials found;
	StringInfoData fp;

	aws_creds_set_abort_check(ddb_interrupt_pending, NULL);
	initStringInfo(&fp);
	resolve_level(o, 0, http, &found, &fp);
	pfree(fp.data);
	PG_TRY();
	{
		out->access_key_id = MemoryContextStrdup(cxt, found.access_key_id);
		out->secret_access_key = MemoryContextStrdup(cxt, found.secret_access_key);
		out->session_token = found.session_token ? MemoryContextStrdup(cxt, found.session_token) : NULL;
		out->expiration = found.expiration;
	}
	PG_FINALLY();
	{
		aws_creds_free(&found);
	}
	PG_END_TRY();
}
