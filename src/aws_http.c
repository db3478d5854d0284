/* aws_http.c — see aws_http.h */
#include "aws_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct AwsHttp
{
	CURL	   *easy;
	AwsHttpAbortCheck abort_check;
	void	   *abort_arg;
	char		errbuf[CURL_ERROR_SIZE];
};

static bool curl_initialized = false;

AwsHttp *
aws_http_create(AwsError *err)
{
	AwsHttp    *http;

	if (!curl_initialized)
	{
		CURLcode	rc = curl_global_init(CURL_GLOBAL_DEFAULT);

		if (rc != CURLE_OK)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "could not initialize libcurl: %s",
						  curl_easy_strerror(rc));
			return NULL;
		}
		curl_initialized = true;
	}
	http = calloc(1, sizeof(AwsHttp));
	if (http == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	http->easy = curl_easy_init();
	if (http->easy == NULL)
	{
		free(http);
		aws_error_set(err, AWS_ERR_INTERNAL, "could not create a libcurl handle");
		return NULL;
	}
	return http;
}

void
aws_http_destroy(AwsHttp *http)
{
	if (http == NULL)
		return;
	curl_easy_cleanup(http->easy);
	free(http);
}

void
aws_http_set_abort_check(AwsHttp *http, AwsHttpAbortCheck check, void *arg)
{
	http->abort_check = check;
	http->abort_arg = arg;
}

static size_t
write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	AwsBuf	   *body = userdata;
	size_t		n = size * nmemb;

	/* a short count makes libcurl fail the transfer with CURLE_WRITE_ERROR */
	return aws_buf_append(body, data, n) ? n : 0;
}

static int
progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
		 curl_off_t ultotal, curl_off_t ulnow)
{
	AwsHttp    *http = userdata;

	(void) dltotal;
	(void) dlnow;
	(void) ultotal;
	(void) ulnow;
	return http->abort_check ? http->abort_check(http->abort_arg) : 0;
}

bool
aws_http_split_url(const char *url, char *host, size_t host_size,
				   const char **path, AwsError *err)
{
	const char *start = strstr(url, "://");
	const char *end;
	size_t		len;

	if (start == NULL)
	{
		aws_error_set(err, AWS_ERR_INPUT, "endpoint \"%s\" is not a URL", url);
		return false;
	}
	start += 3;
	end = strchr(start, '/');
	len = end ? (size_t) (end - start) : strlen(start);
	if (len == 0 || len >= host_size)
	{
		aws_error_set(err, AWS_ERR_INPUT, "endpoint \"%s\" has no usable host", url);
		return false;
	}
	memcpy(host, start, len);
	host[len] = '\0';
	*path = end ? end : "/";
	return true;
}

bool
aws_http_post(AwsHttp *http, const AwsHttpRequest *req,
			  AwsHttpResponse *resp, AwsError *err)
{
	CURL	   *c = http->easy;
	struct curl_slist *headers = NULL;
	AwsBuf		line = {0};
	CURLcode	rc = CURLE_OK;
	size_t		i;
	bool		ok = false;
	long		read_timeout_s;

	memset(resp, 0, sizeof(*resp));
	curl_easy_reset(c);

	for (i = 0; i < req->n_headers; i++)
	{
		struct curl_slist *next;

		aws_buf_reset(&line);
		if (!aws_buf_appendf(&line, "%s: %s", req->headers[i].name, req->headers[i].value))
			goto oom;
		next = curl_slist_append(headers, line.data);
		if (next == NULL)
			goto oom;
		headers = next;
	}
	/* libcurl would otherwise wait for "100 Continue" before large bodies */
	{
		struct curl_slist *next = curl_slist_append(headers, "Expect:");

		if (next == NULL)
			goto oom;
		headers = next;
	}

	/* libcurl measures stalls in whole seconds: round up, never to zero */
	read_timeout_s = (req->read_timeout_ms + 999) / 1000;
	if (read_timeout_s < 1)
		read_timeout_s = 1;

	http->errbuf[0] = '\0';
	if ((rc = curl_easy_setopt(c, CURLOPT_URL, req->url)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_POST, 1L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp->body)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, http->errbuf)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
							   req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, read_timeout_s)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_XFERINFODATA, http)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not configure libcurl: %s",
					  curl_easy_strerror(rc));
		goto done;
	}

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
	{
		aws_error_set(err, AWS_ERR_TRANSPORT, "%s",
					  rc == CURLE_ABORTED_BY_CALLBACK ? "request cancelled" :
					  http->errbuf[0] ? http->errbuf : curl_easy_strerror(rc));
		aws_http_response_free(resp);
		goto done;
	}
	if ((rc = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status)) != CURLE_OK)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not read the HTTP status: %s",
					  curl_easy_strerror(rc));
		aws_http_response_free(resp);
		goto done;
	}
	if (resp->body.data == NULL && !aws_buf_append(&resp->body, "", 0))
		goto oom;
	ok = true;
	goto done;

oom:
	aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
	aws_http_response_free(resp);
done:
	/* the handle must not keep pointers to the header list we free now */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	aws_buf_free(&line);
	return ok;
}

void
aws_http_response_free(AwsHttpResponse *resp)
{
	aws_buf_free(&resp->body);
	resp->status = 0;
}
