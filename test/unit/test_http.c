/*
 * test_http.c — aws_http.c honours the proxy environment as libcurl does.
 *
 * aws_http reads the proxy variables once per AwsHttp and hands libcurl the
 * proxy it would have found there itself (CURLOPT_PROXY, CURLOPT_NOPROXY),
 * so these check the outcome libcurl's own lookup gives: http_proxy for an
 * http URL, all_proxy when that is unset or empty, never HTTP_PROXY,
 * https_proxy for https (a CONNECT), no_proxy exempting a host.  The "proxy" is a child process on 127.0.0.1 that records the
 * request line of one connection and answers 200; the target host is in
 * .invalid, so a request that bypasses the proxy cannot succeed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws_http.h"
#include "unit_check.h"

#define TARGET_HOST "ddb-proxy-test.invalid"

typedef struct Proxy
{
	pid_t		pid;
	int			port;
	int			report;			/* read end: the request line the child saw */
} Proxy;

/* A one-connection "proxy": answers 200 "ok" and reports the request line. */
static bool
proxy_start(Proxy *p)
{
	struct sockaddr_in addr;
	socklen_t	len = sizeof(addr);
	int			fd = socket(AF_INET, SOCK_STREAM, 0);
	int			pipefd[2];

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 ||
		listen(fd, 4) != 0 || getsockname(fd, (struct sockaddr *) &addr, &len) != 0 ||
		pipe(pipefd) != 0)
		return false;
	p->port = ntohs(addr.sin_port);
	p->pid = fork();
	if (p->pid < 0)
		return false;
	if (p->pid == 0)
	{
		char		buf[8192];
		size_t		got = 0;
		int			c;
		static const char answer[] =
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

		close(pipefd[0]);
		alarm(20);
		c = accept(fd, NULL, NULL);
		if (c < 0)
			_exit(1);
		/* the request line and headers, then the body if any came with them */
		while (got < sizeof(buf) - 1)
		{
			ssize_t		n = read(c, buf + got, sizeof(buf) - 1 - got);

			if (n <= 0)
				break;
			got += (size_t) n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL)
				break;
		}
		buf[got] = '\0';
		{
			char	   *eol = strstr(buf, "\r\n");

			if (eol)
				*eol = '\0';
		}
		if (write(pipefd[1], buf, strlen(buf)) < 0)
			_exit(1);
		if (write(c, answer, sizeof(answer) - 1) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(fd);
	close(pipefd[1]);
	p->report = pipefd[0];
	return true;
}

/* The request line the proxy saw ("" when nothing came); stops the child. */
static void
proxy_stop(Proxy *p, char *line, size_t size)
{
	ssize_t		n;

	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
	n = read(p->report, line, size - 1);
	line[n > 0 ? n : 0] = '\0';
	close(p->report);
}

static void
clear_proxy_env(void)
{
	const char *names[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
	"all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"};
	size_t		i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unsetenv(names[i]);
}

/*
 * POST to url with the proxy environment set by set_env (given the proxy's
 * URL); returns whether the request succeeded and what the proxy saw.
 */
static bool
post_via(const char *url, void (*set_env) (const char *proxy_url), char *seen, size_t size)
{
	Proxy		p;
	char		proxy_url[64];
	AwsHttp    *http;
	AwsError	err;
	AwsHttpRequest req;
	AwsHttpResponse resp;
	bool		ok = false;

	if (!proxy_start(&p))
		return false;
	snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", p.port);
	clear_proxy_env();
	set_env(proxy_url);
	aws_error_clear(&err);
	http = aws_http_create(0, &err);
	if (http != NULL)
	{
		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		req.url = url;
		req.body = "{}";
		req.body_len = 2;
		req.connect_timeout_ms = 5000;
		req.read_timeout_ms = 5000;
		ok = aws_http_post(http, &req, &resp, &err) && resp.status == 200;
		aws_http_response_free(&resp);
		aws_http_destroy(http);
	}
	clear_proxy_env();
	proxy_stop(&p, seen, size);
	return ok;
}

static void
env_http_proxy(const char *proxy_url)
{
	setenv("http_proxy", proxy_url, 1);
}

static void
env_all_proxy(const char *proxy_url)
{
	setenv("ALL_PROXY", proxy_url, 1);
}

static void
env_empty_http_proxy(const char *proxy_url)
{
	setenv("http_proxy", "", 1);
	setenv("all_proxy", proxy_url, 1);
}

static void
env_upper_http_proxy(const char *proxy_url)
{
	/* libcurl ignores HTTP_PROXY on purpose (the CGI "Proxy:" header attack) */
	setenv("HTTP_PROXY", proxy_url, 1);
}

static void
env_https_proxy(const char *proxy_url)
{
	setenv("HTTPS_PROXY", proxy_url, 1);
}

static void
env_no_proxy(const char *proxy_url)
{
	setenv("http_proxy", proxy_url, 1);
	setenv("NO_PROXY", "example.org," TARGET_HOST, 1);
}

static void
test_proxy_env(void)
{
	char		seen[8192];
	bool		ok;

	ok = post_via("http://" TARGET_HOST "/", env_http_proxy, seen, sizeof(seen));
	CHECK(ok && strcmp(seen, "POST http://" TARGET_HOST "/ HTTP/1.1") == 0,
		  "http_proxy carries an http request");

	ok = post_via("http://" TARGET_HOST "/", env_all_proxy, seen, sizeof(seen));
	CHECK(ok && strncmp(seen, "POST http://" TARGET_HOST "/", 24) == 0,
		  "ALL_PROXY when no http_proxy is set");

	ok = post_via("http://" TARGET_HOST "/", env_empty_http_proxy, seen, sizeof(seen));
	CHECK(ok && strncmp(seen, "POST http://" TARGET_HOST "/", 24) == 0,
		  "an empty http_proxy counts as unset: all_proxy applies");

	ok = post_via("http://" TARGET_HOST "/", env_upper_http_proxy, seen, sizeof(seen));
	CHECK(!ok && seen[0] == '\0', "HTTP_PROXY is ignored, as libcurl does");

	(void) post_via("https://" TARGET_HOST "/", env_https_proxy, seen, sizeof(seen));
	CHECK(strcmp(seen, "CONNECT " TARGET_HOST ":443 HTTP/1.1") == 0,
		  "HTTPS_PROXY tunnels an https request");

	ok = post_via("http://" TARGET_HOST "/", env_no_proxy, seen, sizeof(seen));
	CHECK(!ok && seen[0] == '\0', "NO_PROXY exempts its hosts");
}

int
main(void)
{
	test_proxy_env();
	return unit_summary();
}
