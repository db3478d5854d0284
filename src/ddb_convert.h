/*
 * ddb_convert.h — PostgreSQL rows to DynamoDB items (JSON AttributeValues).
 *
 * Contract: ddb_row_format_create() looks at a foreign table's columns once
 * per statement (type, output function, DynamoDB attribute name, whether the
 * column is part of the table's key); ddb_convert_row() then writes one row
 * as the JSON text of a DynamoDB item, {"attr":{"N":"1"},...}, straight into
 * a StringInfo, without an intermediate JSON tree.  It also writes the row's
 * key (its key attributes as DynamoDB compares them, used to keep one
 * write per key) when the format has key columns: strings and binaries
 * byte for byte, numbers by value (4, 4.0 and 4E0 are one key).  Bad values — NaN, a NULL key, an item over
 * DynamoDB's 400 KB limit — raise an ERROR before anything is queued.
 * Allocations go to CurrentMemoryContext: call it in a per-row context.
 */
#ifndef DDB_CONVERT_H
#define DDB_CONVERT_H

#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/relcache.h"

#include "ddb_option.h"

/* DynamoDB's limit on one item, counted the way DynamoDB counts it. */
#define DDB_MAX_ITEM_BYTES (400 * 1024)

/* The DynamoDB type a column is written as: by its PostgreSQL type, or forced ("attribute-type"). */
typedef enum DdbAttrType
{
	DDB_AS_DEFAULT = 0,
	DDB_AS_S,
	DDB_AS_N,					/* for date/time types: seconds since the Unix epoch */
	DDB_AS_B,
	DDB_AS_BOOL,
	DDB_AS_SS,
	DDB_AS_NS,
	DDB_AS_BS,
	DDB_AS_L,
	DDB_AS_M
} DdbAttrType;

typedef enum DdbValueKind
{
	DDB_VALUE_INTEGER,			/* int2/int4/int8 → N */
	DDB_VALUE_NUMERIC,			/* numeric → N, exact text */
	DDB_VALUE_FLOAT,			/* float4/float8 → N, shortest exact text */
	DDB_VALUE_MONEY,			/* money → N, its amount (not the locale's text) */
	DDB_VALUE_BOOL,				/* boolean → BOOL */
	DDB_VALUE_BINARY,			/* bytea → B (base64) */
	DDB_VALUE_TEXT,				/* text, varchar, char(n) → S, their content */
	DDB_VALUE_TIME,				/* date/time types → S in ISO 8601 */
	DDB_VALUE_JSON,				/* json → M/L/S/N/BOOL/NULL */
	DDB_VALUE_JSONB,			/* jsonb → M/L/S/N/BOOL/NULL */
	DDB_VALUE_ARRAY,			/* arrays → L (nested for more dimensions) */
	DDB_VALUE_COMPOSITE,		/* row types → M by field name */
	DDB_VALUE_TIME_RANGE,		/* (multi)ranges of date/time types → S, ISO 8601 bounds */
	DDB_VALUE_STRING			/* everything else → S (text output) */
} DdbValueKind;

/* How to convert values of one type (built once per statement). */
typedef struct DdbType
{
	Oid			typid;			/* base type (domains resolved) */
	DdbValueKind kind;
	FmgrInfo	out;			/* output function */
	struct DdbType *elem;		/* arrays: the element type */
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	struct TypeCacheEntry *typcache;	/* date/time (multi)ranges */
	TupleDesc	tupdesc;		/* composites: the fields */
	struct DdbType **fields;
	char	  **field_json;		/* field names as JSON strings followed by ':' */
} DdbType;

/* Columns ddb_convert_row writes without the generic value code. */
typedef enum DdbFastPath
{
	DDB_FAST_NONE = 0,
	DDB_FAST_INTEGER,			/* int2/int4/int8 as N */
	DDB_FAST_TEXT				/* text/varchar/char as S, in a UTF-8 database */
} DdbFastPath;

typedef struct DdbColumn
{
	AttrNumber	attnum;
	char	   *colname;
	char	   *attr_name;		/* DynamoDB attribute name */
	int			attr_name_len;	/* strlen(attr_name): its share of the item size */
	char	   *attr_json;		/* the name as a JSON string followed by ':' */
	int			attr_json_len;
	DdbType    *type;
	DdbAttrType as;				/* "attribute-type", or DDB_AS_DEFAULT */
	int			key_index;		/* position in the key (0, 1) or -1 */
	DdbFastPath fast;
	char	   *member;			/* fast paths: ,"name":{"N":" or ,"name":{"S":" */
	int			member_len;
} DdbColumn;

typedef struct DdbRowFormat
{
	char	   *relname;
	char	   *table_name;
	int			ncolumns;
	DdbColumn  *columns;
	int			nkeys;			/* 0 when the key is unknown: no dedup */
	int			key_columns[2]; /* indexes into columns, in key order */
	bool		ignore_nulls;
	int			version_column; /* "version-column": index into columns, -1 unguarded */
} DdbRowFormat;

/*
 * Build the format for a table.  key_attrs are the DynamoDB key attribute
 * names (hash first) when known, with their declared types ('S', 'N', 'B',
 * '?' unknown); partitioned-by, when set, takes precedence and names
 * columns.  Errors if a key attribute has no column, or a column that would
 * write another type than the key's.
 */
extern DdbRowFormat *ddb_row_format_create(Relation rel, const DdbTableOptions *opts,
										   const char *hash_attr, const char *range_attr,
										   char hash_type, char range_type);

/* Append the item {"a":{...},...} of the row; key gets the dedup key (if nkeys > 0). */
extern void ddb_convert_row(const DdbRowFormat *fmt, TupleTableSlot *slot,
							StringInfo item, StringInfo key);

/*
 * Append the key {"k":{...}[,"r":{...}]} of the row (a DeleteRequest's Key);
 * key gets the same dedup key ddb_convert_row gives the row.  The format
 * must have key columns.
 */
extern void ddb_convert_key(const DdbRowFormat *fmt, TupleTableSlot *slot,
							StringInfo item, StringInfo key);

/*
 * For an UPDATE: append to sets the attribute map {"a":{...},...} of the
 * given columns of the row, and to removes {"b":true,...} for those that
 * are NULL when the format ignores nulls.  The columns must not be keys.
 */
extern void ddb_convert_columns(const DdbRowFormat *fmt, TupleTableSlot *slot,
								const AttrNumber *attnums, int n,
								StringInfo sets, StringInfo removes);

/*
 * For a guarded write ("version-column"): append to version the one-member
 * map {"attr":{...}} of the row's version; a NULL version raises an ERROR
 * (23502) saying what the action ("put", "update", "delete") needs.
 */
extern void ddb_convert_version(const DdbRowFormat *fmt, TupleTableSlot *slot,
								const char *action, StringInfo version);

/*
 * Append s (length len, server encoding) as a JSON string literal in UTF-8;
 * returns its length in UTF-8 bytes.  Bytes that are not UTF-8 in a
 * SQL_ASCII database raise an ERROR (22021).
 */
extern int	ddb_append_json_string(StringInfo buf, const char *s, int len);

#endif							/* DDB_CONVERT_H */
