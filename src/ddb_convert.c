/*
 * ddb_convert.c — PostgreSQL rows to DynamoDB items (ddb_convert.h).
 *
 * The item JSON is written directly: DynamoDB's wire format for a value is
 * {"TYPE":"text"} for every scalar type, so building a json-c tree per row
 * would only add allocations.
 */
#include "postgres.h"

#include <math.h>

#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "access/htup_details.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/cash.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/multirangetypes.h"
#include "utils/numeric.h"
#include "utils/rangetypes.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "ddb_convert.h"

static DdbType *build_type(Oid typid, int depth);
static const char *describe_key(const DdbRowFormat *fmt, StringInfo key);
static DdbAttrType attribute_type_of(Oid relid, const DdbColumn *col, const char *relname);
static void set_version_column(DdbRowFormat *fmt, const char *colname);

/*
 * The bytes a JSON string escapes, and how: 'u' for \u00XX, else the letter
 * after the backslash; 0 for the bytes copied as they are.
 */
static const char json_escape[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 't', 'n', 'u', 'u', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['\\'] = '\\',
};

/* Room for n more bytes (and the terminating zero), inline when there is some. */
static inline void
reserve(StringInfo buf, int n)
{
	if (unlikely(n >= buf->maxlen - buf->len))
		enlargeStringInfo(buf, n);
}

/*
 * Write the len bytes of s JSON-escaped at dst, which has room for 6 * len
 * bytes (every byte could be a \u00XX); returns the bytes written.  Runs
 * without escapes are copied whole.
 */
static inline int
write_escaped(char *dst, const char *s, int len)
{
	static const char hex[] = "0123456789abcdef";
	const char *end = s + len;
	const char *run = s;
	const char *c;
	char	   *p = dst;

	for (c = s; c < end; c++)
	{
		unsigned char byte = (unsigned char) *c;
		char		e = json_escape[byte];

		if (likely(e == 0))
			continue;
		memcpy(p, run, c - run);
		p += c - run;
		*p++ = '\\';
		*p++ = e;
		if (e == 'u')
		{
			*p++ = '0';
			*p++ = '0';
			*p++ = hex[byte >> 4];
			*p++ = hex[byte & 0xf];
		}
		run = c + 1;
	}
	memcpy(p, run, end - run);
	p += end - run;
	return p - dst;
}

int
ddb_append_json_string(StringInfo buf, const char *s, int len)
{
	const char *utf8 = s;
	const char *p;
	const char *end;
	int			encoding = GetDatabaseEncoding();

	/*
	 * DynamoDB speaks UTF-8 whatever the database encoding is.  SQL_ASCII
	 * stores any bytes unchecked, so there they are checked here: invalid
	 * UTF-8 never leaves the backend (DynamoDB would store U+FFFD).
	 */
	if (encoding == PG_SQL_ASCII)
		(void) pg_verify_mbstr(PG_UTF8, s, len, false);
	else if (encoding != PG_UTF8)
	{
		utf8 = pg_server_to_any(s, len, PG_UTF8);
		if (utf8 != s)
			len = strlen(utf8);
	}

	/* escaped a piece at a time, so a long string reserves 6 times only a piece */
	appendStringInfoCharMacro(buf, '"');
	for (p = utf8, end = utf8 + len; p < end;)
	{
		int			piece = Min(end - p, 4096);

		reserve(buf, 6 * piece);
		buf->len += write_escaped(buf->data + buf->len, p, piece);
		buf->data[buf->len] = '\0';
		p += piece;
	}
	appendStringInfoCharMacro(buf, '"');
	return len;
}

static int
find_column(const DdbRowFormat *fmt, const char *name, bool by_attribute)
{
	int			i;

	for (i = 0; i < fmt->ncolumns; i++)
		if (strcmp(by_attribute ? fmt->columns[i].attr_name : fmt->columns[i].colname, name) == 0)
			return i;
	return -1;
}

static void
set_key_column(DdbRowFormat *fmt, int index)
{
	fmt->columns[index].key_index = fmt->nkeys;
	fmt->key_columns[fmt->nkeys++] = index;
}

/* The DynamoDB scalar type a column writes ('S', 'N', 'B'), or 0 for none. */
static char
scalar_type_of(const DdbColumn *col)
{
	switch (col->as)
	{
		case DDB_AS_S:
			return 'S';
		case DDB_AS_N:
			return 'N';
		case DDB_AS_B:
			return 'B';
		case DDB_AS_DEFAULT:
			break;
		default:
			return 0;
	}
	switch (col->type->kind)
	{
		case DDB_VALUE_INTEGER:
		case DDB_VALUE_NUMERIC:
		case DDB_VALUE_FLOAT:
		case DDB_VALUE_MONEY:
			return 'N';
		case DDB_VALUE_BINARY:
			return 'B';
		case DDB_VALUE_TEXT:
		case DDB_VALUE_TIME:
		case DDB_VALUE_STRING:
			return 'S';
		default:
			return 0;
	}
}

/* A key column must write the type the DynamoDB table declares for the key. */
static void
check_key_type(const DdbRowFormat *fmt, const DdbColumn *col, char declared)
{
	char		writes = scalar_type_of(col);

	if (writes == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of foreign table \"%s\" cannot hold key attribute \"%s\"",
						col->colname, fmt->relname, col->attr_name),
				 errdetail("DynamoDB keys are strings (S), numbers (N) or binaries (B); a %s column is written as a document or set.",
						   format_type_be(col->type->typid)),
				 errhint("Use a text, numeric or bytea column for the key.")));
	if (declared != '?' && declared != 0 && writes != declared)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of foreign table \"%s\" writes key attribute \"%s\" as %c, but DynamoDB table \"%s\" declares it %c",
						col->colname, fmt->relname, col->attr_name, writes, fmt->table_name, declared),
				 errhint("Change the column's type, or set its \"attribute-type\" to '%c'.", declared)));
}

/* Integers as N and, in a UTF-8 database, text as S skip the generic value code. */
static void
set_fast_path(DdbColumn *col)
{
	StringInfoData member;

	if (col->type->kind == DDB_VALUE_INTEGER && col->as != DDB_AS_S)
		col->fast = DDB_FAST_INTEGER;
	else if (col->type->kind == DDB_VALUE_TEXT && col->as == DDB_AS_DEFAULT &&
			 GetDatabaseEncoding() == PG_UTF8)
		col->fast = DDB_FAST_TEXT;
	else
		return;
	initStringInfo(&member);
	appendStringInfoChar(&member, ',');
	appendBinaryStringInfo(&member, col->attr_json, col->attr_json_len);
	appendStringInfoString(&member, col->fast == DDB_FAST_INTEGER ? "{\"N\":\"" : "{\"S\":\"");
	col->member = member.data;
	col->member_len = member.len;
}

