/*
 * aws_endpoint.h — which URLs are AWS's own DynamoDB and STS endpoints.
 *
 * Contract: aws_endpoint_is_aws() is the allowlist of endpoints a role that
 * is not a superuser may point ddb_fdw at (ddb_option.c); any other URL
 * lets the database server connect wherever its network reaches, so only
 * a superuser may set it.  A URL passes only in exactly this form:
 *
 *   https://HOST  or  https://HOST/  or  https://HOST:443[/]
 *
 * with HOST, compared without regard to case, one of
 *
 *   SVC.REGION.amazonaws.com        SVC.REGION.amazonaws.com.cn
 *   SVC-fips.REGION.amazonaws.com   the FIPS endpoints
 *   vpce-ID.SVC.REGION.vpce.amazonaws.com[.cn]   an interface VPC endpoint
 *                                   (ID: letters, digits, hyphens; zonal
 *                                   names like vpce-0a1b-2c3d-us-east-1a too)
 *   sts.amazonaws.com               STS's global endpoint (STS only)
 *
 * where SVC is "dynamodb" or "sts" and REGION is exactly the server's
 * region.  Everything else is refused: http, user info, IP literals, other
 * ports, paths, queries, fragments, percent-escapes, a trailing dot.  HTTPS
 * matters: with certificate verification (which only a superuser may turn
 * off) a spoofed name cannot make the backend talk to anything but AWS.
 * Pure string work: no DNS, no allocation.
 */
#ifndef AWS_ENDPOINT_H
#define AWS_ENDPOINT_H

#include <stdbool.h>

typedef enum AwsService
{
	AWS_SERVICE_DYNAMODB,
	AWS_SERVICE_STS
} AwsService;

extern bool aws_endpoint_is_aws(const char *url, AwsService service, const char *region);

/* "dynamodb" or "sts", for messages. */
extern const char *aws_service_name(AwsService service);

#endif							/* AWS_ENDPOINT_H */
