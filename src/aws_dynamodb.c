/* aws_dynamodb.c — see aws_dynamodb.h */
#include "aws_dynamodb.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "aws_error_doc.h"
#include "aws_request.h"

#define DDB_TARGET_PREFIX "DynamoDB_20120810."
#define DDB_CONTENT_TYPE "application/x-amz-json-1.0"

void
aws_ddb_default_url(const char *region, char *buf, size_t size)
{
	snprintf(buf, size, "https://dynamodb.%s.amazonaws.com%s", region,
			 strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
}

size_t
aws_ddb_max_response(const char *operation, size_t body_len)
{
	size_t		floor = strcmp(operation, "DescribeTable") == 0 ?
		AWS_DDB_DESCRIBE_RESPONSE_FLOOR : AWS_DDB_RESPONSE_FLOOR;
	size_t		echo = body_len * 2 + AWS_DDB_RESPONSE_FLOOR;

	return echo > floor ? echo : floor;
}

bool
aws_ddb_call_many(AwsHttp *http, const AwsDdbEndpoint *ep, const char *operation,
				  AwsDdbCall *calls, size_t n, int max_inflight, AwsError *err)
{
	AwsSignedRequest *signed_reqs = calloc(n ? n : 1, sizeof(AwsSignedRequest));
	AwsHttpRequest *reqs = calloc(n ? n : 1, sizeof(AwsHttpRequest));
	AwsHttpResponse *resps = calloc(n ? n : 1, sizeof(AwsHttpResponse));
	AwsError   *errs = calloc(n ? n : 1, sizeof(AwsError));
	bool	   *ok = calloc(n ? n : 1, sizeof(bool));
	AwsRequestSpec spec;
	char		target[96];
	bool		result = false;
	size_t		i;

	if (signed_reqs == NULL || reqs == NULL || resps == NULL || errs == NULL || ok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		goto done;
	}
	snprintf(target, sizeof(target), DDB_TARGET_PREFIX "%s", operation);
	memset(&spec, 0, sizeof(spec));
	spec.url = ep->url;
	spec.region = ep->region;
	spec.service = "dynamodb";
	spec.content_type = DDB_CONTENT_TYPE;
	spec.target = target;
	spec.creds = ep->creds;
	spec.read_timeout_ms = ep->read_timeout_ms;
	spec.insecure = ep->insecure;
	for (i = 0; i < n; i++)
	{
		calls[i].ok = false;
		aws_error_clear(&calls[i].err);
		spec.body = calls[i].body;
		spec.body_len = calls[i].body_len;
		spec.max_response_bytes = aws_ddb_max_response(operation, calls[i].body_len);
		if (!aws_request_prepare(&spec, &signed_reqs[i], &reqs[i], err))
			goto done;
	}
	if (!aws_http_post_many(http, reqs, n, max_inflight, resps, ok, errs, err))
		goto done;
	for (i = 0; i < n; i++)
	{
		aws_buf_free(&calls[i].response);
		calls[i].retry_after_ms = ok[i] ? resps[i].retry_after_ms : 0;
		if (!ok[i])
			calls[i].err = errs[i];
		else if (resps[i].status != 200)
		{
			aws_error_parse_document(resps[i].status, resps[i].body.data, resps[i].body.len,
								&calls[i].err);
			/* the error body too: TransactionCanceledException carries its reasons there */
			calls[i].response = resps[i].body;
			memset(&resps[i].body, 0, sizeof(resps[i].body));
			aws_http_response_free(&resps[i]);
		}
		else
		{
			calls[i].ok = true;
			calls[i].response = resps[i].body;	/* handed over without a copy */
		}
	}
	result = true;
done:
	if (signed_reqs)
		for (i = 0; i < n; i++)
			aws_request_release(&signed_reqs[i]);
	free(signed_reqs);
	free(reqs);
	free(resps);
	free(errs);
	free(ok);
	return result;
}

bool
aws_ddb_call(AwsHttp *http, const AwsDdbEndpoint *ep, const char *operation,
			 const char *body, size_t body_len, AwsBuf *response, AwsError *err)
{
	AwsDdbCall	call;

	memset(&call, 0, sizeof(call));
	call.body = body;
	call.body_len = body_len;
	if (!aws_ddb_call_many(http, ep, operation, &call, 1, 1, err))
		return false;
	if (!call.ok)
	{
		*err = call.err;
		aws_buf_free(&call.response);
		return false;
	}
	aws_buf_free(response);
	*response = call.response;
	return true;
}

/*
 * A DynamoDB number in a canonical spelling: sign, significant digits without
 * leading or trailing zeros, and the decimal exponent of the first of them,
 * so "1.50", "15e-1" and "+1.5" compare equal.  False when text is not a
 * number (then it is compared as written).
 */
static bool
canonical_number(const char *text, size_t len, AwsBuf *out)
{
	const char *p = text;
	const char *end = text + len;
	bool		negative = false;
	long		point = 0;		/* digits before the decimal point, leading zeros dropped */
	long		exp = 0;
	bool		any = false;
	bool		seen_point = false;
	size_t		digits_start;

	aws_buf_reset(out);
	if (p < end && (*p == '+' || *p == '-'))
		negative = (*p++ == '-');
	if (!aws_buf_append(out, "", 0))
		return false;
	digits_start = out->len;
	for (; p < end && (isdigit((unsigned char) *p) || *p == '.'); p++)
	{
		if (*p == '.')
		{
			if (seen_point)
				return false;
			seen_point = true;
			continue;
		}
		any = true;
		if (*p == '0' && out->len == digits_start)
		{
			if (seen_point)
				point--;		/* 0.05: the first digit is two places down */
			continue;
		}
		if (!aws_buf_append(out, p, 1))
			return false;
		if (!seen_point)
			point++;
	}
	if (!any)
		return false;
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		eneg = false;
		bool		edigit = false;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = (*p++ == '-');
		for (; p < end && isdigit((unsigned char) *p); p++)
		{
			edigit = true;
			if (exp < 100000)	/* DynamoDB's range is 1e-130 to 1e126 */
				exp = exp * 10 + (*p - '0');
		}
		if (!edigit)
			return false;
		if (eneg)
			exp = -exp;
	}
	if (p != end)
		return false;
	while (out->len > digits_start && out->data[out->len - 1] == '0')
		out->data[--out->len] = '\0';
	if (out->len == digits_start)
		return aws_buf_append_str(out, "0");	/* zero has neither sign nor exponent */
	return aws_buf_appendf(out, "%ce%ld", negative ? '-' : '+', point + exp);
}

