/*
 * aws_metadata.h — credentials from the machine the server runs on: the
 * ECS/EKS container credentials endpoint and EC2 instance metadata (IMDSv2).
 *
 * Contract: configuration comes from this process's environment, as the
 * AWS SDKs read it:
 *   container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2)
 *              or AWS_CONTAINER_CREDENTIALS_FULL_URI (plain http only to a
 *              loopback or the ECS/EKS link-local hosts), with an optional
 *              AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE header;
 *   instance:  AWS_EC2_METADATA_SERVICE_ENDPOINT (default
 *              http://169.254.169.254), off when AWS_EC2_METADATA_DISABLED
 *              is "true"; a session token (PUT /latest/api/token) is
 *              fetched first and sent with every read.
 * Short timeouts keep a machine without metadata from stalling the AUTO
 * chain.  *out owns malloc'ed credentials (aws_creds_free).
 */
#ifndef AWS_METADATA_H
#define AWS_METADATA_H

#include <stdbool.h>

#include "aws_creds.h"
#include "aws_error.h"
#include "aws_http.h"

/* Is a container credentials endpoint configured in the environment? */
extern bool aws_metadata_container_configured(void);
extern bool aws_metadata_container_credentials(AwsHttp *http, AwsCredentials *out, AwsError *err);

/* Is instance metadata allowed (AWS_EC2_METADATA_DISABLED not "true")? */
extern bool aws_metadata_instance_enabled(void);
extern bool aws_metadata_instance_credentials(AwsHttp *http, AwsCredentials *out, AwsError *err);

#endif							/* AWS_METADATA_H */
