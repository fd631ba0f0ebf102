/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_print.c - `check` results as text or JSON through the print layer. */
#include "config.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "print.h"
#include "report.h"

static void print_device(const struct iv_proc_result *p, const struct iv_dev_result *d)
{
	char b[16];
	open_json_object(NULL);
	print_int(PRINT_TEXT, NULL, "pid %lld", p->pid);
	print_string(PRINT_TEXT, NULL, " (%s) ", p->name);
	print_string(PRINT_ANY, "bdf", "%s", iv_bdf_str(&d->bdf, b));
	print_int(PRINT_ANY, "group", " group %lld", d->group);
	print_bool(PRINT_JSON, "checked", NULL, d->checked);
	if (d->table.source) {
		print_string(PRINT_ANY, "vendor", " %s", iv_vendor_name(d->table.vendor));
		print_string(PRINT_ANY, "mode", " %s", iv_mode_name(d->table.mode));
		print_int(PRINT_ANY, "levels", " %lld-level", d->table.levels);
		print_string(PRINT_ANY, "source", " source %s", d->table.source);
		print_string(PRINT_JSON, "origin", NULL, d->table.origin);
	} else {   /* schema 2: always present, null when no table was opened */
		print_null(PRINT_JSON, "vendor", NULL);
		print_null(PRINT_JSON, "mode", NULL);
		print_null(PRINT_JSON, "levels", NULL);
		print_null(PRINT_JSON, "source", NULL);
		print_null(PRINT_JSON, "origin", NULL);
	}
	if (d->have_guest_bdf) {   /* guest vIOMMU translating: the device as the guest sees it */
		print_string(PRINT_ANY, "guest_bdf", " guest %s", iv_bdf_str(&d->guest_bdf, b));
		if (d->guest_table[0])
			print_string(PRINT_ANY, "guest_table", " (%s)", d->guest_table);
		else
			print_null(PRINT_JSON, "guest_table", NULL);
	} else {
		print_null(PRINT_JSON, "guest_bdf", NULL);
		print_null(PRINT_JSON, "guest_table", NULL);
	}
	print_u64(PRINT_ANY, "pages_checked", ": %" PRIu64 " pages checked", d->pages_checked);
	print_u64(PRINT_ANY, "mmio_pages", d->mmio_pages ? ", %" PRIu64 " MMIO (device memory)" : NULL, d->mmio_pages);
	print_u64(PRINT_JSON, "reserved_pages", NULL, d->reserved_pages);
	print_u64(PRINT_ANY, "unverified_pages", d->unverified_pages ? ", %" PRIu64 " not comparable" : NULL,
		  d->unverified_pages);
	if (!d->checked)
		print_string(PRINT_ANY, "reason", ", NOT CHECKED: %s", d->reason);
	else
		print_null(PRINT_JSON, "reason", NULL);
	print_text("\n");
	close_json_object();
}