static bool same_value(json_object *a, json_object *b, const char *member);

/* Two strings of a set's elements, compared for sorting. */
static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The elements of a set (SS, NS, BS) as sorted C strings; NULL on a non-string. */
static char **
sorted_elements(json_object *arr, bool numbers, size_t n)
{
	char	  **out = calloc(n ? n : 1, sizeof(char *));
	AwsBuf		canon = {0};
	size_t		i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++)
	{
		json_object *e = json_object_array_get_idx(arr, i);
		const char *text;

		/* a number that does not parse is compared as written */
		if (!json_object_is_type(e, json_type_string))
			text = NULL;
		else if (numbers && canonical_number(json_object_get_string(e),
											 (size_t) json_object_get_string_len(e), &canon))
			text = canon.data;
		else
			text = json_object_get_string(e);
		if (text == NULL || (out[i] = strdup(text)) == NULL)
		{
			while (i > 0)
				free(out[--i]);
			free(out);
			aws_buf_free(&canon);
			return NULL;
		}
	}
	aws_buf_free(&canon);
	qsort(out, n, sizeof(char *), compare_strings);
	return out;
}

static bool
same_set(json_object *a, json_object *b, bool numbers)
{
	size_t		n = json_object_array_length(a);
	char	  **ea;
	char	  **eb;
	bool		same;
	size_t		i;

	if (n != json_object_array_length(b))
		return false;
	ea = sorted_elements(a, numbers, n);
	eb = ea ? sorted_elements(b, numbers, n) : NULL;
	same = ea != NULL && eb != NULL;
	for (i = 0; same && i < n; i++)
		same = strcmp(ea[i], eb[i]) == 0;
	for (i = 0; i < n; i++)
	{
		if (ea)
			free(ea[i]);
		if (eb)
			free(eb[i]);
	}
	free(ea);
	free(eb);
	return same;
}

/*
 * Are a and b the same DynamoDB JSON value?  member names the object member
 * they are the value of ("" at the top): it tells numbers and sets apart.
 */
static bool
same_value(json_object *a, json_object *b, const char *member)
{
	enum json_type type = json_object_get_type(a);

	if (type != json_object_get_type(b))
		return false;
	switch (type)
	{
		case json_type_object:
			if (json_object_object_length(a) != json_object_object_length(b))
				return false;
			{
				json_object_object_foreach(a, name, va)
				{
					json_object *vb;

					if (!json_object_object_get_ex(b, name, &vb) || !same_value(va, vb, name))
						return false;
				}
			}
			return true;
		case json_type_array:
			{
				size_t		n = json_object_array_length(a);
				size_t		i;

				if (strcmp(member, "SS") == 0 || strcmp(member, "BS") == 0 || strcmp(member, "NS") == 0)
					return same_set(a, b, member[0] == 'N');
				if (n != json_object_array_length(b))
					return false;
				for (i = 0; i < n; i++)
					if (!same_value(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i), ""))
						return false;
				return true;
			}
		case json_type_string:
			{
				size_t		la = (size_t) json_object_get_string_len(a);
				size_t		lb = (size_t) json_object_get_string_len(b);
				AwsBuf		ca = {0};
				AwsBuf		cb = {0};
				bool		same;

				if (la == lb && memcmp(json_object_get_string(a), json_object_get_string(b), la) == 0)
					return true;
				if (strcmp(member, "N") != 0)
					return false;
				same = canonical_number(json_object_get_string(a), la, &ca) &&
					canonical_number(json_object_get_string(b), lb, &cb) &&
					strcmp(ca.data, cb.data) == 0;
				aws_buf_free(&ca);
				aws_buf_free(&cb);
				return same;
			}
		default:
			return json_object_equal(a, b) != 0;
	}
}

