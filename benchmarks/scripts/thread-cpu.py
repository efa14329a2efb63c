#!/usr/bin/env python3
"""CPU time per thread of a process, from /proc: `thread-cpu.py snap PID FILE` saves a snapshot,
`thread-cpu.py diff BEFORE AFTER` prints the clock ticks (1/100 s) each thread name used in between."""
import collections, json, os, re, sys

if sys.argv[1] == "snap":
    pid, out = sys.argv[2], {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            name = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            st = open(f"/proc/{pid}/task/{t}/stat").read().rsplit(")", 1)[1].split()
            out[t] = (name, int(st[11]) + int(st[12]))
        except OSError:
            pass  # the thread ended
    json.dump(out, open(sys.argv[3], "w"))
else:
    a, b = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    agg = collections.Counter()
    for t, (n, c) in b.items():
        agg[re.sub(r"[-#]?\d+$", "", n)] += c - a.get(t, [n, 0])[1]
    for n, c in agg.most_common(12):
        print(f"{c:6d} ticks {n}")
