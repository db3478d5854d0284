/*
 * test_sigv4.c — runs aws_sigv4_sign against the public SigV4 test suite
 * (header form): for every case folder, the canonical request, string to
 * sign and signature must equal the header-*.txt files byte for byte.
 *
 * The request is built the way the production caller (aws_dynamodb.c)
 * builds it: request.txt's headers, plus X-Amz-Date, plus
 * X-Amz-Security-Token when the case has a token that is signed.
 *
 * Then the signer's cached signing key is checked against keys derived
 * independently with OpenSSL's HMAC(), as the secret, day and region change.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "aws_buf.h"
#include "aws_sigv4.h"

#define MAX_HEADERS 32

static char *
read_file(const char *dir, const char *name, size_t *len_out)
{
	char		path[1024];
	FILE	   *f;
	AwsBuf		buf = {0};
	char		chunk[4096];
	size_t		n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!aws_buf_append(&buf, chunk, n))
			break;
	fclose(f);
	if (buf.data == NULL)
		aws_buf_append(&buf, "", 0);
	if (len_out)
		*len_out = buf.len;
	return buf.data;
}

typedef struct Request
{
	char	   *method;
	char	   *target;
	AwsHeader	headers[MAX_HEADERS];
	char	   *names[MAX_HEADERS];
	char	   *values[MAX_HEADERS];
	size_t		n_headers;
	const char *body;
	size_t		body_len;
} Request;

/* Parse request.txt: request line, headers (continuation lines fold into the previous value), body. */
static int
parse_request(char *text, Request *r)
{
	char	   *line = text;
	char	   *next;
	char	   *sp;

	memset(r, 0, sizeof(*r));
	next = strchr(line, '\n');
	if (next == NULL)
		return -1;
	*next++ = '\0';
	sp = strchr(line, ' ');
	if (sp == NULL)
		return -1;
	*sp = '\0';
	r->method = line;
	r->target = sp + 1;
	sp = strrchr(r->target, ' ');	/* drop " HTTP/1.1"; the target may hold spaces */
	if (sp)
		*sp = '\0';

	line = next;
	while (line && *line != '\0' && *line != '\n')
	{
		char	   *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((line[0] == ' ' || line[0] == '\t') && r->n_headers > 0)
		{
			/* continuation: append to the previous value with its line break */
			char	   *prev = r->values[r->n_headers - 1];
			char	   *joined = malloc(strlen(prev) + strlen(line) + 2);

			sprintf(joined, "%s\n%s", prev, line);
			free(prev);
			r->values[r->n_headers - 1] = joined;
		}
		else
		{
			colon = strchr(line, ':');
			if (colon == NULL || r->n_headers == MAX_HEADERS)
				return -1;
			*colon = '\0';
			r->names[r->n_headers] = strdup(line);
			r->values[r->n_headers] = strdup(colon + 1);
			r->n_headers++;
		}
		line = next;
	}
	if (line && *line == '\n')
		line++;
	r->body = line ? line : "";
	r->body_len = strlen(r->body);
	return 0;
}

static void
free_request(Request *r)
{
	size_t		i;

	for (i = 0; i < r->n_headers; i++)
	{
		free(r->names[i]);
		free(r->values[i]);
	}
}

static const char *
json_str(json_object *o, const char *k1, const char *k2)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
compare(const char *what, const char *expected, const char *actual, const char *name)
{
	if (expected == NULL)
	{
		printf("FAIL %s: %s expected file missing\n", name, what);
		return 0;
	}
	if (strcmp(expected, actual) != 0)
	{
		printf("FAIL %s: %s differs\n--- expected\n%s\n--- actual\n%s\n", name, what, expected, actual);
		return 0;
	}
	return 1;
}

