/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_nagios.c - one Nagios/Icinga plugin line with perfdata:
 * "IOMMU CRITICAL - 1 zero_page, 1 stale | 'zero_page'=64;;0;0; ..." */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

/* The first thing not checked, escaped; a "(see errors)" in it is replaced by the first error. */
static const char *first_note(const struct iv_check *c, char *esc, size_t len)
{
	static const char see[] = " (see errors)";
	char buf[2048];
	const char *note = c->notes[0], *se = strstr(note, see);
	if (se && iv_g->errs.n) {
		snprintf(buf, sizeof buf, "%.*s: %s%s", (int)(se - note), note, iv_g->errs.v[0], se + sizeof see - 1);
		note = buf;
	}
	return iv_escape(esc, len, note, "|");   /* one line, no forged perfdata */
}

int iv_report_nagios(const struct iv_check *c, FILE *f)
{
	static const char *label[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char esc[4096];   /* text from outside: one line, no forged perfdata (\xNN) */
	fprintf(f, "IOMMU %s - ", label[c->status & 3]);
	int n = 0;
	for (int k = 0; k < IV_NKINDS; k++)
		if (c->count[k])
			fprintf(f, "%s%" PRIu64 " %s", n++ ? ", " : "", c->count[k], iv_kinds[k].name);
	if (!n) {
		if (c->status == IV_UNKNOWN && c->nnotes) {
			fprintf(f, "not checked: %s", first_note(c, esc, sizeof esc));
			if (c->nnotes > 1)
				fprintf(f, " (+%u more)", c->nnotes - 1);
		} else if (c->status == IV_UNKNOWN) {
			const char *why = iv_g->errs.n ? iv_g->errs.v[0] : "some devices could not be checked";
			for (size_t i = 0; i < c->nprocs && !iv_g->errs.n; i++)
				for (size_t j = 0; j < c->procs[i].ndevs; j++)
					if (!c->procs[i].devs[j].checked) {
						why = c->procs[i].devs[j].reason;
						break;
					}
			fprintf(f, "%s", iv_escape(esc, sizeof esc, why, "|"));
		} else {
			fprintf(f, "%u devices, %" PRIu64 " pages checked", c->devices, c->pages_checked);
		}
	} else if (c->status == IV_CRITICAL && c->nnotes) {
		fprintf(f, " (not checked: %s%s", first_note(c, esc, sizeof esc), c->nnotes > 1 ? "" : ")");
		if (c->nnotes > 1)
			fprintf(f, " (+%u more))", c->nnotes - 1);
	} else if (c->status == IV_CRITICAL && c->incomplete) {
		fprintf(f, " (some devices not checked)");
	}
	/* Thresholds alert on the first bad page: ";;0;0;" (critical above 0) for
	 * critical kinds, ";0;;0;" (warning above 0) for warning kinds. */
	fputs(" |", f);
	for (int k = 0; k < IV_NKINDS; k++) {
		if (iv_kinds[k].severity == IV_CRITICAL)
			fprintf(f, " '%s'=%" PRIu64 ";;0;0;", iv_kinds[k].name, c->pages[k]);
		else
			fprintf(f, " '%s'=%" PRIu64 ";0;;0;", iv_kinds[k].name, c->pages[k]);
	}
	fprintf(f, " 'transient'=%" PRIu64 ";;;0; 'devices'=%u;;;0; 'pages_checked'=%" PRIu64 ";;;0;\n",
		c->transient, c->devices, c->pages_checked);
	return fflush(f) || ferror(f) ? -1 : 0;
}
