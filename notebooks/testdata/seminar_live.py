"""Live checks of the named-FIFO seminar that a headless run cannot make.

nbconvert cannot press Interrupt, and a saved notebook keeps only the last
state of a job's display. These tests drive gokernel through jupyter_client,
as a teacher's browser would: a blocked `!` writer interrupted (demo 2), a
job's display while it is blocked and after its reader came (demos 3 and 4),
an interrupted fifo.OpenRead that keeps the cell state (demo 9), and jobs
ended by a restart and a shutdown (demo 14).

Run by seminar_test.go (TestSeminarLive) under /usr/bin/python3, from the
notebooks folder, in a Jupyter environment where the kernelspec gokernel is
the binary under test.
"""

import json
import os
import queue
import re
import shutil
import signal
import tempfile
import time
import unittest

from jupyter_client.manager import start_new_kernel

# Positive waits: 2 s, 5 s under CI (the seminar specification's convention).
BOUND = 5.0 if os.environ.get("CI") else 2.0
WCHAN_OPEN = {"wait_for_partner", "fifo_open", "pipe_wait"}
HERE = os.path.dirname(os.path.abspath(__file__))


def notebook_cell(cell_id):
    """Returns the source of a code cell of the English seminar notebook."""
    with open(os.path.join(HERE, "..", "named-fifo.en.ipynb"), encoding="utf-8") as f:
        nb = json.load(f)
    for c in nb["cells"]:
        if c.get("id") == cell_id:
            src = c["source"]
            return "".join(src) if isinstance(src, list) else src
    raise KeyError(cell_id)


# Processes, from /proc.


def stat(pid):
    """Returns (state, ppid, starttime) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = data[data.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def alive(pid, start):
    """Reports whether the process pid that started at start still runs."""
    st = stat(pid)
    return st is not None and st[2] == start and st[0] not in "ZX"


def descendants(pid):
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat(int(name))
            if st is not None:
                parent.setdefault(st[1], []).append(int(name))
    out, todo = [], [pid]
    while todo:
        kids = parent.get(todo.pop(0), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def wchans(pid):
    """Returns the wchan of every task of pid."""
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/wchan") as f:
                out.append(f.read().strip())
        except OSError:
            pass
    return out


def openers(path):
    """Returns the PIDs that have path open."""
    real = os.path.realpath(path)
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{name}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{name}/fd/{fd}") == real:
                    out.append(int(name))
            except OSError:
                pass
    return out


def wait_for(what, pred, timeout):
    """Polls pred every 20 ms until it is true; fails after timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)


