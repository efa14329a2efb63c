#!/usr/bin/env python3
"""Top frames of a JFR recording: python3 jfr-top.py REC.jfr [N] [filter-substring].
Prints the self (top-of-stack) methods and the inclusive counts of methods that match the filter."""
import collections, json, subprocess, sys
rec = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 30; filt = sys.argv[3] if len(sys.argv) > 3 else None
out = subprocess.run(["/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr", "print", "--json", "--stack-depth", "200",
                      "--events", "jdk.ExecutionSample", rec], capture_output=True, text=True, check=True).stdout
events = json.loads(out)["recording"]["events"]
self_c, incl = collections.Counter(), collections.Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    names = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in frames]
    if names:
        self_c[names[0]] += 1
    for m in set(names):
        if filt is None or filt in m:
            incl[m] += 1
total = len(events)
print(f"{total} samples\n-- self")
for m, c in self_c.most_common(n):
    print(f"{100*c/total:5.1f}% {m}")
print("-- inclusive" + (f" (matching {filt})" if filt else ""))
for m, c in incl.most_common(n):
    print(f"{100*c/total:5.1f}% {m}")
