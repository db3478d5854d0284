/*
 * aws_http.h — HTTPS POST over libcurl for the AWS client.
 *
 * Contract: an AwsHttp owns a libcurl multi handle and a pool of easy
 * handles; the multi handle's connection cache keeps connections to the
 * endpoint alive between requests (and across transactions, as the AwsHttp
 * lives as long as the backend).  aws_http_post_many() runs several
 * requests at once over those connections; each request either gets an
 * HTTP response (any status) or a transport error of its own.  Response
 * bodies are the caller's to free (aws_http_response_free).
 *
 * Nothing a peer sends is trusted to be small or fast:
 *   - a response body larger than the request's max_response_bytes (default
 *     AWS_HTTP_DEFAULT_MAX_RESPONSE) fails the request with AWS_ERR_PROTOCOL
 *     as soon as the excess arrives (or the Content-Length announces it), so
 *     no more than the cap is ever held; response headers (all of them,
 *     interim responses included) are capped at AWS_HTTP_MAX_HEADER_BYTES;
 *   - every request has a deadline: once connected, the whole exchange
 *     (sending the body, receiving the complete response) must end within
 *     read_timeout_ms plus one second per AWS_HTTP_SLOW_LINK_BYTES_PER_S of
 *     request body; connecting has its own connect_timeout_ms.  Besides, a
 *     transfer during which no byte moves for read_timeout_ms fails early.
 *     Both are transport errors (AWS_ERR_TRANSPORT), so callers retry them by
 *     their policy; a trickling peer costs at most the deadline per try.
 * An abort check, polled at least every POLL_INTERVAL_MS during transfers,
 * lets the caller abandon a request when the user cancels the query or the
 * client is gone; a wait hook is told when the module starts and stops
 * waiting on the network (for wait-event reporting).  Nothing here
 * logs headers: the Authorization header never leaves this module except on
 * the wire.  Not thread-safe (a backend is single-threaded).
 */
#ifndef AWS_HTTP_H
#define AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "aws_buf.h"
#include "aws_error.h"
#include "aws_sigv4.h"

typedef struct AwsHttp AwsHttp;

/* AwsError.type of a transport error caused by an untrusted TLS certificate. */
#define AWS_TLS_VERIFICATION_FAILED "CertificateVerificationFailed"

/* Largest response body accepted when a request sets no max_response_bytes. */
#define AWS_HTTP_DEFAULT_MAX_RESPONSE (64 * 1024)

/* Largest total size of the response header lines of one request. */
#define AWS_HTTP_MAX_HEADER_BYTES (64 * 1024)

/*
 * The slowest upload the deadline allows for without eating into the read
 * timeout: a 16 MB BatchWriteItem over a 64 KiB/s link gets 256 s more.
 */
#define AWS_HTTP_SLOW_LINK_BYTES_PER_S (64 * 1024)

/* AwsError.type of a response over its cap (kind AWS_ERR_PROTOCOL). */
#define AWS_HTTP_RESPONSE_TOO_LARGE "ResponseTooLarge"

/* AwsError.type of a request that missed its deadline (kind AWS_ERR_TRANSPORT). */
#define AWS_HTTP_DEADLINE_EXCEEDED "RequestDeadlineExceeded"

/* Return non-zero to abandon the transfer in progress. */
typedef int (*AwsHttpAbortCheck) (void *arg);

/* Called with true before the module waits on the network, false after. */
typedef void (*AwsHttpWaitHook) (bool waiting, void *arg);

typedef struct AwsHttpRequest
{
	const char *method;			/* "POST" (also when NULL), "PUT" or "GET" */
	const char *url;
	const AwsHeader *headers;
	size_t		n_headers;
	const char *body;
	size_t		body_len;
	long		connect_timeout_ms;
	long		read_timeout_ms;	/* stall limit and base of the deadline (above) */
	size_t		max_response_bytes; /* 0: AWS_HTTP_DEFAULT_MAX_RESPONSE */
	bool		insecure;		/* skip TLS peer and host verification */
} AwsHttpRequest;

typedef struct AwsHttpResponse
{
	long		status;
	AwsBuf		body;
	long		retry_after_ms; /* x-amz-retry-after (ms, capped); 0 when absent */
} AwsHttpResponse;

/* The longest x-amz-retry-after taken from a peer (a larger value is cut to it). */
#define AWS_HTTP_MAX_RETRY_AFTER_MS 20000

/* max_connections caps open connections (0: libcurl's default). */
extern AwsHttp *aws_http_create(long max_connections, AwsError *err);
extern void aws_http_destroy(AwsHttp *http);

/* Change the cap on open connections (0: none); idle ones above it are closed. */
extern bool aws_http_set_max_connections(AwsHttp *http, long max_connections, AwsError *err);
extern void aws_http_set_abort_check(AwsHttp *http, AwsHttpAbortCheck check, void *arg);
extern void aws_http_set_wait_hook(AwsHttp *http, AwsHttpWaitHook hook, void *arg);

/* The deadline of a request after its connection is up (see above), in ms. */
extern long aws_http_deadline_ms(const AwsHttpRequest *req);

/* One request; on success *resp holds status and body (free with aws_http_response_free). */
extern bool aws_http_post(AwsHttp *http, const AwsHttpRequest *req,
						  AwsHttpResponse *resp, AwsError *err);
extern void aws_http_response_free(AwsHttpResponse *resp);

/*
 * Run n requests, at most max_inflight at a time.  For each i, either
 * ok[i] is true and resp[i] holds the response, or errs[i] says why not.
 * Returns false (with err) only when the transfer could not be run at all,
 * e.g. when the abort check fired; then no response is left allocated.
 */
extern bool aws_http_post_many(AwsHttp *http, const AwsHttpRequest *reqs, size_t n,
							   int max_inflight, AwsHttpResponse *resp, bool *ok,
							   AwsError *errs, AwsError *err);

/* Split "scheme://host[:port][/path]" into its Host header value and path ("/" when absent). */
extern bool aws_http_split_url(const char *url, char *host, size_t host_size,
							   const char **path, AwsError *err);

#endif							/* AWS_HTTP_H */
