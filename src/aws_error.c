/* aws_error.c — see aws_error.h */
#include "aws_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
aws_error_clear(AwsError *err)
{
	memset(err, 0, sizeof(*err));
}

void
aws_error_set(AwsError *err, AwsErrorKind kind, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	err->type[0] = '\0';
	err->foreign_body = false;
	err->reasons[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

void
aws_error_set_service(AwsError *err, long http_status,
					  const char *type, const char *message)
{
	err->kind = AWS_ERR_SERVICE;
	err->http_status = http_status;
	err->foreign_body = false;
	snprintf(err->type, sizeof(err->type), "%s", type ? type : "");
	snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
	err->reasons[0] = '\0';
}

const char *
aws_error_kind_name(AwsErrorKind kind)
{
	switch (kind)
	{
		case AWS_OK:
			return "no error";
		case AWS_ERR_INTERNAL:
			return "internal error";
		case AWS_ERR_INPUT:
			return "invalid input";
		case AWS_ERR_TRANSPORT:
			return "transport error";
		case AWS_ERR_SERVICE:
			return "service error";
		case AWS_ERR_PROTOCOL:
			return "protocol error";
	}
	return "unknown error";
}
