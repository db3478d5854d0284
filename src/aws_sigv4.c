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
 * the secret, is derived once and kept.  The strings are assembled from
 * pieces of known length (memcpy into a buffer reserved once, hex from a
 * table): no printf and no byte-at-a-time appends, which cost more than
 * the hashing of a small request.
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
	/* every request of a second has the same date: format it once */
	static time_t last = (time_t) -1;
	static char last_text[17];
	struct tm	tm;

	if (t != last || last == (time_t) -1)
	{
		gmtime_r(&t, &tm);
		strftime(last_text, sizeof(last_text), "%Y%m%dT%H%M%SZ", &tm);
		last = t;
	}
	memcpy(out, last_text, 17);
}

static bool
is_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/*
 * aws_buf_append inline for the common case: the buffers are reserved once
 * for the usual request, and a signature makes some fifty appends, so the
 * call and its checks would cost more than the copying.
 */
static inline bool
put(AwsBuf *b, const void *bytes, size_t n)
{
	/* cap > len + n leaves room for the NUL; cap is 0 before the first reservation */
	if (n < b->cap - b->len)
	{
		memcpy(b->data + b->len, bytes, n);
		b->len += n;
		b->data[b->len] = '\0';
		return true;
	}
	return aws_buf_append(b, bytes, n);
}

/* URI-encode n bytes as SigV4 wants it; '/' kept when keep_slash. */
static bool
uri_encode(AwsBuf *out, const char *s, size_t n, bool keep_slash)
{
	static const char upper_hex[] = "0123456789ABCDEF";
	size_t		i;
	size_t		run = 0;		/* start of the pending run of kept bytes */

	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[3];

		if (is_unreserved(c) || (keep_slash && c == '/'))
			continue;
		esc[0] = '%';
		esc[1] = upper_hex[c >> 4];
		esc[2] = upper_hex[c & 0x0f];
		if (!put(out, s + run, i - run) || !put(out, esc, 3))
			return false;
		run = i + 1;
	}
	return put(out, s + run, n - run);
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
		if (!put(out, &c, 1))
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
	if (!put(out, "/", 1))
		goto done;
	for (i = 0; i < nsegs; i++)
	{
		if ((i > 0 && !put(out, "/", 1)) ||
			!uri_encode(out, segs[i], lens[i], false))
			goto done;
	}
	if (nsegs > 0 && trailing_slash && !put(out, "/", 1))
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
		!put(&encoded, "", 0))
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
		if ((i > 0 && !put(out, "&", 1)) ||
			!aws_buf_append_str(out, params[i].key) || !put(out, "=", 1) ||
			!aws_buf_append_str(out, params[i].value))
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
	const char *name;			/* lower case */
	size_t		name_len;
	const char *value;
} CanonHeader;