/* One ConsumedCapacity entry's units into *sum; false when it does not fit (aws_ddb_consumed_wcu). */
static bool
add_consumed(json_object *entry, const char *table, double *sum)
{
	json_object *name;
	json_object *units;
	double		v;

	if (!json_object_is_type(entry, json_type_object))
		return false;
	if (json_object_object_get_ex(entry, "TableName", &name) &&
		(!json_object_is_type(name, json_type_string) ||
		 (table != NULL && strcmp(json_object_get_string(name), table) != 0)))
		return false;
	if (!json_object_object_get_ex(entry, "CapacityUnits", &units) &&
		!json_object_object_get_ex(entry, "WriteCapacityUnits", &units))
		return true;			/* none reported for this table */
	if (!json_object_is_type(units, json_type_double) && !json_object_is_type(units, json_type_int))
		return false;
	v = json_object_get_double(units);
	if (!isfinite(v) || v < 0 || v > AWS_DDB_MAX_CONSUMED_WCU)
		return false;
	*sum += v;
	return true;
}

/* The ConsumedCapacity member of a parsed answer (see aws_ddb_consumed_wcu). */
static bool
consumed_of(json_object *root, const char *table, double *wcu)
{
	json_object *cc;
	double		sum = 0;
	size_t		n;
	size_t		i;

	*wcu = 0;
	if (!json_object_object_get_ex(root, "ConsumedCapacity", &cc) ||
		json_object_is_type(cc, json_type_null))
		return true;
	if (json_object_is_type(cc, json_type_object))
	{
		if (!add_consumed(cc, table, &sum))
			return false;
	}
	else if (json_object_is_type(cc, json_type_array))
	{
		n = json_object_array_length(cc);
		if (n > AWS_DDB_MAX_TRANSACT_ITEMS)
			return false;
		for (i = 0; i < n; i++)
			if (!add_consumed(json_object_array_get_idx(cc, i), table, &sum))
				return false;
	}
	else
		return false;
	*wcu = sum;
	return true;
}

bool
aws_ddb_consumed_wcu(const char *body, size_t len, const char *table, double *wcu)
{
	json_tokener *tok = json_tokener_new();
	json_object *root;
	bool		ok = false;

	*wcu = 0;
	if (tok == NULL)
		return false;
	root = json_tokener_parse_ex(tok, body, (int) len);
	if (root != NULL && json_object_is_type(root, json_type_object))
		ok = consumed_of(root, table, wcu);
	json_object_put(root);
	json_tokener_free(tok);
	return ok;
}

/* The whole BatchWriteItem response when nothing is left over, byte for byte. */
#define ALL_PROCESSED "{\"UnprocessedItems\":{}}"

#define DIGIT(c) ((c) >= '0' && (c) <= '9')

