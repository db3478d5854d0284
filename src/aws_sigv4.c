/*
 * aws_sigv4.c — AWS Signature Version 4 (aws_sigv4.h).
 *
 * Follows the published algorithm: canonical request, string to sign,
 * signing key derived from the date, region and service, HMAC-SHA256.
 *
 * Speed matters: a bulk load signs tens of thousands of requests a second.
 * OpenSSL 3's one-shot SHA256()/HMAC() look the algorithm up on every call,
 * so the digest is fetched once and HMAC is built on it (RFC 2104), and the
 * signing key, which only changes with the day, the region, the service or
 * the secret, is derived once and kept.
 */
#include "aws_sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "aws_buf.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

static const char hexdigits[] = "0123456789abcdef";

static void
to_hex(const unsigned char *bytes, size_t n, char *out)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hexdigits[bytes[i] >> 4];
		out[2 * i + 1] = hexdigits[bytes[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* SHA-256, fetched once; NULL if OpenSSL cannot provide it. */
static const EVP_MD *
sha256_md(void)
{
	static const EVP_MD *md = NULL;

	if (md == NULL)
	{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
		md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
		if (md == NULL)
#endif
			md = EVP_sha256();
	}
	return md;
}

/* SHA-256 of the concatenation of two pieces (the second may be empty). */
static bool
sha256_2(const void *a, size_t a_len, const void *b, size_t b_len,
		 unsigned char out[SHA256_DIGEST_LENGTH])
{
	static EVP_MD_CTX *ctx = NULL;
	unsigned int len = 0;

	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	return sha256_md() != NULL &&
		EVP_DigestInit_ex(ctx, sha256_md(), NULL) == 1 &&
		EVP_DigestUpdate(ctx, a, a_len) == 1 &&
		(b_len == 0 || EVP_DigestUpdate(ctx, b, b_len) == 1) &&
		EVP_DigestFinal_ex(ctx, out, &len) == 1 &&
		len == SHA256_DIGEST_LENGTH;
}

bool
aws_sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	if (!sha256_2(data, len, NULL, 0, digest))
		return false;
	to_hex(digest, sizeof(digest), out);
	return true;
}

void
aws_sigv4_format_amz_date(time_t t, char out[17])
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool
is_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* URI-encode n bytes as SigV4 wants it; '/' kept when keep_slash. */
static bool
uri_encode(AwsBuf *out, const char *s, size_t n, bool keep_slash)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (is_unreserved(c) || (keep_slash && c == '/'))
		{
			if (!aws_buf_append(out, &s[i], 1))
				return false;
		}
		else if (!aws_buf_appendf(out, "%%%02X", c))
			return false;
	}
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX escapes (query components may arrive encoded or not). */
static bool
uri_decode(AwsBuf *out, const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		char		c = s[i];

		if (c == '%' && i + 2 < n &&
			hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0)
		{
			c = (char) (hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		if (!aws_buf_append(out, &c, 1))
			return false;
	}
	return true;
}

/* Remove "." and ".." segments and empty segments ("//"), RFC 3986 style. */
static bool
normalized_path(AwsBuf *out, const char *path, size_t n)
{
	const char **segs;
	size_t	   *lens;
	size_t		nsegs = 0;
	size_t		i = 0;
	bool		ok = false;
	bool		trailing_slash = n > 0 && path[n - 1] == '/';

	segs = malloc(sizeof(char *) * (n + 1));
	lens = malloc(sizeof(size_t) * (n + 1));
	if (segs == NULL || lens == NULL)
		goto done;
	while (i < n)
	{
		size_t		start;
		size_t		len;

		while (i < n && path[i] == '/')
			i++;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && path[start] == '.'))
			continue;
		if (len == 2 && path[start] == '.' && path[start + 1] == '.')
		{
			if (nsegs > 0)
				nsegs--;
			/* "/a/.." names the directory: keep a trailing slash only if asked */
			continue;
		}
		segs[nsegs] = path + start;
		lens[nsegs++] = len;
	}
	if (!aws_buf_append(out, "/", 1))
		goto done;
	for (i = 0; i < nsegs; i++)
	{
		if ((i > 0 && !aws_buf_append(out, "/", 1)) ||
			!uri_encode(out, segs[i], lens[i], false))
			goto done;
	}
	if (nsegs > 0 && trailing_slash && !aws_buf_append(out, "/", 1))
		goto done;
	ok = true;
