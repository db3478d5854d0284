/*
 * aws_buf.h — a growable byte buffer for the AWS client modules.
 *
 * Contract: zero-initialise (AwsBuf b = {0}) before first use; data is always
 * NUL-terminated once anything was appended; append functions return false on
 * out-of-memory and leave the buffer as it was; aws_buf_free releases the
 * storage and leaves an empty, reusable buffer.  Memory comes from malloc,
 * never from PostgreSQL memory contexts, so it is safe in client-side code.
 */
#ifndef AWS_BUF_H
#define AWS_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct AwsBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} AwsBuf;

extern bool aws_buf_reserve(AwsBuf *buf, size_t extra);
extern bool aws_buf_append(AwsBuf *buf, const void *bytes, size_t n);
extern bool aws_buf_append_str(AwsBuf *buf, const char *s);
extern bool aws_buf_appendf(AwsBuf *buf, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
extern void aws_buf_reset(AwsBuf *buf);	/* len = 0, keeps storage */
extern void aws_buf_free(AwsBuf *buf);

#endif							/* AWS_BUF_H */
