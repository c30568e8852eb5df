#!/usr/bin/python3
"""Output floods against gokernel: what arrives, what is dropped, what it costs.

Run it with /usr/bin/python3; the kernel is a kernelspec name. Two cases:

  * rate: a cell writes --total bytes (1 GiB) as fast as it can while one
    client reads IOPub at --rate MiB/s (200). It reports the share of the
    text that arrived, and checks that text plus the bytes that the
    "[… N bytes dropped" notes count add up to what the cell wrote.
  * stall: a cell writes as fast as it can for --stall seconds (30) while
    one client reads IOPub as fast as it can and another has stopped
    reading. It reports the peak RSS of the kernel's process tree during
    the stall, then lets the stalled client read, and checks the same
    account for both clients.

The client reads frames with pyzmq and decodes only what it needs, without
checking signatures, so that it can keep up with the rate it is told. It
prints one JSON object with the figures; the exit status is 1 if a check
failed.
"""

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.session import Session

from bench import Kernel, memory, process_tree, reap

MiB = 1 << 20
NOTE = re.compile(r"\[… (\d+) bytes dropped[^\]]*\]\n")

# The cell of the rate case writes TOTAL bytes in lines of 1 KiB.
RATE_CELL = """import ("bytes"; "os")
line := append(bytes.Repeat([]byte("x"), 1023), '\\n')
buf := bytes.Repeat(line, 1024)
for n := 0; n < {total}; n += len(buf) {{ os.Stdout.Write(buf) }}
"""

# The cell of the stall case writes for SECONDS, then says how much.
STALL_CELL = """import ("bytes"; "fmt"; "os"; "time")
line := append(bytes.Repeat([]byte("x"), 1023), '\\n')
buf := bytes.Repeat(line, 64)
written := 0
for start := time.Now(); time.Since(start) < {seconds}*time.Second; written += len(buf) {{ os.Stdout.Write(buf) }}
fmt.Println("written", written)
"""


class Reader:
    """An IOPub subscriber that keeps the account of one cell's stdout."""

    def __init__(self, ctx, url, msg_id, rate=0, hwm=None):
        self.sock = ctx.socket(zmq.SUB)
        self.sock.linger = 0
        if hwm is not None:
            self.sock.rcvhwm = hwm
            self.sock.rcvbuf = 64 << 10
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.sock.connect(url)
        self.msg_id = msg_id
        self.rate = rate  # bytes per second; 0 for as fast as it can
        self.text = 0  # stdout text, notes excluded
        self.dropped = 0  # bytes the notes count
        self.notes = 0
        self.wire = 0
        self.tail = ""  # the last stdout text, for the stall cell's total
        self.idle = False
        self.paused = threading.Event()

    def take(self, frames):
        self.wire += sum(len(f) for f in frames)
        i = frames.index(b"<IDS|MSG>")
        parent = json.loads(frames[i + 3])
        if parent.get("msg_id") != self.msg_id:
            return
        header = json.loads(frames[i + 2])
        if header["msg_type"] == "status":
            if json.loads(frames[i + 5])["execution_state"] == "idle":
                self.idle = True
            return
        if header["msg_type"] != "stream":
            return
        c = json.loads(frames[i + 5])
        if c["name"] != "stdout":
            return
        text = c["text"]
        for m in NOTE.finditer(text):
            self.dropped += int(m.group(1))
            self.notes += 1
        text = NOTE.sub("", text)
        self.text += len(text.encode())
        self.tail = (self.tail + text)[-200:]

    def run(self, deadline):
        start = time.monotonic()
        while not self.idle and time.monotonic() < deadline:
            if self.paused.is_set():
                start = time.monotonic() - self.wire / self.rate if self.rate else start
                time.sleep(0.05)
                continue
            if not self.sock.poll(100):
                continue
            self.take(self.sock.recv_multipart())
            if self.rate:
                ahead = self.wire / self.rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)


def start_kernel(kernel, workdir, ctx):
    cf = os.path.join(workdir, f"kernel-{secrets.token_hex(4)}.json")
    write_connection_file(cf, ip="127.0.0.1", key=secrets.token_hex(16).encode(), transport="tcp")
    with open(cf) as f:
        info = json.load(f)
    log = open(cf[:-5] + ".log", "wb")
    proc = subprocess.Popen(kernel.argv(cf), stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    session = Session(key=info["key"].encode(), signature_scheme=info["signature_scheme"])
    shell = ctx.socket(zmq.DEALER)
    shell.linger = 0
    shell.connect(f"tcp://127.0.0.1:{info['shell_port']}")
    return info, proc, session, shell


def request(session, shell, code):
    msg = session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False,
                                          "stop_on_error": True})
    return msg, session.serialize(msg)


