// SPDX-License-Identifier: GPL-2.0
/*
 * Config parser: feed the input line by line, finish, print it back. Every
 * error must name its line and carry no control bytes; every accepted
 * configuration must survive config_write() and a second parse unchanged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sstp_config cfg, again;

static void check_err(const char *err, bool line)
{
	const unsigned char *c;

	if (line && strncmp(err, "line ", 5))
		abort();
	if (!err[0])
		abort();
	for (c = (const unsigned char *)err; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			abort();
}

/* Returns how many lines failed. */
static int feed(struct config_parser *p, const char *text, size_t size,
		char *line)
{
	char err[512];
	size_t start = 0, end;
	int failed = 0;

	while (start < size) {
		const char *nl = memchr(text + start, '\n', size - start);

		end = nl ? (size_t)(nl - text) + 1 : size;
		memcpy(line, text + start, end - start);
		line[end - start] = '\0';
		err[0] = '\0';
		if (config_parse_line(p, line, err, sizeof(err))) {
			check_err(err, true);
			failed++;
		}
		start = end;
	}
	return failed;
}

static void round_trip(void)
{
	struct config_parser p;
	char err[512], *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	config_write(f, &cfg);
	if (fclose(f))
		abort();
	line = malloc(len + 1);
	if (!line)
		abort();
	config_parser_init(&p, &again);
	if (feed(&p, buf, len, line) || config_finish(&p, err, sizeof(err)))
		abort();
	if (memcmp(&cfg, &again, sizeof(cfg)))
		abort();
	free(line);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct config_parser p;
	char err[512], *line;

	if (!null)
		null = fopen("/dev/null", "w");
	line = malloc(size + 1);
	if (!line)
		return 0;
	config_parser_init(&p, &cfg);
	feed(&p, (const char *)data, size, line);
	err[0] = '\0';
	if (config_finish(&p, err, sizeof(err))) {
		check_err(err, false);
		if (null)
			config_write(null, &cfg);
	} else {
		round_trip();
	}
	free(line);
	return 0;
}
