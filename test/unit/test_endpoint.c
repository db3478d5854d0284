/*
 * test_endpoint.c — unit tests of the allowlist of AWS endpoints
 * (aws_endpoint.c), which decides where a role that is not a superuser may
 * make the database server connect.  No network.
 */
#include <stdio.h>
#include <string.h>

#include "aws_endpoint.h"
#include "unit_check.h"

static void
accepted(const char *url, AwsService svc, const char *region)
{
	char		name[512];

	snprintf(name, sizeof(name), "accepted %s", url);
	CHECK(aws_endpoint_is_aws(url, svc, region), name);
}

static void
refused(const char *url, AwsService svc, const char *region)
{
	char		name[512];

	snprintf(name, sizeof(name), "refused %s", url ? url : "NULL");
	CHECK(!aws_endpoint_is_aws(url, svc, region), name);
}

int
main(void)
{
	const AwsService D = AWS_SERVICE_DYNAMODB;
	const AwsService S = AWS_SERVICE_STS;

	accepted("https://dynamodb.us-east-2.amazonaws.com", D, "us-east-2");
	accepted("https://dynamodb.us-east-2.amazonaws.com/", D, "us-east-2");
	accepted("https://dynamodb.us-east-2.amazonaws.com:443", D, "us-east-2");
	accepted("https://DynamoDB.US-EAST-2.AmazonAWS.com:443/", D, "us-east-2");
	accepted("https://dynamodb-fips.us-gov-west-1.amazonaws.com", D, "us-gov-west-1");
	accepted("https://dynamodb.cn-north-1.amazonaws.com.cn", D, "cn-north-1");
	accepted("https://vpce-1a2b3c4d-5e6f.dynamodb.us-east-1.vpce.amazonaws.com", D, "us-east-1");
	accepted("https://vpce-1a2b3c4d-5e6f-us-east-1a.dynamodb.us-east-1.vpce.amazonaws.com/", D, "us-east-1");
	accepted("https://sts.us-east-1.amazonaws.com", S, "us-east-1");
	accepted("https://sts.amazonaws.com", S, "eu-west-1");
	accepted("https://sts-fips.us-east-1.amazonaws.com", S, "us-east-1");
	accepted("https://vpce-0123.sts.eu-west-1.vpce.amazonaws.com", S, "eu-west-1");

	/* other hosts, services, regions */
	refused("https://127.0.0.1:28000", D, "us-east-1");
	refused("https://[::1]/", D, "us-east-1");
	refused("https://169.254.169.254", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com.evil.example", D, "us-east-1");
	refused("https://evildynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://x.dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://vpce-.dynamodb.us-east-1.vpce.amazonaws.com", D, "us-east-1");
	refused("https://a.b.dynamodb.us-east-1.vpce.amazonaws.com", D, "us-east-1");
	refused("https://ec2-10-0-0-5.compute-1.amazonaws.com", D, "us-east-1");
	refused("https://my-lb-1.us-east-1.elb.amazonaws.com", D, "us-east-1");
	refused("https://dynamodb.us-west-2.amazonaws.com", D, "us-east-1");
	refused("https://sts.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com", S, "us-east-1");
	refused("https://dynamodb.amazonaws.com", D, "us-east-1");
	refused("https://amazonaws.com", D, "us-east-1");
	/* everything but the host */
	refused("http://dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("HTTPS://dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://user:pw@dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com@127.0.0.1", D, "us-east-1");
	refused("https://127.0.0.1#@dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://127.0.0.1\\@dynamodb.us-east-1.amazonaws.com", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com:8000", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com:443x", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com:0443", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com/path", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com//", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com?x=1", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com#f", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com.", D, "us-east-1");
	refused("https://dynamodb%2eus-east-1.amazonaws.com", D, "us-east-1");
	refused("https://dynamodb.us-east-1.amazonaws.com ", D, "us-east-1");
	refused("https://", D, "us-east-1");
	refused("", D, "us-east-1");
	refused(NULL, D, "us-east-1");
	/* a region that is not one (the validator refuses it anyway) */
	refused("https://dynamodb.a.b.amazonaws.com", D, "a.b");
	refused("https://dynamodb..amazonaws.com", D, "");
	CHECK(!aws_endpoint_is_aws("https://dynamodb.us-east-1.amazonaws.com", D, NULL), "no region");
	return unit_summary();
}
