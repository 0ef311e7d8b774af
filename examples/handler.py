#!/usr/bin/env python3
"""A tiny XConnector handler for `xconn serve --exec`: the request body on stdin, the response on stdout.

For each input record it answers how many of its values are filled and how many are empty
(null or ""), with a warning naming each empty column. A request with no header at all
(`{"inputs": []}`, which `xconn serve` refuses before any handler runs) gets a request-level
failure when the handler is run by hand: there is nothing to answer."""
import json
import sys

inputs = json.load(sys.stdin)["inputs"]
if not inputs:
    error = {"error_category": "validation_error", "error_type": "400", "additional_details": "",
             "source_path": "/inputs", "message": "no header: `inputs` is empty"}
    print(json.dumps({"outputs": [], "warnings": [None], "errors": [[error]], "process_time": [0]}))
    sys.exit(0)
header, *records = inputs
outputs, warnings = [["filled", "empty"]], []
for record in records:
    empty = [key for key, value in zip(header, record) if value is None or value == ""]
    outputs.append([len(record) - len(empty), len(empty)])
    warnings.append([{"source_path": key, "message": "empty value"} for key in empty] or None)
print(json.dumps({"outputs": outputs, "warnings": warnings, "errors": [None] * len(records),
                  "process_time": [1] * len(records)}))