def warm_up(session, shell, iopub_url, ctx):
    """Run a trivial cell and wait until a subscriber sees its idle."""
    sub = Reader(ctx, iopub_url, None)
    try:
        for _ in range(100):
            msg, frames = request(session, shell, "x := 1")
            sub.msg_id = msg["header"]["msg_id"]
            shell.send_multipart(frames)
            sub.run(time.monotonic() + 0.5)
            if sub.idle:
                return
        raise SystemExit("flood.py: the kernel never went idle")
    finally:
        sub.sock.close(0)


def sample_peak(pid, stop, out):
    while not stop.is_set():
        rss, _, each = memory(pid)
        if rss > out.get("peak", 0):
            out["peak"], out["each"] = rss, each
        stop.wait(0.1)


def case_rate(kernel, args, workdir, ctx):
    info, proc, session, shell = start_kernel(kernel, workdir, ctx)
    tree = [proc.pid]
    url = f"tcp://127.0.0.1:{info['iopub_port']}"
    try:
        warm_up(session, shell, url, ctx)
        msg, frames = request(session, shell, RATE_CELL.format(total=args.total))
        r = Reader(ctx, url, msg["header"]["msg_id"], rate=args.rate * MiB)
        time.sleep(0.3)  # subscribed
        peak, stop = {}, threading.Event()
        threading.Thread(target=sample_peak, args=(proc.pid, stop, peak), daemon=True).start()
        t0 = time.monotonic()
        shell.send_multipart(frames)
        r.run(t0 + args.timeout)
        took = time.monotonic() - t0
        stop.set()
        tree = process_tree(proc.pid)
        return {
            "case": "rate", "rate_mib_s": args.rate, "total": args.total, "idle_seen": r.idle,
            "arrived": r.text, "dropped": r.dropped, "notes": r.notes, "seconds": took,
            "arrived_share": r.text / args.total, "client_mib_s": r.wire / MiB / took,
            "peak_rss": peak.get("peak", 0),
            "accounted": r.text + r.dropped == args.total,
        }
    finally:
        reap(proc, tree)


def case_stall(kernel, args, workdir, ctx):
    info, proc, session, shell = start_kernel(kernel, workdir, ctx)
    tree = [proc.pid]
    url = f"tcp://127.0.0.1:{info['iopub_port']}"
    try:
        warm_up(session, shell, url, ctx)
        msg, frames = request(session, shell, STALL_CELL.format(seconds=args.stall))
        mid = msg["header"]["msg_id"]
        fast = Reader(ctx, url, mid)
        stalled = Reader(ctx, url, mid, hwm=1)
        stalled.paused.set()
        time.sleep(0.3)
        peak, stop = {}, threading.Event()
        threading.Thread(target=sample_peak, args=(proc.pid, stop, peak), daemon=True).start()
        t0 = time.monotonic()
        shell.send_multipart(frames)
        threads = [threading.Thread(target=x.run, args=(t0 + args.stall + args.timeout,)) for x in (fast, stalled)]
        for t in threads:
            t.start()
        time.sleep(args.stall)
        stall_peak, stall_each = peak.get("peak", 0), peak.get("each")
        stalled.paused.clear()
        for t in threads:
            t.join()
        stop.set()
        tree = process_tree(proc.pid)
        res = {"case": "stall", "stall_s": args.stall, "peak_rss_during_stall": stall_peak,
               "peak_by_process": [(n, b // MiB) for n, b in stall_each or []],
               "peak_rss": peak.get("peak", 0), "seconds": time.monotonic() - t0}
        for name, x in (("fast", fast), ("stalled", stalled)):
            m = re.search(r"written (\d+)\n", x.tail)
            written = int(m.group(1)) if m else None
            text = x.text - (len(m.group(0)) if m else 0)
            res[name] = {"idle_seen": x.idle, "written": written, "arrived": text, "dropped": x.dropped,
                         "notes": x.notes, "accounted": written is not None and text + x.dropped == written}
        return res
    finally:
        reap(proc, tree)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", default="gokernel")
    p.add_argument("--case", choices=["rate", "stall"], action="append")
    p.add_argument("--total", type=int, default=1 << 30, help="bytes of the rate case (default 1 GiB)")
    p.add_argument("--rate", type=float, default=200, help="MiB/s the rate case's client reads (default 200)")
    p.add_argument("--stall", type=float, default=30, help="seconds of the stall (default 30)")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    kernel = Kernel(args.kernel)
    ctx = zmq.Context()
    out, ok = [], True
    with tempfile.TemporaryDirectory(prefix="gokernel-flood-") as workdir:
        for case in args.case or ["rate", "stall"]:
            r = (case_rate if case == "rate" else case_stall)(kernel, args, workdir, ctx)
            out.append(r)
            print(json.dumps(r), flush=True)
            if case == "rate":
                ok = ok and r["idle_seen"] and r["accounted"]
            else:
                ok = ok and all(r[n]["idle_seen"] and r[n]["accounted"] for n in ("fast", "stalled"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
