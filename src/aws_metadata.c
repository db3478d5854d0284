/* aws_metadata.c — see aws_metadata.h */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE			/* explicit_bzero, strcasecmp */
#endif
#include "aws_metadata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_buf.h"

#define ECS_HOST "http://169.254.170.2"
#define IMDS_DEFAULT "http://169.254.169.254"
#define METADATA_CONNECT_MS 1000L
#define METADATA_READ_MS 2000L
#define IMDS_TOKEN_TTL "21600"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && *v != '\0') ? v : NULL;
}

bool
aws_metadata_container_configured(void)
{
	return env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != NULL ||
		env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != NULL;
}

bool
aws_metadata_instance_enabled(void)
{
	const char *v = env("AWS_EC2_METADATA_DISABLED");

	return v == NULL || strcasecmp(v, "true") != 0;
}

/* One GET or PUT; the 200 body lands in *body (malloc'ed), anything else is an error. */
static bool
fetch(AwsHttp *http, const char *method, const char *url, const AwsHeader *headers,
	  size_t n_headers, const char *what, AwsBuf *body, AwsError *err)
{
	AwsHttpRequest req;
	AwsHttpResponse resp;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.n_headers = n_headers;
	req.body = "";
	req.connect_timeout_ms = METADATA_CONNECT_MS;
	req.read_timeout_ms = METADATA_READ_MS;
	if (!aws_http_post(http, &req, &resp, err))
	{
		char		msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%s", err->message);
		aws_error_set(err, AWS_ERR_TRANSPORT, "%s (%s) did not answer: %s", what, url, msg);
		return false;
	}
	if (resp.status != 200)
	{
		aws_error_set(err, AWS_ERR_SERVICE, "%s (%s) answered HTTP %ld", what, url, resp.status);
		err->http_status = resp.status;
		aws_http_response_free(&resp);
		return false;
	}
	*body = resp.body;
	return true;
}

static void
wipe_free(AwsBuf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	aws_buf_free(b);
}

/* http:// is allowed only to hosts that cannot be on a network path. */
static bool
container_url_allowed(const char *url)
{
	static const char *const allowed[] = {
		"http://127.", "http://localhost:", "http://localhost/", "http://[::1]",
		"http://169.254.170.2:", "http://169.254.170.2/", "http://169.254.170.23",
		"http://[fd00:ec2::23]"
	};
	size_t		i;

	if (strncmp(url, "https://", 8) == 0)
		return true;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strncmp(url, allowed[i], strlen(allowed[i])) == 0)
			return true;
	return false;
}

/* The authorization token for the container endpoint (malloc'ed) or NULL without one. */
static bool
container_token(char **token, AwsError *err)
{
	const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *value = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	*token = NULL;
	if (file != NULL)
	{
		FILE	   *f = fopen(file, "r");
		char		buf[8192];
		size_t		n;

		if (f == NULL)
		{
			aws_error_set(err, AWS_ERR_INPUT, "could not open AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \"%s\": %s",
						  file, strerror(errno));
			return false;
		}
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		buf[n] = '\0';
		*token = strdup(buf);
		explicit_bzero(buf, sizeof(buf));
	}
	else if (value != NULL)
		*token = strdup(value);
	else
		return true;
	if (*token == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	return true;
}

bool
aws_metadata_container_credentials(AwsHttp *http, AwsCredentials *out, AwsError *err)
{
	const char *relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	AwsBuf		url = {0};
	AwsBuf		body = {0};
	AwsHeader	header;
	char	   *token = NULL;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	if (relative == NULL && full == NULL)
	{
		aws_error_set(err, AWS_ERR_INPUT, "no container credentials endpoint is configured");
		return false;
	}
	if (relative == NULL && !container_url_allowed(full))
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https or a loopback or ECS/EKS host");
		return false;
	}
	if (!(relative ? aws_buf_appendf(&url, ECS_HOST "%s%s", *relative == '/' ? "" : "/", relative)
		  : aws_buf_append_str(&url, full)))
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	if (!container_token(&token, err))
		goto done;
	header = (AwsHeader) {"Authorization", token};
	if (!fetch(http, "GET", url.data, &header, token ? 1 : 0, "the container credentials endpoint",
			   &body, err))
		goto done;
	ok = aws_creds_parse_document(body.data ? body.data : "", body.len,
								  "the container credentials endpoint", out, err);
done:
	if (token)
	{
		explicit_bzero(token, strlen(token));
		free(token);
	}
	wipe_free(&body);
	aws_buf_free(&url);
	return ok;
}

bool
aws_metadata_instance_credentials(AwsHttp *http, AwsCredentials *out, AwsError *err)
{
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	AwsBuf		url = {0};
	AwsBuf		token = {0};
	AwsBuf		role = {0};
	AwsBuf		body = {0};
	AwsHeader	header;
	size_t		base_len;
	char	   *newline;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	if (!aws_metadata_instance_enabled())
	{
		aws_error_set(err, AWS_ERR_INPUT, "instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
		return false;
	}
	if (base == NULL)
		base = IMDS_DEFAULT;
	base_len = strlen(base);
	while (base_len > 0 && base[base_len - 1] == '/')
		base_len--;

	/* IMDSv2: a session token first, then every read carries it */
	header = (AwsHeader) {"X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL};
	if (!aws_buf_appendf(&url, "%.*s/latest/api/token", (int) base_len, base))
		goto oom;
	if (!fetch(http, "PUT", url.data, &header, 1, "instance metadata", &token, err))
		goto done;
	if (token.len == 0)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "instance metadata returned an empty session token");
		goto done;
	}
	header = (AwsHeader) {"X-aws-ec2-metadata-token", token.data};

	aws_buf_reset(&url);
	if (!aws_buf_appendf(&url, "%.*s/latest/meta-data/iam/security-credentials/", (int) base_len, base))
		goto oom;
	if (!fetch(http, "GET", url.data, &header, 1, "instance metadata", &role, err))
		goto done;
	/* the first line names the instance profile's role */
	if (role.data == NULL || (newline = strpbrk(role.data, "\r\n"), role.len == 0))
	{
		aws_error_set(err, AWS_ERR_INPUT, "the instance has no IAM role (instance profile)");
		goto done;
	}
	if (newline)
		*newline = '\0';
	if (role.data[0] == '\0' || strpbrk(role.data, "/?#% ") != NULL)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "instance metadata named an unusable role");
		goto done;
	}
	if (!aws_buf_appendf(&url, "%s", role.data))
		goto oom;
	if (!fetch(http, "GET", url.data, &header, 1, "instance metadata", &body, err))
		goto done;
	ok = aws_creds_parse_document(body.data ? body.data : "", body.len, "instance metadata", out, err);
	goto done;
oom:
	aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
done:
	wipe_free(&token);
	wipe_free(&body);
	aws_buf_free(&role);
	aws_buf_free(&url);
	return ok;
}
