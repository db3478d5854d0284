/* aws_buf.c — see aws_buf.h */
#include "aws_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
aws_buf_reserve(AwsBuf *buf, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *p;

	if (extra > ((size_t) -1) / 2 - buf->len)
		return false;
	need = buf->len + extra + 1;	/* room for the terminating NUL */
	if (need <= buf->cap)
		return true;
	newcap = buf->cap ? buf->cap : 256;
	while (newcap < need)
		newcap *= 2;
	p = realloc(buf->data, newcap);
	if (p == NULL)
		return false;
	buf->data = p;
	buf->cap = newcap;
	return true;
}

bool
aws_buf_append(AwsBuf *buf, const void *bytes, size_t n)
{
	if (!aws_buf_reserve(buf, n))
		return false;
	if (n > 0)
		memcpy(buf->data + buf->len, bytes, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return true;
}

bool
aws_buf_append_str(AwsBuf *buf, const char *s)
{
	return aws_buf_append(buf, s, strlen(s));
}

bool
aws_buf_appendf(AwsBuf *buf, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !aws_buf_reserve(buf, (size_t) n))
		return false;
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t) n;
	return true;
}

void
aws_buf_reset(AwsBuf *buf)
{
	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

void
aws_buf_free(AwsBuf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}