DdbRowFormat *
ddb_row_format_create(Relation rel, const DdbTableOptions *opts,
					  const char *hash_attr, const char *range_attr,
					  char hash_type, char range_type)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	DdbRowFormat *fmt = palloc0(sizeof(DdbRowFormat));
	int			i;

	fmt->relname = pstrdup(RelationGetRelationName(rel));
	fmt->table_name = pstrdup(opts->table_name);
	fmt->ignore_nulls = opts->sink.ignore_nulls;
	fmt->columns = palloc0(sizeof(DdbColumn) * tupdesc->natts);

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		DdbColumn  *col;
		StringInfoData name;

		if (att->attisdropped)
			continue;
		col = &fmt->columns[fmt->ncolumns++];
		col->attnum = att->attnum;
		col->colname = pstrdup(NameStr(att->attname));
		col->attr_name = ddb_column_attribute_name(RelationGetRelid(rel), att->attnum,
												   col->colname);
		col->attr_name_len = strlen(col->attr_name);
		initStringInfo(&name);
		ddb_append_json_string(&name, col->attr_name, col->attr_name_len);
		appendStringInfoChar(&name, ':');
		col->attr_json = name.data;
		col->attr_json_len = name.len;
		col->type = build_type(att->atttypid, 0);
		col->as = attribute_type_of(RelationGetRelid(rel), col, fmt->relname);
		col->key_index = -1;
		set_fast_path(col);
	}

	if (opts->partitioned_by != NIL)
	{
		ListCell   *cell;

		/* the connector's PARTITIONED BY: client-side dedup on these columns */
		foreach(cell, opts->partitioned_by)
		{
			const char *colname = strVal(lfirst(cell));
			int			index = find_column(fmt, colname, false);

			if (index < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" named in option \"partitioned-by\" does not exist in foreign table \"%s\"",
								colname, fmt->relname)));
			if (fmt->nkeys == lengthof(fmt->key_columns))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"partitioned-by\" of foreign table \"%s\" names more than two columns",
								fmt->relname),
						 errhint("A DynamoDB key has a partition key and at most one sort key.")));
			check_key_type(fmt, &fmt->columns[index], 0);
			set_key_column(fmt, index);
		}
	}
	else if (hash_attr != NULL)
	{
		const char *attrs[2] = {hash_attr, range_attr};
		const char	types[2] = {hash_type, range_type};

		for (i = 0; i < 2 && attrs[i] != NULL; i++)
		{
			int			index = find_column(fmt, attrs[i], true);

			if (index < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("foreign table \"%s\" has no column for key attribute \"%s\" of DynamoDB table \"%s\"",
								fmt->relname, attrs[i], fmt->table_name),
						 errhint("Add a column named \"%s\", or set the column option \"attribute-name\" '%s' on the column that holds it.",
								 attrs[i], attrs[i])));
			check_key_type(fmt, &fmt->columns[index], types[i]);
			set_key_column(fmt, index);
		}
	}
	fmt->version_column = -1;
	if (opts->version_column != NULL)
		set_version_column(fmt, opts->version_column);
	return fmt;
}

/*
 * Does DynamoDB order the column's values as PostgreSQL does?  Numbers
 * written as N are compared as numbers; text as S byte by byte (UTF-8,
 * which keeps code point order); date, timestamp and timestamptz as S are
 * ISO 8601 text (timestamptz always at +00:00, trailing zeros of the
 * fraction dropped), which sorts as the times do for years 1 to 9999, and
 * as N epoch seconds.  Anything else ("10" < "9" as S) cannot guard.
 */
static bool
version_type_ordered(const DdbColumn *col)
{
	DdbValueKind kind = col->type->kind;
	bool		numeric = kind == DDB_VALUE_INTEGER || kind == DDB_VALUE_NUMERIC ||
		kind == DDB_VALUE_FLOAT;
	bool		datetime = col->type->typid == DATEOID || col->type->typid == TIMESTAMPOID ||
		col->type->typid == TIMESTAMPTZOID;

	switch (col->as)
	{
		case DDB_AS_DEFAULT:
			return numeric || datetime || kind == DDB_VALUE_TEXT;
		case DDB_AS_N:
			return numeric || datetime;
		case DDB_AS_S:
			return datetime || kind == DDB_VALUE_TEXT;
		default:
			return false;
	}
}

/* "version-column": the column every guarded write compares (ddb_convert_version). */
static void
set_version_column(DdbRowFormat *fmt, const char *colname)
{
	int			index = find_column(fmt, colname, false);
	const DdbColumn *col;

	if (index < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" named in option \"version-column\" does not exist in foreign table \"%s\"",
						colname, fmt->relname)));
	col = &fmt->columns[index];
	if (col->key_index >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" named in option \"version-column\" of foreign table \"%s\" holds key attribute \"%s\"",
						colname, fmt->relname, col->attr_name),
				 errdetail("A key never changes for its item, so it cannot order the item's versions."),
				 errhint("Name a column that grows with every change of the row, such as a bigint version or an updated_at timestamp.")));
	if (!version_type_ordered(col))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" named in option \"version-column\" of foreign table \"%s\" has type %s%s, which DynamoDB cannot compare in order",
						colname, fmt->relname, format_type_be(col->type->typid),
						col->as == DDB_AS_DEFAULT ? "" : col->as == DDB_AS_N ? " written as N" :
						col->as == DDB_AS_S ? " written as S" : " with an \"attribute-type\""),
				 errhint("Use an integer, numeric, float, text, date, timestamp or timestamptz column (numbers written as N, not S).")));
	fmt->version_column = index;
}

/* ---------- types: what to do with values of a type, decided once ---------- */

/* Built-in types with a conversion of their own; the rest is decided by shape. */
static const struct
{
	Oid			typid;
	DdbValueKind kind;
}			scalar_kinds[] = {
	{INT2OID, DDB_VALUE_INTEGER}, {INT4OID, DDB_VALUE_INTEGER}, {INT8OID, DDB_VALUE_INTEGER},
	{NUMERICOID, DDB_VALUE_NUMERIC},
	{FLOAT4OID, DDB_VALUE_FLOAT}, {FLOAT8OID, DDB_VALUE_FLOAT},
	{CASHOID, DDB_VALUE_MONEY},
	{BOOLOID, DDB_VALUE_BOOL},
	{BYTEAOID, DDB_VALUE_BINARY},
	{TEXTOID, DDB_VALUE_TEXT}, {VARCHAROID, DDB_VALUE_TEXT}, {BPCHAROID, DDB_VALUE_TEXT},
	{DATEOID, DDB_VALUE_TIME}, {TIMEOID, DDB_VALUE_TIME}, {TIMETZOID, DDB_VALUE_TIME},
	{TIMESTAMPOID, DDB_VALUE_TIME}, {TIMESTAMPTZOID, DDB_VALUE_TIME}, {INTERVALOID, DDB_VALUE_TIME},
	{JSONOID, DDB_VALUE_JSON},
	{JSONBOID, DDB_VALUE_JSONB},
};

