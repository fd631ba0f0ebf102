#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What lib/checks.py and lib/checks_big.py share."""

PG = 4096


def num(v):
    """A JSON number or a "0x..." / decimal string -> int (None if absent)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return int(v)
    return int(str(v), 0)
