/*
 * aws_error_doc.h — reading an AWS service's error answer into an AwsError.
 *
 * Contract: aws_error_parse_document() is the one place that decides what an
 * AWS error document is, for every service the client calls (DynamoDB's
 * JSON, STS's XML): a JSON object whose "__type" is "Name" or
 * "namespace#Name", or XML whose root is <ErrorResponse> with a <Code> of
 * that form.  Its type (the part after '#') and message are kept, and
 * DynamoDB's ThrottlingReasons go into err->reasons.  Any other body is no
 * document: the type is "HTTP <status>", the message its "message" field or
 * a printable excerpt, and err->foreign_body is set, so the PostgreSQL side
 * shows it to superusers only (ddb_bridge.h).  The body is untrusted and
 * must be NUL-terminated (AwsBuf bodies are); nothing is allocated that
 * outlives the call.
 */
#ifndef AWS_ERROR_DOC_H
#define AWS_ERROR_DOC_H

#include <stddef.h>

#include "aws_error.h"

/* Turn a non-200 answer (status and body) into an AWS_ERR_SERVICE error. */
extern void aws_error_parse_document(long status, const char *body, size_t len, AwsError *err);

/*
 * At most 200 bytes of untrusted text, non-printable bytes as spaces, into
 * out (size bytes, NUL-terminated): what of a peer's text may go into a message.
 */
extern void aws_error_printable(const char *text, size_t len, char *out, size_t size);

#endif							/* AWS_ERROR_DOC_H */
