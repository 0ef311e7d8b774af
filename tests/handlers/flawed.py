#!/usr/bin/env python3
"""XConnector handlers for `xconn serve --exec`, each wrong in one way, for `xconn check`'s tests.

    python3 flawed.py FLAW

Without a flaw it answers as examples/handler.py does (how many values of each record are filled
and how many empty). The flaws:

  long-strings   crashes (exit 1: serve answers 500) on a string over 1,000 characters
  null-500       crashes on a null value in a record
  batch-mean     answers each record's amount minus the batch's mean amount
  order          answers each record with its position in the batch
  noise          adds random noise to every answer
  request-level  answers every request with a request-level failure (a 2xx)
  hang-empty     hangs on a nested table with no rows
  header-flip    answers the output columns in a random order, the values left in place (the
                 names change meaning between calls)
  header-swap    answers the output columns in a random order, each row's values moved with
                 them (the same answers: no flaw)
"""
import json
import math
import random
import sys
import time

FLAW = sys.argv[1] if len(sys.argv) > 1 else ""


def values(value):
    """Every value inside `value`, nested tables included."""
    yield value
    if isinstance(value, list):
        for item in value:
            yield from values(item)


def first_number(record):
    for value in record:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def finite(x):
    return x if x is not None and math.isfinite(x) and abs(x) < 1e300 else None


def failure(message):
    error = {"error_category": "system", "error_type": "500", "additional_details": "",
             "source_path": "", "message": message}
    return {"outputs": [], "warnings": [None], "errors": [[error]], "process_time": [0]}


def answer(inputs):
    if not inputs:
        return failure("no header: `inputs` is empty")
    header, *records = inputs
    if FLAW == "request-level":
        return failure("the engine is down")
    everything = [v for record in records for cell in record for v in values(cell)]
    if FLAW == "long-strings" and any(isinstance(v, str) and len(v) > 1000 for v in everything):
        sys.exit("a string over 1,000 characters: crash")
    if FLAW == "null-500" and any(v is None for record in records for v in record):
        sys.exit("null: crash")
    if FLAW == "hang-empty" and any(isinstance(v, list) and len(v) == 1 and isinstance(v[0], list)
                                    and all(isinstance(k, str) for k in v[0]) for v in everything):
        time.sleep(3600)
    numbers = [finite(first_number(r)) for r in records]
    known = [n for n in numbers if n is not None]
    mean = sum(known) / len(known) if known else 0.0
    outputs, warnings = [["filled", "empty", "extra"]], []
    for position, record in enumerate(records):
        empty = [key for key, value in zip(header, record) if value is None or value == ""]
        extra = 0
        if FLAW == "batch-mean":
            extra = finite(numbers[position] - mean) if numbers[position] is not None else None
        elif FLAW == "order":
            extra = position
        elif FLAW == "noise":
            extra = random.random()
        outputs.append([len(record) - len(empty), len(empty), extra])
        warnings.append([{"source_path": key, "message": "empty value"} for key in empty] or None)
    if FLAW in ("header-flip", "header-swap") and random.random() < 0.5:
        outputs[0] = outputs[0][::-1]
        if FLAW == "header-swap":
            outputs[1:] = [row[::-1] for row in outputs[1:]]
    return {"outputs": outputs, "warnings": warnings, "errors": [None] * len(records),
            "process_time": [1] * len(records)}


print(json.dumps(answer(json.load(sys.stdin)["inputs"])))
