/*
 * test_creds.c — unit tests of the credentials sources that need no
 * network: credentials documents (credential_process, ECS, instance
 * metadata), STS responses, ISO 8601 expirations, credential_process
 * programs, the config-file fallback of profiles, and the refusals of the
 * metadata module.  Ends with "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_creds.h"
#include "aws_http.h"
#include "aws_metadata.h"
#include "aws_sts.h"
#include "unit_check.h"

static void
test_time(void)
{
	time_t		t = 0;

	CHECK(aws_creds_parse_time("2030-01-01T00:00:00Z", &t) && t == 1893456000, "time Z");
	CHECK(aws_creds_parse_time("2030-01-01T00:00:00.123456Z", &t) && t == 1893456000, "time with fraction");
	CHECK(aws_creds_parse_time("2030-01-01T00:00:00+00:00", &t) && t == 1893456000, "time +00:00");
	CHECK(!aws_creds_parse_time("2030-01-01T00:00:00+02:00", &t), "time in another zone refused");
	CHECK(!aws_creds_parse_time("2030-01-01", &t), "date alone refused");
	CHECK(!aws_creds_parse_time("", &t), "empty time refused");
}

static void
test_document(void)
{
	AwsCredentials c;
	AwsError	err;
	const char *process = "{\"Version\": 1, \"AccessKeyId\": \"ASIA1\", \"SecretAccessKey\": \"s1\","
		" \"SessionToken\": \"t1\", \"Expiration\": \"2030-01-01T00:00:00Z\"}";
	const char *ecs = "{\"Code\": \"Success\", \"AccessKeyId\": \"ASIA2\", \"SecretAccessKey\": \"s2\","
		" \"Token\": \"t2\", \"Expiration\": \"2030-01-01T00:00:00Z\"}";
	const char *longterm = "{\"AccessKeyId\": \"AKIA3\", \"SecretAccessKey\": \"s3\"}";

	aws_error_clear(&err);
	CHECK(aws_creds_parse_document(process, strlen(process), "p", &c, &err) &&
		  strcmp(c.access_key_id, "ASIA1") == 0 && strcmp(c.session_token, "t1") == 0 &&
		  c.expiration == 1893456000, "credential_process document");
	aws_creds_free(&c);
	CHECK(aws_creds_parse_document(ecs, strlen(ecs), "p", &c, &err) &&
		  strcmp(c.secret_access_key, "s2") == 0 && strcmp(c.session_token, "t2") == 0,
		  "container/instance document (Token)");
	aws_creds_free(&c);
	CHECK(aws_creds_parse_document(longterm, strlen(longterm), "p", &c, &err) &&
		  c.session_token == NULL && c.expiration == 0, "document without token or expiration");
	aws_creds_free(&c);
	CHECK(!aws_creds_parse_document("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}",
									60, "p", &c, &err) && strstr(err.message, "Version 2") != NULL,
		  "unknown Version refused");
	CHECK(!aws_creds_parse_document("{\"AccessKeyId\": \"A\"}", 20, "the thing", &c, &err) &&
		  strcmp(err.message, "the thing returned no SecretAccessKey") == 0, "missing secret named");
	CHECK(!aws_creds_parse_document("not json", 8, "p", &c, &err) && err.kind == AWS_ERR_PROTOCOL,
		  "not JSON refused");
	CHECK(!aws_creds_parse_document("[1]", 3, "p", &c, &err), "JSON array refused");
	CHECK(!aws_creds_parse_document("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\", \"Expiration\": \"soon\"}",
									66, "p", &c, &err) && strstr(err.message, "Expiration") != NULL,
		  "unreadable Expiration refused");
	CHECK(!aws_creds_parse_document("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"supersecret\", \"Expiration\": 5}",
									70, "p", &c, &err) || strstr(err.message, "supersecret") == NULL,
		  "no secret in messages");
	aws_creds_free(&c);
}

static void
test_sts(void)
{
	AwsCredentials c;
	AwsError	err;
	const char *ok = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
		"<SecretAccessKey>sx</SecretAccessKey><SessionToken>tx</SessionToken>"
		"<Expiration>2030-01-01T00:00:00.5Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
	const char *no_token = "<X><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		"<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></X>";

	aws_error_clear(&err);
	CHECK(aws_sts_parse_credentials(ok, strlen(ok), &c, &err) && strcmp(c.access_key_id, "ASIAX") == 0 &&
		  strcmp(c.session_token, "tx") == 0 && c.expiration == 1893456000, "STS credentials");
	aws_creds_free(&c);
	CHECK(!aws_sts_parse_credentials(no_token, strlen(no_token), &c, &err) &&
		  strstr(err.message, "SessionToken") != NULL, "STS answer without a token refused");
	CHECK(!aws_sts_parse_credentials("<html>", 6, &c, &err) &&
		  strstr(err.message, "<Credentials>") != NULL, "STS answer without credentials refused");
	CHECK(!aws_sts_parse_credentials(ok, 40, &c, &err), "truncated STS answer refused");
}

static int
always_abort(void *arg)
{
	(void) arg;
	return 1;
}

static void
test_process(void)
{
	AwsCredentials c;
	AwsError	err;

	aws_error_clear(&err);
	CHECK(aws_creds_from_process(&c, "printf '{\"Version\":1,\"AccessKeyId\":\"AKP\",\"SecretAccessKey\":\"sp\"}'", &err) &&
		  strcmp(c.access_key_id, "AKP") == 0, "credential_process output read");
	aws_creds_free(&c);
	CHECK(!aws_creds_from_process(&c, "exit 3", &err) && strstr(err.message, "status 3") != NULL,
		  "failing credential_process");
	CHECK(!aws_creds_from_process(&c, "echo nope", &err) && strstr(err.message, "JSON") != NULL,
		  "credential_process printing garbage");
	{
		struct timespec a, b;
		long		ms;

		aws_creds_process_timeout_ms = 300;
		clock_gettime(CLOCK_MONOTONIC, &a);
		CHECK(!aws_creds_from_process(&c, "sleep 5", &err) && strstr(err.message, "did not finish") != NULL,
			  "a hanging credential_process is killed at the timeout");
		CHECK(!aws_creds_from_process(&c, "exec >&-; sleep 5", &err) && strstr(err.message, "did not finish") != NULL,
			  "one that closes its output but keeps running is killed too");
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		CHECK(ms < 2000, "both within the timeout, not the programs' 10 s");
		aws_creds_process_timeout_ms = 60000;
		aws_creds_set_abort_check(always_abort, NULL);
		CHECK(!aws_creds_from_process(&c, "sleep 5", &err) && strstr(err.message, "cancelled") != NULL,
			  "a cancel kills a running credential_process");
		aws_creds_set_abort_check(NULL, NULL);
		CHECK(!aws_creds_from_process(&c, "head -c 70000 /dev/zero | tr '\\0' x", &err) &&
			  strstr(err.message, "more than") != NULL, "oversized credential_process output refused");
	}
	aws_creds_run_processes = false;
	CHECK(!aws_creds_from_process(&c, "touch /tmp/ddb_fdw_unit_must_not_exist", &err) &&
		  access("/tmp/ddb_fdw_unit_must_not_exist", F_OK) != 0, "switched-off credential_process runs nothing");
	aws_creds_run_processes = true;
}

static void
write_file(const char *path, const char *text)
{
	FILE	   *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void
test_profiles(void)
{
	AwsCredentials c;
	AwsError	err;
	char		home[] = "/tmp/ddb_fdw_unit_homeXXXXXX";
	char		path[256];

	aws_error_clear(&err);
	write_file("/tmp/ddb_fdw_unit_process_profile",
			   "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKPROC\",\"SecretAccessKey\":\"s\",\"Expiration\":\"2030-01-01T00:00:00Z\"}'\n"
			   "[both]\naws_access_key_id = AKKEYS\naws_secret_access_key = s\ncredential_process = exit 1\n");
	CHECK(aws_creds_from_profile(&c, "/tmp/ddb_fdw_unit_process_profile", "default", &err) &&
		  strcmp(c.access_key_id, "AKPROC") == 0 && c.expiration == 1893456000, "profile with credential_process");
	aws_creds_free(&c);
	CHECK(aws_creds_from_profile(&c, "/tmp/ddb_fdw_unit_process_profile", "both", &err) &&
		  strcmp(c.access_key_id, "AKKEYS") == 0, "keys win over credential_process");
	aws_creds_free(&c);
	remove("/tmp/ddb_fdw_unit_process_profile");

	/* no credentials file: the config file's [profile x] is read */
	if (mkdtemp(home) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/.aws", home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.aws/config", home);
	write_file(path, "[profile x]\naws_access_key_id = AKCONFIG\naws_secret_access_key = s\n");
	setenv("HOME", home, 1);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	CHECK(aws_creds_from_profile(&c, NULL, "x", &err) && strcmp(c.access_key_id, "AKCONFIG") == 0,
		  "profile from the config file when the credentials file lacks it");
	aws_creds_free(&c);
	CHECK(!aws_creds_from_profile(&c, NULL, "y", &err), "profile in neither file");
	remove(path);
	snprintf(path, sizeof(path), "%s/.aws", home);
	rmdir(path);
	rmdir(home);
}

static void
test_metadata_refusals(void)
{
	AwsHttp    *http;
	AwsCredentials c;
	AwsError	err;

	aws_error_clear(&err);
	http = aws_http_create(0, &err);
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds", 1);
	CHECK(aws_metadata_container_configured() &&
		  !aws_metadata_container_credentials(http, &c, &err) &&
		  strstr(err.message, "https or a loopback") != NULL, "container URI over plain http to a remote host refused");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	CHECK(!aws_metadata_container_configured(), "no container endpoint configured");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	CHECK(!aws_metadata_instance_enabled() && !aws_metadata_instance_credentials(http, &c, &err) &&
		  strstr(err.message, "disabled") != NULL, "instance metadata switched off");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	aws_http_destroy(http);
}

int
main(void)
{
	test_time();
	test_document();
	test_sts();
	test_process();
	test_profiles();
	test_metadata_refusals();
	return unit_summary();
}