static DdbType *
build_type(Oid typid, int depth)
{
	DdbType    *t = palloc0(sizeof(DdbType));
	Oid			outfunc;
	bool		isvarlena;
	Oid			elemtype;
	size_t		i;

	if (depth > 32)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("type %s nests more than 32 levels deep", format_type_be(typid))));
	t->typid = getBaseType(typid);
	getTypeOutputInfo(t->typid, &outfunc, &isvarlena);
	fmgr_info(outfunc, &t->out);

	for (i = 0; i < lengthof(scalar_kinds); i++)
		if (scalar_kinds[i].typid == t->typid)
		{
			t->kind = scalar_kinds[i].kind;
			return t;
		}

	elemtype = get_element_type(t->typid);
	if (OidIsValid(elemtype))
	{
		t->kind = DDB_VALUE_ARRAY;
		t->elem = build_type(elemtype, depth + 1);
		get_typlenbyvalalign(elemtype, &t->elmlen, &t->elmbyval, &t->elmalign);
		return t;
	}
	if (type_is_rowtype(t->typid) && t->typid != RECORDOID)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(t->typid, -1);
		int			i;

		t->kind = DDB_VALUE_COMPOSITE;
		t->tupdesc = CreateTupleDescCopy(desc);
		ReleaseTupleDesc(desc);
		t->fields = palloc0(sizeof(DdbType *) * t->tupdesc->natts);
		t->field_json = palloc0(sizeof(char *) * t->tupdesc->natts);
		for (i = 0; i < t->tupdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(t->tupdesc, i);
			StringInfoData name;

			if (att->attisdropped)
				continue;
			t->fields[i] = build_type(att->atttypid, depth + 1);
			initStringInfo(&name);
			ddb_append_json_string(&name, NameStr(att->attname), strlen(NameStr(att->attname)));
			appendStringInfoChar(&name, ':');
			t->field_json[i] = name.data;
		}
		return t;
	}
	if (type_is_range(t->typid) || type_is_multirange(t->typid))
	{
		Oid			subtype = get_range_subtype(type_is_range(t->typid) ? t->typid :
												get_multirange_range(t->typid));
		DdbType    *bound = build_type(subtype, depth + 1);

		/* ranges of date/time types spell their bounds in ISO 8601 too */
		if (bound->kind == DDB_VALUE_TIME)
		{
			t->kind = DDB_VALUE_TIME_RANGE;
			t->elem = bound;
			t->typcache = lookup_type_cache(t->typid, TYPECACHE_RANGE_INFO | TYPECACHE_MULTIRANGE_INFO);
			return t;
		}
	}
	t->kind = DDB_VALUE_STRING;
	return t;
}

/* The column's "attribute-type", checked against what its type can become. */
static DdbAttrType
attribute_type_of(Oid relid, const DdbColumn *col, const char *relname)
{
	char	   *name = ddb_column_option(relid, col->attnum, "attribute-type");
	DdbAttrType as;
	DdbValueKind kind = col->type->kind;
	DdbValueKind elem = col->type->elem ? col->type->elem->kind : kind;
	bool		ok;

	if (name == NULL)
		return DDB_AS_DEFAULT;
	as = (DdbAttrType) ddb_attribute_type_from_name(name);
	switch (as)
	{
		case DDB_AS_S:
			ok = true;			/* every type has a text form */
			break;
		case DDB_AS_N:
			ok = kind == DDB_VALUE_INTEGER || kind == DDB_VALUE_NUMERIC ||
				kind == DDB_VALUE_FLOAT || kind == DDB_VALUE_MONEY || kind == DDB_VALUE_TIME;
			break;
		case DDB_AS_B:
			ok = kind == DDB_VALUE_BINARY;
			break;
		case DDB_AS_BOOL:
			ok = kind == DDB_VALUE_BOOL;
			break;
		case DDB_AS_SS:
			ok = kind == DDB_VALUE_ARRAY;
			break;
		case DDB_AS_NS:
			ok = kind == DDB_VALUE_ARRAY &&
				(elem == DDB_VALUE_INTEGER || elem == DDB_VALUE_NUMERIC ||
				 elem == DDB_VALUE_FLOAT || elem == DDB_VALUE_MONEY || elem == DDB_VALUE_TIME);
			break;
		case DDB_AS_BS:
			ok = kind == DDB_VALUE_ARRAY && elem == DDB_VALUE_BINARY;
			break;
		case DDB_AS_L:
			ok = kind == DDB_VALUE_ARRAY || kind == DDB_VALUE_JSON || kind == DDB_VALUE_JSONB;
			break;
		case DDB_AS_M:
			ok = kind == DDB_VALUE_COMPOSITE || kind == DDB_VALUE_JSON || kind == DDB_VALUE_JSONB;
			break;
		default:
			ok = false;
			break;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of foreign table \"%s\" has type %s, which cannot be written as DynamoDB type %s",
						col->colname, relname, format_type_be(col->type->typid), name),
				 errhint("N takes numbers and date/time types (as epoch seconds), B bytea, BOOL boolean, SS/NS/BS and L arrays, M composite types and json; S takes everything.")));
	return as;
}

/* ---------- values ---------- */

#define APPEND_LITERAL(buf, s) appendBinaryStringInfo((buf), (s), sizeof(s) - 1)

/* Where a value goes, for messages and limits. */
typedef struct ConvertContext
{
	const DdbRowFormat *fmt;
	const DdbColumn *col;
} ConvertContext;

static int	append_value_as(const ConvertContext *cx, const DdbType *t, DdbAttrType as,
							Datum value, StringInfo out, int depth);

