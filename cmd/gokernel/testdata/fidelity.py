"""Runs programs of Go's own test suite through gokernel and classes each run.

Used by ../fidelity_test.go. Reads a JSON request on stdin:

    {"dir": GOROOT/test, "files": ["ken/array.go", ...], "modes": ["paste", "adapted"],
     "timeout": seconds}

and writes one JSON line per (file, mode) on stdout:

    {"file": ..., "mode": ..., "class": ..., "detail": ...}

Modes:
  paste    the whole file as one cell, as a student pastes a program.
  adapted  the package clause blanked and func main renamed main_; cell 1 is
           the file, cell 2 calls main_(). This measures the interpreter path.

Classes, worst last: pass; unsupported (refused: a compile error or another
error the kernel raises before running); wrong (a panic, a non-zero exit or
output that differs from NAME.out); hang (no reply within the timeout); crash
(the worker died or the kernel stopped answering).

Every program gets a freshly restarted kernel, whose working directory is the
suite's directory, as for Go's own test runner.
"""

import json
import os
import queue
import re
import sys
import time

from jupyter_client.manager import KernelManager

KERNEL_NAME = os.environ.get("GOKERNEL_KERNEL_NAME", "gokernel")

WRONG = {"Panic", "RuntimeError", "FatalError", "Exit"}
CRASH = {"WorkerDied", "KernelError"}

MAIN_RE = re.compile(r"^func\s+main\s*\(\)", re.M)
PACKAGE_RE = re.compile(r"^package main\b.*$", re.M)


def cells(mode, src):
    if mode == "paste":
        return [src]
    src = PACKAGE_RE.sub("", src, count=1)
    return [MAIN_RE.sub("func main_()", src, count=1), "main_()"]


def run_cell(kc, code, timeout):
    """Returns (status, ename, output); status is None on a timeout.

    A cell that ends with os.Exit(0) counts as ok: the program ended well.
    """
    msg_id = kc.execute(code, stop_on_error=True)
    deadline = time.monotonic() + timeout
    reply = None
    while reply is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, "", ""
        try:
            msg = kc.get_shell_msg(timeout=left)
        except queue.Empty:
            return None, "", ""
        if msg["parent_header"].get("msg_id") == msg_id:
            reply = msg["content"]
    out, ename = [], reply.get("ename", "")
    status = reply["status"]
    if ename == "Exit" and "os.Exit(0)" in reply.get("evalue", ""):
        status = "ok"
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(1.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "status" and content["execution_state"] == "idle":
            break
    return status, ename, "".join(out)


def classify(km, kc, path, mode, timeout):
    with open(path) as f:
        src = f.read()
    want = None
    if os.path.exists(path[:-3] + ".out"):
        with open(path[:-3] + ".out") as f:
            want = f.read()
    output = ""
    for code in cells(mode, src):
        status, ename, out = run_cell(kc, code, timeout)
        output += out
        if status is None:
            try:
                km.interrupt_kernel()
            except Exception:  # the kernel may be gone: the restart tells
                pass
            return "hang", f"no reply in {timeout} s"
        if status != "ok":
            if ename in WRONG:
                return "wrong", ename
            if ename in CRASH:
                return "crash", ename
            return "unsupported", ename
    if want is not None and output != want:
        return "wrong", "output differs from .out"
    return "pass", ""


def main():
    req = json.load(sys.stdin)
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(cwd=req["dir"])
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        for mode in req["modes"]:
            for rel in req["files"]:
                km.restart_kernel(now=True)
                kc.wait_for_ready(timeout=60)
                try:
                    cls, detail = classify(km, kc, os.path.join(req["dir"], rel), mode, req["timeout"])
                except RuntimeError as e:  # the kernel did not come back
                    cls, detail = "crash", str(e)
                print(json.dumps({"file": rel, "mode": mode, "class": cls, "detail": detail}), flush=True)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
