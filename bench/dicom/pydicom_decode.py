"""Times pydicom's pixel_array (numpy / rle / gdcm handlers) on the files named on stdin.

Reads JSON {"dir": ..., "files": [...], "rounds": n} on stdin; writes JSON {file: {"ms": median or null, "error": str}}.
Files are read into memory first, so only parsing and decoding are timed, as on the TypeScript side.
"""
import io
import json
import statistics
import sys
import time

import pydicom

request = json.load(sys.stdin)
results = {}
for name in request["files"]:
    with open(f"{request['dir']}/{name}", "rb") as f:
        data = f.read()
    times = []
    try:
        for _ in range(request["rounds"] + 1):  # the first round warms handler imports and is dropped
            start = time.perf_counter()
            ds = pydicom.dcmread(io.BytesIO(data), force=True)
            ds.pixel_array  # noqa: B018 - decoding is the point
            times.append((time.perf_counter() - start) * 1000)
        results[name] = {"ms": statistics.median(times[1:])}
    except Exception as error:  # a handler pydicom 2.3 lacks (HTJ2K) is reported, not fatal
        results[name] = {"ms": None, "error": f"{type(error).__name__}: {str(error)[:120]}"}
json.dump(results, sys.stdout)
