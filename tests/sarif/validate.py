"""Validates SARIF files against the SARIF 2.1.0 JSON schema: validate.py SCHEMA FILE..."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(schema)
failed = 0
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    for e in errors:
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
    failed += len(errors)
print(f"{len(sys.argv) - 2} files, {failed} schema errors")
sys.exit(1 if failed else 0)
