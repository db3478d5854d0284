/* aws_request.c — see aws_request.h */
#include "aws_request.h"

#include <string.h>
#include <time.h>

bool
aws_request_prepare(const AwsRequestSpec *spec, AwsSignedRequest *sr, AwsHttpRequest *req,
					AwsError *err)
{
	const char *path;
	size_t		n = 0;

	memset(&sr->sig, 0, sizeof(sr->sig));
	if (!aws_http_split_url(spec->url, sr->host, sizeof(sr->host), &path, err))
		return false;
	aws_sigv4_format_amz_date(time(NULL), sr->amz_date);

	sr->headers[n++] = (AwsHeader) {"Content-Type", spec->content_type};
	sr->headers[n++] = (AwsHeader) {"Host", sr->host};
	sr->headers[n++] = (AwsHeader) {"X-Amz-Date", sr->amz_date};
	if (spec->target != NULL)
		sr->headers[n++] = (AwsHeader) {"X-Amz-Target", spec->target};
	if (spec->creds != NULL)
	{
		const AwsCredentials *c = spec->creds;
		AwsSigv4Params params;

		/* the token is signed: a request is bound to the session it came with */
		if (c->session_token != NULL)
			sr->headers[n++] = (AwsHeader) {"X-Amz-Security-Token", c->session_token};
		memset(&params, 0, sizeof(params));
		params.access_key_id = c->access_key_id;
		params.secret_access_key = c->secret_access_key;
		params.session_token = c->session_token;
		params.region = spec->region;
		params.service = spec->service;
		params.amz_date = sr->amz_date;
		params.normalize_path = true;	/* every service but S3 */
		if (!aws_sigv4_sign(&params, "POST", path, sr->headers, n, spec->body, spec->body_len,
							&sr->sig, err))
			return false;
		sr->headers[n++] = (AwsHeader) {"Authorization", sr->sig.authorization};
	}

	memset(req, 0, sizeof(*req));
	req->method = "POST";
	req->url = spec->url;
	req->headers = sr->headers;
	req->n_headers = n;
	req->body = spec->body;
	req->body_len = spec->body_len;
	req->read_timeout_ms = spec->read_timeout_ms;
	req->max_response_bytes = spec->max_response_bytes;
	req->insecure = spec->insecure;
	return true;
}

void
aws_request_release(AwsSignedRequest *sr)
{
	aws_sigv4_result_free(&sr->sig);
}