/* Names in byte order, the values of one name in request order (a stable sort). */
static int
compare_names(const CanonHeader *a, const CanonHeader *b)
{
	size_t		n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int			c = memcmp(a->name, b->name, n);

	return c != 0 ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

static bool
is_header_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim the value and fold every run of white space (incl. line breaks) into one space. */
static bool
append_trimmed(AwsBuf *out, const char *v)
{
	bool		any = false;

	/* word by word: a run of non-space bytes is copied at once */
	for (;;)
	{
		const char *word;

		while (is_header_space(*v))
			v++;
		if (*v == '\0')
			return true;
		word = v;
		while (*v && !is_header_space(*v))
			v++;
		if ((any && !put(out, " ", 1)) ||
			!put(out, word, (size_t) (v - word)))
			return false;
		any = true;
	}
}

static bool
canonical_headers(AwsBuf *canon, AwsBuf *signed_names,
				  const AwsHeader *headers, size_t n)
{
	CanonHeader local[16];
	CanonHeader *h = n <= 16 ? local : malloc(n * sizeof(CanonHeader));
	char	   *names;
	size_t		total = 0;
	size_t		i;
	size_t		j;
	bool		ok = false;

	if (h == NULL)
		return false;
	for (i = 0; i < n; i++)
		total += strlen(headers[i].name) + 1;
	names = malloc(total ? total : 1);
	if (names == NULL)
		goto done;
	total = 0;
	for (i = 0; i < n; i++)
	{
		const char *src = headers[i].name;
		CanonHeader cur;

		cur.name = names + total;
		for (j = 0; src[j]; j++)
			names[total + j] = (char) tolower((unsigned char) src[j]);
		cur.name_len = j;
		names[total + j] = '\0';
		total += j + 1;
		cur.value = headers[i].value;
		/* insertion sort: a handful of headers, and stable */
		for (j = i; j > 0 && compare_names(&h[j - 1], &cur) > 0; j--)
			h[j] = h[j - 1];
		h[j] = cur;
	}
	for (i = 0; i < n; i++)
	{
		bool		same = i > 0 && compare_names(&h[i], &h[i - 1]) == 0;

		if (same)
		{
			if (!put(canon, ",", 1))
				goto done;
		}
		else
		{
			if ((i > 0 && !put(canon, "\n", 1)) ||
				!put(canon, h[i].name, h[i].name_len) || !put(canon, ":", 1) ||
				(signed_names->len > 0 && !put(signed_names, ";", 1)) ||
				!put(signed_names, h[i].name, h[i].name_len))
				goto done;
		}
		if (!append_trimmed(canon, h[i].value))
			goto done;
	}
	if (n > 0 && !put(canon, "\n", 1))
		goto done;
	ok = true;
done:
	free(names);
	if (h != local)
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
 * use and kept with the inputs it was derived from, which are compared on
 * every request (hashing them would cost as much as a small request's
 * SHA-256).  The kept secret is one more copy of what the caller holds
 * anyway; it is wiped when replaced.  The derived key is only good for
 * that day and scope.  Kept with it: SHA-256 states that have already
 * absorbed the key's inner and outer HMAC pads, so signing a request's
 * string to sign hashes two blocks fewer (of about six).
 */
typedef struct SigningKeyCache
{
	char	   *inputs;			/* "AWS4" secret NUL date NUL region NUL service NUL */
	size_t		len;
	unsigned char key[32];
	EVP_MD_CTX *inner;			/* SHA-256 of key ^ ipad so far */
	EVP_MD_CTX *outer;			/* SHA-256 of key ^ opad so far */
} SigningKeyCache;

static SigningKeyCache key_cache;

/* The HMAC pad states of a 32-byte key into the cache; false leaves no state behind. */
static bool
cache_pads(const unsigned char key[32])
{
	unsigned char pad[64];
	bool		ok;
	int			i;

	if (key_cache.inner == NULL && (key_cache.inner = EVP_MD_CTX_new()) == NULL)
		return false;
	if (key_cache.outer == NULL && (key_cache.outer = EVP_MD_CTX_new()) == NULL)
		return false;
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < 32; i++)
		pad[i] ^= key[i];
	ok = sha256_md() != NULL &&
		EVP_DigestInit_ex(key_cache.inner, sha256_md(), NULL) == 1 &&
		EVP_DigestUpdate(key_cache.inner, pad, sizeof(pad)) == 1;
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < 32; i++)
		pad[i] ^= key[i];
	ok = ok && EVP_DigestInit_ex(key_cache.outer, sha256_md(), NULL) == 1 &&
		EVP_DigestUpdate(key_cache.outer, pad, sizeof(pad)) == 1;
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok;
}

static void
forget_key(void)
{
	if (key_cache.inputs != NULL)
	{
		OPENSSL_cleanse(key_cache.inputs, key_cache.len);
		free(key_cache.inputs);
	}
	key_cache.inputs = NULL;
	key_cache.len = 0;
	OPENSSL_cleanse(key_cache.key, sizeof(key_cache.key));
	/* freeing the states wipes them (OpenSSL clears a digest's context on free) */
	EVP_MD_CTX_free(key_cache.inner);
	EVP_MD_CTX_free(key_cache.outer);
	key_cache.inner = key_cache.outer = NULL;
}

/* Make the cache hold the signing key of (secret, date, region, service). */
static bool
signing_key(const char *secret, const char *date, const char *region, const char *service)
{
	size_t		secret_len = strlen(secret);
	size_t		date_len = strlen(date);
	size_t		region_len = strlen(region);
	size_t		service_len = strlen(service);
	size_t		len = 4 + secret_len + 1 + date_len + 1 + region_len + 1 + service_len + 1;
	unsigned char k[32];
	char	   *inputs;
	char	   *p;
	bool		ok;

	if (key_cache.inputs != NULL && key_cache.len == len)
	{
		p = key_cache.inputs;
		if (memcmp(p + 4, secret, secret_len + 1) == 0 &&
			memcmp(p + 4 + secret_len + 1, date, date_len + 1) == 0 &&
			memcmp(p + 4 + secret_len + 1 + date_len + 1, region, region_len + 1) == 0 &&
			memcmp(p + len - service_len - 1, service, service_len + 1) == 0)
			return true;
	}
	forget_key();
	inputs = malloc(len);
	if (inputs == NULL)
		return false;
	p = inputs;
	memcpy(p, "AWS4", 4);
	memcpy(p + 4, secret, secret_len + 1);	/* NUL included: hmac takes a length */
	p += 4 + secret_len + 1;
	memcpy(p, date, date_len + 1);
	memcpy(p + date_len + 1, region, region_len + 1);
	memcpy(p + date_len + 1 + region_len + 1, service, service_len + 1);
	ok = hmac(inputs, 4 + secret_len, date, k) &&
		hmac(k, 32, region, k) &&
		hmac(k, 32, service, k) &&
		hmac(k, 32, "aws4_request", k);
	key_cache.inputs = inputs;
	key_cache.len = len;
	memcpy(key_cache.key, k, 32);
	OPENSSL_cleanse(k, sizeof(k));
	if (!ok || !cache_pads(key_cache.key))
	{
		forget_key();
		return false;
	}
	return true;
}