static void print_process(const struct iv_proc_result *p)
{
	open_json_object(NULL);
	print_int(PRINT_JSON, "pid", NULL, p->pid);
	print_string(PRINT_JSON, "name", NULL, p->name);
	if (p->vm[0])     /* QEMU's -name (the Prometheus vm label, the Nagios "VM") */
		print_string(PRINT_JSON, "vm", NULL, p->vm);
	else
		print_null(PRINT_JSON, "vm", NULL);
	print_bool(PRINT_JSON, "checked", NULL, p->checked);
	if (p->gpa_map[0])
		print_string(PRINT_JSON, "gpa_map", NULL, p->gpa_map);
	else
		print_null(PRINT_JSON, "gpa_map", NULL);
	if (p->viommu[0]) {
		print_string(PRINT_JSON, "viommu", NULL, p->viommu);
		print_int(PRINT_TEXT, NULL, "pid %lld", p->pid);
		print_string(PRINT_TEXT, NULL, " (%s)", p->name);
		print_string(PRINT_TEXT, NULL, ": guest vIOMMU: %s\n", p->viommu);
	} else
		print_null(PRINT_JSON, "viommu", NULL);
	if (!p->checked && p->reason[0]) {
		print_string(PRINT_JSON, "reason", NULL, p->reason);
		print_int(PRINT_TEXT, NULL, "pid %lld", p->pid);
		print_string(PRINT_TEXT, NULL, " (%s)", p->name);
		print_string(PRINT_TEXT, NULL, ": NOT CHECKED: %s\n", p->reason);
	} else
		print_null(PRINT_JSON, "reason", NULL);
	if (p->gpa_map[0] && !print_is_json()) {
		print_int(PRINT_TEXT, NULL, "pid %lld", p->pid);
		print_string(PRINT_TEXT, NULL, " (%s)", p->name);
		print_string(PRINT_TEXT, NULL, ": guest memory map from %s", p->gpa_map);
	}
	if (!print_is_json() && !p->gpa_map[0])
		;
	else if (!print_is_json())
		print_text(p->samples ? ", %u of %u samples agreed\n" : "\n", p->agreed, p->samples);
	if (!strcmp(p->gpa_map, "inferred")) {   /* the samples the map was inferred from */
		print_u64(PRINT_JSON, "samples", NULL, p->samples);
		print_u64(PRINT_JSON, "samples_agreed", NULL, p->agreed);
	} else {
		print_null(PRINT_JSON, "samples", NULL);
		print_null(PRINT_JSON, "samples_agreed", NULL);
	}
	open_json_array("devices");
	for (size_t i = 0; i < p->ndevs; i++)
		print_device(p, &p->devs[i]);
	close_json_array();
	close_json_object();
}

static void print_finding(const struct iv_finding *f)
{
	char b[16];
	const char *sev = f->transient ? "none" : iv_status_name(iv_kinds[f->kind].severity);
	open_json_object(NULL);
	print_text("  %-8s ", f->transient ? "TRANSIENT" : iv_kinds[f->kind].severity == IV_CRITICAL ? "CRITICAL" : "WARNING");
	print_string(PRINT_ANY, "kind", "%s", iv_kinds[f->kind].name);
	print_string(PRINT_JSON, "severity", NULL, sev);
	print_bool(PRINT_JSON, "transient", NULL, f->transient);
	print_int(PRINT_ANY, "pid", " pid %lld", f->pid);
	print_string(PRINT_ANY, "bdf", " %s", iv_bdf_str(&f->bdf, b));
	if (f->region[0])
		print_string(PRINT_ANY, "region", " %s", f->region);
	else
		print_null(PRINT_JSON, "region", NULL);
	print_hex(PRINT_ANY, "iova", " iova 0x%" PRIx64, f->iova);
	print_hex(PRINT_TEXT, NULL, "-0x%" PRIx64, f->iova + f->pages * IV_PAGE_SIZE - 1);
	if (f->have_gpa)   /* guest vIOMMU translating: the GPA the guest maps the IOVA to */
		print_hex(PRINT_ANY, "gpa", " gpa 0x%" PRIx64, f->gpa);
	else
		print_null(PRINT_JSON, "gpa", NULL);
	print_hex(PRINT_JSON, "size", NULL, f->pages * IV_PAGE_SIZE);
	print_u64(PRINT_ANY, "pages", f->pages == 1 ? " (%" PRIu64 " page)" : " (%" PRIu64 " pages)", f->pages);
	if (f->have_hva)
		print_hex(PRINT_ANY, "hva", " hva 0x%" PRIx64, f->hva);
	else
		print_null(PRINT_JSON, "hva", NULL);
	print_hex(PRINT_ANY, "iommu_pfn", " iommu_pfn 0x%" PRIx64, f->iommu_pfn);
	if (f->have_cpu_pfn)
		print_hex(PRINT_ANY, "cpu_pfn", " cpu_pfn 0x%" PRIx64, f->cpu_pfn);
	else
		print_null(PRINT_ANY, "cpu_pfn", " cpu_pfn unknown");
	print_string(PRINT_ANY, "perm", " %s\n", iv_perm_str(f->perm));
	close_json_object();
}

