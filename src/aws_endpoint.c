/* aws_endpoint.c — see aws_endpoint.h */
#include "aws_endpoint.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A host name longer than DNS allows is never AWS's. */
#define MAX_HOST 253

const char *
aws_service_name(AwsService service)
{
	return service == AWS_SERVICE_STS ? "sts" : "dynamodb";
}

static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Does host (len bytes) end with suffix, case-insensitively?  Sets *prefix_len. */
static bool
ends_with(const char *host, size_t len, const char *suffix, size_t *prefix_len)
{
	size_t		n = strlen(suffix);

	if (len < n || strncasecmp(host + len - n, suffix, n) != 0)
		return false;
	*prefix_len = len - n;
	return true;
}

/* One "vpce-..." label: the endpoint's id, maybe with its zone. */
static bool
vpce_label(const char *label, size_t len)
{
	size_t		i;

	if (len <= 5 || strncasecmp(label, "vpce-", 5) != 0)
		return false;
	for (i = 5; i < len; i++)
		if (label[i] == '.')
			return false;
	return true;
}

static bool
host_is_aws(const char *host, size_t len, AwsService service, const char *region)
{
	static const char *const domains[] = {".amazonaws.com", ".amazonaws.com.cn"};
	const char *svc = aws_service_name(service);
	char		suffix[MAX_HOST + 2];
	size_t		prefix;
	int			d;

	if (service == AWS_SERVICE_STS && len == strlen("sts.amazonaws.com") &&
		strncasecmp(host, "sts.amazonaws.com", len) == 0)
		return true;
	for (d = 0; d < 2; d++)
	{
		/* SVC.REGION.DOMAIN and SVC-fips.REGION.DOMAIN: the whole host */
		snprintf(suffix, sizeof(suffix), "%s.%s%s", svc, region, domains[d]);
		if (ends_with(host, len, suffix, &prefix) && prefix == 0)
			return true;
		snprintf(suffix, sizeof(suffix), "%s-fips.%s%s", svc, region, domains[d]);
		if (ends_with(host, len, suffix, &prefix) && prefix == 0)
			return true;
		/* vpce-ID.SVC.REGION.vpce.DOMAIN: one label before */
		snprintf(suffix, sizeof(suffix), ".%s.%s.vpce%s", svc, region, domains[d]);
		if (ends_with(host, len, suffix, &prefix) && vpce_label(host, prefix))
			return true;
	}
	return false;
}

bool
aws_endpoint_is_aws(const char *url, AwsService service, const char *region)
{
	const char *host;
	const char *p;
	size_t		len;

	if (url == NULL || region == NULL || *region == '\0' || strlen(region) > 64 ||
		strncmp(url, "https://", 8) != 0)
		return false;
	for (p = region; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	host = url + 8;
	for (p = host; host_char(*p); p++)
		;
	len = (size_t) (p - host);
	if (len == 0 || len > MAX_HOST || host[len - 1] == '.')
		return false;
	/* nothing after the host but the default port and an empty path */
	if (strncmp(p, ":443", 4) == 0)
		p += 4;
	if (*p == '/')
		p++;
	if (*p != '\0')
		return false;
	return host_is_aws(host, len, service, region);
}