/* Is it all of a JSON number (RFC 8259's grammar: none of what strtod alone also takes)? */
static bool
json_number(const char *p, size_t n)
{
	size_t		i = 0;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (i < n && p[i] >= '1' && p[i] <= '9')
		while (i < n && DIGIT(p[i]))
			i++;
	else
		return false;
	if (i < n && p[i] == '.')
	{
		if (++i >= n || !DIGIT(p[i]))
			return false;
		while (i < n && DIGIT(p[i]))
			i++;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E'))
	{
		if (++i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= n || !DIGIT(p[i]))
			return false;
		while (i < n && DIGIT(p[i]))
			i++;
	}
	return i == n;
}

/* Does the text at *p start with lit (of n bytes, before end)? Then step over it. */
static bool
skip(const char **p, const char *end, const char *lit, size_t n)
{
	if ((size_t) (end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}
#define SKIP(p, end, lit) skip(p, end, lit, sizeof(lit) - 1)

/*
 * DynamoDB's (and dynalite's) whole answer when everything was written and
 * the capacity asked for, recognised without a parser (json-c takes ~18,000
 * instructions to read it, 5 % of what each row of the request costs):
 *   {"ConsumedCapacity":[{"CapacityUnits":N,"TableName":"T"}],"UnprocessedItems":{}}
 * or UnprocessedItems first; T is table, N a JSON number.  Only for table
 * names of DynamoDB's characters (nothing in them to escape); anything
 * else, other spacing or member order included, goes to json-c, which
 * gives the same result (test/fuzz checks it).
 */
static bool
all_processed_with_capacity(const char *body, size_t len, const char *table, double *wcu)
{
	const char *p = body;
	const char *end = body + len;
	const char *num;
	size_t		tlen = strlen(table);
	size_t		i;
	bool		unprocessed_first;
	char		copy[32];
	double		v;

	for (i = 0; i < tlen; i++)	/* [a-zA-Z0-9_.-], whatever the locale */
		if (!DIGIT(table[i]) && !(table[i] >= 'a' && table[i] <= 'z') &&
			!(table[i] >= 'A' && table[i] <= 'Z') && table[i] != '_' && table[i] != '-' && table[i] != '.')
			return false;
	if (!SKIP(&p, end, "{"))
		return false;
	unprocessed_first = SKIP(&p, end, "\"UnprocessedItems\":{},");
	if (!SKIP(&p, end, "\"ConsumedCapacity\":[{\"CapacityUnits\":"))
		return false;
	num = p;
	while (p < end && *p != ',' && p - num < (ptrdiff_t) sizeof(copy))
		p++;
	if (p - num >= (ptrdiff_t) sizeof(copy) || !json_number(num, p - num))
		return false;
	memcpy(copy, num, p - num);
	copy[p - num] = '\0';
	if (!SKIP(&p, end, ",\"TableName\":\"") || !skip(&p, end, table, tlen) || !SKIP(&p, end, "\"}]"))
		return false;
	if (!unprocessed_first && !SKIP(&p, end, ",\"UnprocessedItems\":{}"))
		return false;
	if (!SKIP(&p, end, "}") || p != end)
		return false;
	v = strtod(copy, NULL);
	if (!isfinite(v) || v < 0 || v > AWS_DDB_MAX_CONSUMED_WCU)
		return false;			/* json-c's way then counts it as not fitting: 0 */
	*wcu = v;
	return true;
}

static void
set_forged(AwsError *err, const char *what)
{
	aws_error_set(err, AWS_ERR_PROTOCOL, "the BatchWriteItem response's UnprocessedItems %s", what);
	snprintf(err->type, sizeof(err->type), "%s", AWS_DDB_FORGED_UNPROCESSED);
}

bool
aws_ddb_match_unprocessed(const char *body, size_t len, const char *table,
						  const char *const *sent, const size_t *sent_len, size_t n_sent,
						  bool *unprocessed, size_t *n_unprocessed, double *consumed_wcu,
						  AwsError *err)
{
	json_tokener *tok;
	json_object *root;
	json_object *items;
	json_object *requests = NULL;
	json_object **ours = NULL;
	size_t		n;
	size_t		i;
	size_t		j;
	bool		ok = false;

	*n_unprocessed = 0;
	*consumed_wcu = 0;
	for (i = 0; i < n_sent; i++)
		unprocessed[i] = false;
	/* DynamoDB's answer when everything was written: no parser needed */
	if (len == sizeof(ALL_PROCESSED) - 1 && memcmp(body, ALL_PROCESSED, len) == 0)
		return true;
	if (all_processed_with_capacity(body, len, table, consumed_wcu))
		return true;
	tok = json_tokener_new();
	if (tok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	root = json_tokener_parse_ex(tok, body, (int) len);
	if (root == NULL || !json_object_is_type(root, json_type_object))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "BatchWriteItem response is not a JSON object");
		goto done;
	}
	(void) consumed_of(root, table, consumed_wcu);	/* 0 when it does not fit */
	if (!json_object_object_get_ex(root, "UnprocessedItems", &items) ||
		json_object_is_type(items, json_type_null))
	{
		ok = true;				/* absent means everything was written */
		goto done;
	}
	if (!json_object_is_type(items, json_type_object))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "UnprocessedItems in the BatchWriteItem response is not an object");
		goto done;
	}
	{
		/* the peer's table names are not repeated: they could be anything */
		json_object_object_foreach(items, name, value)
		{
			if (strcmp(name, table) != 0)
			{
				set_forged(err, "names a table no request was sent to");
				goto done;
			}
			requests = value;
		}
	}
	if (requests == NULL)
	{
		ok = true;				/* {}: nothing left over */
		goto done;
	}
	if (!json_object_is_type(requests, json_type_array))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "UnprocessedItems of the table is not an array");
		goto done;
	}
	n = json_object_array_length(requests);
	if (n > n_sent)
	{
		set_forged(err, "lists more requests than were sent");
		goto done;
	}
	if (n == 0)
	{
		ok = true;
		goto done;
	}
	ours = calloc(n_sent, sizeof(json_object *));
	if (ours == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < n_sent; i++)
	{
		json_tokener_reset(tok);
		ours[i] = json_tokener_parse_ex(tok, sent[i], (int) sent_len[i]);
		if (ours[i] == NULL)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "a request sent is not valid JSON");
			goto done;
		}
	}
	for (i = 0; i < n; i++)
	{
		json_object *entry = json_object_array_get_idx(requests, i);
		bool		again = false;

		/* the first unmatched request it equals: identical requests pair up in turn */
		for (j = 0; j < n_sent; j++)
		{
			if (!same_value(entry, ours[j], ""))
				continue;
			if (!unprocessed[j])
				break;
			again = true;
		}
		if (j == n_sent)
		{
			set_forged(err, again ? "lists a request twice" : "lists a request that was not sent");
			goto done;
		}
		unprocessed[j] = true;
		(*n_unprocessed)++;
	}
	ok = true;
