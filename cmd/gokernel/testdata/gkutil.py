"""Helpers shared by gokernel's Python integration tests.

The Go tests in ../integration_test.go run these tests under /usr/bin/python3
(through runtests.py), with a hermetic Jupyter environment in which the
kernelspec named by GOKERNEL_KERNEL_NAME is gokernel.
"""

import os
import queue
import time
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL_NAME = os.environ.get("GOKERNEL_KERNEL_NAME", "gokernel")

# CI machines are slower and shared: the design's convention is 2 s locally,
# 5 s under CI, for bounds of that kind.
CI = bool(os.environ.get("CI"))


def bound(local, ci=5.0):
    """Returns the time bound to assert: local, or ci under CI."""
    return max(local, ci) if CI else local


# Processes, read from /proc. This kernel has no /proc/PID/task/*/children, so
# children are found by scanning every process's parent.


def proc_stat(pid):
    """Returns (state, ppid, pgrp, starttime) of pid, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name, in parentheses, may hold spaces and parentheses.
    fields = data[data.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19])


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(pid):
    """Returns the PIDs whose parent is pid."""
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st is not None and st[1] == pid:
            out.append(p)
    return out


def descendants(pid):
    """Returns the PIDs below pid in the process tree, nearest first."""
    out, todo = [], [pid]
    while todo:
        kids = children(todo.pop(0))
        out.extend(kids)
        todo.extend(kids)
    return out


def group_members(pgrp):
    """Returns the live PIDs in process group pgrp."""
    out = []
    for p in all_pids():
        st = proc_stat(p)
        if st is not None and st[2] == pgrp and st[0] not in "ZX":
            out.append(p)
    return out


class Proc:
    """A process identity that survives PID reuse: PID plus start time."""

    def __init__(self, pid, what):
        st = proc_stat(pid)
        if st is None:
            raise AssertionError(f"{what} (PID {pid}) does not exist")
        self.pid, self.what, self.start, self.pgrp = pid, what, st[3], st[2]
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                self.cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            self.cmdline = "?"

    def alive(self):
        """Tells whether the process still runs (a zombie does not)."""
        st = proc_stat(self.pid)
        return st is not None and st[3] == self.start and st[0] not in "ZX"

    def __repr__(self):
        st = proc_stat(self.pid)
        state = st[0] if st is not None and st[3] == self.start else "gone"
        return f"{self.what} (PID {self.pid}, {self.cmdline!r}, state {state})"


def wait_gone(procs, timeout):
    """Waits up to timeout seconds for procs to end; returns those alive."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in procs if p.alive()]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def kernel_pid(km):
    """Returns the PID of the kernel process that km started."""
    return km.provisioner.process.pid


class Cell:
    """What one executed cell produced."""

    def __init__(self, code):
        self.code = code
        self.reply = None
        self.idle = False
        self.messages = []  # IOPub messages with this cell as parent
        self.elapsed = None  # seconds from send to reply
        self.replied = None  # time.monotonic() when the reply came

    @property
    def status(self):
        return self.reply["content"]["status"] if self.reply else None

    def stream(self, name):
        return "".join(
            m["content"]["text"]
            for m in self.messages
            if m["msg_type"] == "stream" and m["content"]["name"] == name
        )

    @property
    def stdout(self):
        return self.stream("stdout")

    @property
    def stderr(self):
        return self.stream("stderr")

    def results(self):
        """Returns the text/plain of the cell's execute_result messages."""
        return [
            m["content"]["data"].get("text/plain")
            for m in self.messages
            if m["msg_type"] == "execute_result"
        ]

    def error_text(self):
        """Returns the error's ename, evalue and traceback, from the reply
        and from IOPub error messages, as one text."""
        parts = []
        contents = [m["content"] for m in self.messages if m["msg_type"] == "error"]
        if self.reply:
            contents.append(self.reply["content"])
        for c in contents:
            parts += [str(c.get("ename", "")), str(c.get("evalue", ""))]
            parts += [str(line) for line in c.get("traceback") or []]
        return "\n".join(parts)

    def describe(self):
        content = self.reply["content"] if self.reply else None
        outputs = [(m["msg_type"], m["content"]) for m in self.messages]
        return (
            f"cell {self.code!r}: reply {content!r}, idle seen: {self.idle}, "
            f"after {self.elapsed} s; IOPub outputs: {outputs!r}"
        )


class KernelTestCase(unittest.TestCase):
    """A TestCase with helpers to start gokernel and run cells in it."""

    maxDiff = None

    def setUp(self):
        super().setUp()
        self.iopub_seen = []  # every IOPub message that collect read

    def start_kernel(self):
        """Starts a kernel, waits until it answers, and arranges its shutdown."""
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=30)
        self.addCleanup(self._stop_kernel, km, kc)
        return km, kc

    @staticmethod
    def _stop_kernel(km, kc):
        kc.stop_channels()
        if km.has_kernel and km.is_alive():
            km.shutdown_kernel(now=True)
        else:
            km.cleanup_resources()

    def send(self, kc, code):
        """Sends an execute request; returns a Cell to collect."""
        cell = Cell(code)
        cell.msg_id = kc.execute(code, allow_stdin=False)
        cell.sent = time.monotonic()
        return cell

    def collect(self, kc, cell, timeout=30, until=None):
        """Reads the cell's reply and IOPub messages until its status idle,
        or, with until, until until(cell) is true. Fails after timeout s."""
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until(cell):
                return cell
            if until is None and cell.reply is not None and cell.idle:
                return cell
            if time.monotonic() >= deadline:
                self.fail(f"no answer within {timeout} s: {cell.describe()}")
            got = False
            if cell.reply is None:
                try:
                    msg = kc.get_shell_msg(timeout=0.02)
                    got = True
                    if msg["parent_header"].get("msg_id") == cell.msg_id:
                        cell.reply = msg
                        cell.replied = time.monotonic()
                        cell.elapsed = cell.replied - cell.sent
                except queue.Empty:
                    pass
            try:
                msg = kc.get_iopub_msg(timeout=0.02)
                got = True
                self.iopub_seen.append(msg)
                if msg["parent_header"].get("msg_id") == cell.msg_id:
                    if msg["msg_type"] == "status":
                        if msg["content"]["execution_state"] == "idle":
                            cell.idle = True
                    elif msg["msg_type"] != "execute_input":
                        cell.messages.append(msg)
            except queue.Empty:
                pass
            if not got:
                time.sleep(0.01)

    def run_cell(self, kc, code, timeout=30):
        """Runs code and returns its Cell, once it is idle."""
        return self.collect(kc, self.send(kc, code), timeout)

    def assert_ok(self, kc, code, timeout=30):
        cell = self.run_cell(kc, code, timeout)
        self.assertEqual(cell.status, "ok", cell.describe())
        return cell

    def assert_value(self, kc, code, want, timeout=30):
        """Runs code and checks that its execute_result is want."""
        cell = self.assert_ok(kc, code, timeout)
        self.assertEqual(cell.results(), [want], cell.describe())
        return cell

    def wait_started(self, kc, cell, marker="started", timeout=10):
        """Waits until the running cell has printed marker on stdout."""
        self.collect(kc, cell, timeout, until=lambda c: marker in c.stdout or c.reply is not None)
        self.assertIsNone(
            cell.reply, f"the cell ended before it was interrupted: {cell.describe()}"
        )

    def worker_pid(self, kc):
        """Asks the worker for its PID."""
        cell = self.assert_ok(kc, 'import "os"\nos.Getpid()')
        self.assertEqual(len(cell.results()), 1, cell.describe())
        return int(cell.results()[0])
