/* aws_http.c — see aws_http.h */
#include "aws_http.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

/* How long one wait for socket activity lasts before the abort check runs again. */
#define POLL_INTERVAL_MS 100

typedef struct EasySlot
{
	CURL	   *easy;
	struct curl_slist *headers;
	char		errbuf[CURL_ERROR_SIZE];
	size_t		request;		/* index of the request it carries */
	bool		busy;
	char	   *url;			/* the URL last set on the handle (malloc'ed) */
	CURLU	   *uh;				/* that URL parsed, so a transfer does not parse it again */
	size_t		n_header_lines; /* lines of headers, kept from one request to the next */
	/* the request it carries: where its body goes and the limits it keeps */
	AwsBuf	   *body;
	long	   *retry_after_ms; /* where x-amz-retry-after goes */
	size_t		max_body;
	size_t		header_bytes;
	bool		body_too_large;
	bool		headers_too_large;
	long long	started_ms;		/* when the transfer was handed to libcurl */
	long		deadline_ms;	/* after the connection is up */
} EasySlot;

/*
 * The proxy environment, read once per AwsHttp: libcurl would read it from
 * the environment (five getenv calls and a strdup each) on every transfer.
 * Each transfer is given exactly what libcurl would have found there (see
 * proxy_for_url), so proxies behave as they would without it.
 */
typedef struct ProxyEnv
{
	char	   *no_proxy;		/* no_proxy, else NO_PROXY; NULL: neither set (or empty) */
	char	   *http_proxy;		/* http_proxy only: libcurl ignores HTTP_PROXY */
	char	   *https_proxy;	/* https_proxy, else HTTPS_PROXY */
	char	   *all_proxy;		/* all_proxy, else ALL_PROXY */
} ProxyEnv;

struct AwsHttp
{
	CURLM	   *multi;
	ProxyEnv	proxy;
	EasySlot   *slots;
	int			n_slots;
	long		max_connections;	/* 0: libcurl's default (no cap) */
	AwsHttpAbortCheck abort_check;
	void	   *abort_arg;
	AwsHttpWaitHook wait_hook;
	void	   *wait_arg;
};

static bool curl_initialized = false;

static void free_header_lines(EasySlot *slot);

/* A copy of the first of two environment variables set to something (curl_getenv's rule: empty is unset). */
static bool
getenv_copy(const char *lower, const char *upper, char **out)
{
	const char *v = getenv(lower);

	if ((v == NULL || v[0] == '\0') && upper != NULL)
		v = getenv(upper);
	if (v != NULL && v[0] == '\0')
		v = NULL;
	*out = NULL;
	if (v == NULL)
		return true;
	*out = strdup(v);
	return *out != NULL;
}

static void
proxy_env_free(ProxyEnv *env)
{
	free(env->no_proxy);
	free(env->http_proxy);
	free(env->https_proxy);
	free(env->all_proxy);
	memset(env, 0, sizeof(*env));
}

static bool
proxy_env_read(ProxyEnv *env)
{
	memset(env, 0, sizeof(*env));
	if (getenv_copy("no_proxy", "NO_PROXY", &env->no_proxy) &&
		getenv_copy("http_proxy", NULL, &env->http_proxy) &&
		getenv_copy("https_proxy", "HTTPS_PROXY", &env->https_proxy) &&
		getenv_copy("all_proxy", "ALL_PROXY", &env->all_proxy))
		return true;
	proxy_env_free(env);
	return false;
}

/*
 * The proxy libcurl's environment lookup (url.c, detect_proxy) picks for a
 * URL: <scheme>_proxy (for https also HTTPS_PROXY, never HTTP_PROXY), else
 * all_proxy or ALL_PROXY; "" for none, which libcurl reads as "no proxy"
 * without looking at the environment.  An empty variable counts as unset,
 * as curl_getenv has it.  no_proxy is handed over as is (NOPROXY), and
 * libcurl applies it to the host as before.
 */