done:
	if (!ok)
	{
		*n_unprocessed = 0;
		*consumed_wcu = 0;
		for (i = 0; i < n_sent; i++)
			unprocessed[i] = false;
	}
	if (ours != NULL)
		for (i = 0; i < n_sent; i++)
			json_object_put(ours[i]);
	free(ours);
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return ok;
}

static char
attribute_type(json_object *definitions, const char *name)
{
	size_t		i;
	size_t		n;

	if (definitions == NULL || !json_object_is_type(definitions, json_type_array))
		return '?';
	n = json_object_array_length(definitions);
	for (i = 0; i < n; i++)
	{
		json_object *def = json_object_array_get_idx(definitions, i);
		json_object *aname;
		json_object *atype;
		const char *t;

		if (json_object_object_get_ex(def, "AttributeName", &aname) &&
			json_object_object_get_ex(def, "AttributeType", &atype) &&
			strcmp(json_object_get_string(aname), name) == 0)
		{
			t = json_object_get_string(atype);
			if (t && (strcmp(t, "S") == 0 || strcmp(t, "N") == 0 || strcmp(t, "B") == 0))
				return t[0];
		}
	}
	return '?';
}

bool
aws_ddb_parse_key_schema(const char *body, size_t len, AwsDdbKeySchema *out, AwsError *err)
{
	json_tokener *tok;
	json_object *root;
	json_object *table;
	json_object *schema;
	json_object *definitions = NULL;
	size_t		i;
	size_t		n;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	tok = json_tokener_new();
	if (tok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	root = json_tokener_parse_ex(tok, body, (int) len);
	if (root == NULL ||
		!json_object_object_get_ex(root, "Table", &table) ||
		!json_object_object_get_ex(table, "KeySchema", &schema) ||
		!json_object_is_type(schema, json_type_array))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "DescribeTable response has no Table.KeySchema");
		goto done;
	}
	json_object_object_get_ex(table, "AttributeDefinitions", &definitions);
	n = json_object_array_length(schema);
	for (i = 0; i < n; i++)
	{
		json_object *elem = json_object_array_get_idx(schema, i);
		json_object *name;
		json_object *kind;
		const char *k;
		char	  **slot;

		if (!json_object_object_get_ex(elem, "AttributeName", &name) ||
			!json_object_object_get_ex(elem, "KeyType", &kind) ||
			!json_object_is_type(name, json_type_string))
			continue;
		k = json_object_get_string(kind);
		slot = (k && strcmp(k, "HASH") == 0) ? &out->hash_key :
			(k && strcmp(k, "RANGE") == 0) ? &out->range_key : NULL;
		if (slot == NULL || *slot != NULL)
			continue;
		*slot = strdup(json_object_get_string(name));
		if (*slot == NULL)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
			goto done;
		}
		if (slot == &out->hash_key)
			out->hash_type = attribute_type(definitions, out->hash_key);
		else
			out->range_type = attribute_type(definitions, out->range_key);
	}
	if (out->hash_key == NULL)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "DescribeTable response has no HASH key");
		goto done;
	}
	ok = true;
done:
	if (!ok)
		aws_ddb_key_schema_free(out);
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return ok;
}

void
aws_ddb_key_schema_free(AwsDdbKeySchema *ks)
{
	free(ks->hash_key);
	free(ks->range_key);
	memset(ks, 0, sizeof(*ks));
}

bool
aws_ddb_error_is_throttle(const AwsError *err)
{
	return err->kind == AWS_ERR_SERVICE &&
		(strcmp(err->type, "ProvisionedThroughputExceededException") == 0 ||
		 strcmp(err->type, "ThrottlingException") == 0 ||
		 strcmp(err->type, "RequestLimitExceeded") == 0);
}

bool
aws_ddb_error_is_condition_failed(const AwsError *err)
{
	return err->kind == AWS_ERR_SERVICE &&
		strcmp(err->type, "ConditionalCheckFailedException") == 0;
}

