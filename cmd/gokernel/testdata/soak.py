#!/usr/bin/python3
"""Memory over a long session: what each trivial cell leaves behind.

Run it with /usr/bin/python3; the kernels are kernelspec names. For each
kernel it runs --warmup trivial cells (x := 1, or x = 1), measures, runs
--cells more, and measures again. A measurement first runs a cell that
collects garbage and returns free memory to the system (runtime.GC and
debug.FreeOSMemory in Go, gc.collect in Python), then reads the RSS of the
kernel and of each descendant from /proc; for Go it also has the worker
report its heap in use. It prints one JSON object per kernel with the
growth per cell in bytes.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

import zmq
from jupyter_client.connect import write_connection_file

from bench import Kernel, LeanClient, memory, process_tree, reap

# The cell that collects garbage and prints the heap in use, by language.
MEASURE = {
    "go": 'import ("fmt"; "runtime"; "runtime/debug")\n'
    "debug.FreeOSMemory()\n"
    "var gkMem runtime.MemStats\n"
    "runtime.ReadMemStats(&gkMem)\n"
    'fmt.Println("heap", gkMem.HeapInuse)',
    "python": "import gc\ngc.collect()\nprint('heap', 0)",
}
TRIVIAL = {"go": "x := 1", "python": "x = 1"}


def measure(client, kernel, pid):
    _, reply, outputs = client.run(MEASURE[kernel.spec.language])
    text = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
    if reply["content"]["status"] != "ok" or not text.startswith("heap "):
        raise SystemExit(f"soak.py: the measuring cell failed: {reply['content']} {text!r}")
    _, _, each = memory(pid)
    return {"heap": int(text.split()[1]), "rss": each}


def soak(kernel, args, workdir, ctx):
    cf = os.path.join(workdir, f"kernel-{secrets.token_hex(4)}.json")
    write_connection_file(cf, ip="127.0.0.1", key=secrets.token_hex(16).encode(), transport="tcp")
    with open(cf) as f:
        info = json.load(f)
    log = cf[:-5] + ".log"
    client = LeanClient(ctx, info, None, log)
    with open(log, "wb") as lf:
        proc = subprocess.Popen(kernel.argv(cf), stdin=subprocess.DEVNULL, stdout=lf,
                                stderr=subprocess.STDOUT, start_new_session=True)
    client.proc = proc
    tree = [proc.pid]
    try:
        msg, frames = client.prepare("kernel_info_request", {})
        client.shell.send_multipart(frames)
        client.wait_reply(msg["header"]["msg_id"], time.perf_counter() + 60, "kernel_info_reply")
        time.sleep(0.5)  # IOPub subscribed
        trivial = TRIVIAL[kernel.spec.language]
        for _ in range(args.warmup):
            client.run(trivial)
        before = measure(client, kernel, proc.pid)
        t0 = time.perf_counter()
        for _ in range(args.cells):
            _, reply, _ = client.run(trivial)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"soak.py: {trivial!r}: {reply['content']}")
        took = time.perf_counter() - t0
        after = measure(client, kernel, proc.pid)
        tree = process_tree(proc.pid)
        rss_before = dict((f"{i}:{n}", b) for i, (n, b) in enumerate(before["rss"]))
        per_process = {}
        for i, (name, b) in enumerate(after["rss"]):
            key = f"{i}:{name}"
            if key in rss_before:
                per_process[name] = (b - rss_before[key]) / args.cells
        return {
            "kernel": kernel.label,
            "cells": args.cells,
            "seconds": took,
            "heap_per_cell": (after["heap"] - before["heap"]) / args.cells,
            "rss_per_cell": per_process,
            "rss_before": {n: b for n, b in before["rss"]},
            "rss_after": {n: b for n, b in after["rss"]},
        }
    finally:
        client.close()
        reap(proc, tree)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernels", default="gokernel")
    p.add_argument("--cells", type=int, default=10000)
    p.add_argument("--warmup", type=int, default=200)
    args = p.parse_args()
    ctx = zmq.Context()
    with tempfile.TemporaryDirectory(prefix="gokernel-soak-") as workdir:
        for name in args.kernels.split(","):
            print(json.dumps(soak(Kernel(name), args, workdir, ctx)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