static void
bad_value(const ConvertContext *cx, const char *text, const char *detail, const char *hint)
{
	size_t		len = strlen(text);
	char	   *shown = (char *) text;

	/* a long number reads best by its ends: the leading digits and the magnitude */
	if (len > 48)
		shown = psprintf("%.24s...%s (%zu characters)", text, text + len - 12, len);
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value \"%s\" of column \"%s\" cannot be stored in DynamoDB",
					shown, cx->col->colname),
			 errdetail("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

/*
 * Check that a decimal text is a DynamoDB number: finite, at most 38
 * significant digits, magnitude within 1E-130 .. 9.99...E+125.  Returns
 * DynamoDB's size of it: a byte per two significant digits, plus one.
 */
static int
check_number(const ConvertContext *cx, const char *text)
{
	const char *p = text;
	int			digits = 0;		/* significant digits */
	int			pending_zeros = 0;
	int			int_digits = 0; /* digits before the point, after leading zeros */
	int			lead_frac_zeros = 0;	/* zeros right after the point, before the first nonzero */
	bool		seen_nonzero = false;
	bool		after_point = false;
	long		exponent = 0;
	long		magnitude;

	if (*p == '-' || *p == '+')
		p++;
	if (!((*p >= '0' && *p <= '9') || *p == '.'))
		bad_value(cx, text, "DynamoDB numbers are finite; NaN and infinity have no representation.",
				  "Filter or replace the value, or write the column as text with \"attribute-type\" 'S'.");
	for (; *p && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
		{
			after_point = true;
			continue;
		}
		if (*p == '0' && !seen_nonzero)
		{
			if (after_point)
				lead_frac_zeros++;
			continue;
		}
		if (!seen_nonzero)
			seen_nonzero = true;
		if (!after_point)
			int_digits++;
		if (*p == '0')
			pending_zeros++;
		else
		{
			digits += pending_zeros + 1;
			pending_zeros = 0;
		}
	}
	if (*p == 'e' || *p == 'E')
		exponent = strtol(p + 1, NULL, 10);
	if (!seen_nonzero)
		return 1;				/* zero */
	if (digits > 38)
		bad_value(cx, text, "DynamoDB numbers have at most 38 significant digits.",
				  "Round the value (round(x, n)), or write the column as text with \"attribute-type\" 'S'.");
	/* the power of ten of the first significant digit */
	magnitude = (int_digits > 0 ? int_digits - 1 : -(lead_frac_zeros + 1)) + exponent;
	if (magnitude > 125 || magnitude < -130)
		bad_value(cx, text, "DynamoDB numbers range from 1E-130 to 9.9999999999999999999999999999999999999E+125 in magnitude.",
				  "Write the column as text with \"attribute-type\" 'S'.");
	return (digits + 1) / 2 + 1;
}

/*
 * Append a DynamoDB number (checked by check_number) in one canonical
 * spelling, so numbers DynamoDB holds equal are equal bytes: no sign on
 * zero, no leading or trailing zeros, plain decimal for magnitudes within
 * 1E-20 .. 1E40 and d.dddEm outside.  "4", "4.00", "4E0" and "0.4e1"
 * all give 4; "-0" gives 0.
 */
static void
append_canonical_number(StringInfo out, const char *text, int len)
{
	const char *p = text;
	const char *end = text + len;
	char		digits[64];
	int			ndigits = 0;
	int			int_digits = 0;		/* digits before the point, leading zeros included */
	int			lead_zeros = 0;		/* zeros before the first significant digit */
	bool		negative = false;
	bool		after_point = false;
	long		exponent = 0;
	long		magnitude;
	int			i;

	if (p < end && (*p == '-' || *p == '+'))
		negative = *p++ == '-';
	for (; p < end && *p != 'e' && *p != 'E'; p++)
	{
		if (*p == '.')
		{
			after_point = true;
			continue;
		}
		if (!after_point)
			int_digits++;
		if (ndigits == 0 && *p == '0')
		{
			lead_zeros++;
			continue;
		}
		if (ndigits < (int) sizeof(digits))
			digits[ndigits++] = *p;
	}
	if (p < end)
		exponent = strtol(p + 1, NULL, 10);
	while (ndigits > 0 && digits[ndigits - 1] == '0')
		ndigits--;
	if (ndigits == 0)
	{
		appendStringInfoChar(out, '0');
		return;
	}
	/* the power of ten of the first significant digit */
	magnitude = int_digits - lead_zeros - 1 + exponent;
	if (negative)
		appendStringInfoChar(out, '-');
	if (magnitude > 40 || magnitude < -20)
	{
		appendStringInfoChar(out, digits[0]);
		if (ndigits > 1)
		{
			appendStringInfoChar(out, '.');
			appendBinaryStringInfo(out, digits + 1, ndigits - 1);
		}
		appendStringInfo(out, "E%ld", magnitude);
		return;
	}
	if (magnitude < 0)
	{
		appendStringInfoString(out, "0.");
		for (i = -1; i > magnitude; i--)
			appendStringInfoChar(out, '0');
		appendBinaryStringInfo(out, digits, ndigits);
		return;
	}
	for (i = 0; i <= magnitude || i < ndigits; i++)
	{
		if (i == magnitude + 1)
			appendStringInfoChar(out, '.');
		appendStringInfoChar(out, i < ndigits ? digits[i] : '0');
	}
}

/*
 * Append one key value to a row's dedup key: its JSON as written, but a
 * number in its canonical spelling, since DynamoDB compares N keys by value.
 */
static void
append_dedup_value(StringInfo key, const char *json, int len)
{
	static const char number_prefix[] = "{\"N\":\"";
	const int	prefix_len = sizeof(number_prefix) - 1;

	if (len > prefix_len + 2 && memcmp(json, number_prefix, prefix_len) == 0)
	{
		appendBinaryStringInfo(key, json, prefix_len);
		append_canonical_number(key, json + prefix_len, len - prefix_len - 2);
		appendStringInfoString(key, "\"}");
	}
	else
		appendBinaryStringInfo(key, json, len);
	appendStringInfoChar(key, '\x1f');
}

static void
append_number_text(StringInfo out, const char *text)
{
	APPEND_LITERAL(out, "{\"N\":\"");
	appendStringInfoString(out, text);
	APPEND_LITERAL(out, "\"}");
}

/* An int2, int4 or int8 datum as an int64. */
static inline int64
integer_value(Oid typid, Datum value)
{
	switch (typid)
	{
		case INT2OID:
			return DatumGetInt16(value);
		case INT4OID:
			return DatumGetInt32(value);
		default:
			return DatumGetInt64(value);
	}
}

/* Integers are most of what bulk loads carry: format them in place. */
static int
append_integer(const DdbType *t, Datum value, StringInfo out)
{
	int64		v;
	int			len;

	v = integer_value(t->typid, value);
	APPEND_LITERAL(out, "{\"N\":\"");
	enlargeStringInfo(out, MAXINT8LEN + 3);
	len = pg_lltoa(v, out->data + out->len);
	out->len += len;
	APPEND_LITERAL(out, "\"}");
	return (len - (v < 0) + 1) / 2 + 1;
}

/* The value as decimal text, for the number kinds and date/time epochs. */
static char *
number_text(const ConvertContext *cx, const DdbType *t, Datum value)
{
	switch (t->kind)
	{
		case DDB_VALUE_MONEY:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   DirectFunctionCall1(cash_numeric, value)));
		case DDB_VALUE_TIME:
			{
				Datum		epoch;
				PGFunction	extract;

				switch (t->typid)
				{
					case DATEOID:
						extract = extract_date;
						break;
					case TIMEOID:
						extract = extract_time;
						break;
					case TIMETZOID:
						extract = extract_timetz;
						break;
					case TIMESTAMPOID:
						extract = extract_timestamp;
						break;
					case TIMESTAMPTZOID:
						extract = extract_timestamptz;
						break;
					default:
						extract = extract_interval;
						break;
				}
				epoch = DirectFunctionCall2(extract, CStringGetTextDatum("epoch"), value);
				/* 1700000000.000000 -> 1700000000 */
				return DatumGetCString(DirectFunctionCall1(numeric_out,
														   DirectFunctionCall1(numeric_trim_scale, epoch)));
			}
		default:
			return OutputFunctionCall((FmgrInfo *) &t->out, value);
	}
	(void) cx;
}

/* Date/time types in ISO 8601, whatever DateStyle and IntervalStyle say. */
static char *
iso_time_text(const DdbType *t, Datum value)
{
	char		buf[MAXDATELEN + 1];
	static const int utc = 0;

	if (t->typid == INTERVALOID)
	{
		Interval   *span = DatumGetIntervalP(value);
		struct pg_itm itm;

		interval2itm(*span, &itm);
		EncodeInterval(&itm, INTSTYLE_ISO_8601, buf);
		return pstrdup(buf);
	}
	/* timestamptz in UTC with its offset: 2026-11-25T17:00:00.5+00:00 */
	return pstrdup(JsonEncodeDateTime(buf, value, t->typid,
									  t->typid == TIMESTAMPTZOID ? &utc : NULL));
}

