/* aws_creds.c — see aws_creds.h */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE			/* explicit_bzero */
#endif
#include "aws_creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
aws_creds_from_keys(AwsCredentials *out, const char *access_key_id,
					const char *secret_access_key, const char *session_token,
					AwsError *err)
{
	memset(out, 0, sizeof(*out));
	if (access_key_id == NULL || *access_key_id == '\0' ||
		secret_access_key == NULL || *secret_access_key == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT, "an access key id and a secret key are both required");
		return false;
	}
	out->access_key_id = strdup(access_key_id);
	out->secret_access_key = strdup(secret_access_key);
	if (session_token && *session_token)
		out->session_token = strdup(session_token);
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
		(session_token && *session_token && out->session_token == NULL))
	{
		aws_creds_free(out);
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	return true;
}

bool
aws_creds_from_env(AwsCredentials *out, AwsError *err)
{
	const char *id = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");

	memset(out, 0, sizeof(*out));
	if (id == NULL || *id == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "environment variable AWS_ACCESS_KEY_ID is not set in the server process");
		return false;
	}
	if (secret == NULL || *secret == '\0')
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "environment variable AWS_SECRET_ACCESS_KEY is not set in the server process");
		return false;
	}
	return aws_creds_from_keys(out, id, secret, getenv("AWS_SESSION_TOKEN"), err);
}

/* Trim spaces and tabs at both ends, in place. */
static char *
trim(char *s)
{
	char	   *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static bool
is_section(const char *name, const char *profile)
{
	if (strcmp(name, profile) == 0)
		return true;
	/* the config file writes "[profile NAME]" */
	return strncmp(name, "profile", 7) == 0 && (name[7] == ' ' || name[7] == '\t') &&
		strcmp(trim((char *) name + 8), profile) == 0;
}

bool
aws_creds_from_profile(AwsCredentials *out, const char *path, const char *profile,
					   AwsError *err)
{
	char		default_path[4096];
	char		line[4096];
	FILE	   *f;
	bool		in_section = false;
	bool		found = false;
	const char *id = NULL;
	char	   *key = NULL;
	char	   *token = NULL;
	char	   *key_id = NULL;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	if (profile == NULL || *profile == '\0')
		profile = getenv("AWS_PROFILE");
	if (profile == NULL || *profile == '\0')
		profile = "default";
	if (path == NULL || *path == '\0')
		path = getenv("AWS_SHARED_CREDENTIALS_FILE");
	if (path == NULL || *path == '\0')
	{
		const char *home = getenv("HOME");

		if (home == NULL)
		{
			aws_error_set(err, AWS_ERR_INPUT, "HOME is not set, and no credentials file was named");
			return false;
		}
		snprintf(default_path, sizeof(default_path), "%s/.aws/credentials", home);
		path = default_path;
	}
	f = fopen(path, "r");
	if (f == NULL)
	{
		aws_error_set(err, AWS_ERR_INPUT, "could not open credentials file \"%s\": %s",
					  path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char	   *l = trim(line);
		char	   *eq;
		char	  **slot = NULL;

		if (*l == '#' || *l == ';' || *l == '\0')
			continue;
		if (*l == '[')
		{
			char	   *close = strchr(l, ']');

			if (close != NULL)
				*close = '\0';
			in_section = is_section(trim(l + 1), profile);
			found = found || in_section;
			continue;
		}
		if (!in_section || (eq = strchr(l, '=')) == NULL)
			continue;
		*eq = '\0';
		l = trim(l);
		if (strcmp(l, "aws_access_key_id") == 0)
			slot = &key_id;
		else if (strcmp(l, "aws_secret_access_key") == 0)
			slot = &key;
		else if (strcmp(l, "aws_session_token") == 0)
			slot = &token;
		if (slot != NULL)
		{
			if (*slot != NULL)
			{
				explicit_bzero(*slot, strlen(*slot));
				free(*slot);
			}
			*slot = strdup(trim(eq + 1));
			if (*slot == NULL)
			{
				aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
				goto done;
			}
		}
	}
	id = key_id;
	if (!found)
		aws_error_set(err, AWS_ERR_INPUT, "credentials file \"%s\" has no profile \"%s\"", path, profile);
	else if (id == NULL || key == NULL)
		aws_error_set(err, AWS_ERR_INPUT,
					  "profile \"%s\" of credentials file \"%s\" lacks %s", profile, path,
					  id == NULL ? "aws_access_key_id" : "aws_secret_access_key");
	else
		ok = aws_creds_from_keys(out, id, key, token, err);
done:
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (key_id)
		free(key_id);
	if (key)
	{
		explicit_bzero(key, strlen(key));
		free(key);
	}
	if (token)
	{
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return ok;
}

void
aws_creds_free(AwsCredentials *creds)
{
	/* wipe secrets before handing the memory back */
	if (creds->secret_access_key)
		explicit_bzero(creds->secret_access_key, strlen(creds->secret_access_key));
	if (creds->session_token)
		explicit_bzero(creds->session_token, strlen(creds->session_token));
	free(creds->access_key_id);
	free(creds->secret_access_key);
	free(creds->session_token);
	memset(creds, 0, sizeof(*creds));
}