static const char *
proxy_for_url(const ProxyEnv *env, const char *url)
{
	const char *scheme_proxy = NULL;
	bool		known = false;

	if (strncmp(url, "http://", 7) == 0)
	{
		scheme_proxy = env->http_proxy;
		known = true;
	}
	else if (strncmp(url, "https://", 8) == 0)
	{
		scheme_proxy = env->https_proxy;
		known = true;
	}
	if (known && scheme_proxy != NULL)
		return scheme_proxy;
	return env->all_proxy != NULL ? env->all_proxy : "";
}

AwsHttp *
aws_http_create(long max_connections, AwsError *err)
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
	if (!proxy_env_read(&http->proxy))
	{
		free(http);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	http->multi = curl_multi_init();
	if (http->multi == NULL)
	{
		proxy_env_free(&http->proxy);
		free(http);
		aws_error_set(err, AWS_ERR_INTERNAL, "could not create a libcurl multi handle");
		return NULL;
	}
	if (!aws_http_set_max_connections(http, max_connections, err))
	{
		curl_multi_cleanup(http->multi);
		proxy_env_free(&http->proxy);
		free(http);
		return NULL;
	}
	return http;
}

bool
aws_http_set_max_connections(AwsHttp *http, long max_connections, AwsError *err)
{
	if (max_connections == http->max_connections)
		return true;
	if (curl_multi_setopt(http->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_connections) != CURLM_OK)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not cap libcurl's connections at %ld",
					  max_connections);
		return false;
	}
	http->max_connections = max_connections;
	return true;
}

void
aws_http_destroy(AwsHttp *http)
{
	int			i;

	if (http == NULL)
		return;
	for (i = 0; i < http->n_slots; i++)
	{
		if (http->slots[i].busy)
			curl_multi_remove_handle(http->multi, http->slots[i].easy);
		curl_easy_cleanup(http->slots[i].easy);
		free_header_lines(&http->slots[i]);
		curl_url_cleanup(http->slots[i].uh);
		free(http->slots[i].url);
	}
	free(http->slots);
	curl_multi_cleanup(http->multi);
	proxy_env_free(&http->proxy);
	free(http);
}

void
aws_http_set_abort_check(AwsHttp *http, AwsHttpAbortCheck check, void *arg)
{
	http->abort_check = check;
	http->abort_arg = arg;
}

void
aws_http_set_wait_hook(AwsHttp *http, AwsHttpWaitHook hook, void *arg)
{
	http->wait_hook = hook;
	http->wait_arg = arg;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long
aws_http_deadline_ms(const AwsHttpRequest *req)
{
	long		base = req->read_timeout_ms > 0 ? req->read_timeout_ms : 1;

	return base + (long) ((unsigned long long) req->body_len * 1000 / AWS_HTTP_SLOW_LINK_BYTES_PER_S);
}

/*
 * Bodies are kept up to the request's cap and no further: a peer that sends
 * more is refused at the first byte too many, so it cannot make the backend
 * hold more than the cap.
 */
static size_t
write_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	EasySlot   *slot = userdata;
	size_t		n = size * nmemb;

	/* a short count makes libcurl fail the transfer with CURLE_WRITE_ERROR */
	if (n > slot->max_body - slot->body->len)
	{
		slot->body_too_large = true;
		return 0;
	}
	return aws_buf_append(slot->body, data, n) ? n : 0;
}

/*
 * Header lines are not kept, only counted (libcurl holds each one
 * meanwhile), except the one value the caller needs: x-amz-retry-after, a
 * number of milliseconds, read up to AWS_HTTP_MAX_RETRY_AFTER_MS and reset by
 * every status line (interim responses).
 */
