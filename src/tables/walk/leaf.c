/* SPDX-License-Identifier: GPL-2.0-or-later */
/* leaf.c - names of the leaf / table model (include/leaf.h): vendors and table modes. */
#include "config.h"
#include "leaf.h"

const char *iv_vendor_name(enum iv_vendor v)
{
	switch (v) {
	case IV_VENDOR_INTEL: return "intel";
	case IV_VENDOR_AMD: return "amd";
	default: return "unknown";
	}
}

const char *iv_mode_name(enum iv_mode m)
{
	switch (m) {
	case IV_MODE_LEGACY: return "legacy";
	case IV_MODE_SCALABLE: return "scalable";
	case IV_MODE_AMD_V1: return "v1";
	case IV_MODE_AMD_V2: return "v2";
	default: return "unknown";
	}
}
