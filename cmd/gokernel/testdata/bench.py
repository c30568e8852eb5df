#!/usr/bin/python3
"""Benchmark Jupyter kernels side by side: gokernel against ipykernel.

Run it with /usr/bin/python3, the interpreter that sees Jupyter. The kernels
are kernelspec names, found the usual way (JUPYTER_PATH and the system
directories); the first one is the baseline of the ratio column, the second
the kernel it is compared with. A --floor kernelspec is measured beside them
as a reference, without targets: gokernel's protocol side with an interpreter
that does nothing (cmd/gokernel/testdata/floorkernel), the least a cell can
cost through package kernel and this client. --peers kernelspecs, such as
gophernotes, are measured beside them too, every figure and without targets;
the report gives each peer's ratios against the baseline, and the compared
kernel's against each peer. Each sitting starts every kernel
once, in alternating order, and measures the figures below. The kernels of a
sitting live side by side and take turns, a block of 50 trivial cells or one
print cell each, so that each sitting compares them over the same seconds of
the machine, whose speed drifts:

  * start: from starting the kernel's process to its first kernel_info_reply,
    and to the idle of the first cell, run straight after;
  * the trivial cell (x = 1 / x := 1), from sending execute_request to
    status idle on IOPub, median and p99 over the sitting's cells;
  * printing 10 000 lines, sending to idle, with the output checked to be
    complete and in order (not for the floor, whose cells print nothing);
  * the RSS (and PSS) of the kernel and all its descendants, after the cells
    above;
  * the trivial cell again, as a stock BlockingKernelClient sees it;
  * shutdown: from sending shutdown_request to the kernel's process ending.

All but the last use a lean client: jupyter_client's Session signs and checks
messages on zmq sockets that this script polls itself, so that the figures
show the kernel's cost rather than the client's. The table reports the median
over sittings of each sitting's figure.

The exit status is 1 if a kernel failed or printed wrong output, 2 on bad
usage.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import secrets
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# Looking up the python3 kernelspec imports ipykernel, whose debugpy warns
# about frozen modules on stderr. Silence it here only, not in the kernels.
_PYDEVD = "PYDEVD_DISABLE_FILE_VALIDATION"
_PYDEVD_ORIG = os.environ.get(_PYDEVD)
os.environ[_PYDEVD] = "1"

import jupyter_client  # noqa: E402
import zmq  # noqa: E402
from jupyter_client.blocking import BlockingKernelClient  # noqa: E402
from jupyter_client.connect import write_connection_file  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.session import Session  # noqa: E402

MiB = 1 << 20

# Trivial cells run in blocks of this many, the kernels of a sitting taking
# turns.
TRIVIAL_BLOCK = 50

# The code of each benchmark, by the kernelspec's language. The setup cell
# runs once after start, untimed.
CODE = {
    "python": {
        "setup": "",
        "trivial": "x = 1",
        "print": "for i in range({n}):\n    print(i)",
    },
    "go": {
        "setup": 'import "fmt"',
        "trivial": "x := 1",
        "print": "for i := 0; i < {n}; i++ {{\n\tfmt.Println(i)\n}}",
    },
}


class KernelError(Exception):
    """A kernel died, timed out, or answered wrongly."""


def now():
    return time.perf_counter()


# ---------------------------------------------------------------------------
# Processes


def children_map():
    """Return {ppid: [pid, ...]} for every process in /proc."""
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields after
        # the last ")" are state, then ppid.
        fields = stat[stat.rindex(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(entry))
    return kids


def process_tree(pid):
    """Return pid and all its descendants."""
    kids = children_map()
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(kids.get(p, []))
    return tree


def status_kib(pid, field, path="status"):
    """Return a "Field:  N kB" line's N from /proc/PID/path, or 0."""
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_name(pid):
    """Return the program's base name and first argument."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().decode(errors="replace").split("\0")
    except OSError:
        return str(pid)
    # The command line ends in a NUL, which leaves an empty last argument.
    return " ".join([os.path.basename(argv[0])] + argv[1:2]).strip()


def memory(pid):
    """Return (RSS, PSS, [(process, RSS)]) of pid's tree, in bytes."""
    tree = process_tree(pid)
    each = [(process_name(p), status_kib(p, "VmRSS") * 1024) for p in tree]
    pss = sum(status_kib(p, "Pss", "smaps_rollup") for p in tree) * 1024
    return sum(r for _, r in each), pss, each