static void
append_iso_range(const DdbType *t, TypeCacheEntry *typcache, RangeType *r, StringInfo out)
{
	RangeBound	lower;
	RangeBound	upper;
	bool		empty;

	range_deserialize(typcache, r, &lower, &upper, &empty);
	if (empty)
	{
		appendStringInfoString(out, "empty");
		return;
	}
	/* as range_out writes it; ISO 8601 text never needs quoting */
	appendStringInfoChar(out, lower.inclusive ? '[' : '(');
	if (!lower.infinite)
		appendStringInfoString(out, iso_time_text(t->elem, lower.val));
	appendStringInfoChar(out, ',');
	if (!upper.infinite)
		appendStringInfoString(out, iso_time_text(t->elem, upper.val));
	appendStringInfoChar(out, upper.inclusive ? ']' : ')');
}

/* A range or multirange of date/time values, its bounds in ISO 8601 whatever DateStyle says. */
static char *
iso_range_text(const DdbType *t, Datum value)
{
	StringInfoData out;

	initStringInfo(&out);
	if (t->typcache->typtype == TYPTYPE_MULTIRANGE)
	{
		MultirangeType *mr = DatumGetMultirangeTypeP(value);
		int32		n;
		RangeType **ranges;
		int32		i;

		multirange_deserialize(t->typcache->rngtype, mr, &n, &ranges);
		appendStringInfoChar(&out, '{');
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				appendStringInfoChar(&out, ',');
			append_iso_range(t, t->typcache->rngtype, ranges[i], &out);
		}
		appendStringInfoChar(&out, '}');
	}
	else
		append_iso_range(t, t->typcache, DatumGetRangeTypeP(value), &out);
	return out.data;
}

/* DynamoDB's limits on key values, in bytes (UTF-8 for strings). */
#define DDB_MAX_PARTITION_KEY_BYTES 2048
#define DDB_MAX_SORT_KEY_BYTES 1024

/* A key string or binary must fit DynamoDB's limit; checked before the row is queued. */
static void
check_key_length(const ConvertContext *cx, int bytes, bool binary)
{
	bool		partition = cx->col->key_index == 0;
	int			limit = partition ? DDB_MAX_PARTITION_KEY_BYTES : DDB_MAX_SORT_KEY_BYTES;

	if (cx->col->key_index < 0 || bytes <= limit)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("value of column \"%s\" of foreign table \"%s\" is too long for a DynamoDB %s key",
					cx->col->colname, cx->fmt->relname, partition ? "partition" : "sort"),
			 errdetail("It has %d bytes%s; DynamoDB allows at most %d bytes in a %s key.",
					   bytes, binary ? "" : " in UTF-8", limit, partition ? "partition" : "sort"),
			 errhint("Key attribute \"%s\" of DynamoDB table \"%s\" must be shorter: hash long values, for example with sha256().",
					 cx->col->attr_name, cx->fmt->table_name)));
}

/* SQL_ASCII stores any bytes: a string that is not UTF-8 is refused, naming its column. */
static void
check_utf8(const ConvertContext *cx, const char *text, int len)
{
	if (GetDatabaseEncoding() != PG_SQL_ASCII || pg_verify_mbstr(PG_UTF8, text, len, true))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
			 errmsg("value of column \"%s\" of foreign table \"%s\" is not valid UTF-8",
					cx->col->colname, cx->fmt->relname),
			 errdetail("DynamoDB strings are UTF-8, and the database encoding SQL_ASCII does not check the bytes it stores."),
			 errhint("Convert the value to UTF-8 first, or write the column as binary (bytea).")));
}

/* Empty strings and binaries are fine, except as keys. */
static void
reject_empty_key(const ConvertContext *cx)
{
	if (cx->col->key_index < 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
			 errmsg("empty value in column \"%s\" of foreign table \"%s\"",
					cx->col->colname, cx->fmt->relname),
			 errdetail("Column \"%s\" holds a key attribute, and DynamoDB key strings and binaries cannot be empty.",
					   cx->col->colname)));
}

static int
append_string(const ConvertContext *cx, const char *text, int len, StringInfo out)
{
	int			utf8_len;

	if (len == 0)
		reject_empty_key(cx);
	check_utf8(cx, text, len);
	APPEND_LITERAL(out, "{\"S\":");
	utf8_len = ddb_append_json_string(out, text, len);
	appendStringInfoChar(out, '}');
	check_key_length(cx, utf8_len, false);
	return utf8_len;
}

static int
append_binary(const ConvertContext *cx, Datum value, StringInfo out)
{
	bytea	   *b = DatumGetByteaPP(value);
	int			rawlen = VARSIZE_ANY_EXHDR(b);
	int			enclen = pg_b64_enc_len(rawlen);
	int			written;

	if (rawlen == 0)
		reject_empty_key(cx);
	check_key_length(cx, rawlen, true);
	APPEND_LITERAL(out, "{\"B\":\"");
	enlargeStringInfo(out, enclen + 3);
#if PG_VERSION_NUM >= 180000
	written = pg_b64_encode((const uint8 *) VARDATA_ANY(b), rawlen, out->data + out->len, enclen);
#else
	written = pg_b64_encode(VARDATA_ANY(b), rawlen, out->data + out->len, enclen);
#endif
	if (written < 0)
		elog(ERROR, "could not encode column \"%s\" as base64", cx->col->colname);
	out->len += written;
	out->data[out->len] = '\0';
	APPEND_LITERAL(out, "\"}");
	return rawlen;
}

/* A jsonb value, recursively: objects become M, arrays L, scalars S/N/BOOL/NULL. */
static int
append_jsonb_value(const ConvertContext *cx, JsonbValue *v, StringInfo out)
{
	switch (v->type)
	{
		case jbvNull:
			APPEND_LITERAL(out, "{\"NULL\":true}");
			return 1;
		case jbvBool:
			if (v->val.boolean)
				APPEND_LITERAL(out, "{\"BOOL\":true}");
			else
				APPEND_LITERAL(out, "{\"BOOL\":false}");
			return 1;
		case jbvString:
			APPEND_LITERAL(out, "{\"S\":");
			ddb_append_json_string(out, v->val.string.val, v->val.string.len);
			appendStringInfoChar(out, '}');
			return v->val.string.len;
		case jbvNumeric:
			{
				char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out,
																	   NumericGetDatum(v->val.numeric)));
				int			size = check_number(cx, text);

				append_number_text(out, text);
				return size;
			}
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return 0;
}

