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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "ddb_convert.h"

static DdbValueKind
value_kind(Oid typid)
{
	switch (typid)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return DDB_VALUE_INTEGER;
		case NUMERICOID:
			return DDB_VALUE_NUMERIC;
		case FLOAT4OID:
		case FLOAT8OID:
			return DDB_VALUE_FLOAT;
		case BOOLOID:
			return DDB_VALUE_BOOL;
		case BYTEAOID:
			return DDB_VALUE_BINARY;
		default:
			return DDB_VALUE_STRING;
	}
}

void
ddb_append_json_string(StringInfo buf, const char *s, int len)
{
	const char *utf8 = s;
	const char *p;
	const char *run;
	const char *end;

	/* DynamoDB speaks UTF-8 whatever the database encoding is */
	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
	{
		utf8 = pg_server_to_any(s, len, PG_UTF8);
		if (utf8 != s)
			len = strlen(utf8);
	}

	appendStringInfoCharMacro(buf, '"');
	end = utf8 + len;
	run = utf8;
	for (p = utf8; p < end; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		appendBinaryStringInfo(buf, run, p - run);
		switch (c)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			default:
				appendStringInfo(buf, "\\u%04x", c);
				break;
		}
		run = p + 1;
	}
	appendBinaryStringInfo(buf, run, end - run);
	appendStringInfoCharMacro(buf, '"');
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

DdbRowFormat *
ddb_row_format_create(Relation rel, const DdbTableOptions *opts,
					  const char *hash_attr, const char *range_attr)
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
		Oid			outfunc;
		bool		isvarlena;
		StringInfoData name;

		if (att->attisdropped)
			continue;
		col = &fmt->columns[fmt->ncolumns++];
		col->attnum = att->attnum;
		col->colname = pstrdup(NameStr(att->attname));
		col->attr_name = ddb_column_attribute_name(RelationGetRelid(rel), att->attnum,
												   col->colname);
		initStringInfo(&name);
		ddb_append_json_string(&name, col->attr_name, strlen(col->attr_name));
		appendStringInfoChar(&name, ':');
		col->attr_json = name.data;
		col->attr_json_len = name.len;
		col->typid = getBaseType(att->atttypid);
		col->kind = value_kind(col->typid);
		getTypeOutputInfo(att->atttypid, &outfunc, &isvarlena);
		fmgr_info(outfunc, &col->out);
		col->key_index = -1;
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
			set_key_column(fmt, index);
		}
	}
	else if (hash_attr != NULL)
	{
		const char *attrs[2] = {hash_attr, range_attr};

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
			set_key_column(fmt, index);
		}
	}
	return fmt;
}

/* DynamoDB's size of a number: about one byte per two significant digits, plus one. */
static int
number_size(const char *text)
{
	int			digits = 0;

	for (; *text && *text != 'e' && *text != 'E'; text++)
		if (*text >= '0' && *text <= '9')
			digits++;
	return (digits + 1) / 2 + 1;
}

static void
reject_non_finite(const DdbRowFormat *fmt, const DdbColumn *col, const char *text)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value \"%s\" of column \"%s\" cannot be stored in DynamoDB", text, col->colname),
			 errdetail("DynamoDB numbers are finite; NaN and infinity have no representation."),
			 errhint("Filter or replace the value before writing to foreign table \"%s\".",
					 fmt->relname)));
}

#define APPEND_LITERAL(buf, s) appendBinaryStringInfo((buf), (s), sizeof(s) - 1)

/*
 * Integers are most of what bulk loads carry: format them in place rather
 * than through the type's output function and a palloc'ed string.
 */
static int
append_integer(const DdbColumn *col, Datum value, StringInfo item)
{
	int64		v;
	int			len;

	switch (col->typid)
	{
		case INT2OID:
			v = DatumGetInt16(value);
			break;
		case INT4OID:
			v = DatumGetInt32(value);
			break;
		default:
			v = DatumGetInt64(value);
			break;
	}
	APPEND_LITERAL(item, "{\"N\":\"");
	enlargeStringInfo(item, MAXINT8LEN + 3);
#if PG_VERSION_NUM >= 140000
	len = pg_lltoa(v, item->data + item->len);
#else
	pg_lltoa(v, item->data + item->len);
	len = strlen(item->data + item->len);
#endif
	item->len += len;
	APPEND_LITERAL(item, "\"}");
	/* DynamoDB's size of a number: a byte per two significant digits, plus one */
	return (len - (v < 0) + 1) / 2 + 1;
}