static int
run_case(const char *dir, const char *name)
{
	char	   *context_text = read_file(dir, "context.json", NULL);
	char	   *request_text = read_file(dir, "request.txt", NULL);
	char	   *exp_canon = read_file(dir, "header-canonical-request.txt", NULL);
	char	   *exp_sts = read_file(dir, "header-string-to-sign.txt", NULL);
	char	   *exp_sig = read_file(dir, "header-signature.txt", NULL);
	json_object *ctx = NULL;
	Request		req;
	AwsSigv4Params p;
	AwsSigv4Result res = {0};
	AwsError	err;
	char		amz_date[17];
	char		body_hash[65];
	const char *ts;
	const char *token;
	json_object *flag;
	int			ok = 0;
	size_t		i;

	memset(&req, 0, sizeof(req));
	if (context_text == NULL || request_text == NULL)
	{
		printf("FAIL %s: missing context.json or request.txt\n", name);
		goto done;
	}
	ctx = json_tokener_parse(context_text);
	if (ctx == NULL || parse_request(request_text, &req) != 0)
	{
		printf("FAIL %s: cannot parse the case\n", name);
		goto done;
	}
	ts = json_str(ctx, "timestamp", NULL);	/* 2015-08-30T12:36:00Z */
	if (ts == NULL || strlen(ts) < 19)
	{
		printf("FAIL %s: bad timestamp\n", name);
		goto done;
	}
	snprintf(amz_date, sizeof(amz_date), "%.4s%.2s%.2sT%.2s%.2s%.2sZ",
			 ts, ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);

	memset(&p, 0, sizeof(p));
	p.access_key_id = json_str(ctx, "credentials", "access_key_id");
	p.secret_access_key = json_str(ctx, "credentials", "secret_access_key");
	token = json_str(ctx, "credentials", "token");
	p.session_token = token;
	p.region = json_str(ctx, "region", NULL);
	p.service = json_str(ctx, "service", NULL);
	p.amz_date = amz_date;
	p.normalize_path = !json_object_object_get_ex(ctx, "normalize", &flag) ||
		json_object_get_boolean(flag);

	for (i = 0; i < req.n_headers; i++)
		req.headers[i] = (AwsHeader) {req.names[i], req.values[i]};
	req.headers[req.n_headers++] = (AwsHeader) {"X-Amz-Date", amz_date};
	/* "omit_session_token": the token travels unsigned (added after signing) */
	if (token && !(json_object_object_get_ex(ctx, "omit_session_token", &flag) &&
				   json_object_get_boolean(flag)))
		req.headers[req.n_headers++] = (AwsHeader) {"X-Amz-Security-Token", token};

	/* "sign_body": the caller sends and signs X-Amz-Content-Sha256 */
	if (json_object_object_get_ex(ctx, "sign_body", &flag) && json_object_get_boolean(flag))
	{
		aws_sigv4_sha256_hex(req.body, req.body_len, body_hash);
		req.headers[req.n_headers++] = (AwsHeader) {"X-Amz-Content-Sha256", body_hash};
	}

	aws_error_clear(&err);
	if (!aws_sigv4_sign(&p, req.method, req.target, req.headers, req.n_headers,
						req.body, req.body_len, &res, &err))
	{
		printf("FAIL %s: sign failed: %s\n", name, err.message);
		goto done;
	}
	ok = compare("canonical request", exp_canon, res.canonical_request, name) &&
		compare("string to sign", exp_sts, res.string_to_sign, name) &&
		compare("signature", exp_sig, res.signature, name);
	if (ok)
		printf("ok %s\n", name);

done:
	aws_sigv4_result_free(&res);
	/* header names/values were strdup'ed; the table only points at them */
	req.n_headers = 0;
	while (req.n_headers < MAX_HEADERS && req.names[req.n_headers])
		req.n_headers++;
	free_request(&req);
	if (ctx)
		json_object_put(ctx);
	free(context_text);
	free(request_text);
	free(exp_canon);
	free(exp_sts);
	free(exp_sig);
	return ok;
}

