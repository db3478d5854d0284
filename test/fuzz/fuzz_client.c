/*
 * fuzz_client.c — libFuzzer harness for the client code that reads bytes
 * ddb_fdw does not control: DynamoDB error and response bodies (JSON, XML
 * or garbage), the consumed capacity they report, DescribeTable key
 * schemas, the JSON patching of combined writes, shared credentials files
 * (with credential_process switched off: a fuzzed command line must never
 * run), credentials documents (ECS, instance metadata, credential_process)
 * and STS responses; and the two security checks of untrusted strings:
 * which error bodies count as AWS error documents (aws_error_parse_document) and
 * which endpoint URLs count as AWS's own (aws_endpoint_is_aws), each with
 * an invariant that aborts when it is broken.  The first byte picks the
 * parser; the rest is handed over NUL-terminated, as aws_http hands over
 * bodies.
 * Run by test/run.sh for a bounded time (make -C test/fuzz check).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_buf.h"
#include "aws_creds.h"
#include "aws_dynamodb.h"
#include "aws_endpoint.h"
#include "aws_error_doc.h"
#include "aws_sts.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text;
	AwsError	err;
	uint8_t		which;

	if (size < 1)
		return 0;
	which = data[0] % 8;	/* corpus files keep their first byte: 0..6 as before */
	aws_creds_run_processes = false;
	text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size--;
	aws_error_clear(&err);

	switch (which)
	{
		case 0:
			aws_error_parse_document(400, text, size, &err);
			{
				/* an error body is also where TransactWriteItems' reasons come from */
				AwsDdbCancellation c;
				AwsError	cerr;

				aws_error_clear(&cerr);
				if (aws_ddb_parse_cancellation(text, size, &c, &cerr))
					aws_ddb_cancellation_free(&c);
			}
			(void) aws_ddb_error_is_retryable(&err);
			/* a document's type is a bare name; anything else is named by its status */
			if (err.foreign_body ? strcmp(err.type, "HTTP 400") != 0 :
				(strchr(err.type, '#') != NULL || strncmp(err.type, "HTTP ", 5) == 0 ||
				 err.type[0] == '\0'))
				abort();
			break;
		case 1:
			{
				/* a BatchWriteItem answer, then NUL-separated requests "sent" to table "t" */
				const char *sent[25];
				size_t		lens[25];
				bool		left[25];
				size_t		n_sent = 0;
				size_t		n;
				const char *p = text + strlen(text) + 1;
				double		wcu;
				double		any_wcu;
				double		ref;
				bool		ref_ok;
				bool		matched;

				while (p < text + size && n_sent < 25)
				{
					sent[n_sent] = p;
					lens[n_sent] = strlen(p);
					p += lens[n_sent++] + 1;
				}
				matched = aws_ddb_match_unprocessed(text, strlen(text), "t", sent, lens, n_sent,
													left, &n, &wcu, &err);

				if (matched)
				{
					size_t		i;
					size_t		marked = 0;

					for (i = 0; i < n_sent; i++)
						marked += left[i] ? 1 : 0;
					if (marked != n || n > n_sent)
						abort();	/* the matcher's contract */
				}
				/* the consumed capacity, of any table (a TransactWriteItems answer) too */
				if (!aws_ddb_consumed_wcu(text, strlen(text), NULL, &any_wcu) && any_wcu != 0)
					abort();
				/* the matcher's shortcut for the usual answer reads it as json-c does */
				ref_ok = aws_ddb_consumed_wcu(text, strlen(text), "t", &ref);
				if (matched && wcu != (ref_ok ? ref : 0))
					abort();
				/* what the peer says is counted only when finite, non-negative and bounded */
				if (!(wcu >= 0 && wcu <= AWS_DDB_MAX_CONSUMED_WCU * AWS_DDB_MAX_TRANSACT_ITEMS) ||
					!(any_wcu >= 0 && any_wcu <= AWS_DDB_MAX_CONSUMED_WCU * AWS_DDB_MAX_TRANSACT_ITEMS))
					abort();
				break;
			}
		case 2:
			{
				AwsDdbKeySchema ks;

				if (aws_ddb_parse_key_schema(text, size, &ks, &err))
					aws_ddb_key_schema_free(&ks);
				break;
			}
		case 3:
			{
				/* three NUL-separated parts: item, attributes to set, attributes to remove */
				const char *a = text;
				const char *b = memchr(a, '\0', size) ? a + strlen(a) + 1 : NULL;
				AwsBuf		out = {0};

				if (b != NULL && b <= text + size)
				{
					const char *c = b + strlen(b) + 1;

					(void) aws_ddb_json_patch(a, strlen(a), b, strlen(b),
											  c <= text + size ? c : NULL,
											  c <= text + size ? strlen(c) : 0, &out, &err);
					(void) aws_ddb_build_update_item("t", a, strlen(a), b, strlen(b), NULL, 0, &out, &err);
					(void) aws_ddb_build_guarded_write(AWS_DDB_UPDATE, "t", a, strlen(a), b, strlen(b),
													   NULL, 0, b, strlen(b), &out, &err);
					(void) aws_ddb_build_guarded_write(AWS_DDB_PUT, "t", a, strlen(a), NULL, 0,
													   NULL, 0, b, strlen(b), &out, &err);
				}
				aws_buf_free(&out);
				break;
			}
		case 5:
			{
				AwsCredentials creds;

				if (aws_creds_parse_document(text, size, "fuzz", &creds, &err))
					aws_creds_free(&creds);
				break;
			}
		case 6:
			{
				AwsCredentials creds;

				if (aws_sts_parse_credentials(text, size, &creds, &err))
					aws_creds_free(&creds);
				break;
			}
		case 7:
			{
				/* region NUL url: an accepted URL is https on an AWS name, nothing more */
				const char *region = text;
				const char *url = memchr(text, '\0', size) ? text + strlen(text) + 1 : NULL;
				int			svc;

				if (url == NULL || url > text + size)
					break;
				for (svc = 0; svc < 2; svc++)
					if (aws_endpoint_is_aws(url, (AwsService) svc, region) &&
						(strncmp(url, "https://", 8) != 0 || strpbrk(url + 8, "@?#%[]\\") != NULL ||
						 strcasestr(url, ".amazonaws.com") == NULL))
						abort();
				break;
			}
		default:
			{
				char		path[64];
				FILE	   *f;
				AwsCredentials creds;

				snprintf(path, sizeof(path), "/tmp/ddb_fdw_fuzz_credentials.%d", (int) getpid());
				f = fopen(path, "w");
				if (f != NULL)
				{
					fwrite(text, 1, size, f);
					fclose(f);
					if (aws_creds_from_profile(&creds, path, "p", &err))
						aws_creds_free(&creds);
					remove(path);
				}
				break;
			}
	}
	free(text);
	return 0;
}