bool
aws_ddb_error_is_retryable(const AwsError *err)
{
	static const char *const retryable_types[] = {
		"InternalServerError",
		"ServiceUnavailable",
		"TransactionInProgressException",
		NULL
	};
	int			i;

	if (err->kind == AWS_ERR_TRANSPORT)
		return strcmp(err->message, "request cancelled") != 0 &&
			strcmp(err->type, AWS_TLS_VERIFICATION_FAILED) != 0;
	if (err->kind != AWS_ERR_SERVICE)
		return false;
	if (err->http_status >= 500 || aws_ddb_error_is_throttle(err))
		return true;
	for (i = 0; retryable_types[i]; i++)
		if (strcmp(err->type, retryable_types[i]) == 0)
			return true;
	return false;
}

/* Parse a JSON object argument; NULL/empty is {}. */
static json_object *
parse_object(const char *text, size_t len, const char *what, AwsError *err)
{
	json_tokener *tok;
	json_object *obj;

	if (text == NULL || len == 0)
		return json_object_new_object();
	tok = json_tokener_new();
	if (tok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, text, (int) len);
	json_tokener_free(tok);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
	{
		json_object_put(obj);
		aws_error_set(err, AWS_ERR_INPUT, "%s is not a JSON object", what);
		return NULL;
	}
	return obj;
}

static bool
put_json(json_object *obj, AwsBuf *out, AwsError *err)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
													  JSON_C_TO_STRING_NOSLASHESCAPE);

	aws_buf_reset(out);
	if (text == NULL || !aws_buf_append_str(out, text))
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	return true;
}

bool
aws_ddb_json_patch(const char *obj, size_t obj_len, const char *add, size_t add_len,
				   const char *remove, size_t remove_len, AwsBuf *out, AwsError *err)
{
	json_object *base = parse_object(obj, obj_len, "item", err);
	json_object *adds = base ? parse_object(add, add_len, "attributes to set", err) : NULL;
	json_object *removes = adds ? parse_object(remove, remove_len, "attributes to remove", err) : NULL;
	bool		ok = false;

	if (removes != NULL)
	{
		json_object_object_foreach(removes, name, unused)
		{
			(void) unused;
			json_object_object_del(base, name);
		}
		{
			/* not "name": the removal loop's variable is still in scope */
			json_object_object_foreach(adds, added, value)
			{
				if (json_object_object_add(base, added, json_object_get(value)) != 0)
				{
					aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
					goto done;
				}
			}
		}
		ok = put_json(base, out, err);
	}
done:
	json_object_put(base);
	json_object_put(adds);
	json_object_put(removes);
	return ok;
}

/*
 * The UpdateItem request object for table (see aws_ddb_build_update_item);
 * *n_actions says how many attributes its expression sets or removes.
 */
static json_object *
update_object(const char *table, const char *key, size_t key_len,
			  const char *sets, size_t sets_len, const char *removes, size_t removes_len,
			  int *n_actions, AwsError *err)
{
	json_object *keyobj = parse_object(key, key_len, "key", err);
	json_object *setobj = keyobj ? parse_object(sets, sets_len, "attributes to set", err) : NULL;
	json_object *remobj = setobj ? parse_object(removes, removes_len, "attributes to remove", err) : NULL;
	json_object *req = NULL;
	json_object *names = NULL;
	json_object *values = NULL;
	AwsBuf		expr = {0};
	int			n = 0;
	bool		ok = false;

	if (remobj == NULL)
		goto done;
	req = json_object_new_object();
	names = json_object_new_object();
	values = json_object_new_object();
	if (req == NULL || names == NULL || values == NULL)
		goto oom;
	{
		json_object_object_foreach(setobj, name, value)
		{
			char		ph[32];

			if (!aws_buf_append_str(&expr, n == 0 ? "SET " : ", "))
				goto oom;
			snprintf(ph, sizeof(ph), "#a%d", n);
			if (json_object_object_add(names, ph, json_object_new_string(name)) != 0 ||
				!aws_buf_append_str(&expr, ph) || !aws_buf_append_str(&expr, " = "))
				goto oom;
			snprintf(ph, sizeof(ph), ":v%d", n);
			if (json_object_object_add(values, ph, json_object_get(value)) != 0 ||
				!aws_buf_append_str(&expr, ph))
				goto oom;
			n++;
		}
	}
	{
		int			first_remove = n;

		json_object_object_foreach(remobj, name, unused)
		{
			char		ph[32];

			(void) unused;
			if (!aws_buf_append_str(&expr, n == first_remove ? (n == 0 ? "REMOVE " : " REMOVE ") : ", "))
				goto oom;
			snprintf(ph, sizeof(ph), "#a%d", n);
			if (json_object_object_add(names, ph, json_object_new_string(name)) != 0 ||
				!aws_buf_append_str(&expr, ph))
				goto oom;
			n++;
		}
	}
	if (json_object_object_add(req, "TableName", json_object_new_string(table)) != 0 ||
		json_object_object_add(req, "Key", json_object_get(keyobj)) != 0)
		goto oom;
	/* nothing to set or remove: UpdateItem still creates the item if it is missing */
	if (n > 0)
	{
		if (json_object_object_add(req, "UpdateExpression", json_object_new_string(expr.data)) != 0 ||
			json_object_object_add(req, "ExpressionAttributeNames", json_object_get(names)) != 0)
			goto oom;
		if (json_object_object_length(values) > 0 &&
			json_object_object_add(req, "ExpressionAttributeValues", json_object_get(values)) != 0)
			goto oom;
	}
	*n_actions = n;
	ok = true;
	goto done;
oom:
	aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
done:
	aws_buf_free(&expr);
	json_object_put(keyobj);
	json_object_put(setobj);
	json_object_put(remobj);
	json_object_put(names);
	json_object_put(values);
	if (!ok)
	{
		json_object_put(req);
		return NULL;
	}
	return req;
}