/* Append one non-null value as {"T":...}; returns its DynamoDB size in bytes. */
static int
append_value(const DdbRowFormat *fmt, const DdbColumn *col, Datum value, StringInfo item)
{
	char	   *text;
	struct varlena *text_value;
	int			len;

	switch (col->kind)
	{
		case DDB_VALUE_INTEGER:
			return append_integer(col, value, item);

		case DDB_VALUE_NUMERIC:
		case DDB_VALUE_FLOAT:
			if (col->kind == DDB_VALUE_FLOAT &&
				((col->typid == FLOAT4OID && !isfinite(DatumGetFloat4(value))) ||
				 (col->typid == FLOAT8OID && !isfinite(DatumGetFloat8(value)))))
				reject_non_finite(fmt, col, OutputFunctionCall((FmgrInfo *) &col->out, value));
			text = OutputFunctionCall((FmgrInfo *) &col->out, value);
			if (col->kind == DDB_VALUE_NUMERIC &&
				(strcmp(text, "NaN") == 0 || strcmp(text, "Infinity") == 0 ||
				 strcmp(text, "-Infinity") == 0))
				reject_non_finite(fmt, col, text);
			appendStringInfoString(item, "{\"N\":\"");
			appendStringInfoString(item, text);
			appendStringInfoString(item, "\"}");
			return number_size(text);

		case DDB_VALUE_BOOL:
			appendStringInfoString(item, DatumGetBool(value) ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
			return 1;

		case DDB_VALUE_BINARY:
			{
				bytea	   *b = DatumGetByteaPP(value);
				int			rawlen = VARSIZE_ANY_EXHDR(b);
				int			enclen = pg_b64_enc_len(rawlen);
				int			written;

				appendStringInfoString(item, "{\"B\":\"");
				enlargeStringInfo(item, enclen + 3);
#if PG_VERSION_NUM >= 180000
				written = pg_b64_encode((const uint8 *) VARDATA_ANY(b), rawlen,
										item->data + item->len, enclen);
#else
				written = pg_b64_encode(VARDATA_ANY(b), rawlen,
										item->data + item->len, enclen);
#endif
				if (written < 0)
					elog(ERROR, "could not encode column \"%s\" as base64", col->colname);
				item->len += written;
				item->data[item->len] = '\0';
				appendStringInfoString(item, "\"}");
				return rawlen;
			}

		case DDB_VALUE_STRING:
			if (col->typid == TEXTOID || col->typid == VARCHAROID || col->typid == BPCHAROID)
			{
				/* their text output is their content: skip the copy */
				text_value = PG_DETOAST_DATUM_PACKED(value);
				text = VARDATA_ANY(text_value);
				len = VARSIZE_ANY_EXHDR(text_value);
			}
			else
			{
				text = OutputFunctionCall((FmgrInfo *) &col->out, value);
				len = strlen(text);
			}
			APPEND_LITERAL(item, "{\"S\":");
			ddb_append_json_string(item, text, len);
			appendStringInfoChar(item, '}');
			return len;
	}
	return 0;					/* keep the compiler quiet */
}

static const char *describe_key(const DdbRowFormat *fmt, StringInfo key);

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
		appendBinaryStringInfo(key, item->data + value_start, item->len - value_start);
		appendStringInfoChar(key, '\x1f');
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
ddb_convert_row(const DdbRowFormat *fmt, TupleTableSlot *slot, StringInfo item, StringInfo key)
{
	int			i;
	int			size = 0;
	bool		first = true;

	slot_getallattrs(slot);
	appendStringInfoChar(item, '{');
	for (i = 0; i < fmt->ncolumns; i++)
	{
		const DdbColumn *col = &fmt->columns[i];
		bool		isnull = slot->tts_isnull[col->attnum - 1];
		Datum		value = slot->tts_values[col->attnum - 1];
		int			value_start;

		if (isnull && col->key_index >= 0)
			reject_null_key(fmt, col);
		if (isnull && fmt->ignore_nulls)
			continue;
		if (!first)
			appendStringInfoChar(item, ',');
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
		size += strlen(col->attr_name);
		if (col->key_index >= 0 && key != NULL)
		{
			/* the value's JSON is canonical for the key's scalar types */
			appendBinaryStringInfo(key, item->data + value_start, item->len - value_start);
			appendStringInfoChar(key, '\x1f');
		}
	}
	appendStringInfoChar(item, '}');

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