static size_t
count_header(char *data, size_t size, size_t nitems, void *userdata)
{
	EasySlot   *slot = userdata;
	size_t		n = size * nitems;
	static const char name[] = "x-amz-retry-after:";

	slot->header_bytes += n;
	if (slot->header_bytes > AWS_HTTP_MAX_HEADER_BYTES)
	{
		slot->headers_too_large = true;
		return 0;
	}
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0)
		*slot->retry_after_ms = 0;
	else if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0)
	{
		size_t		i = sizeof(name) - 1;
		long		ms = 0;

		while (i < n && (data[i] == ' ' || data[i] == '\t'))
			i++;
		for (; i < n && data[i] >= '0' && data[i] <= '9'; i++)
		{
			ms = ms * 10 + (data[i] - '0');
			if (ms > AWS_HTTP_MAX_RETRY_AFTER_MS)
				ms = AWS_HTTP_MAX_RETRY_AFTER_MS;
		}
		*slot->retry_after_ms = ms;
	}
	return n;
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

/* Make sure at least n easy handles exist (they keep their TLS session caches). */
static bool
ensure_slots(AwsHttp *http, int n, AwsError *err)
{
	EasySlot   *slots;
	int			i;

	if (n <= http->n_slots)
		return true;
	slots = realloc(http->slots, sizeof(EasySlot) * n);
	if (slots == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	http->slots = slots;
	for (i = http->n_slots; i < n; i++)
	{
		CURL	   *c;
		CURLcode	rc;

		memset(&slots[i], 0, sizeof(EasySlot));
		c = slots[i].easy = curl_easy_init();
		if (c == NULL)
		{
			http->n_slots = i;
			aws_error_set(err, AWS_ERR_INTERNAL, "could not create a libcurl handle");
			return false;
		}
		http->n_slots = i + 1;
		/* what every request shares is set once: a bulk load sends thousands */
		if ((rc = curl_easy_setopt(c, CURLOPT_POST, 1L)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, count_header)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L)) != CURLE_OK ||
			/* an index, not a pointer: the slot array moves when it grows */
			(rc = curl_easy_setopt(c, CURLOPT_PRIVATE, (void *) (intptr_t) i)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
			/* libcurl would look no_proxy up in the environment per transfer */
			(rc = curl_easy_setopt(c, CURLOPT_NOPROXY,
								   http->proxy.no_proxy ? http->proxy.no_proxy : "")) != CURLE_OK)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "could not configure libcurl: %s",
						  curl_easy_strerror(rc));
			return false;
		}
	}
	return true;
}