/* The signature the string to sign must have, derived without the signer's cache. */
static void
reference_signature(const char *secret, const char *date, const char *region,
					const char *string_to_sign, char out[65])
{
	unsigned char k[32];
	unsigned char sig[32];
	unsigned int len = 32;
	char		key[256];
	int			i;

	snprintf(key, sizeof(key), "AWS4%s", secret);
	HMAC(EVP_sha256(), key, (int) strlen(key), (const unsigned char *) date, strlen(date), k, &len);
	HMAC(EVP_sha256(), k, 32, (const unsigned char *) region, strlen(region), k, &len);
	HMAC(EVP_sha256(), k, 32, (const unsigned char *) "dynamodb", 8, k, &len);
	HMAC(EVP_sha256(), k, 32, (const unsigned char *) "aws4_request", 12, k, &len);
	HMAC(EVP_sha256(), k, 32, (const unsigned char *) string_to_sign, strlen(string_to_sign), sig, &len);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", sig[i]);
}

/* Sign in turn with changing secrets, days and regions: never a stale key. */
static int
run_key_cache_cases(void)
{
	static const struct
	{
		const char *secret;
		const char *amz_date;
		const char *region;
	}			cases[] = {
		{"secret-one", "20261124T120000Z", "us-east-1"},
		{"secret-one", "20261124T235959Z", "us-east-1"},	/* same key */
		{"secret-two", "20261124T235959Z", "us-east-1"},	/* new secret */
		{"secret-one", "20261124T235959Z", "us-east-1"},	/* back again */
		{"secret-one", "20261125T000000Z", "us-east-1"},	/* a new day */
		{"secret-one", "20261125T000000Z", "eu-west-1"},	/* another region */
		{"secret-two", "20261125T000000Z", "eu-west-1"},	/* all three change */
	};
	AwsHeader	headers[] = {{"Host", "dynamodb.us-east-1.amazonaws.com"},
							 {"X-Amz-Date", NULL}};
	int			failed = 0;
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		AwsSigv4Params p = {0};
		AwsSigv4Result r;
		AwsError	err;
		char		date[9];
		char		expected[65];

		p.access_key_id = "AKID";
		p.secret_access_key = cases[i].secret;
		p.region = cases[i].region;
		p.service = "dynamodb";
		p.amz_date = cases[i].amz_date;
		p.normalize_path = true;
		headers[1].value = cases[i].amz_date;
		memcpy(date, cases[i].amz_date, 8);
		date[8] = '\0';
		aws_error_clear(&err);
		if (!aws_sigv4_sign(&p, "POST", "/", headers, 2, "{}", 2, &r, &err))
		{
			printf("FAIL key cache case %zu: %s\n", i, err.message);
			failed++;
			continue;
		}
		reference_signature(cases[i].secret, date, cases[i].region, r.string_to_sign, expected);
		if (strcmp(expected, r.signature) != 0)
		{
			printf("FAIL key cache case %zu: signature %s, expected %s\n", i, r.signature, expected);
			failed++;
		}
		else
			printf("ok key cache case %zu\n", i);
		aws_sigv4_result_free(&r);
	}
	return failed;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int
main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "sigv4-test-suite";
	DIR		   *d = opendir(root);
	struct dirent *e;
	char	   *names[256];
	int			n = 0;
	int			passed = 0;
	int			failed = 0;
	int			i;

	if (d == NULL)
	{
		printf("cannot open the SigV4 test vectors at %s\n0 passed, 1 failed\n", root);
		return 1;
	}
	while ((e = readdir(d)) != NULL && n < 256)
	{
		char		path[1024];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/request.txt", root, e->d_name);
		if (stat(path, &st) == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), compare_names);
	for (i = 0; i < n; i++)
	{
		char		dir[1024];

		snprintf(dir, sizeof(dir), "%s/%s", root, names[i]);
		if (run_case(dir, names[i]))
			passed++;
		else
			failed++;
		free(names[i]);
	}
	if (n == 0)
		failed++;				/* finding no vector is a failure, not a pass */
	{
		int			cache_failed = run_key_cache_cases();

		failed += cache_failed;
		passed += 7 - cache_failed;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