void iv_report_begin(const char *command)
{
	print_begin();
	print_int(PRINT_JSON, "schema_version", NULL, IV_JSON_SCHEMA_VERSION);
	if (command)
		print_string(PRINT_JSON, "command", NULL, command);
	else
		print_null(PRINT_JSON, "command", NULL);
}

int iv_report_end(struct iv_run *run)
{
	if (!print_begun())
		iv_report_begin(NULL);
	if (print_is_json()) {
		print_top();
		open_json_array("errors");
		for (size_t i = 0; run && i < run->errs.n; i++)
			print_string(PRINT_JSON, NULL, NULL, run->errs.v[i]);
		if (run && run->errs.dropped) {
			char m[96];
			snprintf(m, sizeof m, "%zu more errors not shown", run->errs.dropped);
			print_string(PRINT_JSON, NULL, NULL, m);
		}
		close_json_array();
	}
	return print_end();
}

int iv_report_print(struct iv_run *run, const struct iv_check *c)
{
	iv_report_begin("check");
	print_string(PRINT_JSON, "status", NULL, iv_status_name(c->status));
	print_int(PRINT_JSON, "exit_code", NULL, c->status);
	open_json_array("processes");
	for (size_t i = 0; i < c->nprocs; i++)
		print_process(&c->procs[i]);
	close_json_array();
	if (!c->nprocs)
		print_text(c->procs_unreadable ? "no VFIO device in the processes that could be inspected\n"
			   : "no process holds a VFIO device\n");
	open_json_array("findings");
	for (size_t i = 0; i < c->nf; i++)
		print_finding(&c->f[i]);
	close_json_array();
	if (c->nf_dropped)
		print_text("  ... %" PRIu64 " more findings not listed\n", c->nf_dropped);

	open_json_object("summary");
	print_string(PRINT_TEXT, NULL, "summary: %s", iv_status_name(c->status));
	print_u64(PRINT_ANY, "devices_found", " - %" PRIu64 " devices", c->devices);
	print_u64(PRINT_ANY, "pages_checked", ", %" PRIu64 " pages checked", c->pages_checked);
	uint64_t total = 0, total_pages = 0;
	for (int k = 0; k < IV_NKINDS; k++) {
		total += c->count[k];
		total_pages += c->pages[k];
	}
	/* schema 2: findings (IOVA ranges) and their pages, each named as such */
	print_u64(PRINT_ANY, "findings", ", %" PRIu64 " findings", total);
	print_u64(PRINT_JSON, "finding_pages", NULL, total_pages);
	open_json_object("by_kind");
	for (int k = 0; k < IV_NKINDS; k++) {
		open_json_object(iv_kinds[k].name);
		print_u64(PRINT_JSON, "findings", NULL, c->count[k]);
		print_u64(PRINT_JSON, "pages", NULL, c->pages[k]);
		close_json_object();
		if (c->count[k])
			print_text(", %" PRIu64 " %s", c->count[k], iv_kinds[k].name);
	}
	close_json_object();
	print_u64(PRINT_ANY, "transient_findings", c->transient ? ", %" PRIu64 " transient" : NULL, c->transient);
	print_u64(PRINT_JSON, "findings_not_listed", NULL, c->nf_dropped);
	/* what was not checked (issue 12.1/12.3): counts, and each reason */
	print_u64(PRINT_JSON, "devices_checked", NULL, c->devices_checked);
	print_u64(PRINT_JSON, "devices_not_checked", NULL, c->devices_not_checked);
	print_u64(PRINT_JSON, "processes_not_checked", NULL, c->procs_not_checked);
	print_u64(PRINT_JSON, "processes_not_inspected", NULL, c->procs_unreadable);
	open_json_array("not_checked");
	for (unsigned i = 0; i < c->nnotes && i < IV_MAX_NOTES; i++)
		print_string(PRINT_ANY, NULL, i ? "; %s" : "; NOT CHECKED: %s", c->notes[i]);
	close_json_array();
	if (c->nnotes > IV_MAX_NOTES)
		print_text(" (+%u more)", c->nnotes - IV_MAX_NOTES);
	print_float(PRINT_JSON, "duration_seconds", NULL, c->duration);
	print_text("\n");
	close_json_object();
	return iv_report_end(run);
}