/* Wipe and free the slot's header lines (one held the Authorization value). */
static void
free_header_lines(EasySlot *slot)
{
	struct curl_slist *l;

	for (l = slot->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(slot->headers);
	slot->headers = NULL;
	slot->n_header_lines = 0;
}

/* Does the line read "name: value" ("name:" when value is NULL)? */
static bool
line_is(const char *line, const char *name, size_t name_len, const char *value)
{
	if (strncmp(line, name, name_len) != 0 || line[name_len] != ':')
		return false;
	if (value == NULL)
		return line[name_len + 1] == '\0';
	return line[name_len + 1] == ' ' && strcmp(line + name_len + 2, value) == 0;
}

/* "name: value" (or "name:" when value is NULL), malloc'ed as libcurl frees it. */
static char *
make_line(const char *name, size_t name_len, const char *value)
{
	size_t		value_len = value ? strlen(value) : 0;
	char	   *line = malloc(name_len + 2 + value_len + 1);

	if (line == NULL)
		return NULL;
	memcpy(line, name, name_len);
	line[name_len] = ':';
	if (value == NULL)
		line[name_len + 1] = '\0';
	else
	{
		line[name_len + 1] = ' ';
		memcpy(line + name_len + 2, value, value_len + 1);
	}
	return line;
}

/*
 * Lines added to every request's headers: "Expect:" stops libcurl waiting
 * for 100-continue on large bodies; "Accept:" drops the Accept header (any
 * media type) it would add, which AWS ignores (libcurl writes each header byte through its
 * printf: every byte saved counts).
 */
static const char *const removed_headers[] = {"Expect", "Accept"};
#define N_REMOVED_HEADERS (sizeof(removed_headers) / sizeof(removed_headers[0]))

/*
 * Make the slot's header list the request's headers plus the removals
 * above.  Requests to one
 * endpoint differ in a few values (the date, the signature), so the list is
 * kept between requests and only the lines that changed are rewritten.
 */
static bool
set_header_lines(EasySlot *slot, const AwsHttpRequest *req)
{
	size_t		n = req->n_headers + N_REMOVED_HEADERS;
	struct curl_slist *l;
	size_t		i;

	if (slot->n_header_lines != n)
	{
		free_header_lines(slot);
		for (i = 0; i < n; i++)
		{
			struct curl_slist *next = curl_slist_append(slot->headers, "");

			if (next == NULL)
			{
				free_header_lines(slot);
				return false;
			}
			slot->headers = next;
		}
		slot->n_header_lines = n;
	}
	for (i = 0, l = slot->headers; i < n; i++, l = l->next)
	{
		const char *name = i < req->n_headers ? req->headers[i].name :
			removed_headers[i - req->n_headers];
		const char *value = i < req->n_headers ? req->headers[i].value : NULL;
		size_t		name_len = strlen(name);
		char	   *line;

		if (line_is(l->data, name, name_len, value))
			continue;
		line = make_line(name, name_len, value);
		if (line == NULL)
		{
			free_header_lines(slot);
			return false;
		}
		explicit_bzero(l->data, strlen(l->data));
		free(l->data);
		l->data = line;
	}
	return true;
}

/* Configure a slot for one request; false with err on failure. */
static bool
prepare_slot(AwsHttp *http, EasySlot *slot, const AwsHttpRequest *req, AwsHttpResponse *resp,
			 AwsError *err)
{
	CURL	   *c = slot->easy;
	CURLcode	rc = CURLE_OK;
	long		read_timeout_s;

	if (!set_header_lines(slot, req))
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}

	/* libcurl measures stalls in whole seconds: round up, never to zero */
	read_timeout_s = (req->read_timeout_ms + 999) / 1000;
	if (read_timeout_s < 1)
		read_timeout_s = 1;

	/*
	 * libcurl parses a URL each time it is set, and a CURLOPT_URL on every
	 * transfer: hand it the URL parsed once (CURLOPT_CURLU), and the proxy
	 * the environment names for it, when the URL changes.
	 */
	if (slot->url == NULL || strcmp(slot->url, req->url) != 0)
	{
		CURLUcode	uc;

		free(slot->url);
		slot->url = NULL;
		curl_easy_setopt(c, CURLOPT_CURLU, NULL);
		curl_url_cleanup(slot->uh);
		slot->uh = curl_url();
		if (slot->uh == NULL)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
			return false;
		}
		/* the flags libcurl itself parses a CURLOPT_URL with */
		uc = curl_url_set(slot->uh, CURLUPART_URL, req->url,
						  CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
		if (uc != CURLUE_OK)
		{
			curl_url_cleanup(slot->uh);
			slot->uh = NULL;
			aws_error_set(err, AWS_ERR_INPUT, "URL \"%s\" cannot be parsed: %s", req->url,
						  curl_url_strerror(uc));
			return false;
		}
		if ((rc = curl_easy_setopt(c, CURLOPT_CURLU, slot->uh)) != CURLE_OK ||
			(rc = curl_easy_setopt(c, CURLOPT_PROXY, proxy_for_url(&http->proxy, req->url))) != CURLE_OK)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "could not configure libcurl: %s",
						  curl_easy_strerror(rc));
			return false;
		}
		slot->url = strdup(req->url);
		if (slot->url == NULL)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
			return false;
		}
	}

	slot->errbuf[0] = '\0';
	slot->body = &resp->body;
	slot->retry_after_ms = &resp->retry_after_ms;
	resp->retry_after_ms = 0;
	slot->max_body = req->max_response_bytes > 0 ? req->max_response_bytes : AWS_HTTP_DEFAULT_MAX_RESPONSE;
	slot->header_bytes = 0;
	slot->body_too_large = false;
	slot->headers_too_large = false;
	slot->deadline_ms = aws_http_deadline_ms(req);
	/* slots are reused: every request sets its method afresh */
	if (req->method != NULL && strcmp(req->method, "GET") == 0)
	{
		if ((rc = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L)) == CURLE_OK)
			rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	}
	else if ((rc = curl_easy_setopt(c, CURLOPT_POST, 1L)) == CURLE_OK &&
			 (rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "")) == CURLE_OK &&
			 (rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len)) == CURLE_OK)
		rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
							  req->method != NULL && strcmp(req->method, "POST") != 0 ? req->method : NULL);
	if (rc != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, slot->errbuf)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, slot->headers)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, slot)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_HEADERDATA, slot)) != CURLE_OK ||
		/* refuse an announced Content-Length over the cap before any of it comes */
		(rc = curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) slot->max_body)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
							   req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, read_timeout_s)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req->insecure ? 0L : 1L)) != CURLE_OK ||
		(rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req->insecure ? 0L : 2L)) != CURLE_OK)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not configure libcurl: %s",
					  curl_easy_strerror(rc));
		return false;
	}
	return true;
}