# ---------------------------------------------------------------------------
# The lean client


class LeanClient:
    """Shell, IOPub and control sockets, polled directly."""

    def __init__(self, ctx, info, proc, log_path):
        self.proc = proc
        self.log_path = log_path
        self.session = Session(
            key=info["key"].encode(), signature_scheme=info["signature_scheme"]
        )
        url = f"{info['transport']}://{info['ip']}:"

        def socket(kind, port):
            s = ctx.socket(kind)
            s.linger = 0
            # libzmq retries a refused connect after RECONNECT_IVL (100 ms by
            # default); the kernel binds its ports only once it runs.
            s.setsockopt(zmq.RECONNECT_IVL, 2)
            s.connect(url + str(info[port]))
            return s

        self.shell = socket(zmq.DEALER, "shell_port")
        self.control = socket(zmq.DEALER, "control_port")
        self.iopub = socket(zmq.SUB, "iopub_port")
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.poller = zmq.Poller()
        self.poller.register(self.shell, zmq.POLLIN)
        self.poller.register(self.iopub, zmq.POLLIN)

    def close(self):
        for s in (self.shell, self.iopub, self.control):
            s.close(linger=0)

    def prepare(self, msg_type, content):
        """Return a message and its signed frames, ready to send."""
        msg = self.session.msg(msg_type, content)
        return msg, self.session.serialize(msg)

    def execute_frames(self, code):
        return self.prepare(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )

    def recv(self, sock):
        """Return the next message on sock, or None if there is none."""
        try:
            frames = sock.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return None
        _, msg_list = self.session.feed_identities(frames)
        return self.session.deserialize(msg_list)

    def poll(self, deadline, what):
        """Poll shell and IOPub until something arrives; return the ready set."""
        while True:
            left = deadline - now()
            if left <= 0:
                raise KernelError(f"timed out waiting for {what}")
            ready = dict(self.poller.poll(min(left, 1.0) * 1000))
            if ready:
                return ready
            if self.proc.poll() is not None:
                raise KernelError(
                    f"kernel exited with status {self.proc.returncode} while "
                    f"waiting for {what}; log:\n{log_tail(self.log_path)}"
                )

    def wait_reply(self, msg_id, deadline, what):
        """Wait for the shell reply to msg_id; return it and its arrival time."""
        while True:
            if self.shell in self.poll(deadline, what):
                while (m := self.recv(self.shell)) is not None:
                    if m["parent_header"].get("msg_id") == msg_id:
                        return m, now()
            else:
                while self.recv(self.iopub) is not None:
                    pass

    def run(self, code, timeout=60.0):
        """Execute code and wait for its reply and idle.

        Returns (seconds from send to idle, reply, IOPub messages for the
        request other than status and execute_input).
        """
        msg, frames = self.execute_frames(code)
        msg_id = msg["header"]["msg_id"]
        t0 = now()
        self.shell.send_multipart(frames)
        deadline = t0 + timeout
        reply, idle, outputs = None, None, []
        while reply is None or idle is None:
            ready = self.poll(deadline, "execute results")
            if self.iopub in ready:
                while True:
                    try:
                        raw = self.iopub.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    t = now()
                    _, msg_list = self.session.feed_identities(raw)
                    m = self.session.deserialize(msg_list)
                    if m["parent_header"].get("msg_id") != msg_id:
                        continue
                    if m["msg_type"] == "status":
                        if m["content"]["execution_state"] == "idle":
                            idle = t
                    elif m["msg_type"] != "execute_input":
                        outputs.append(m)
            if self.shell in ready:
                while (m := self.recv(self.shell)) is not None:
                    if m["parent_header"].get("msg_id") == msg_id:
                        reply = m
        return idle - t0, reply, outputs

    def wait_iopub(self, msg_ids, deadline):
        """Wait until IOPub shows idle for one of msg_ids; return True if so."""
        while now() < deadline:
            ready = dict(self.poller.poll(max(0.0, deadline - now()) * 1000))
            if self.iopub in ready:
                while (m := self.recv(self.iopub)) is not None:
                    if (
                        m["msg_type"] == "status"
                        and m["content"]["execution_state"] == "idle"
                        and m["parent_header"].get("msg_id") in msg_ids
                    ):
                        return True
            if self.shell in ready:
                while self.recv(self.shell) is not None:
                    pass
        return False

    def shutdown(self, timeout=5.0):
        """Send shutdown_request and wait for its reply; return when it was sent."""
        msg, frames = self.prepare("shutdown_request", {"restart": False})
        t = now()
        self.control.send_multipart(frames)
        if self.control.poll(timeout * 1000):
            self.recv(self.control)
        return t


