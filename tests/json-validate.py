#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate iommu-verify JSON documents against schema/iommu-verify.schema.json.

usage: json-validate.py [--strict] SCHEMA FILE...
  --strict  also reject members the schema does not name (the shipped schema lets consumers
            ignore unknown members; the tests use --strict so that every member the tool prints
            is in the schema): additionalProperties false on every object definition, and
            unevaluatedProperties false on the command documents (which combine definitions).
Each FILE holds exactly one JSON document. Prints "valid: FILE" or "invalid: FILE: PATH: MESSAGE"
(every error); exit 0 when all are valid, 1 otherwise, 2 on a usage or schema error.
Draft 2020-12 (jsonschema.Draft202012Validator) with its format checker."""
import copy
import json
import sys

import jsonschema
from jsonschema import Draft202012Validator

MIXINS = ("common", "table_header")   # combined through allOf: strict only where combined


def strictify(node, top=False):
    """additionalProperties false on object schemas with properties, recursing into properties."""
    if not isinstance(node, dict) or "properties" not in node:
        return
    if "allOf" in node:
        node["unevaluatedProperties"] = False
    elif not top:
        node["additionalProperties"] = False
    for sub in node["properties"].values():
        strictify(sub)


def main(argv):
    strict = False
    if argv and argv[0] == "--strict":
        strict, argv = True, argv[1:]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema = json.load(open(argv[0]))
    if strict:
        schema = copy.deepcopy(schema)
        for name, d in schema["$defs"].items():
            if name not in MIXINS:
                strictify(d)
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("schema error: %s" % e.message, file=sys.stderr)
        return 2
    v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    bad = 0
    for f in argv[1:]:
        try:
            doc = json.load(open(f))
        except ValueError as e:
            print("invalid: %s: not one JSON document: %s" % (f, e))
            bad += 1
            continue
        # the errors that name a member first; "unevaluated properties" at a parent (a member
        # that failed is not evaluated) last
        errs = sorted(v.iter_errors(doc), key=lambda e: (e.validator == "unevaluatedProperties",
                                                          [str(p) for p in e.absolute_path]))
        if not errs:
            print("valid: %s" % f)
            continue
        bad += 1
        for e in errs:
            # the innermost cause: if/then/allOf wrap the error that names the member
            leaves = [e]
            while leaves[-1].context:
                leaves.append(min(leaves[-1].context, key=lambda c: len(c.absolute_path) * -1))
            leaf = leaves[-1]
            print("invalid: %s: %s: %s" % (f, "/".join(str(p) for p in leaf.absolute_path) or "(document)",
                                           leaf.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