done:
	free(segs);
	free(lens);
	return ok;
}

typedef struct QueryParam
{
	char	   *key;			/* encoded */
	char	   *value;			/* encoded */
} QueryParam;

static int
compare_params(const void *a, const void *b)
{
	const QueryParam *pa = a;
	const QueryParam *pb = b;
	int			c = strcmp(pa->key, pb->key);

	return c != 0 ? c : strcmp(pa->value, pb->value);
}

/* Encode one decoded component into a malloc'ed string. */
static char *
encode_component(const char *s, size_t n)
{
	AwsBuf		decoded = {0};
	AwsBuf		encoded = {0};

	if (!uri_decode(&decoded, s, n) ||
		!uri_encode(&encoded, decoded.data ? decoded.data : "", decoded.len, false) ||
		!aws_buf_append(&encoded, "", 0))
	{
		aws_buf_free(&decoded);
		aws_buf_free(&encoded);
		return NULL;
	}
	aws_buf_free(&decoded);
	return encoded.data;
}

static bool
canonical_query(AwsBuf *out, const char *query)
{
	size_t		n = 0;
	size_t		max = 1;
	const char *p;
	QueryParam *params;
	bool		ok = false;
	size_t		i;

	for (p = query; *p; p++)
		if (*p == '&')
			max++;
	params = calloc(max, sizeof(QueryParam));
	if (params == NULL)
		return false;
	p = query;
	while (*p)
	{
		const char *end = strchr(p, '&');
		const char *eq;
		size_t		len = end ? (size_t) (end - p) : strlen(p);

		if (len > 0)
		{
			eq = memchr(p, '=', len);
			params[n].key = encode_component(p, eq ? (size_t) (eq - p) : len);
			params[n].value = eq ? encode_component(eq + 1, len - (size_t) (eq - p) - 1)
				: encode_component("", 0);
			n++;
			if (params[n - 1].key == NULL || params[n - 1].value == NULL)
				goto done;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	qsort(params, n, sizeof(QueryParam), compare_params);
	for (i = 0; i < n; i++)
		if (!aws_buf_appendf(out, "%s%s=%s", i > 0 ? "&" : "", params[i].key, params[i].value))
			goto done;
	ok = true;
done:
	for (i = 0; i < n; i++)
	{
		free(params[i].key);
		free(params[i].value);
	}
	free(params);
	return ok;
}

typedef struct CanonHeader
{
	char	   *name;			/* lower case */
	const char *value;
	size_t		order;			/* keeps the values of one name in request order */
} CanonHeader;

static int
compare_headers(const void *a, const void *b)
{
	const CanonHeader *ha = a;
	const CanonHeader *hb = b;
	int			c = strcmp(ha->name, hb->name);

	if (c != 0)
		return c;
	return ha->order < hb->order ? -1 : ha->order > hb->order;
}

/* Trim the value and fold every run of white space (incl. line breaks) into one space. */
static bool
append_trimmed(AwsBuf *out, const char *v)
{
	bool		pending_space = false;
	bool		any = false;

	for (; *v; v++)
	{
		if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		{
			pending_space = any;
			continue;
		}
		if (pending_space && !aws_buf_append(out, " ", 1))
			return false;
		pending_space = false;
		any = true;
		if (!aws_buf_append(out, v, 1))
			return false;
	}
	return true;
}

static bool
canonical_headers(AwsBuf *canon, AwsBuf *signed_names,
				  const AwsHeader *headers, size_t n)
{
	CanonHeader *h = calloc(n ? n : 1, sizeof(CanonHeader));
	bool		ok = false;
	size_t		i;
	size_t		j;

	if (h == NULL)
		return false;
	for (i = 0; i < n; i++)
	{
		h[i].name = strdup(headers[i].name);
		if (h[i].name == NULL)
			goto done;
		for (j = 0; h[i].name[j]; j++)
			h[i].name[j] = (char) tolower((unsigned char) h[i].name[j]);
		h[i].value = headers[i].value;
		h[i].order = i;
	}
	qsort(h, n, sizeof(CanonHeader), compare_headers);
	for (i = 0; i < n; i++)
	{
		bool		same = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;

		if (same)
		{
			if (!aws_buf_append(canon, ",", 1))
				goto done;
		}
		else
		{
			if ((i > 0 && !aws_buf_append(canon, "\n", 1)) ||
				!aws_buf_append_str(canon, h[i].name) || !aws_buf_append(canon, ":", 1) ||
				(signed_names->len > 0 && !aws_buf_append(signed_names, ";", 1)) ||
				!aws_buf_append_str(signed_names, h[i].name))
				goto done;
		}
		if (!append_trimmed(canon, h[i].value))
			goto done;
	}
	if (n > 0 && !aws_buf_append(canon, "\n", 1))
		goto done;
	ok = true;
done:
	for (i = 0; i < n; i++)
		free(h[i].name);
	free(h);
	return ok;
}

/* HMAC-SHA256 (RFC 2104) of a string; out may be the key. */
static bool
hmac(const void *key, size_t key_len, const char *msg, unsigned char out[32])
{
	unsigned char block[64];
	unsigned char pad[64];
	unsigned char inner[SHA256_DIGEST_LENGTH];
	bool		ok;
	int			i;

	memset(block, 0, sizeof(block));
	if (key_len > sizeof(block))
	{
		if (!sha256_2(key, key_len, NULL, 0, block))
			return false;
	}
	else
		memcpy(block, key, key_len);

	for (i = 0; i < 64; i++)
		pad[i] = block[i] ^ 0x36;
	ok = sha256_2(pad, sizeof(pad), msg, strlen(msg), inner);
	for (i = 0; i < 64; i++)
		pad[i] = block[i] ^ 0x5c;
	ok = ok && sha256_2(pad, sizeof(pad), inner, sizeof(inner), out);

	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok;
}

/*
 * The signing key for (secret, date, region, service), derived on first
 * use.  The cache is identified by a hash of its inputs, so it never keeps
 * the secret itself; the derived key is only good for that day and scope.
 */
static bool
signing_key(const char *secret, const char *date, const char *region, const char *service,
			unsigned char out[32])
{
	static unsigned char cached_tag[SHA256_DIGEST_LENGTH];
	static unsigned char cached_key[32];
	static bool cached = false;
	AwsBuf		scope = {0};
	unsigned char tag[SHA256_DIGEST_LENGTH];
	bool		ok;

	if (!aws_buf_appendf(&scope, "AWS4%s", secret) ||
		!aws_buf_append(&scope, "", 1) ||	/* separators keep the fields apart */
		!aws_buf_appendf(&scope, "%s/%s/%s", date, region, service))
	{
		aws_buf_free(&scope);
		return false;
	}
	ok = sha256_2(scope.data, scope.len, NULL, 0, tag);
	if (ok && cached && memcmp(tag, cached_tag, sizeof(tag)) == 0)
	{
		memcpy(out, cached_key, 32);
		OPENSSL_cleanse(scope.data, scope.len);
		aws_buf_free(&scope);
		return true;
	}
	/* "AWS4" + secret is the first line of scope */
	ok = ok &&
		hmac(scope.data, 4 + strlen(secret), date, out) &&
		hmac(out, 32, region, out) &&
		hmac(out, 32, service, out) &&
		hmac(out, 32, "aws4_request", out);
	OPENSSL_cleanse(scope.data, scope.len);
	aws_buf_free(&scope);
	if (!ok)
		return false;
	memcpy(cached_tag, tag, sizeof(tag));
	memcpy(cached_key, out, 32);
	cached = true;
	return true;
}

static char *
take(AwsBuf *buf)
{
	char	   *s;

	if (buf->data == NULL && !aws_buf_append(buf, "", 0))
		return NULL;
	s = buf->data;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return s;
}

bool
aws_sigv4_sign(const AwsSigv4Params *p, const char *method, const char *path_and_query,
			   const AwsHeader *headers, size_t n_headers,
			   const void *payload, size_t payload_len,
			   AwsSigv4Result *out, AwsError *err)
{
	AwsBuf		canon = {0};
	AwsBuf		names = {0};
	AwsBuf		sts = {0};
	AwsBuf		auth = {0};
	char		payload_hash[65];
	char		canon_hash[65];
	char		date[9];
	unsigned char k[32];
	unsigned char sig[32];
	char		sig_hex[65];
	const char *qmark = strchr(path_and_query, '?');
	size_t		path_len = qmark ? (size_t) (qmark - path_and_query) : strlen(path_and_query);
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	if (p->amz_date == NULL || strlen(p->amz_date) != 16 || p->secret_access_key == NULL ||
		p->access_key_id == NULL || p->region == NULL || p->service == NULL)
	{
		aws_error_set(err, AWS_ERR_INPUT, "incomplete signing parameters");
		return false;
	}
	memcpy(date, p->amz_date, 8);
	date[8] = '\0';

	/* canonical request */
	if (!aws_buf_appendf(&canon, "%s\n", method))
		goto oom;
	if (p->normalize_path ? !normalized_path(&canon, path_and_query, path_len)
		: !uri_encode(&canon, path_and_query, path_len, true))
		goto oom;
	if (path_len == 0 && !aws_buf_append(&canon, "/", 1))
		goto oom;
	if (!aws_buf_append(&canon, "\n", 1) ||
		(qmark && !canonical_query(&canon, qmark + 1)) ||
		!aws_buf_append(&canon, "\n", 1) ||
		!canonical_headers(&canon, &names, headers, n_headers) ||
		!aws_buf_appendf(&canon, "\n%s\n", names.data ? names.data : "") ||
		!aws_sigv4_sha256_hex(payload ? payload : "", payload_len, payload_hash) ||
		!aws_buf_append_str(&canon, payload_hash))
		goto oom;

	/* string to sign */
	if (!aws_sigv4_sha256_hex(canon.data, canon.len, canon_hash) ||
		!aws_buf_appendf(&sts, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s",
						 p->amz_date, date, p->region, p->service, canon_hash))
		goto oom;

	/* signing key: HMAC chain over date, region, service, "aws4_request" */
	if (!signing_key(p->secret_access_key, date, p->region, p->service, k) ||
		!hmac(k, 32, sts.data, sig))
		goto oom;
	to_hex(sig, 32, sig_hex);

	if (!aws_buf_appendf(&auth, ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
						 p->access_key_id, date, p->region, p->service,
						 names.data ? names.data : "", sig_hex))
		goto oom;

	out->canonical_request = take(&canon);
	out->string_to_sign = take(&sts);
	out->signature = strdup(sig_hex);
	out->authorization = take(&auth);
	if (out->canonical_request == NULL || out->string_to_sign == NULL ||
		out->signature == NULL || out->authorization == NULL)
		goto oom;
	ok = true;
	goto done;

oom:
	aws_error_set(err, AWS_ERR_INTERNAL, "out of memory or crypto failure while signing");
	aws_sigv4_result_free(out);
done:
	/* the derived key is secret material */
	OPENSSL_cleanse(k, sizeof(k));
	aws_buf_free(&canon);
	aws_buf_free(&names);
	aws_buf_free(&sts);
	aws_buf_free(&auth);
	return ok;
}

void
aws_sigv4_result_free(AwsSigv4Result *r)
{
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->signature);
	free(r->authorization);
	memset(r, 0, sizeof(*r));
}