bool
aws_ddb_build_update_item(const char *table, const char *key, size_t key_len,
						  const char *sets, size_t sets_len,
						  const char *removes, size_t removes_len,
						  AwsBuf *out, AwsError *err)
{
	int			n;
	json_object *req = update_object(table, key, key_len, sets, sets_len,
									 removes, removes_len, &n, err);
	bool		ok;

	if (req == NULL)
		return false;
	/* not in update_object: a TransactItems action may not carry it */
	if (json_object_object_add(req, "ReturnConsumedCapacity", json_object_new_string("TOTAL")) != 0)
	{
		json_object_put(req);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	ok = put_json(req, out, err);
	json_object_put(req);
	return ok;
}

/*
 * {"TableName":table,"Item":attrs} (AWS_DDB_PUT) or {"TableName":table,
 * "Key":attrs} (AWS_DDB_DELETE): the request of a PutItem or DeleteItem,
 * and the body of a TransactItems Put or Delete.
 */
static json_object *
put_or_delete_object(AwsDdbActionKind kind, const char *table, const char *attrs,
					 size_t attrs_len, AwsError *err)
{
	json_object *obj = parse_object(attrs, attrs_len, kind == AWS_DDB_PUT ? "item" : "key", err);
	json_object *req;

	if (obj == NULL)
		return NULL;
	req = json_object_new_object();
	if (req == NULL ||
		json_object_object_add(req, "TableName", json_object_new_string(table)) != 0 ||
		json_object_object_add(req, kind == AWS_DDB_PUT ? "Item" : "Key", obj) != 0)
	{
		if (req == NULL)
			json_object_put(obj);
		json_object_put(req);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	return req;
}

/* The object member name of req, created empty when missing; NULL when out of memory. */
static json_object *
member_object(json_object *req, const char *name)
{
	json_object *obj;

	if (json_object_object_get_ex(req, name, &obj))
		return obj;
	obj = json_object_new_object();
	if (obj == NULL)
		return NULL;
	if (json_object_object_add(req, name, obj) != 0)
	{
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

bool
aws_ddb_build_guarded_write(AwsDdbActionKind kind, const char *table,
							const char *attrs, size_t attrs_len,
							const char *sets, size_t sets_len,
							const char *removes, size_t removes_len,
							const char *version, size_t version_len,
							AwsBuf *out, AwsError *err)
{
	json_object *verobj = parse_object(version, version_len, "version", err);
	json_object *req = NULL;
	json_object *names;
	json_object *values;
	const char *vname = NULL;
	json_object *vvalue = NULL;
	bool		ok = false;

	if (verobj == NULL)
		return false;
	if (json_object_object_length(verobj) != 1)
	{
		aws_error_set(err, AWS_ERR_INPUT, "the version must be one attribute");
		goto done;
	}
	{
		json_object_object_foreach(verobj, name, value)
		{
			vname = name;
			vvalue = value;
		}
	}
	if (kind == AWS_DDB_UPDATE)
	{
		int			n = 0;

		req = update_object(table, attrs, attrs_len, sets, sets_len, removes, removes_len,
							&n, err);
		if (req == NULL)
			goto done;
	}
	else if ((req = put_or_delete_object(kind, table, attrs, attrs_len, err)) == NULL)
		goto done;
	/*
	 * An item without the attribute counts as older than any version, so
	 * items written before the guard was set are taken over; a delete may
	 * remove its own version (<=), a put or update only replaces an older one.
	 */
	names = member_object(req, "ExpressionAttributeNames");
	values = names ? member_object(req, "ExpressionAttributeValues") : NULL;
	if (values == NULL ||
		json_object_object_add(names, "#ver", json_object_new_string(vname)) != 0 ||
		json_object_object_add(values, ":ver", json_object_get(vvalue)) != 0 ||
		json_object_object_add(req, "ConditionExpression",
							   json_object_new_string(kind == AWS_DDB_DELETE ?
													  "attribute_not_exists(#ver) OR #ver <= :ver" :
													  "attribute_not_exists(#ver) OR #ver < :ver")) != 0 ||
		json_object_object_add(req, "ReturnConsumedCapacity", json_object_new_string("TOTAL")) != 0)
		goto oom;
	ok = put_json(req, out, err);
	goto done;
oom:
	aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
done:
	json_object_put(req);
	json_object_put(verobj);
	return ok;
}

bool
aws_ddb_build_transact_action(AwsDdbActionKind kind, const char *table,
							  const char *attrs, size_t attrs_len,
							  const char *sets, size_t sets_len,
							  const char *removes, size_t removes_len,
							  AwsBuf *out, AwsError *err)
{
	json_object *action = NULL;
	json_object *wrapper = NULL;
	const char *member;
	bool		ok = false;

	if (kind == AWS_DDB_UPDATE)
	{
		int			n = 0;

		member = "Update";
		action = update_object(table, attrs, attrs_len, sets, sets_len, removes, removes_len,
							   &n, err);
		if (action == NULL)
			return false;
		if (n == 0)
		{
			/* TransactWriteItems requires an UpdateExpression */
			aws_error_set(err, AWS_ERR_INPUT, "an update in a transaction must set or remove an attribute");
			goto done;
		}
	}
	else
	{
		member = kind == AWS_DDB_PUT ? "Put" : "Delete";
		action = put_or_delete_object(kind, table, attrs, attrs_len, err);
		if (action == NULL)
			return false;
	}
	wrapper = json_object_new_object();
	if (wrapper == NULL || json_object_object_add(wrapper, member, json_object_get(action)) != 0)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		goto done;
	}
	ok = put_json(wrapper, out, err);
done:
	json_object_put(action);
	json_object_put(wrapper);
	return ok;
}

void
aws_ddb_cancellation_free(AwsDdbCancellation *c)
{
	size_t		i;

	for (i = 0; i < c->n; i++)
	{
		free(c->codes[i]);
		free(c->messages[i]);
	}
	free(c->codes);
	free(c->messages);
	memset(c, 0, sizeof(*c));
}

/* A printable copy of at most 200 bytes of an untrusted string. */
static char *
printable_copy(const char *s)
{
	char		buf[201];

	aws_error_printable(s, strlen(s), buf, sizeof(buf));
	return strdup(buf);
}

bool
aws_ddb_parse_cancellation(const char *body, size_t len, AwsDdbCancellation *out,
						   AwsError *err)
{
	json_tokener *tok;
	json_object *root;
	json_object *reasons;
	size_t		i;
	size_t		n;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	tok = json_tokener_new();
	if (tok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	root = body ? json_tokener_parse_ex(tok, body, (int) len) : NULL;
	if (root == NULL || !json_object_is_type(root, json_type_object) ||
		!json_object_object_get_ex(root, "CancellationReasons", &reasons) ||
		!json_object_is_type(reasons, json_type_array))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "the TransactionCanceledException has no CancellationReasons");
		goto done;
	}
	n = json_object_array_length(reasons);
	if (n > AWS_DDB_MAX_TRANSACT_ITEMS)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "the TransactionCanceledException lists %zu reasons", n);
		goto done;
	}
	out->codes = calloc(n ? n : 1, sizeof(char *));
	out->messages = calloc(n ? n : 1, sizeof(char *));
	if (out->codes == NULL || out->messages == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		goto done;
	}
	out->n = n;
	for (i = 0; i < n; i++)
	{
		json_object *r = json_object_array_get_idx(reasons, i);
		json_object *code = NULL;
		json_object *msg = NULL;

		if (json_object_is_type(r, json_type_object))
		{
			json_object_object_get_ex(r, "Code", &code);
			if (!json_object_object_get_ex(r, "Message", &msg))
				json_object_object_get_ex(r, "message", &msg);
		}
		out->codes[i] = printable_copy(code && json_object_is_type(code, json_type_string) ?
									   json_object_get_string(code) : "None");
		out->messages[i] = printable_copy(msg && json_object_is_type(msg, json_type_string) ?
										  json_object_get_string(msg) : "");
		if (out->codes[i] == NULL || out->messages[i] == NULL)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
			goto done;
		}
	}
	ok = true;
done:
	if (!ok)
		aws_ddb_cancellation_free(out);
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return ok;
}

bool
aws_ddb_cancellation_is_retryable(const char *code)
{
	return strcmp(code, "None") == 0 ||
		strcmp(code, "TransactionConflict") == 0 ||
		strcmp(code, "ThrottlingError") == 0 ||
		strcmp(code, "ProvisionedThroughputExceeded") == 0 ||
		strcmp(code, "RequestLimitExceeded") == 0;
}