/* HMAC-SHA256 of msg under the cached signing key, from its pad states. */
static bool
hmac_signing_key(const char *msg, size_t len, unsigned char out[32])
{
	static EVP_MD_CTX *ctx = NULL;
	unsigned char inner[SHA256_DIGEST_LENGTH];
	unsigned int n = 0;
	bool		ok;

	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_MD_CTX_copy_ex(ctx, key_cache.inner) == 1 &&
		EVP_DigestUpdate(ctx, msg, len) == 1 &&
		EVP_DigestFinal_ex(ctx, inner, &n) == 1 && n == SHA256_DIGEST_LENGTH &&
		EVP_MD_CTX_copy_ex(ctx, key_cache.outer) == 1 &&
		EVP_DigestUpdate(ctx, inner, sizeof(inner)) == 1 &&
		EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == SHA256_DIGEST_LENGTH;
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok;
}

static char *
take(AwsBuf *buf)
{
	char	   *s;

	if (buf->data == NULL && !put(buf, "", 0))
		return NULL;
	s = buf->data;
	buf->data = NULL;
	buf->len = buf->cap = 0;
	return s;
}

/* Append a NUL-terminated piece. */
#define APPEND_STR(buf, s) put((buf), (s), strlen(s))
#define APPEND_LIT(buf, s) put((buf), (s), sizeof(s) - 1)

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
	unsigned char sig[32];
	char		sig_hex[65];
	const char *qmark = strchr(path_and_query, '?');
	size_t		path_len = qmark ? (size_t) (qmark - path_and_query) : strlen(path_and_query);
	size_t		scope_len;
	size_t		i;
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

	/* canonical request: one reservation covers the usual request */
	scope_len = 256 + strlen(method) + path_len;
	for (i = 0; i < n_headers; i++)
		scope_len += strlen(headers[i].name) * 2 + strlen(headers[i].value) + 3;
	if (!aws_buf_reserve(&canon, scope_len) || !aws_buf_reserve(&names, 128) ||
		!APPEND_STR(&canon, method) || !APPEND_LIT(&canon, "\n"))
		goto oom;
	if (path_len == 1 && path_and_query[0] == '/')
	{
		/* "/" is its own normal form (DynamoDB, STS) */
		if (!APPEND_LIT(&canon, "/"))
			goto oom;
	}
	else if (p->normalize_path ? !normalized_path(&canon, path_and_query, path_len)
			 : !uri_encode(&canon, path_and_query, path_len, true))
		goto oom;
	if (path_len == 0 && !APPEND_LIT(&canon, "/"))
		goto oom;
	if (!APPEND_LIT(&canon, "\n") ||
		(qmark && !canonical_query(&canon, qmark + 1)) ||
		!APPEND_LIT(&canon, "\n") ||
		!canonical_headers(&canon, &names, headers, n_headers) ||
		!APPEND_LIT(&canon, "\n") ||
		!put(&canon, names.data ? names.data : "", names.len) ||
		!APPEND_LIT(&canon, "\n") ||
		!aws_sigv4_sha256_hex(payload ? payload : "", payload_len, payload_hash) ||
		!put(&canon, payload_hash, 64))
		goto oom;

	/* string to sign: algorithm, date, scope, hash of the canonical request */
	if (!aws_sigv4_sha256_hex(canon.data, canon.len, canon_hash) ||
		!aws_buf_reserve(&sts, 64 + 16 + 8 + strlen(p->region) + strlen(p->service) + 64) ||
		!APPEND_LIT(&sts, ALGORITHM "\n") || !put(&sts, p->amz_date, 16) ||
		!APPEND_LIT(&sts, "\n") || !put(&sts, date, 8) || !APPEND_LIT(&sts, "/") ||
		!APPEND_STR(&sts, p->region) || !APPEND_LIT(&sts, "/") ||
		!APPEND_STR(&sts, p->service) || !APPEND_LIT(&sts, "/aws4_request\n") ||
		!put(&sts, canon_hash, 64))
		goto oom;

	/* signing key: HMAC chain over date, region, service, "aws4_request" */
	if (!signing_key(p->secret_access_key, date, p->region, p->service) ||
		!hmac_signing_key(sts.data, sts.len, sig))
		goto oom;
	to_hex(sig, 32, sig_hex);

	if (!aws_buf_reserve(&auth, 128 + strlen(p->access_key_id) + strlen(p->region) +
						 strlen(p->service) + names.len) ||
		!APPEND_LIT(&auth, ALGORITHM " Credential=") || !APPEND_STR(&auth, p->access_key_id) ||
		!APPEND_LIT(&auth, "/") || !put(&auth, date, 8) || !APPEND_LIT(&auth, "/") ||
		!APPEND_STR(&auth, p->region) || !APPEND_LIT(&auth, "/") ||
		!APPEND_STR(&auth, p->service) || !APPEND_LIT(&auth, "/aws4_request, SignedHeaders=") ||
		!put(&auth, names.data ? names.data : "", names.len) ||
		!APPEND_LIT(&auth, ", Signature=") || !put(&auth, sig_hex, 64))
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