class Session:
    """A gokernel in a folder of its own, keeping every IOPub message."""

    def __init__(self, test):
        self.dir = tempfile.mkdtemp(prefix="seminar-live-")
        self.km, self.kc = start_new_kernel(kernel_name="gokernel", cwd=self.dir, startup_timeout=60)
        self.msgs = []
        test.addCleanup(self.close)

    def close(self):
        self.kc.stop_channels()
        if self.km.is_alive():
            self.km.shutdown_kernel(now=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def kernel_pid(self):
        return self.km.provisioner.pid

    def pump(self, timeout=0.05):
        """Moves the IOPub messages that arrive within timeout s to msgs."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                left = max(0.0, deadline - time.monotonic())
                self.msgs.append(self.kc.get_iopub_msg(timeout=left))
            except queue.Empty:
                return

    def send(self, code):
        return self.kc.execute(code, allow_stdin=False, stop_on_error=False)

    def reply(self, msg_id, timeout):
        """Returns the execute_reply to msg_id, or None after timeout s."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                m = self.kc.get_shell_msg(timeout=left)
            except queue.Empty:
                return None
            if m["parent_header"].get("msg_id") == msg_id:
                return m["content"]

    def idle(self, msg_id, timeout=10):
        """Pumps IOPub until msg_id's status is idle."""
        deadline = time.monotonic() + timeout
        while not any(
            m["msg_type"] == "status"
            and m["content"]["execution_state"] == "idle"
            and m["parent_header"].get("msg_id") == msg_id
            for m in self.msgs
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"no idle status for {msg_id} within {timeout} s")
            self.pump(0.1)

    def run(self, code, timeout=60):
        """Runs a cell; returns its reply and what it printed or returned."""
        msg_id = self.last_id = self.send(code)
        rep = self.reply(msg_id, timeout)
        if rep is None:
            raise AssertionError(f"no reply within {timeout} s to {code!r}")
        self.idle(msg_id)
        return rep, self.text(msg_id)

    def text(self, msg_id):
        out = []
        for m in self.msgs:
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            c = m["content"]
            if m["msg_type"] == "stream":
                out.append(c["text"])
            elif m["msg_type"] == "execute_result":
                out.append(c["data"].get("text/plain", ""))
        return "".join(out).replace("\r\n", "\n")

    def job(self, msg_id):
        """Returns the PID and the display id of the job that msg_id started."""
        text = self.text(msg_id)
        m = re.match(r"\[\d+\] (\d+) ", text)
        if not m:
            raise AssertionError(f"no [N] PID line in {text!r}")
        for msg in self.msgs:
            if msg["msg_type"] == "display_data" and msg["parent_header"].get("msg_id") == msg_id:
                return int(m.group(1)), msg["content"]["transient"]["display_id"]
        raise AssertionError("the job showed no display")

    def display(self, display_id):
        """Returns the latest text/plain of a display, as the front end shows it."""
        latest = None
        for m in self.msgs:
            if m["msg_type"] in ("display_data", "update_display_data"):
                if m["content"].get("transient", {}).get("display_id") == display_id:
                    latest = m["content"]["data"].get("text/plain", "")
        return latest

    def display_part(self, display_id, part):
        """Returns one part (RUN LOG, STDOUT, STDERR) of a job's latest display."""
        text = self.display(display_id) or ""
        m = re.search(r"===== " + part + r" =====\n(.*?)(?:===== |\Z)", text, re.S)
        return m.group(1) if m else None


def blocked_in_open(pid):
    """Reports whether pid or a descendant has a task waiting for a FIFO partner."""
    return any(w in WCHAN_OPEN for p in [pid] + descendants(pid) for w in wchans(p))


class SeminarLive(unittest.TestCase):
    def test_demo2_interrupt_blocked_shell_writer(self):
        s = Session(self)
        self.assertEqual(s.run("!mkfifo my_fifo")[0]["status"], "ok")
        msg_id = s.send('!echo "Hello" > my_fifo')
        wait_for("a child of the kernel blocked in open", lambda: blocked_in_open(s.kernel_pid()), BOUND)
        self.assertIsNone(s.reply(msg_id, 0.3), "the blocked cell replied")
        start = time.monotonic()
        s.km.interrupt_kernel()
        rep = s.reply(msg_id, BOUND + 1)
        took = time.monotonic() - start
        self.assertIsNotNone(rep, "no reply after the interrupt")
        self.assertLessEqual(took, BOUND, "the interrupted cell took too long to end")
        self.assertEqual(rep["status"], "error", rep)
        s.idle(msg_id)
        out = s.text(msg_id)
        if os.path.realpath("/bin/sh").endswith("dash"):
            self.assertIn("cannot create my_fifo: Interrupted system call", out)
        self.assertEqual(s.run("1+1")[1], "2")
        self.assertEqual(openers(os.path.join(s.dir, "my_fifo")), [])

    def test_demo3_job_display_while_blocked(self):
        s = Session(self)
        s.run("!mkfifo my_fifo")
        start = time.monotonic()
        rep, _ = s.run('%bash_async echo "Hello" > my_fifo ; echo "After writing to my_fifo"')
        self.assertLessEqual(time.monotonic() - start, BOUND, "%bash_async did not return at once")
        self.assertEqual(rep["status"], "ok")
        pid, display_id = s.job(s.last_id)
        wait_for("the job blocked in open", lambda: blocked_in_open(pid), BOUND)
        s.pump(0.3)
        self.assertIn("Process started! pid=%d" % pid, s.display(display_id))
        self.assertEqual(s.display_part(display_id, "STDOUT"), "", "output before the reader came")
        self.assertEqual(s.run("!cat my_fifo")[1], "Hello\n")
        wait_for(
            "the job's display showing its end",
            lambda: (s.pump(0.05), s.display_part(display_id, "STDOUT") == "After writing to my_fifo\n"
                     and "Process finished! code=0" in s.display(display_id))[1],
            BOUND,
        )

    def test_demo4_writer_steps(self):
        s = Session(self)
        s.run("!mkfifo my_fifo")
        rep, out = s.run(notebook_cell("d4-build"), timeout=120)
        self.assertEqual(rep["status"], "ok", out)
        with open(os.path.join(s.dir, "write_fifo.go")) as f:
            self.assertEqual(f.readline(), "// %%go write_fifo.go\n")
        s.run("%bash_async ./write_fifo.exe")
        pid, display_id = s.job(s.last_id)
        wait_for("the writer blocked in open", lambda: blocked_in_open(pid), BOUND)
        s.pump(0.3)
        self.assertEqual(s.display_part(display_id, "STDERR"), "Started\n")
        self.assertEqual(s.run("!cat my_fifo")[1], "Hello from Go!\n")
        wait_for(
            "every step in the job's display",
            lambda: (s.pump(0.05), s.display_part(display_id, "STDERR") == "Started\nOpened\nWritten\nClosed\n"
                     and "Process finished! code=0" in s.display(display_id))[1],
            BOUND,
        )
        # Line N of the saved file is line N of the cell.
        rep, out = s.run("%%go bad.go\n%run go build -o bad.exe bad.go\npackage main\nfunc main() {\n\tx := 1\n}", timeout=120)
        self.assertIn("bad.go:5:2: declared and not used: x", out)

    def test_demo9_interrupt_open_read_keeps_state(self):
        s = Session(self)
        rep, out = s.run(
            'import (\n\t"context"\n\t"fmt"\n\t"github.com/beacceaf/gokernel/interp/fifo"\n)\n'
            'keep := 42\nfmt.Println(fifo.Recreate("my_fifo", 0644))'
        )
        self.assertEqual(out, "<nil>\n")
        msg_id = s.send('r, err := fifo.OpenRead(context.Background(), "my_fifo")')
        # OpenRead holds a non-blocking read end while it waits for a writer.
        path = os.path.join(s.dir, "my_fifo")
        wait_for(
            "the worker waiting in OpenRead",
            lambda: set(openers(path)) & set(descendants(s.kernel_pid())),
            BOUND,
        )
        self.assertIsNone(s.reply(msg_id, 0.3), "OpenRead returned with no writer")
        start = time.monotonic()
        s.km.interrupt_kernel()
        rep = s.reply(msg_id, BOUND + 1)
        self.assertIsNotNone(rep, "no reply after the interrupt")
        self.assertLessEqual(time.monotonic() - start, BOUND, "the interrupted open took too long to end")
        self.assertEqual(rep["status"], "error", rep)
        self.assertEqual(
            s.run("keep")[1],
            "42",
            "the cell state is lost: the interrupt did not end fifo.OpenRead, so the kernel "
            f"replaced the worker ({rep.get('ename')}: {rep.get('evalue')})",
        )
        self.assertEqual(openers(path), [])

    def test_demo14_restart_and_shutdown_end_jobs(self):
        s = Session(self)
        for end in ("restart", "shutdown"):
            s.run("%bash_async sleep 1000")
            pid, _ = s.job(s.last_id)
            start = stat(pid)[2]
            self.assertTrue(alive(pid, start), f"sleep 1000 is not running before the {end}")
            if end == "restart":
                s.km.restart_kernel(now=False)
                s.kc.wait_for_ready(timeout=60)
            else:
                s.kc.stop_channels()
                s.km.shutdown_kernel(now=False)
            try:
                wait_for(f"sleep 1000 ended by the {end}", lambda: not alive(pid, start), 5.0)
            finally:
                if alive(pid, start):
                    os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    unittest.main(verbosity=2)
