/* aws_error_doc.c — see aws_error_doc.h */
#include "aws_error_doc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

/* Copy the text between <tag> and </tag>, if present. */
static bool
xml_element(const char *body, const char *tag, char *out, size_t size)
{
	char		open[64];
	char		close[64];
	const char *start;
	const char *end;
	size_t		len;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	start = strstr(body, open);
	if (start == NULL)
		return false;
	start += strlen(open);
	end = strstr(start, close);
	if (end == NULL)
		return false;
	len = (size_t) (end - start);
	if (len >= size)
		len = size - 1;
	memcpy(out, start, len);
	out[len] = '\0';
	return true;
}

void
aws_error_printable(const char *text, size_t len, char *out, size_t size)
{
	size_t		i;
	size_t		n = 0;

	for (i = 0; i < len && n + 1 < size && n < 200; i++)
		out[n++] = isprint((unsigned char) text[i]) ? text[i] : ' ';
	out[n] = '\0';
}

/*
 * "reason (resource), ..." from a ThrottlingReasons array, printable
 * characters only, cut to size; anything not shaped like it is left out.
 */
static void
throttling_reasons(json_object *list, char *out, size_t size)
{
	size_t		n = 0;
	size_t		i;

	out[0] = '\0';
	if (!json_object_is_type(list, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(list) && i < 16; i++)
	{
		json_object *r = json_object_array_get_idx(list, i);
		json_object *f;
		const char *reason = NULL;
		const char *resource = NULL;
		char		piece[512];
		size_t		j;

		if (!json_object_is_type(r, json_type_object))
			continue;
		if (json_object_object_get_ex(r, "reason", &f) && json_object_is_type(f, json_type_string))
			reason = json_object_get_string(f);
		if (json_object_object_get_ex(r, "resource", &f) && json_object_is_type(f, json_type_string))
			resource = json_object_get_string(f);
		if (reason == NULL)
			continue;
		snprintf(piece, sizeof(piece), "%s%s%s%s%s", n > 0 ? ", " : "", reason,
				 resource ? " (" : "", resource ? resource : "", resource ? ")" : "");
		for (j = 0; piece[j] && n + 1 < size; j++)
			out[n++] = isprint((unsigned char) piece[j]) ? piece[j] : ' ';
		out[n] = '\0';
	}
}


/*
 * An error type as AWS's JSON protocols write "__type": "Name" or
 * "namespace#Name" (com.amazonaws.dynamodb.v20120810#ResourceNotFoundException,
 * com.amazon.coral.validate#ValidationException), or as STS's XML writes
 * <Code>: a name of letters and digits (dots allowed), at most 100 bytes.
 * Sets *name to the part after '#'.
 */
static bool
error_type_form(const char *t, const char **name)
{
	const char *hash = strchr(t, '#');
	const char *p;

	if (hash != NULL)
	{
		if (hash == t)
			return false;
		for (p = t; p < hash; p++)
			if (!isalnum((unsigned char) *p) && *p != '.' && *p != '_' && *p != '-')
				return false;
		t = hash + 1;
	}
	if (!isalpha((unsigned char) *t) || strlen(t) > 100)
		return false;
	for (p = t; *p; p++)
		if (!isalnum((unsigned char) *p) && *p != '.')
			return false;
	*name = t;
	return true;
}

/* Is the body's root element <ErrorResponse>, after an optional <?xml ...?>? */
static bool
xml_error_response(const char *body)
{
	const char *p = body;

	while (isspace((unsigned char) *p))
		p++;
	if (strncmp(p, "<?xml", 5) == 0)
	{
		p = strstr(p, "?>");
		if (p == NULL)
			return false;
		p += 2;
		while (isspace((unsigned char) *p))
			p++;
	}
	return strncmp(p, "<ErrorResponse", 14) == 0 &&
		(p[14] == '>' || isspace((unsigned char) p[14]));
}

/*
 * The one place that decides what an AWS error document is (the bridge
 * shows anything else to superusers only, ddb_bridge.h): a JSON object whose
 * "__type" has the form above, or XML whose root is <ErrorResponse> with a
 * <Code> of that form (STS, and moto's signature errors).  Its type and
 * message are kept; for any other body the type is "HTTP <status>", the
 * message the body's "message" field or a printable excerpt, and
 * err->foreign_body is set.
 */
void
aws_error_parse_document(long status, const char *body, size_t len, AwsError *err)
{
	char		type[128] = "";
	char		message[1024] = "";
	char		code[128];
	bool		document = false;
	json_object *root = NULL;
	json_object *field;
	const char *name;

	if (body != NULL && len > 0)
		root = json_tokener_parse(body);
	if (root != NULL && json_object_is_type(root, json_type_object))
	{
		if (json_object_object_get_ex(root, "__type", &field) &&
			json_object_is_type(field, json_type_string) &&
			error_type_form(json_object_get_string(field), &name))
		{
			snprintf(type, sizeof(type), "%s", name);
			document = true;
		}
		if (json_object_object_get_ex(root, "message", &field) ||
			json_object_object_get_ex(root, "Message", &field))
			snprintf(message, sizeof(message), "%s", json_object_get_string(field));
	}
	else if (body != NULL && len > 0 && xml_error_response(body) &&
			 xml_element(body, "Code", code, sizeof(code)) && error_type_form(code, &name) &&
			 strchr(code, '#') == NULL)
	{
		snprintf(type, sizeof(type), "%s", name);
		xml_element(body, "Message", message, sizeof(message));
		document = true;
	}
	if (!document)
	{
		snprintf(type, sizeof(type), "HTTP %ld", status);
		if (message[0] == '\0' && body != NULL)
			aws_error_printable(body, len, message, sizeof(message));
	}
	aws_error_set_service(err, status, type, message);
	err->foreign_body = !document;
	if (document && root != NULL && json_object_is_type(root, json_type_object) &&
		json_object_object_get_ex(root, "ThrottlingReasons", &field))
		throttling_reasons(field, err->reasons, sizeof(err->reasons));
	if (root != NULL)
		json_object_put(root);
}

