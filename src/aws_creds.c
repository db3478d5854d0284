/* aws_creds.c — see aws_creds.h */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE			/* explicit_bzero, timegm */
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700		/* strptime, popen */
#endif
#include "aws_creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include <json-c/json.h>

#include "aws_buf.h"

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

/* What a profile section holds; malloc'ed strings, wiped by profile_free. */
typedef struct ProfileEntry
{
	bool		found;
	char	   *key_id;
	char	   *secret;
	char	   *token;
	char	   *process;		/* credential_process */
} ProfileEntry;

void
aws_secret_free(char *s)
{
	if (s)
	{
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
profile_free(ProfileEntry *p)
{
	free(p->key_id);
	aws_secret_free(p->secret);
	aws_secret_free(p->token);
	free(p->process);
	memset(p, 0, sizeof(*p));
}

/* Read section profile of the INI file at path into *p; false only when the file cannot be read. */
static bool
read_profile(const char *path, const char *profile, ProfileEntry *p, AwsError *err)
{
	char		line[4096];
	FILE	   *f;
	bool		in_section = false;
	bool		ok = true;

	memset(p, 0, sizeof(*p));
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
			p->found = p->found || in_section;
			continue;
		}
		if (!in_section || (eq = strchr(l, '=')) == NULL)
			continue;
		*eq = '\0';
		l = trim(l);
		if (strcmp(l, "aws_access_key_id") == 0)
			slot = &p->key_id;
		else if (strcmp(l, "aws_secret_access_key") == 0)
			slot = &p->secret;
		else if (strcmp(l, "aws_session_token") == 0)
			slot = &p->token;
		else if (strcmp(l, "credential_process") == 0)
			slot = &p->process;
		if (slot != NULL)
		{
			aws_secret_free(*slot);
			*slot = strdup(trim(eq + 1));
			if (*slot == NULL)
			{
				aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
				ok = false;
				break;
			}
		}
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (!ok)
		profile_free(p);
	return ok;
}

/* $HOME/.aws/NAME into buf; false when HOME is unset. */
static bool
home_file(const char *name, char *buf, size_t size)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0')
		return false;
	snprintf(buf, size, "%s/.aws/%s", home, name);
	return true;
}

bool
aws_creds_from_profile(AwsCredentials *out, const char *path, const char *profile,
					   AwsError *err)
{
	char		default_path[4096];
	char		config_path[4096];
	const char *config = NULL;
	bool		explicit_path = path != NULL && *path != '\0';
	ProfileEntry p;
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (profile == NULL || *profile == '\0')
		profile = getenv("AWS_PROFILE");
	if (profile == NULL || *profile == '\0')
		profile = "default";
	if (!explicit_path)
	{
		path = getenv("AWS_SHARED_CREDENTIALS_FILE");
		if ((path == NULL || *path == '\0') &&
			!home_file("credentials", default_path, sizeof(default_path)))
		{
			aws_error_set(err, AWS_ERR_INPUT, "HOME is not set, and no credentials file was named");
			return false;
		}
		if (path == NULL || *path == '\0')
			path = default_path;
		config = getenv("AWS_CONFIG_FILE");
		if ((config == NULL || *config == '\0') &&
			home_file("config", config_path, sizeof(config_path)))
			config = config_path;
	}

	ok = read_profile(path, profile, &p, err);
	if ((!ok || !p.found) && config != NULL && *config != '\0')
	{
		/* the SDKs read a profile from either file */
		AwsError	config_err;
		ProfileEntry cp;

		aws_error_clear(&config_err);
		if (read_profile(config, profile, &cp, &config_err) && cp.found)
		{
			if (ok)
				profile_free(&p);
			p = cp;
			path = config;
			ok = true;
		}
		else
			profile_free(&cp);
	}
	if (!ok)
		return false;

	if (!p.found)
	{
		aws_error_set(err, AWS_ERR_INPUT, "credentials file \"%s\" has no profile \"%s\"", path, profile);
		ok = false;
	}
	else if (p.key_id != NULL && p.secret != NULL)
		ok = aws_creds_from_keys(out, p.key_id, p.secret, p.token, err);
	else if (p.key_id == NULL && p.secret == NULL && p.process != NULL)
		ok = aws_creds_from_process(out, p.process, err);
	else
	{
		aws_error_set(err, AWS_ERR_INPUT,
					  "profile \"%s\" of credentials file \"%s\" lacks %s", profile, path,
					  p.key_id == NULL ? "aws_access_key_id" : "aws_secret_access_key");
		ok = false;
	}
	profile_free(&p);
	return ok;
}