static int
append_jsonb(const ConvertContext *cx, Jsonb *jb, StringInfo out)
{
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	bool		need_comma[34];
	bool		after_key = false;
	int			depth = 0;
	int			size = 0;

	need_comma[0] = false;
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (tok)
		{
			case WJB_BEGIN_ARRAY:
			case WJB_BEGIN_OBJECT:
				if (tok == WJB_BEGIN_ARRAY && v.val.array.rawScalar)
					break;		/* a top-level scalar: its ELEM is the value */
				if (!after_key && depth > 0 && need_comma[depth])
					appendStringInfoChar(out, ',');
				need_comma[depth] = true;
				after_key = false;
				if (++depth > 32)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("json value of column \"%s\" nests more than 32 levels deep",
									cx->col->colname),
							 errdetail("DynamoDB documents nest at most 32 levels."),
							 errhint("Write the column as its JSON text with \"attribute-type\" 'S'.")));
				need_comma[depth] = false;
				if (tok == WJB_BEGIN_ARRAY)
					APPEND_LITERAL(out, "{\"L\":[");
				else
					APPEND_LITERAL(out, "{\"M\":{");
				size += 3;
				break;
			case WJB_END_ARRAY:
				if (depth == 0)
					break;		/* end of a top-level scalar */
				APPEND_LITERAL(out, "]}");
				depth--;
				break;
			case WJB_END_OBJECT:
				APPEND_LITERAL(out, "}}");
				depth--;
				break;
			case WJB_KEY:
				if (need_comma[depth])
					appendStringInfoChar(out, ',');
				need_comma[depth] = true;
				ddb_append_json_string(out, v.val.string.val, v.val.string.len);
				appendStringInfoChar(out, ':');
				size += v.val.string.len;
				after_key = true;
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				if (tok == WJB_ELEM && depth > 0 && need_comma[depth])
					appendStringInfoChar(out, ',');
				if (depth > 0)
					need_comma[depth] = true;
				after_key = false;
				size += append_jsonb_value(cx, &v, out);
				break;
			default:
				break;
		}
	}
	return size;
}

/* Elements of an array as a nested L, dimension by dimension. */
static int
append_array_level(const ConvertContext *cx, const DdbType *t, Datum *elems, bool *nulls,
				   int *dims, int ndim, int level, int *pos, StringInfo out, int depth)
{
	int			i;
	int			size = 3;

	APPEND_LITERAL(out, "{\"L\":[");
	for (i = 0; i < dims[level]; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		if (level + 1 < ndim)
			size += append_array_level(cx, t, elems, nulls, dims, ndim, level + 1, pos, out, depth + 1);
		else
		{
			if (nulls[*pos])
			{
				APPEND_LITERAL(out, "{\"NULL\":true}");
				size += 1;
			}
			else
				size += append_value_as(cx, t->elem, DDB_AS_DEFAULT, elems[*pos], out, depth + 1);
			(*pos)++;
		}
	}
	APPEND_LITERAL(out, "]}");
	return size;
}

static int
compare_cstrings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* An array as a DynamoDB set: SS, NS or BS, never empty, never twice the same member. */
static int
append_set(const ConvertContext *cx, const DdbType *t, DdbAttrType as, Datum *elems,
		   bool *nulls, int n, StringInfo out)
{
	char	  **members = palloc(sizeof(char *) * Max(n, 1));
	const char *type = as == DDB_AS_SS ? "SS" : as == DDB_AS_NS ? "NS" : "BS";
	int			size = 0;
	int			i;

	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("empty array in column \"%s\" cannot be written as DynamoDB set %s",
						cx->col->colname, type),
				 errdetail("DynamoDB sets cannot be empty."),
				 errhint("Write NULL instead of an empty array (and set \"sink.ignore-nulls\" to leave the attribute out).")));
	for (i = 0; i < n; i++)
	{
		StringInfoData m;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("array in column \"%s\" has a NULL element, which DynamoDB set %s cannot hold",
							cx->col->colname, type)));
		initStringInfo(&m);
		if (as == DDB_AS_SS)
		{
			char	   *text = t->elem->kind == DDB_VALUE_TIME ? iso_time_text(t->elem, elems[i]) :
				OutputFunctionCall((FmgrInfo *) &t->elem->out, elems[i]);

			ddb_append_json_string(&m, text, strlen(text));
			size += strlen(text);
		}
		else if (as == DDB_AS_NS)
		{
			char	   *text = number_text(cx, t->elem, elems[i]);

			size += check_number(cx, text);
			/* DynamoDB tells set members apart by value: 4 and 4.0 are one */
			appendStringInfoChar(&m, '"');
			append_canonical_number(&m, text, strlen(text));
			appendStringInfoChar(&m, '"');
		}
		else
		{
			StringInfoData b;

			initStringInfo(&b);
			size += append_binary(cx, elems[i], &b);
			/* {"B":"..."} -> "..." */
			appendBinaryStringInfo(&m, b.data + 5, b.len - 6);
		}
		members[i] = m.data;
	}
	qsort(members, n, sizeof(char *), compare_cstrings);
	for (i = 1; i < n; i++)
		if (strcmp(members[i - 1], members[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("array in column \"%s\" holds %s twice, which DynamoDB set %s cannot",
							cx->col->colname, members[i], type),
					 errhint("Remove duplicates first, e.g. ARRAY(SELECT DISTINCT unnest(col)).")));
	appendStringInfo(out, "{\"%s\":[", type);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		appendStringInfoString(out, members[i]);
	}
	APPEND_LITERAL(out, "]}");
	return size;
}

static int
append_array(const ConvertContext *cx, const DdbType *t, DdbAttrType as, Datum value,
			 StringInfo out, int depth)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			pos = 0;

	deconstruct_array(arr, ARR_ELEMTYPE(arr), t->elmlen, t->elmbyval, t->elmalign,
					  &elems, &nulls, &n);
	if (as == DDB_AS_SS || as == DDB_AS_NS || as == DDB_AS_BS)
		return append_set(cx, t, as, elems, nulls, n, out);
	if (ARR_NDIM(arr) == 0)
	{
		APPEND_LITERAL(out, "{\"L\":[]}");
		return 3;
	}
	return append_array_level(cx, t, elems, nulls, ARR_DIMS(arr), ARR_NDIM(arr), 0, &pos, out, depth);
}

static int
append_composite(const ConvertContext *cx, const DdbType *t, Datum value, StringInfo out,
				 int depth)
{
	HeapTupleHeader th = DatumGetHeapTupleHeader(value);
	HeapTupleData tuple;
	Datum	   *values = palloc(sizeof(Datum) * t->tupdesc->natts);
	bool	   *nulls = palloc(sizeof(bool) * t->tupdesc->natts);
	bool		first = true;
	int			size = 3;
	int			i;

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, t->tupdesc, values, nulls);

	APPEND_LITERAL(out, "{\"M\":{");
	for (i = 0; i < t->tupdesc->natts; i++)
	{
		if (t->fields[i] == NULL)
			continue;			/* dropped field */
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		appendStringInfoString(out, t->field_json[i]);
		size += strlen(t->field_json[i]);
		if (nulls[i])
		{
			APPEND_LITERAL(out, "{\"NULL\":true}");
			size += 1;
		}
		else
			size += append_value_as(cx, t->fields[i], DDB_AS_DEFAULT, values[i], out, depth + 1);
	}
	APPEND_LITERAL(out, "}}");
	return size;
}