/* The header list stays with the slot (set_header_lines), and so does the URL. */
static void
release_slot(AwsHttp *http, EasySlot *slot)
{
	curl_multi_remove_handle(http->multi, slot->easy);
	slot->busy = false;
}

bool
aws_http_post_many(AwsHttp *http, const AwsHttpRequest *reqs, size_t n, int max_inflight,
				   AwsHttpResponse *resp, bool *ok, AwsError *errs, AwsError *err)
{
	size_t		next = 0;
	size_t		done = 0;
	int			i;
	bool		result = true;

	if (max_inflight < 1)
		max_inflight = 1;
	if ((size_t) max_inflight > n)
		max_inflight = (int) n;
	if (!ensure_slots(http, max_inflight, err))
		return false;
	for (next = 0; next < n; next++)
	{
		memset(&resp[next], 0, sizeof(AwsHttpResponse));
		ok[next] = false;
		aws_error_clear(&errs[next]);
	}
	next = 0;

	if (http->wait_hook)
		http->wait_hook(true, http->wait_arg);
	while (done < n)
	{
		CURLMsg    *msg;
		int			running;
		int			busy;
		int			left;
		CURLMcode	mc;

		/* keep every free slot busy */
		for (i = 0; i < max_inflight && next < n; i++)
		{
			EasySlot   *slot = &http->slots[i];

			if (slot->busy)
				continue;
			if (!prepare_slot(http, slot, &reqs[next], &resp[next], &errs[next]))
			{
				done++;
				next++;
				continue;
			}
			if (curl_multi_add_handle(http->multi, slot->easy) != CURLM_OK)
			{
				aws_error_set(&errs[next], AWS_ERR_INTERNAL, "could not start a libcurl transfer");
				done++;
				next++;
				continue;
			}
			slot->request = next++;
			slot->busy = true;
			slot->started_ms = now_ms();
		}
		if (done >= n)
			break;

		mc = curl_multi_perform(http->multi, &running);
		/* a transfer that already finished must not wait out the poll interval */
		for (i = 0, busy = 0; i < max_inflight; i++)
			busy += http->slots[i].busy ? 1 : 0;
		if (mc == CURLM_OK && running >= busy)
			mc = curl_multi_poll(http->multi, NULL, 0, POLL_INTERVAL_MS, NULL);
		if (mc != CURLM_OK)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "libcurl failed: %s", curl_multi_strerror(mc));
			result = false;
			break;
		}
		if (http->abort_check && http->abort_check(http->abort_arg))
		{
			aws_error_set(err, AWS_ERR_TRANSPORT, "request cancelled");
			result = false;
			break;
		}
		(void) curl_multi_perform(http->multi, &running);

		/* a peer that keeps a transfer alive byte by byte still runs out of time */
		for (i = 0; i < max_inflight; i++)
		{
			EasySlot   *slot = &http->slots[i];
			curl_off_t	pretransfer_us = 0;
			size_t		r;

			if (!slot->busy ||
				curl_easy_getinfo(slot->easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us) != CURLE_OK ||
				pretransfer_us <= 0 ||
				now_ms() - slot->started_ms <= pretransfer_us / 1000 + slot->deadline_ms)
				continue;
			r = slot->request;
			aws_error_set(&errs[r], AWS_ERR_TRANSPORT,
						  "no complete response within %ld ms of sending the request", slot->deadline_ms);
			snprintf(errs[r].type, sizeof(errs[r].type), "%s", AWS_HTTP_DEADLINE_EXCEEDED);
			aws_http_response_free(&resp[r]);
			release_slot(http, slot);
			done++;
		}

		while ((msg = curl_multi_info_read(http->multi, &left)) != NULL)
		{
			EasySlot   *slot;
			char	   *private = NULL;
			size_t		r;

			if (msg->msg != CURLMSG_DONE)
				continue;
			if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &private) != CURLE_OK ||
				(intptr_t) private < 0 || (intptr_t) private >= http->n_slots)
				continue;
			slot = &http->slots[(intptr_t) private];
			if (!slot->busy || slot->easy != msg->easy_handle)
				continue;
			r = slot->request;
			if (msg->data.result != CURLE_OK &&
				(slot->body_too_large || msg->data.result == CURLE_FILESIZE_EXCEEDED))
			{
				aws_error_set(&errs[r], AWS_ERR_PROTOCOL,
							  "the response body exceeds the %zu bytes accepted for this request",
							  slot->max_body);
				snprintf(errs[r].type, sizeof(errs[r].type), "%s", AWS_HTTP_RESPONSE_TOO_LARGE);
				(void) curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &errs[r].http_status);
				aws_http_response_free(&resp[r]);
			}
			else if (msg->data.result != CURLE_OK && slot->headers_too_large)
			{
				aws_error_set(&errs[r], AWS_ERR_PROTOCOL,
							  "the response headers exceed %d bytes", AWS_HTTP_MAX_HEADER_BYTES);
				snprintf(errs[r].type, sizeof(errs[r].type), "%s", AWS_HTTP_RESPONSE_TOO_LARGE);
				aws_http_response_free(&resp[r]);
			}
			else if (msg->data.result != CURLE_OK)
			{
				aws_error_set(&errs[r], AWS_ERR_TRANSPORT, "%s",
							  slot->errbuf[0] ? slot->errbuf : curl_easy_strerror(msg->data.result));
				/* an untrusted certificate stays untrusted: say so, so nobody retries it */
				if (msg->data.result == CURLE_PEER_FAILED_VERIFICATION ||
					msg->data.result == CURLE_SSL_CACERT_BADFILE)
					snprintf(errs[r].type, sizeof(errs[r].type), "%s", AWS_TLS_VERIFICATION_FAILED);
				aws_http_response_free(&resp[r]);
			}
			else if (curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &resp[r].status) != CURLE_OK ||
					 (resp[r].body.data == NULL && !aws_buf_append(&resp[r].body, "", 0)))
			{
				aws_error_set(&errs[r], AWS_ERR_INTERNAL, "could not read the HTTP response");
				aws_http_response_free(&resp[r]);
			}
			else
				ok[r] = true;
			release_slot(http, slot);
			done++;
		}
	}

	if (http->wait_hook)
		http->wait_hook(false, http->wait_arg);
	if (!result)
	{
		/* abandon what is still running and free every response */
		for (i = 0; i < http->n_slots; i++)
			if (http->slots[i].busy)
				release_slot(http, &http->slots[i]);
		for (next = 0; next < n; next++)
		{
			aws_http_response_free(&resp[next]);
			ok[next] = false;
		}
	}
	return result;
}

bool
aws_http_post(AwsHttp *http, const AwsHttpRequest *req, AwsHttpResponse *resp, AwsError *err)
{
	bool		ok = false;
	AwsError	one;

	aws_error_clear(&one);
	if (!aws_http_post_many(http, req, 1, 1, resp, &ok, &one, err))
		return false;
	if (!ok)
		*err = one;
	return ok;
}

void
aws_http_response_free(AwsHttpResponse *resp)
{
	aws_buf_free(&resp->body);
	resp->status = 0;
}