bool		aws_creds_run_processes = true;

/* The credential_process output we accept: a credentials document is small. */
#define PROCESS_OUTPUT_MAX (64 * 1024)

int			aws_creds_process_timeout_ms = 60000;
static int	(*process_abort_check) (void *arg) = NULL;
static void *process_abort_arg = NULL;

void
aws_creds_set_abort_check(int (*check) (void *arg), void *arg)
{
	process_abort_check = check;
	process_abort_arg = arg;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run command with /bin/sh, its standard output into *output.  Never
 * blocks for good: the output is read with poll, and the program is killed
 * when it outlives aws_creds_process_timeout_ms or the abort check fires.
 */
static bool
run_process(const char *command, AwsBuf *output, AwsError *err)
{
	int			fds[2];
	pid_t		pid;
	char		chunk[4096];
	long long	deadline = now_ms() + aws_creds_process_timeout_ms;
	const char *stopped = NULL;
	bool		ok = true;
	int			status = 0;

	if (pipe(fds) != 0)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not create a pipe: %s", strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "could not run credential_process: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0)
	{
		/* the child: its standard output is the pipe, the rest as the server left it */
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);			/* a group of its own, so a kill reaches its children too */
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(126);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", command, (char *) NULL);
		_exit(127);
	}
	close(fds[1]);

	for (;;)
	{
		struct pollfd p = {fds[0], POLLIN, 0};
		int			r = poll(&p, 1, 100);

		if (r < 0 && errno != EINTR)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "could not read from credential_process: %s", strerror(errno));
			ok = false;
			stopped = "error";
			break;
		}
		if (r > 0)
		{
			ssize_t		n = read(fds[0], chunk, sizeof(chunk));

			if (n == 0)
				break;			/* end of output */
			if (n < 0 && errno != EINTR && errno != EAGAIN)
			{
				aws_error_set(err, AWS_ERR_INTERNAL, "could not read from credential_process: %s", strerror(errno));
				ok = false;
				stopped = "error";
				break;
			}
			if (n > 0 && ok && output->len + (size_t) n > PROCESS_OUTPUT_MAX)
			{
				aws_error_set(err, AWS_ERR_PROTOCOL, "credential_process printed more than %d bytes",
							  PROCESS_OUTPUT_MAX);
				ok = false;
				stopped = "error";
				break;
			}
			if (n > 0 && !aws_buf_append(output, chunk, (size_t) n))
			{
				aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
				ok = false;
				stopped = "error";
				break;
			}
		}
		if (process_abort_check && process_abort_check(process_abort_arg))
		{
			stopped = "cancelled";
			break;
		}
		if (now_ms() >= deadline)
		{
			stopped = "timeout";
			break;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	close(fds[0]);

	/* the output is complete; the program gets the rest of the time to exit */
	while (stopped == NULL)
	{
		pid_t		w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
		{
			aws_error_set(err, AWS_ERR_INTERNAL, "could not wait for credential_process: %s", strerror(errno));
			return false;
		}
		if (process_abort_check && process_abort_check(process_abort_arg))
			stopped = "cancelled";
		else if (now_ms() >= deadline)
			stopped = "timeout";
		else
			usleep(10000);
	}
	if (stopped != NULL)
	{
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (strcmp(stopped, "timeout") == 0)
			aws_error_set(err, AWS_ERR_INPUT, "credential_process did not finish within %d ms and was killed",
						  aws_creds_process_timeout_ms);
		else if (strcmp(stopped, "cancelled") == 0)
			aws_error_set(err, AWS_ERR_TRANSPORT, "credential_process was killed: request cancelled");
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
	{
		aws_error_set(err, AWS_ERR_INPUT, "credential_process exited with status %d", WEXITSTATUS(status));
		return false;
	}
	if (!WIFEXITED(status))
	{
		aws_error_set(err, AWS_ERR_INPUT, "credential_process was terminated by a signal");
		return false;
	}
	return ok;
}

bool
aws_creds_from_process(AwsCredentials *out, const char *command, AwsError *err)
{
	AwsBuf		output = {0};
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (!aws_creds_run_processes)
	{
		aws_error_set(err, AWS_ERR_INPUT, "credential_process is switched off");
		return false;
	}
	ok = run_process(command, &output, err);
	if (ok)
		ok = aws_creds_parse_document(output.data ? output.data : "", output.len,
									  "credential_process", out, err);
	if (output.data)
		explicit_bzero(output.data, output.cap);
	aws_buf_free(&output);
	return ok;
}

bool
aws_creds_parse_time(const char *text, time_t *out)
{
	struct tm	tm;
	const char *rest;

	memset(&tm, 0, sizeof(tm));
	if (text == NULL || (rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return false;
	if (*rest == '.')
	{
		rest++;
		while (*rest >= '0' && *rest <= '9')
			rest++;
	}
	if (!(strcmp(rest, "Z") == 0 || strcmp(rest, "+00:00") == 0 || strcmp(rest, "+0000") == 0))
		return false;
	*out = timegm(&tm);
	return *out != (time_t) -1;
}

/* A string member of obj, or NULL. */
static const char *
member_string(json_object *obj, const char *name)
{
	json_object *field;

	if (!json_object_object_get_ex(obj, name, &field) ||
		!json_object_is_type(field, json_type_string))
		return NULL;
	return json_object_get_string(field);
}

bool
aws_creds_parse_document(const char *body, size_t len, const char *what,
						 AwsCredentials *out, AwsError *err)
{
	json_tokener *tok;
	json_object *root;
	const char *id;
	const char *secret;
	const char *token;
	const char *expiration;
	json_object *version;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	tok = json_tokener_new();
	if (tok == NULL)
	{
		aws_error_set(err, AWS_ERR_INTERNAL, "out of memory");
		return false;
	}
	root = json_tokener_parse_ex(tok, body, (int) len);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
		!json_object_is_type(root, json_type_object))
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "%s did not return a JSON object", what);
		goto done;
	}
	id = member_string(root, "AccessKeyId");
	secret = member_string(root, "SecretAccessKey");
	token = member_string(root, "SessionToken");
	if (token == NULL)
		token = member_string(root, "Token");
	expiration = member_string(root, "Expiration");
	if (json_object_object_get_ex(root, "Version", &version) &&
		json_object_get_int(version) != 1)
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "%s returned credentials of unsupported Version %s",
					  what, json_object_to_json_string(version));
		goto done;
	}
	if (id == NULL || secret == NULL || *id == '\0' || *secret == '\0')
	{
		aws_error_set(err, AWS_ERR_PROTOCOL, "%s returned no %s", what,
					  id == NULL || *id == '\0' ? "AccessKeyId" : "SecretAccessKey");
		goto done;
	}
	if (!aws_creds_from_keys(out, id, secret, token, err))
		goto done;
	if (expiration != NULL && !aws_creds_parse_time(expiration, &out->expiration))
	{
		aws_creds_free(out);
		aws_error_set(err, AWS_ERR_PROTOCOL, "%s returned an unreadable Expiration \"%.40s\"",
					  what, expiration);
		goto done;
	}
	ok = true;
done:
	/* the tree held the secret: json-c frees without wiping, so wipe the strings first */
	if (root != NULL && json_object_is_type(root, json_type_object))
	{
		json_object_object_foreach(root, key, value)
		{
			(void) key;
			if (json_object_is_type(value, json_type_string))
			{
				char	   *s = (char *) json_object_get_string(value);

				explicit_bzero(s, strlen(s));
			}
		}
	}
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
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