/* Append one non-null value as a DynamoDB AttributeValue; returns its DynamoDB size in bytes. */
static int
append_value_as(const ConvertContext *cx, const DdbType *t, DdbAttrType as, Datum value,
				StringInfo out, int depth)
{
	char	   *text;
	int			size;

	if (depth > 32)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value of column \"%s\" nests more than 32 levels deep", cx->col->colname),
				 errdetail("DynamoDB documents nest at most 32 levels.")));
	if (as == DDB_AS_S)
	{
		/* the text form: JSON text for json, ISO 8601 for date/time */
		text = t->kind == DDB_VALUE_TIME ? iso_time_text(t, value) :
			t->kind == DDB_VALUE_TIME_RANGE ? iso_range_text(t, value) :
			OutputFunctionCall((FmgrInfo *) &t->out, value);
		return append_string(cx, text, strlen(text), out);
	}
	if (as == DDB_AS_N && t->kind == DDB_VALUE_TIME)
	{
		text = number_text(cx, t, value);
		size = check_number(cx, text);
		append_number_text(out, text);
		return size;
	}

	switch (t->kind)
	{
		case DDB_VALUE_INTEGER:
			return append_integer(t, value, out);
		case DDB_VALUE_NUMERIC:
		case DDB_VALUE_FLOAT:
		case DDB_VALUE_MONEY:
			text = number_text(cx, t, value);
			size = check_number(cx, text);
			append_number_text(out, text);
			return size;
		case DDB_VALUE_BOOL:
			if (DatumGetBool(value))
				APPEND_LITERAL(out, "{\"BOOL\":true}");
			else
				APPEND_LITERAL(out, "{\"BOOL\":false}");
			return 1;
		case DDB_VALUE_BINARY:
			return append_binary(cx, value, out);
		case DDB_VALUE_TEXT:
			{
				/* the content is the text form: skip the output function's copy */
				struct varlena *v = PG_DETOAST_DATUM_PACKED(value);

				return append_string(cx, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), out);
			}
		case DDB_VALUE_TIME:
			text = iso_time_text(t, value);
			return append_string(cx, text, strlen(text), out);
		case DDB_VALUE_JSON:
			{
				/* json is text: parse it the way jsonb does */
				Datum		jb = DirectFunctionCall1(jsonb_in,
													 CStringGetDatum(OutputFunctionCall((FmgrInfo *) &t->out, value)));

				return append_jsonb(cx, DatumGetJsonbP(jb), out);
			}
		case DDB_VALUE_JSONB:
			return append_jsonb(cx, DatumGetJsonbP(value), out);
		case DDB_VALUE_ARRAY:
			return append_array(cx, t, as, value, out, depth);
		case DDB_VALUE_COMPOSITE:
			return append_composite(cx, t, value, out, depth);
		case DDB_VALUE_TIME_RANGE:
			text = iso_range_text(t, value);
			return append_string(cx, text, strlen(text), out);
		case DDB_VALUE_STRING:
			text = OutputFunctionCall((FmgrInfo *) &t->out, value);
			return append_string(cx, text, strlen(text), out);
	}
	return 0;					/* keep the compiler quiet */
}

static int
append_value(const DdbRowFormat *fmt, const DdbColumn *col, Datum value, StringInfo out)
{
	ConvertContext cx = {fmt, col};

	return append_value_as(&cx, col->type, col->as, value, out, 0);
}

static void
reject_null_key(const DdbRowFormat *fmt, const DdbColumn *col)
{
	ereport(ERROR,
			(errcode(ERRCODE_NOT_NULL_VIOLATION),
			 errmsg("null value in column \"%s\" of foreign table \"%s\"",
					col->colname, fmt->relname),
			 errdetail("Column \"%s\" holds key attribute \"%s\" of DynamoDB table \"%s\", and DynamoDB keys cannot be null.",
					   col->colname, col->attr_name, fmt->table_name)));
}

void
ddb_convert_key(const DdbRowFormat *fmt, TupleTableSlot *slot, StringInfo item, StringInfo key)
{
	int			i;
	bool		first = true;

	Assert(fmt->nkeys > 0);
	slot_getallattrs(slot);
	appendStringInfoChar(item, '{');
	/* column order, as in ddb_convert_row, so both give one key the same dedup key */
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const DdbColumn *col = &fmt->columns[i];
		int			value_start;

		if (col->key_index < 0)
			continue;
		if (slot->tts_isnull[col->attnum - 1])
			reject_null_key(fmt, col);
		if (!first)
			appendStringInfoChar(item, ',');
		first = false;
		appendBinaryStringInfo(item, col->attr_json, col->attr_json_len);
		value_start = item->len;
		(void) append_value(fmt, col, slot->tts_values[col->attnum - 1], item);
		append_dedup_value(key, item->data + value_start, item->len - value_start);
	}
	appendStringInfoChar(item, '}');
}

void
ddb_convert_columns(const DdbRowFormat *fmt, TupleTableSlot *slot, const AttrNumber *attnums,
					int n, StringInfo sets, StringInfo removes)
{
	int			i;

	slot_getallattrs(slot);
	appendStringInfoChar(sets, '{');
	appendStringInfoChar(removes, '{');
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const DdbColumn *col = &fmt->columns[i];
		bool		isnull = slot->tts_isnull[col->attnum - 1];
		StringInfo	out;
		int			j;

		for (j = 0; j < n && attnums[j] != col->attnum; j++)
			;
		if (j == n)
			continue;			/* not assigned by the UPDATE */
		out = (isnull && fmt->ignore_nulls) ? removes : sets;
		if (out->len > 1)
			appendStringInfoChar(out, ',');
		appendBinaryStringInfo(out, col->attr_json, col->attr_json_len);
		if (out == removes)
			appendStringInfoString(out, "true");
		else if (isnull)
			appendStringInfoString(out, "{\"NULL\":true}");
		else
			(void) append_value(fmt, col, slot->tts_values[col->attnum - 1], out);
	}
	appendStringInfoChar(sets, '}');
	appendStringInfoChar(removes, '}');
}

void
ddb_convert_version(const DdbRowFormat *fmt, TupleTableSlot *slot, const char *action,
					StringInfo version)
{
	const DdbColumn *col = &fmt->columns[fmt->version_column];
	StringInfoData removes;

	Assert(fmt->version_column >= 0);
	slot_getsomeattrs(slot, col->attnum);
	if (slot->tts_isnull[col->attnum - 1])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"%s\" of foreign table \"%s\"",
						col->colname, fmt->relname),
				 strcmp(action, "delete") == 0 ?
				 errdetail("Column \"%s\" is the \"version-column\": a delete is applied only when its item holds no newer version, so it needs its version.",
						   col->colname) :
				 errdetail("Column \"%s\" is the \"version-column\": a %s is applied only over an older version of its item, so it needs its version.",
						   col->colname, action),
				 strcmp(action, "delete") == 0 ?
				 errhint("Name the version the delete removes in the WHERE clause: ... WHERE <key> = ... AND %s = <version>.",
						 col->colname) :
				 strcmp(action, "update") == 0 ?
				 errhint("Assign the new version in the same UPDATE: SET ..., %s = <newer version>.",
						 col->colname) :
				 errhint("Give every row its version, e.g. a bigint a trigger increments on every change.")));
	initStringInfo(&removes);
	ddb_convert_columns(fmt, slot, &col->attnum, 1, version, &removes);
	pfree(removes.data);
}

