/* aws_sts.c — see aws_sts.h */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE			/* explicit_bzero */
#endif
#include "aws_sts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_buf.h"
#include "aws_error_doc.h"
#include "aws_request.h"

#define STS_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define STS_VERSION "2011-06-15"
/* A web identity token (an OIDC JWT) is a few KB. */
#define TOKEN_FILE_MAX (64 * 1024)

void
aws_sts_default_url(const char *region, char *buf, size_t size)
{
	snprintf(buf, size, "https://sts.%s.amazonaws.com%s", region,
			 strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
}

/* Append "&name=value" (form encoding: unreserved characters kept, the rest %XX). */
static bool
append_param(AwsBuf *form, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	if (!aws_buf_appendf(form, "%s%s=", form->len ? "&" : "", name))
		return false;
	for (p = (const unsigned char *) value; *p; p++)
	{
		bool		ok;

		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			*p == '-' || *p == '_' || *p == '.' || *p == '~')
			ok = aws_buf_append(form, p, 1);
		else
		{
			char		enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};

			ok = aws_buf_append(form, enc, 3);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* A malloc'ed copy of the text of the first <tag> inside body, or NULL. */
static char *
xml_text(const char *body, const char *tag)
{
	char		open[64];
	char		close[64];
	const char *start;
	const char *end;
	char	   *out;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((start = strstr(body, open)) == NULL)
		return NULL;
	start += strlen(open);
	if ((end = strstr(start, close)) == NULL)
		return NULL;
	out = malloc((size_t) (end - start) + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, start, (size_t) (end - start));
	out[end - start] = '\0';
	return out;
}

bool
aws_sts_parse_credentials(const char *body, size_t len, AwsCredentials *out, AwsError *err)
{
	char	   *copy;
	const char *creds;
	char	   *id = NULL;
	char	   *secret = NULL;
	char	   *token = NULL;
	char	   *expiration = NULL;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	/* the parser needs a NUL-terminated copy; the body may hold anything */
	copy = malloc(len + 1);
	if (copy == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	creds = strstr(copy, "<Credentials>");
	if (creds == NULL)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "the STS response holds no <Credentials>");
		goto done;
	}
	id = xml_text(creds, "AccessKeyId");
	secret = xml_text(creds, "SecretAccessKey");
	token = xml_text(creds, "SessionToken");
	expiration = xml_text(creds, "Expiration");
	if (id == NULL || secret == NULL || token == NULL || expiration == NULL)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "the STS response lacks %s",
					  id == NULL ? "AccessKeyId" : secret == NULL ? "SecretAccessKey" :
					  token == NULL ? "SessionToken" : "Expiration");
		goto done;
	}
	if (!aws_creds_from_keys(out, id, secret, token, err))
		goto done;
	if (!aws_creds_parse_time(expiration, &out->expiration))
	{
		aws_creds_free(out);
		aws_error_set(err, AWS_ERR_PROTOCOL, "the STS response has an unreadable Expiration \"%.40s\"",
					  expiration);
		goto done;
	}
	ok = true;
done:
	free(id);
	aws_secret_free(secret);
	aws_secret_free(token);
	free(expiration);
	explicit_bzero(copy, len);
	free(copy);
	return ok;
}

/* POST form to STS (signed when source is not NULL) and read the credentials it returns. */
static bool
sts_call(AwsHttp *http, const AwsStsEndpoint *ep, const AwsCredentials *source,
		 const AwsBuf *form, AwsCredentials *out, AwsError *err)
{
	AwsRequestSpec spec;
	AwsSignedRequest sr;
	AwsHttpRequest req;
	AwsHttpResponse resp;
	bool		ok = false;

	memset(&sr, 0, sizeof(sr));
	memset(&resp, 0, sizeof(resp));
	memset(out, 0, sizeof(*out));
	memset(&spec, 0, sizeof(spec));
	spec.url = ep->url;
	spec.region = ep->region;
	spec.service = "sts";
	spec.content_type = STS_CONTENT_TYPE;
	spec.creds = source;
	spec.body = form->data;
	spec.body_len = form->len;
	spec.read_timeout_ms = ep->read_timeout_ms;
	spec.insecure = ep->insecure;
	if (!aws_request_prepare(&spec, &sr, &req, err) ||
		!aws_http_post(http, &req, &resp, err))
		goto done;
	if (resp.status != 200)
		aws_error_parse_document(resp.status, resp.body.data, resp.body.len, err);
	else
		ok = aws_sts_parse_credentials(resp.body.data ? resp.body.data : "", resp.body.len,
									   out, err);
done:
	if (resp.body.data)
		explicit_bzero(resp.body.data, resp.body.len);
	aws_http_response_free(&resp);
	aws_request_release(&sr);
	return ok;
}

bool
aws_sts_assume_role(AwsHttp *http, const AwsStsEndpoint *ep, const AwsCredentials *source,
					const char *role_arn, const char *session_name, const char *external_id,
					AwsCredentials *out, AwsError *err)
{
	AwsBuf		form = {0};
	bool		ok;

	memset(out, 0, sizeof(*out));
	ok = append_param(&form, "Action", "AssumeRole") &&
		append_param(&form, "Version", STS_VERSION) &&
		append_param(&form, "RoleArn", role_arn) &&
		append_param(&form, "RoleSessionName", session_name) &&
		(external_id == NULL || append_param(&form, "ExternalId", external_id));
	if (!ok)
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
	else
		ok = sts_call(http, ep, source, &form, out, err);
	aws_buf_free(&form);
	return ok;
}

/* The token in path, trimmed, into *token (malloc'ed). */
static bool
read_token_file(const char *path, char **token, AwsError *err)
{
	FILE	   *f = fopen(path, "r");
	char	   *buf;
	size_t		n;

	*token = NULL;
	if (f == NULL)
	{
		aws_error_set(err, AWS_ERR_INPUT, "could not open web identity token file \"%s\": %s",
					  path, strerror(errno));
		return false;
	}
	buf = malloc(TOKEN_FILE_MAX + 1);
	if (buf == NULL)
	{
		fclose(f);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	n = fread(buf, 1, TOKEN_FILE_MAX + 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n < TOKEN_FILE_MAX ? n : TOKEN_FILE_MAX] = '\0';
	if (n == 0 || n > TOKEN_FILE_MAX)
	{
		aws_error_set(err, AWS_ERR_INPUT, "web identity token file \"%s\" is %s", path,
					  n == 0 ? "empty" : "larger than 64 kB");
		aws_secret_free(buf);
		return false;
	}
	*token = buf;
	return true;
}

bool
aws_sts_assume_role_with_web_identity(AwsHttp *http, const AwsStsEndpoint *ep,
									  const char *token_file, const char *role_arn,
									  const char *session_name,
									  AwsCredentials *out, AwsError *err)
{
	AwsBuf		form = {0};
	char	   *token;
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (!read_token_file(token_file, &token, err))
		return false;
	ok = append_param(&form, "Action", "AssumeRoleWithWebIdentity") &&
		append_param(&form, "Version", STS_VERSION) &&
		append_param(&form, "RoleArn", role_arn) &&
		append_param(&form, "RoleSessionName", session_name) &&
		append_param(&form, "WebIdentityToken", token);
	aws_secret_free(token);
	if (!ok)
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
	else
		ok = sts_call(http, ep, NULL, &form, out, err);
	if (form.data)
		explicit_bzero(form.data, form.cap);
	aws_buf_free(&form);
	return ok;
}