def log_tail(path, n=2000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-n:]
    except OSError as e:
        return str(e)


# ---------------------------------------------------------------------------
# One kernel, one sitting


class Kernel:
    """A kernelspec to benchmark."""

    def __init__(self, name, floor=False, peer=False):
        self.name = name
        self.floor = floor
        self.peer = peer
        try:
            self.spec = KernelSpecManager().get_kernel_spec(name)
        except Exception as e:
            raise SystemExit(f"bench.py: no kernelspec {name!r}: {e}")
        if self.spec.language not in CODE:
            raise SystemExit(
                f"bench.py: kernelspec {name!r} has language "
                f"{self.spec.language!r}; know only {sorted(CODE)}"
            )
        self.code = CODE[self.spec.language]
        if any("ipykernel" in a for a in self.spec.argv):
            self.label = "ipykernel"
        else:
            self.label = name

    def argv(self, connection_file):
        # As KernelManager.format_kernel_cmd does.
        argv = list(self.spec.argv)
        if argv[0] in {"python", "python3", "python%d.%d" % sys.version_info[:2]}:
            argv[0] = sys.executable
        ns = {
            "connection_file": os.path.realpath(connection_file),
            "prefix": sys.prefix,
            "resource_dir": self.spec.resource_dir,
        }
        out = []
        for a in argv:
            for k, v in ns.items():
                a = a.replace("{" + k + "}", v)
            out.append(os.path.expanduser(a))
        return out