/*
 * The fast paths below write a whole member, ,"name":{"N":"123"}, at once
 * into reserved room: its start (comma, quoted name, type) comes from
 * col->member, made once per statement.  first leaves the comma out.
 * A key column's dedup value, the member's value ({"N":"123"}), is copied
 * from what was written.
 */
static inline char *
start_member(const DdbColumn *col, StringInfo item, int room, bool first)
{
	char	   *p;

	reserve(item, col->member_len + room);
	p = item->data + item->len;
	memcpy(p, col->member + first, col->member_len - first);
	return p + col->member_len - first;
}

/* End a member written from value (its {"T":" start) to end, and copy its value into key. */
static inline void
end_member(StringInfo item, const char *value, char *end, StringInfo key)
{
	*end++ = '"';
	*end++ = '}';
	*end = '\0';
	item->len = end - item->data;
	if (key != NULL)
	{
		int			n = end - value;

		reserve(key, n + 1);
		memcpy(key->data + key->len, value, n);
		key->len += n;
		key->data[key->len++] = '\x1f';
		key->data[key->len] = '\0';
	}
}

#define VALUE_PREFIX_LEN 6		/* {"N":" or {"S":" */

/*
 * v in decimal at dst (room for MAXINT8LEN bytes, no terminating zero),
 * two digits per division from a table, backwards into a scratch buffer:
 * half of pg_lltoa's instructions for the short numbers bulk loads carry.
 */
static inline int
write_int64(char *dst, int64 v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char		buf[MAXINT8LEN];
	char	   *q = buf + sizeof(buf);
	uint64		u = v < 0 ? -(uint64) v : (uint64) v;
	int			len;

	while (u >= 100)
	{
		q -= 2;
		memcpy(q, pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10)
	{
		q -= 2;
		memcpy(q, pairs + 2 * u, 2);
	}
	else
		*--q = '0' + u;
	if (v < 0)
		*--q = '-';
	len = buf + sizeof(buf) - q;
	memcpy(dst, q, len);
	return len;
}

/*
 * An integer (most of what bulk loads carry).  Its decimal text already is
 * the canonical spelling of the number (append_canonical_number), so a
 * key's dedup value is the same bytes.
 */
static int
append_integer_member(const DdbColumn *col, Datum value, StringInfo item, StringInfo key,
					  bool first)
{
	int64		v = integer_value(col->type->typid, value);
	char	   *p = start_member(col, item, MAXINT8LEN + 2, first);
	int			len = write_int64(p, v);

	end_member(item, p - VALUE_PREFIX_LEN, p + len, key);
	return (len - (v < 0) + 1) / 2 + 1;
}

/*
 * A text, varchar or char value in a UTF-8 database: its bytes are the
 * string DynamoDB gets, escaped for JSON.  Returns its size, or -1 for a
 * value longer than an item may be, left to the generic path (it escapes
 * a piece at a time instead of reserving 6 bytes per byte).
 */
static int
append_text_member(const DdbRowFormat *fmt, const DdbColumn *col, Datum value,
				   StringInfo item, StringInfo key, bool first)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(value);
	const char *text = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	char	   *p;

	if (len > DDB_MAX_ITEM_BYTES)
		return -1;
	if (col->key_index >= 0)
	{
		ConvertContext cx = {fmt, col};

		if (len == 0)
			reject_empty_key(&cx);
		check_key_length(&cx, len, false);
	}
	p = start_member(col, item, 6 * len + 2, first);
	end_member(item, p - VALUE_PREFIX_LEN, p + write_escaped(p, text, len), key);
	return len;
}

void
ddb_convert_row(const DdbRowFormat *fmt, TupleTableSlot *slot, StringInfo item, StringInfo key)
{
	int			i;
	int			size = 0;
	bool		first = true;

	slot_getallattrs(slot);
	appendStringInfoCharMacro(item, '{');
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const DdbColumn *col = &fmt->columns[i];
		bool		isnull = slot->tts_isnull[col->attnum - 1];
		Datum		value = slot->tts_values[col->attnum - 1];
		StringInfo	col_key = col->key_index >= 0 ? key : NULL;
		int			value_start;

		if (isnull && col->key_index >= 0)
			reject_null_key(fmt, col);
		if (isnull && fmt->ignore_nulls)
			continue;
		size += col->attr_name_len;
		if (!isnull && col->fast != DDB_FAST_NONE)
		{
			int			value_size = col->fast == DDB_FAST_INTEGER ?
				append_integer_member(col, value, item, col_key, first) :
				append_text_member(fmt, col, value, item, col_key, first);

			if (value_size >= 0)
			{
				size += value_size;
				first = false;
				continue;
			}
		}
		if (!first)
			appendStringInfoCharMacro(item, ',');
		first = false;
		appendBinaryStringInfo(item, col->attr_json, col->attr_json_len);
		value_start = item->len;
		if (isnull)
		{
			appendStringInfoString(item, "{\"NULL\":true}");
			size += 1;
		}
		else
			size += append_value(fmt, col, value, item);
		if (col_key != NULL)
			append_dedup_value(key, item->data + value_start, item->len - value_start);
	}
	appendStringInfoCharMacro(item, '}');

	if (size > DDB_MAX_ITEM_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("row of %d bytes exceeds DynamoDB's item size limit of %d bytes",
						size, DDB_MAX_ITEM_BYTES),
				 errdetail("Foreign table \"%s\", DynamoDB table \"%s\", %s.",
						   fmt->relname, fmt->table_name, describe_key(fmt, key)),
				 errhint("Store large values elsewhere (for example in S3) and write a reference.")));
}

/*
 * "key user_id={"N":"1"}" from the dedup key of a row, so an error points
 * at the row; values are cut short, as a key may be up to 2 KB.
 */
static const char *
describe_key(const DdbRowFormat *fmt, StringInfo key)
{
	StringInfoData out;
	const char *value;
	int			i;

	if (fmt->nkeys == 0 || key == NULL)
		return "key unknown (DescribeTable was not allowed)";
	initStringInfo(&out);
	appendStringInfoString(&out, "key ");
	value = key->data;
	for (i = 0; i < fmt->ncolumns && value < key->data + key->len; i++)
	{
		const DdbColumn *col = &fmt->columns[i];
		const char *end;
		int			len;

		if (col->key_index < 0)
			continue;
		end = memchr(value, '\x1f', key->data + key->len - value);
		len = end ? (int) (end - value) : (int) (key->data + key->len - value);
		if (out.len > 4)
			appendStringInfoString(&out, ", ");
		appendStringInfo(&out, "%s=%.*s%s", col->attr_name, Min(len, 100), value,
						 len > 100 ? "..." : "");
		value += len + 1;
	}
	return out.data;
}
