/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock selftests - Reference leak checks with trace events
 *
 * Every ruleset and domain created while the check runs must be freed once
 * the objects that referenced them are gone.  The landlock_create_* and
 * landlock_free_* trace events carry object IDs; the check pairs them.  A
 * frozen copy of a ruleset (armed with ON_EXEC, or handed to BPF) is created
 * with a landlock_freeze_ruleset event, which carries its ID as "frozen=".
 * Frees are deferred (workqueue, RCU), so the check waits for them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

/* Objects per kind that a check can pair; a test may ask for more. */
#ifndef LEAK_CHECK_MAX_IDS
#define LEAK_CHECK_MAX_IDS 256
#endif
#define LEAK_CHECK_TIMEOUT_S 10

#define TRACEFS_FREEZE_RULESET_ENABLE \
	TRACEFS_LANDLOCK_DIR "/landlock_freeze_ruleset/enable"

static const char *const leak_check_events[] = {
	TRACEFS_CREATE_RULESET_ENABLE, TRACEFS_FREEZE_RULESET_ENABLE,
	TRACEFS_FREE_RULESET_ENABLE,   TRACEFS_CREATE_DOMAIN_ENABLE,
	TRACEFS_FREE_DOMAIN_ENABLE,
};

/* Clears the trace buffer and enables the events.  Returns 0 or -errno. */
static int __maybe_unused leak_check_start(void)
{
	size_t i;
	int err;

	err = tracefs_setup();
	if (err)
		return err;
	err = tracefs_write(TRACEFS_TRACE, "");
	for (i = 0; !err && i < ARRAY_SIZE(leak_check_events); i++)
		err = tracefs_write(leak_check_events[i], "1");
	return err;
}

static void __maybe_unused leak_check_stop(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(leak_check_events); i++)
		tracefs_write(leak_check_events[i], "0");
}

struct leak_check_ids {
	unsigned long long id[LEAK_CHECK_MAX_IDS];
	size_t len;
};

static void leak_check_add(struct leak_check_ids *const ids,
			   const unsigned long long id)
{
	if (ids->len < LEAK_CHECK_MAX_IDS)
		ids->id[ids->len++] = id;
}

static bool leak_check_has(const struct leak_check_ids *const ids,
			   const unsigned long long id)
{
	size_t i;

	for (i = 0; i < ids->len; i++)
		if (ids->id[i] == id)
			return true;
	return false;
}

/*
 * Counts the objects created since leak_check_start() and not freed (yet).
 * Stores the number of created objects in @created.  Returns -1 if the trace
 * cannot be read, or if it holds LEAK_CHECK_MAX_IDS objects of a kind or more
 * (they cannot all be paired).
 */
static int leak_check_count(size_t *const created)
{
	static const char *const create_ruleset =
		"landlock_create_ruleset: ruleset=";
	static const char *const freeze_ruleset = " frozen=";
	static const char *const free_ruleset =
		"landlock_free_ruleset: ruleset=";
	static const char *const create_domain =
		"landlock_create_domain: domain=";
	static const char *const free_domain = "landlock_free_domain: domain=";
	struct leak_check_ids *made, *gone;
	char line[512];
	FILE *trace;
	size_t i;
	int live = 0;

	trace = fopen(TRACEFS_TRACE, "re");
	if (!trace)
		return -1;
	made = calloc(2, sizeof(*made));
	gone = calloc(2, sizeof(*gone));
	if (!made || !gone) {
		fclose(trace);
		free(made);
		free(gone);
		return -1;
	}
	while (fgets(line, sizeof(line), trace)) {
		const char *p;

		/* Rulesets in slot 0, domains in slot 1. */
		p = strstr(line, create_ruleset);
		if (p)
			leak_check_add(&made[0],
				       strtoull(p + strlen(create_ruleset),
						NULL, 16));
		p = strstr(line, "landlock_freeze_ruleset: ");
		if (p)
			p = strstr(p, freeze_ruleset);
		if (p)
			leak_check_add(&made[0],
				       strtoull(p + strlen(freeze_ruleset),
						NULL, 16));
		p = strstr(line, free_ruleset);
		if (p)
			leak_check_add(&gone[0],
				       strtoull(p + strlen(free_ruleset), NULL,
						16));
		p = strstr(line, create_domain);
		if (p)
			leak_check_add(&made[1],
				       strtoull(p + strlen(create_domain), NULL,
						16));
		p = strstr(line, free_domain);
		if (p)
			leak_check_add(&gone[1],
				       strtoull(p + strlen(free_domain), NULL,
						16));
	}
	fclose(trace);
	*created = made[0].len + made[1].len;
	/* Objects past the limit are not recorded: they cannot be paired. */
	if (made[0].len == LEAK_CHECK_MAX_IDS ||
	    made[1].len == LEAK_CHECK_MAX_IDS) {
		free(made);
		free(gone);
		return -1;
	}
	for (i = 0; i < made[0].len; i++)
		live += !leak_check_has(&gone[0], made[0].id[i]);
	for (i = 0; i < made[1].len; i++)
		live += !leak_check_has(&gone[1], made[1].id[i]);
	free(made);
	free(gone);
	return live;
}

/*
 * Waits until every ruleset and domain created since leak_check_start() is
 * freed, and stops the check.  Returns the number of objects still alive
 * after LEAK_CHECK_TIMEOUT_S seconds (0: no leak), or -1 on error.  Stores
 * the number of created objects in @created, to check that the scenario did
 * create some.
 */
static int __maybe_unused leak_check_wait(size_t *const created)
{
	const time_t end = time(NULL) + LEAK_CHECK_TIMEOUT_S;
	int live;

	do {
		live = leak_check_count(created);
		if (live <= 0)
			break;
		usleep(100 * 1000);
	} while (time(NULL) < end);
	leak_check_stop();
	return live;
}
