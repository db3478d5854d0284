#!/usr/bin/env python3
"""Validates a META.json against the PGXN Meta Spec v1 (1.0.x).

The rules are the spec's own JSON Schema, test/helpers/pgxn-meta-v1/*.schema.json,
as published by PGXN (github.com/pgxn/meta, schema/v1, PostgreSQL Licence).
PGXN validates with a Rust crate, Debian packages no validator, and the
schema's patterns use \\p{...} and POSIX classes that Python's re lacks: so
this is a small JSON Schema 2020-12 evaluator for exactly the keywords those
files use, standard library only.  A keyword it does not know is an error,
never silently skipped.

    test/helpers/pgxn_meta.py META.json      prints "valid" or one line per violation,
                                     exit 0 or 1
    test/helpers/pgxn_meta.py --examples     checks every example the schema files give
                                     (they must all be valid): the evaluator's
                                     own test
"""
import json
import os
import re
import sys
import urllib.parse

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pgxn-meta-v1")
ANNOTATIONS = {"$schema", "$id", "title", "description", "examples", "$comment", "$defs"}
_schemas = {}


def load(name):
    if name not in _schemas:
        with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as f:
            _schemas[name] = json.load(f)
    return _schemas[name]


def resolve(ref, base):
    """A $ref to another file of the set and/or a JSON pointer in it."""
    name, _, pointer = ref.partition("#")
    name = name or base
    node = load(name)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node, name


CLASSES = {"Space": r"\s", "Cntrl": r"\x00-\x1f\x7f", "lower": "a-z", "[:digit:]": "0-9"}


def regex(pattern):
    """The schema's Java/Rust-style classes (\\p{Space}, [[:digit:]]),
    spelled for Python's re: bare inside a [...] class, bracketed outside."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        m = re.match(r"\\p\{(\w+)\}|\[(\[:\w+:\])", pattern[i:])
        if m:
            body = CLASSES[m.group(1) or m.group(2)]
            if m.group(2):  # "[[:digit:]" opens a class holding the POSIX class
                out.append("[" + body)
                in_class = True
            else:
                out.append(body if in_class else "[" + body + "]")
            i += m.end()
            continue
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return re.compile("".join(out))


def check_format(fmt, value):
    if not isinstance(value, str):
        return True
    if fmt == "uri":
        u = urllib.parse.urlsplit(value)
        return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", u.scheme)) and not re.search(r"\s", value)
    if fmt == "email":
        return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))
    if fmt == "path":  # relative, unix conventions, no . or .. components
        parts = (value[2:] if value.startswith("./") else value).split("/")
        return not value.startswith("/") and "\\" not in value and \
            all(p not in (".", "..") for p in parts)
    if fmt == "date-time":
        return bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value))
    raise ValueError("unknown format " + fmt)


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def is_type(value, t):
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "null":
        return value is None
    return isinstance(value, TYPES[t])


def validate(value, schema, base, path, errors):
    """Appends violations to errors; returns the property names this schema
    evaluated (what unevaluatedProperties needs)."""
    evaluated = set()
    for key in schema:
        if key not in ANNOTATIONS and key not in KEYWORDS:
            raise ValueError("%s: keyword %s not implemented" % (base, key))
    if "$ref" in schema:
        target, tbase = resolve(schema["$ref"], base)
        evaluated |= validate(value, target, tbase, path, errors)
    if "type" in schema and not is_type(value, schema["type"]):
        errors.append("%s: must be of type %s" % (path, schema["type"]))
        return evaluated
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: %s is not one of %s" % (path, json.dumps(value), schema["enum"]))
    if "const" in schema and (value != schema["const"] or type(value) is not type(schema["const"])):
        errors.append("%s: must be %s" % (path, json.dumps(schema["const"])))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append("%s: shorter than %d characters" % (path, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append("%s: longer than %d characters" % (path, schema["maxLength"]))
        if "pattern" in schema and not regex(schema["pattern"]).search(value):
            errors.append("%s: %s does not match %s" % (path, json.dumps(value), schema["pattern"]))
        if "format" in schema and not check_format(schema["format"], value):
            errors.append("%s: %s is not a valid %s" % (path, json.dumps(value), schema["format"]))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append("%s: fewer than %d items" % (path, schema["minItems"]))
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            errors.append("%s: items are not unique" % path)
        if "items" in schema:
            for i, v in enumerate(value):
                validate(v, schema["items"], base, "%s[%d]" % (path, i), errors)
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            errors.append("%s: fewer than %d members" % (path, schema["minProperties"]))
        for r in schema.get("required", []):
            if r not in value:
                errors.append("%s: required member %s is missing" % (path, json.dumps(r)))
        props = schema.get("properties", {})
        patterns = [(regex(p), s) for p, s in schema.get("patternProperties", {}).items()]
        for k, v in value.items():
            sub = "%s/%s" % (path, k)
            if "propertyNames" in schema:
                validate(k, schema["propertyNames"], base, sub + " (name)", errors)
            matched = False
            if k in props:
                validate(v, props[k], base, sub, errors)
                matched = True
            for rx, s in patterns:
                if rx.search(k):
                    validate(v, s, base, sub, errors)
                    matched = True
            if matched:
                evaluated.add(k)
            elif "additionalProperties" in schema:
                evaluated.add(k)
                if schema["additionalProperties"] is False:
                    errors.append("%s: member not allowed here" % sub)
                else:
                    validate(v, schema["additionalProperties"], base, sub, errors)
    for s in schema.get("allOf", []):
        evaluated |= validate(value, s, base, path, errors)
    for key in ("anyOf", "oneOf"):
        if key not in schema:
            continue
        passing = []
        for s in schema[key]:
            errs = []
            ev = validate(value, s, base, path, errs)
            if not errs:
                passing.append(ev)
        if not passing or (key == "oneOf" and len(passing) > 1):
            errors.append("%s: must match %s %s of the alternatives (matches %d)"
                          % (path, "exactly one" if key == "oneOf" else "at least one",
                             key, len(passing)))
        for ev in passing:
            evaluated |= ev
    if schema.get("unevaluatedProperties") is False and isinstance(value, dict):
        for k in value:
            if k not in evaluated:
                errors.append("%s/%s: member not allowed (not in the spec; custom keys start with x_)" % (path, k))
    return evaluated


KEYWORDS = {"$ref", "type", "enum", "const", "minLength", "maxLength", "pattern", "format",
            "minItems", "uniqueItems", "items", "minProperties", "required", "properties",
            "patternProperties", "additionalProperties", "propertyNames", "allOf", "anyOf",
            "oneOf", "unevaluatedProperties"}


def errors_of(meta):
    errors = []
    validate(meta, load("distribution.schema.json"), "distribution.schema.json", "", errors)
    return errors


def examples():
    """Every example of every schema file must validate against that file."""
    bad = 0
    for name in sorted(n for n in os.listdir(SCHEMA_DIR) if n.endswith(".schema.json")):
        schema = load(name)
        for i, ex in enumerate(schema.get("examples", [])):
            errs = []
            validate(ex, schema, name, "", errs)
            if errs:
                bad += 1
                print("%s example %d: %s" % (name, i, "; ".join(errs)))
    return bad


def main():
    if sys.argv[1:] == ["--examples"]:
        sys.exit(1 if examples() else 0)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            meta = json.load(f)
    except ValueError as e:
        print("%s: not JSON: %s" % (sys.argv[1], e))
        sys.exit(1)
    errors = errors_of(meta)
    for e in errors:
        print(e)
    if not errors:
        print("valid")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
