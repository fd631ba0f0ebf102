/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_nagios.c - the Nagios/Icinga plugin output: a status line with
 * perfdata ("IOMMU CRITICAL - 1 zero_page, 1 stale | 'zero_page'=64;;0;0; ..."),
 * then long output: one line per finding range (VM, pid, device, region, IOVA
 * range, pages, kind), critical kinds first, at most IV_NAGIOS_LINES, then what
 * was not checked beyond what the status line names. */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

#define IV_NAGIOS_LINES 20   /* finding lines in the long output ("N more" past it) */

/* The first thing not checked, escaped; a "(see errors)" in it is replaced by the first error. */
static const char *first_note(struct iv_run *run, const struct iv_check *c, char *esc, size_t len)
{
	static const char see[] = " (see errors)";
	char buf[2048];
	const char *note = c->notes[0], *se = strstr(note, see);
	if (se && run->errs.n) {
		snprintf(buf, sizeof buf, "%.*s: %s%s", (int)(se - note), note, run->errs.v[0], se + sizeof see - 1);
		note = buf;
	}
	return iv_escape(esc, len, note, "|");   /* one line, no forged perfdata */
}

static const struct iv_proc_result *proc_of(const struct iv_check *c, pid_t pid)
{
	for (size_t i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	return NULL;
}

/* "CRITICAL zero_page: VM vm1 pid 4242 device 0000:00:02.0 region pc.bios
 * iova 0xfffc0000-0xffffffff 64 pages": text from outside (VM and region
 * names) escaped, so no '|' or newline can forge perfdata or lines. */
static void finding_line(const struct iv_check *c, const struct iv_finding *fd, FILE *f)
{
	char b[16], esc[600];
	const struct iv_proc_result *p = proc_of(c, fd->pid);
	fprintf(f, "%s %s:", iv_kinds[fd->kind].severity == IV_CRITICAL ? "CRITICAL" : "WARNING",
		iv_kinds[fd->kind].name);
	if (p && p->vm[0])
		fprintf(f, " VM %s", iv_escape(esc, sizeof esc, p->vm, "| "));
	fprintf(f, " pid %d device %s", (int)fd->pid, iv_bdf_str(&fd->bdf, b));
	if (fd->region[0])
		fprintf(f, " region %s", iv_escape(esc, sizeof esc, fd->region, "| "));
	fprintf(f, " iova 0x%" PRIx64 "-0x%" PRIx64 " %" PRIu64 " page%s\n", fd->iova,
		(uint64_t)(fd->iova + fd->pages * IV_PAGE_SIZE - 1), fd->pages, fd->pages == 1 ? "" : "s");
}

static void long_output(const struct iv_check *c, FILE *f, unsigned shown)
{
	char esc[2048];
	uint64_t lines = 0, total = c->nf_dropped;
	for (int pass = 0; pass < 2; pass++)      /* critical kinds first */
		for (size_t i = 0; i < c->nf; i++) {
			const struct iv_finding *fd = &c->f[i];
			if (fd->transient || (iv_kinds[fd->kind].severity == IV_CRITICAL) != !pass)
				continue;
			if (lines < IV_NAGIOS_LINES) {
				finding_line(c, fd, f);
				lines++;
			} else
				total++;
		}
	if (total)
		fprintf(f, "... %" PRIu64 " more finding%s not listed (iommu-verify check lists them)\n", total,
			total == 1 ? "" : "s");
	for (unsigned i = shown; i < c->nnotes && i < IV_MAX_NOTES; i++)
		fprintf(f, "NOT CHECKED: %s\n", iv_escape(esc, sizeof esc, c->notes[i], "|"));
	if (c->nnotes > IV_MAX_NOTES)
		fprintf(f, "... %u more not checked\n", c->nnotes - IV_MAX_NOTES);
}

int iv_report_nagios(struct iv_run *run, const struct iv_check *c, FILE *f)
{
	static const char *label[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char esc[4096];   /* text from outside: one line, no forged perfdata (\xNN) */
	fprintf(f, "IOMMU %s - ", label[c->status & 3]);
	int n = 0;
	unsigned shown = 0;   /* notes the status line names */
	for (int k = 0; k < IV_NKINDS; k++)
		if (c->count[k])
			fprintf(f, "%s%" PRIu64 " %s", n++ ? ", " : "", c->count[k], iv_kinds[k].name);
	if (!n) {
		if (c->status == IV_UNKNOWN && c->nnotes) {
			shown = 1;
			fprintf(f, "not checked: %s", first_note(run, c, esc, sizeof esc));
			if (c->nnotes > 1)
				fprintf(f, " (+%u more)", c->nnotes - 1);
		} else if (c->status == IV_UNKNOWN) {
			const char *why = run->errs.n ? run->errs.v[0] : "some devices could not be checked";
			for (size_t i = 0; i < c->nprocs && !run->errs.n; i++)
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
		shown = 1;
		fprintf(f, " (not checked: %s%s", first_note(run, c, esc, sizeof esc), c->nnotes > 1 ? "" : ")");
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
	long_output(c, f, shown);
	return fflush(f) || ferror(f) ? -1 : 0;
}