class Sitting:
    """One kernel's part in one sitting.

    The constructor starts the kernel and measures its start and first cell;
    trivial and print_once time cells, and main calls them for the kernels
    of a sitting in turn, so that each kernel is timed in the same seconds
    of the machine; finish measures memory, the stock client and shutdown,
    ends the kernel and returns the sitting's figures. After a failure,
    which goes to res["failures"], the steps left do nothing but finish's
    clean-up.
    """

    def __init__(self, ctx, kernel, args, workdir):
        self.kernel, self.args = kernel, args
        self.res = {"failures": []}
        self.times, self.ptimes, self.nstreams = [], [], []
        self.proc, self.client, self.info, self.tree = None, None, None, []
        self.step(lambda: self.start(ctx, workdir))

    def step(self, f):
        """Run f unless an earlier step failed; record its failure."""
        if self.res["failures"]:
            return
        try:
            f()
        except KernelError as e:
            self.res["failures"].append(str(e))
        except Exception as e:  # e.g. queue.Empty from BlockingKernelClient
            self.res["failures"].append(f"{type(e).__name__}: {e}")

    def start(self, ctx, workdir):
        kernel, res = self.kernel, self.res
        cf = os.path.join(workdir, f"kernel-{kernel.name}-{secrets.token_hex(4)}.json")
        write_connection_file(
            cf, ip="127.0.0.1", key=secrets.token_hex(16).encode(), transport="tcp"
        )
        with open(cf) as f:
            self.info = json.load(f)
        log_path = cf[:-5] + ".log"
        env = dict(os.environ)
        if _PYDEVD_ORIG is None:
            del env[_PYDEVD]
        else:
            env[_PYDEVD] = _PYDEVD_ORIG
        env.update(kernel.spec.env or {})
        env["JPY_PARENT_PID"] = str(os.getpid())

        with open(log_path, "wb") as log:
            # The client connects first; its first request waits in its queue.
            client = self.client = LeanClient(ctx, self.info, None, log_path)
            msg, frames = client.prepare("kernel_info_request", {})
            t0 = now()
            self.proc = subprocess.Popen(
                kernel.argv(cf),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client.proc = self.proc
        self.tree = [self.proc.pid]
        client.shell.send_multipart(frames)
        _, t = client.wait_reply(msg["header"]["msg_id"], t0 + 60, "kernel_info_reply")
        res["start"] = t - t0

        # Make sure IOPub is subscribed before timing cells. Note whether the
        # status of the first request reached us (the slow-joiner problem).
        ids = {msg["header"]["msg_id"]}
        res["first_idle_seen"] = client.wait_iopub(ids, now() + 0.5)
        deadline = now() + 20
        ready = res["first_idle_seen"]
        while not ready:
            if now() > deadline:
                raise KernelError("IOPub never delivered a status message")
            m, fr = client.prepare("kernel_info_request", {})
            ids.add(m["header"]["msg_id"])
            client.shell.send_multipart(fr)
            ready = client.wait_iopub(ids, now() + 0.2)

        # The first cell, straight after start: what a user waits for.
        trivial = kernel.code["trivial"]
        _, reply, _ = client.run(trivial)
        res["first_cell"] = now() - t0
        if reply["content"].get("status") != "ok":
            raise KernelError(f"first cell {trivial!r}: reply {reply['content']}")

        setup = kernel.code["setup"]
        if setup:
            _, reply, outputs = client.run(setup)
            if reply["content"].get("status") != "ok":
                raise KernelError(f"setup cell {setup!r}: reply {reply['content']}")
        for _ in range(self.args.warmup):
            self.run_trivial()

    def run_trivial(self):
        trivial = self.kernel.code["trivial"]
        dt, reply, outputs = self.client.run(trivial)
        if reply["content"].get("status") != "ok" or outputs:
            raise KernelError(
                f"trivial cell {trivial!r}: reply {reply['content']}, "
                f"outputs {[o['msg_type'] for o in outputs]}"
            )
        return dt

    def trivial(self, n):
        """Time n trivial cells."""
        self.step(lambda: self.times.extend(self.run_trivial() for _ in range(n)))

    def print_once(self):
        """Time one cell that prints args.lines lines, and check its output."""
        self.step(self._print_once)

    def _print_once(self):
        code = self.kernel.code["print"].format(n=self.args.lines)
        want = "".join(f"{i}\n" for i in range(self.args.lines))
        dt, reply, outputs = self.client.run(code)
        got = "".join(
            o["content"]["text"]
            for o in outputs
            if o["msg_type"] == "stream" and o["content"]["name"] == "stdout"
        )
        other = [o["msg_type"] for o in outputs if o["msg_type"] != "stream"]
        if reply["content"].get("status") != "ok" or other:
            c = reply["content"]
            self.res["failures"].append(
                f"print cell: reply {c.get('status')} {c.get('ename', '')} "
                f"{c.get('evalue', '')!r}, other outputs {other}"
            )
        elif got != want:
            self.res["failures"].append(f"print cell: {describe_mismatch(got, want)}")
        self.ptimes.append(dt)
        self.nstreams.append(len(outputs))

    def finish(self):
        """Measure memory, the stock client and shutdown; end the kernel."""
        self.step(self._finish)
        if self.client is not None:
            self.client.close()
        if self.proc is not None:
            reap(self.proc, self.tree)
        return self.res

    def _finish(self):
        res, client = self.res, self.client
        if self.times:
            res["trivial_median"] = statistics.median(self.times)
            res["trivial_p99"] = percentile(self.times, 99)
        if self.ptimes:
            res["print"] = statistics.median(self.ptimes)
            res["print_messages"] = statistics.median(self.nstreams)

        self.tree = process_tree(self.proc.pid)
        res["rss"], res["pss"], res["rss_each"] = memory(self.proc.pid)

        # What a stock client sees. Close the lean client's shell and IOPub
        # first so that nothing else reads or buffers the kernel's messages.
        client.shell.close(linger=0)
        client.iopub.close(linger=0)
        res["blocking_median"] = blocking(self.info, self.kernel.code["trivial"], self.args)

        # A pidfd turns readable when the process ends: Popen.wait's timeout
        # polls with sleeps of up to 50 ms, too coarse for this figure.
        pidfd = os.pidfd_open(self.proc.pid)
        try:
            t = client.shutdown()
            if select.select([pidfd], [], [], 10)[0]:
                res["shutdown"] = now() - t
                self.proc.wait()
            else:
                res["failures"].append("kernel did not exit within 10 s of shutdown_request")
        finally:
            os.close(pidfd)


def reap(proc, tree):
    """Kill what is left of the kernel's process tree, which we started."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in tree[1:]:
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def blocking(info, code, args):
    kc = BlockingKernelClient()
    kc.load_connection_info(info)
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        times = []
        for i in range(args.warmup + args.blocking_cells):
            t0 = now()
            msg_id = kc.execute(code)
            while True:
                m = kc.get_shell_msg(timeout=60)
                if m["parent_header"].get("msg_id") == msg_id:
                    break
            while True:
                m = kc.get_iopub_msg(timeout=60)
                if (
                    m["parent_header"].get("msg_id") == msg_id
                    and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"
                ):
                    break
            if i >= args.warmup:
                times.append(now() - t0)
        return statistics.median(times)
    finally:
        kc.stop_channels()


def percentile(xs, p):
    """Return the p-th percentile of xs, by the nearest-rank method."""
    s = sorted(xs)
    k = max(0, -(-len(s) * p // 100) - 1)
    return s[int(k)]


def describe_mismatch(got, want):
    g, w = got.splitlines(), want.splitlines()
    for i, (a, b) in enumerate(zip(g, w)):
        if a != b:
            return f"output line {i} is {a!r}, want {b!r} ({len(g)} lines, want {len(w)})"
    return f"output has {len(g)} lines, want {len(w)}"


# ---------------------------------------------------------------------------
# Report

# id, label, unit, scale, target kind, target value
METRICS = [
    ("start", "start → first kernel_info_reply (info)", "ms", 1e3, None, None),
    ("first-cell", "start → first cell idle", "ms", 1e3, "ratio", 0.10),
    ("trivial-median", "trivial cell, send → idle, median", "ms", 1e3, "ratio", 0.17),
    ("trivial-p99", "trivial cell, send → idle, p99", "ms", 1e3, "ratio", 0.35),
    ("print10k", "print 10 000 lines, send → idle", "ms", 1e3, "every", 0.90),
    ("rss", "RSS, kernel + descendants, after warm-up", "MiB", 1 / MiB, "abs", 36.0),
    ("shutdown", "shutdown_request → process gone", "ms", 1e3, "abs", 200.0),
    ("pss", "PSS, kernel + descendants (info)", "MiB", 1 / MiB, None, None),
    ("blocking-median", "trivial cell, BlockingKernelClient, median", "ms", 1e3, None, None),
]

KEYS = {
    "start": "start",
    "first-cell": "first_cell",
    "shutdown": "shutdown",
    "trivial-median": "trivial_median",
    "trivial-p99": "trivial_p99",
    "print10k": "print",
    "rss": "rss",
    "pss": "pss",
    "blocking-median": "blocking_median",
}


def fmt(v, unit):
    if v is None:
        return "–"
    if unit == "ms" and v < 10:
        return f"{v:.2f}"
    if unit == "ms" and v >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def summarize(kernels, results):
    """Return the summary as a list of metric dicts."""
    base = kernels[0].label
    cand = kernels[1].label if len(kernels) > 1 and not (kernels[1].floor or kernels[1].peer) else None
    out = []
    for mid, label, unit, scale, kind, target in METRICS:
        values = {}
        per_sitting = {}
        for k in kernels:
            xs = [r[KEYS[mid]] * scale for r in results[k.label] if KEYS[mid] in r]
            per_sitting[k.label] = xs
            values[k.label] = statistics.median(xs) if xs else None
        ratio = None
        if cand and values[base] and values[cand] is not None:
            ratio = values[cand] / values[base]
        met = None
        if kind == "ratio" and ratio is not None:
            met = ratio <= target
        elif kind == "every" and ratio is not None:
            # The ratio of each sitting, in which the kernels ran side by side.
            key = KEYS[mid]
            pairs = [(rb[key], rc[key]) for rb, rc in zip(results[base], results[cand]) if key in rb and key in rc]
            met = bool(pairs) and all(b and c / b <= target for b, c in pairs)
        elif kind == "abs" and cand and values[cand] is not None:
            met = values[cand] <= target
        out.append(
            {
                "id": mid,
                "label": label,
                "unit": unit,
                "values": values,
                "per_sitting": per_sitting,
                "ratio": ratio,
                "target_kind": kind,
                "target": target,
                "met": met,
            }
        )
    return out


def target_text(m):
    if m["target_kind"] is None:
        return "–"
    if m["target_kind"] == "ratio":
        t = f"≤ {m['target']:.2f}×"
    elif m["target_kind"] == "every":
        t = f"≤ {m['target']:.2f}× in every sitting"
    else:
        t = f"≤ {m['target']:.0f} {m['unit']}"
    if m["met"] is None:
        return t
    return t + (" ✓" if m["met"] else " ✗ missed")


def print_report(kernels, summary, results, args, info):
    labels = [k.label for k in kernels]
    print("## Kernel benchmark\n")
    for k, v in info.items():
        print(f"- {k}: {v}")
    print(
        f"- method: {args.sittings} sittings, alternating kernel order; "
        f"{args.cells} trivial cells ({args.warmup} warm-up) and "
        f"{args.print_reps}× print per sitting, the kernels taking turns (blocks of "
        f"{TRIVIAL_BLOCK} trivial cells, single print cells); {args.blocking_cells} cells for "
        "BlockingKernelClient; each figure is the median over sittings of "
        "the sitting's figure"
    )
    print()
    names = [f"{k.label} (floor)" if k.floor else f"{k.label} (peer)" if k.peer else k.label for k in kernels]
    head = ["metric"] + names + (["ratio"] if len(labels) > 1 else []) + ["target"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["--:"] * (len(head) - 2) + ["---"]) + "|")
    for m in summary:
        row = [f"{m['label']} ({m['unit']})"]
        row += [fmt(m["values"][l], m["unit"]) for l in labels]
        if len(labels) > 1:
            row.append("–" if m["ratio"] is None else f"{m['ratio']:.2f}×")
        row.append(target_text(m))
        print("| " + " | ".join(row) + " |")

    floor = next((k.label for k in kernels if k.floor), None)
    if floor and len(labels) > 1:
        base = labels[0]
        parts = []
        for m in summary:
            b, f = m["values"].get(base), m["values"].get(floor)
            if m["id"].startswith("trivial") and b and f is not None:
                parts.append(f"{m['label']}: {f / b:.2f}×")
        print(f"\nThe floor ({floor}) against {base}: " + "; ".join(parts) + ".")
    cand = labels[1] if len(kernels) > 1 and not (kernels[1].floor or kernels[1].peer) else None
    for peer in (k.label for k in kernels if k.peer):
        print(f"\n{peer} against {labels[0]}: " + peer_ratios(summary, peer, labels[0]) + ".")
        if cand:
            print(f"{cand} against {peer}: " + peer_ratios(summary, cand, peer) + ".")
    print("\n### Per sitting\n")
    print("| metric | kernel | " + " | ".join(str(i + 1) for i in range(args.sittings)) + " |")
    print("|---|---|" + "--:|" * args.sittings)
    for m in summary:
        for l in labels:
            xs = m["per_sitting"][l]
            if not xs:
                continue
            print(f"| {m['id']} ({m['unit']}) | {l} | " + " | ".join(fmt(x, m["unit"]) for x in xs) + " |")
    for l in labels:
        rs = results[l]
        seen = sum(1 for r in rs if r.get("first_idle_seen"))
        msgs = [r["print_messages"] for r in rs if "print_messages" in r]
        each = [r["rss_each"] for r in rs if "rss_each" in r]
        tree = "–"
        if each:
            tree = ", ".join(f"{n} {b / MiB:.1f} MiB" for n, b in each[-1])
        print(
            f"\n- {l}: IOPub status of the first kernel_info seen in {seen}/{len(rs)} starts; "
            f"print {args.lines} lines arrived in {fmt(statistics.median(msgs), '') if msgs else '–'} "
            f"IOPub messages (median); RSS by process in the last sitting: {tree}"
        )
    failures = [(l, f) for l in labels for r in results[l] for f in r["failures"]]
    if failures:
        print("\n### Failures\n")
        for l, f in failures:
            print(f"- {l}: {f}")


def peer_ratios(summary, a, b):
    """Return the ratios of kernel a's figures over kernel b's, as text."""
    parts = []
    for m in summary:
        x, y = m["values"].get(a), m["values"].get(b)
        if m["target_kind"] is not None and x is not None and y:
            parts.append(f"{m['label']}: {x / y:.2f}×")
    return "; ".join(parts)


def machine_info(kernels):
    info = {
        "nproc": f"{len(os.sched_getaffinity(0))} (of {os.cpu_count()})",
        "load average at start": open("/proc/loadavg").read().split()[:3],
        "python": f"{platform.python_version()} ({sys.executable})",
        "jupyter_client": jupyter_client.__version__,
        "pyzmq / libzmq": f"{zmq.__version__} / {zmq.zmq_version()}",
    }
    try:
        # Importing ipykernel would start debugpy's import-time checks.
        info["ipykernel"] = importlib.metadata.version("ipykernel")
    except importlib.metadata.PackageNotFoundError:
        pass
    go = shutil.which("go")
    if go:
        info["go"] = run_quiet([go, "version"])
    for k in kernels:
        exe = k.spec.argv[0]
        if os.path.basename(exe) == "gokernel":
            info[k.label] = run_quiet([exe, "version"]) + f" ({exe})"
    return info


def run_quiet(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        return f"({e})"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernels", default="python3,gokernel",
                   help="comma-separated kernelspec names; the first is the baseline (default %(default)s)")
    p.add_argument("--floor", metavar="KERNEL",
                   help="also measure this kernelspec, as the floor of a cell's cost (no targets, no print)")
    p.add_argument("--peers", metavar="KERNELS", default="",
                   help="comma-separated kernelspecs to measure beside, as references (no targets)")
    p.add_argument("--sittings", type=int, default=5, help="default %(default)s")
    p.add_argument("--cells", type=int, default=500, help="trivial cells per sitting (default %(default)s)")
    p.add_argument("--warmup", type=int, default=5, help="untimed cells before the timed ones (default %(default)s)")
    p.add_argument("--lines", type=int, default=10000, help="lines to print (default %(default)s)")
    p.add_argument("--print-reps", type=int, default=9, help="print cells per sitting (default %(default)s)")
    p.add_argument("--blocking-cells", type=int, default=100,
                   help="trivial cells per sitting through BlockingKernelClient (default %(default)s)")
    p.add_argument("--json", metavar="FILE", help="also write the summary to FILE as JSON")
    args = p.parse_args()
    if min(args.sittings, args.cells, args.print_reps, args.blocking_cells) < 1 or args.warmup < 0:
        p.error("counts must be positive")

    kernels = [Kernel(n) for n in args.kernels.split(",") if n]
    kernels += [Kernel(n, peer=True) for n in args.peers.split(",") if n]
    if args.floor:
        kernels.append(Kernel(args.floor, floor=True))
    if not kernels or len({k.label for k in kernels}) != len(kernels):
        p.error("need distinct kernels")
    info = machine_info(kernels)
    results = {k.label: [] for k in kernels}
    ctx = zmq.Context()
    t_start = now()
    with tempfile.TemporaryDirectory(prefix="gokernel-bench-") as workdir:
        for s in range(args.sittings):
            order = kernels if s % 2 == 0 else kernels[::-1]
            runs = {k.label: Sitting(ctx, k, args, workdir) for k in order}
            # The kernels take turns, a block of trivial cells or one print
            # cell each, in alternating order, so that a sitting compares
            # them over the same seconds of a machine whose speed drifts.
            for b, first in enumerate(range(0, args.cells, TRIVIAL_BLOCK)):
                for k in order if b % 2 == 0 else order[::-1]:
                    runs[k.label].trivial(min(TRIVIAL_BLOCK, args.cells - first))
            for rep in range(args.print_reps):
                for k in order if rep % 2 == 0 else order[::-1]:
                    if not k.floor:
                        runs[k.label].print_once()
            for k in order:
                r = runs[k.label].finish()
                results[k.label].append(r)
                for f in r["failures"]:
                    print(f"bench.py: {k.label}, sitting {s + 1}: {f}", file=sys.stderr)
    info["load average at end"] = open("/proc/loadavg").read().split()[:3]
    info["wall time"] = f"{now() - t_start:.0f} s"
    ctx.term()

    summary = summarize(kernels, results)
    print_report(kernels, summary, results, args, info)
    failed = any(r["failures"] for rs in results.values() for r in rs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "kernels": [k.label for k in kernels if not (k.floor or k.peer)],
                    "peers": [k.label for k in kernels if k.peer],
                    "floor": next((k.label for k in kernels if k.floor), None),
                    "info": info,
                    "metrics": summary,
                    "failures": {l: [f for r in rs for f in r["failures"]] for l, rs in results.items()},
                },
                f,
                indent=1,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
