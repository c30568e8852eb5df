"""Crash containment and interrupt, over real ZeroMQ with jupyter_client.

A cell that crashes, or that the user interrupts, must end with status error
in bounded time, and the next cell must work. When the worker survives, the
variables of earlier cells survive too; when it is replaced, the user is told
in plain words that they were lost.
"""

import os
import re
import signal
import shutil
import tempfile
import time
import unittest

from gkutil import KernelTestCase, Proc, children, kernel_pid

# Crashes end within this many seconds (a stack overflow may take a few).
CRASH_BOUND = 10.0
# An interrupted cell ends within this many seconds.
INTERRUPT_BOUND = 5.0

IMPORTS = ["fmt", "log", "os", "time"]


def setup(*more):
    """Returns a cell that imports IMPORTS and more, and defines keep."""
    paths = "; ".join(f'"{p}"' for p in IMPORTS + list(more))
    return f"import ({paths})\nkeep := 41"

LOST = re.compile(r"\b(lost|gone)\b", re.IGNORECASE)


class CrashTests(KernelTestCase):
    def crash(self, code, replaced=None, bound=CRASH_BOUND):
        """Runs code after a setup cell, and checks the crash's aftermath.

        replaced tells whether the worker must be replaced (True), must
        survive (False), or may do either (None)."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, setup())
        pid = self.worker_pid(kc)
        cell = self.run_cell(kc, code, timeout=bound + 20)
        self.check_aftermath(kc, cell, pid, replaced, bound)

    def check_aftermath(self, kc, cell, pid, replaced, bound, started=None):
        """Checks a crashed or interrupted cell and the cells after it.

        started is when the crash began; the default is when the cell was
        sent."""
        elapsed = cell.replied - (started or cell.sent)
        self.assertEqual(cell.status, "error", cell.describe())
        self.assertLess(elapsed, bound, f"the cell took {elapsed:.1f} s: {cell.describe()}")
        # The next cell works.
        self.assert_value(kc, "1+1", "2")
        now = self.worker_pid(kc)
        if replaced is True:
            self.assertNotEqual(now, pid, f"the worker was not replaced: {cell.describe()}")
        elif replaced is False:
            self.assertEqual(now, pid, f"the worker was replaced: {cell.describe()}")
        if now == pid:
            self.assert_value(kc, "keep+1", "42")
        else:
            said = cell.error_text() + "\n" + cell.stderr
            self.assertRegex(
                said,
                LOST,
                f"the worker was replaced, but the cell does not say that the "
                f"variables were lost or gone: {cell.describe()}",
            )

    def test_panic(self):
        self.crash('panic("x")', replaced=False)

    def test_goroutine_panic(self):
        self.crash('go func() { panic("in goroutine") }()\ntime.Sleep(time.Second)')

    def test_after_func_panic(self):
        self.crash('time.AfterFunc(time.Millisecond, func() { panic("in callback") })\ntime.Sleep(time.Second)', replaced=False)

    def test_os_exit(self):
        self.crash("os.Exit(3)", replaced=False)

    def test_log_fatal(self):
        self.crash('log.Fatal("fatal")', replaced=False)

    def test_stack_overflow(self):
        self.crash("func rec(n int) int { return rec(n+1) + 1 }\nrec(0)")

    def test_nil_dereference(self):
        self.crash("var p *struct{ X int }\np.X", replaced=False)

    def test_sigkill_worker(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, setup())
        pid = self.worker_pid(kc)
        kids = children(kernel_pid(km))
        self.assertEqual(kids, [pid], "the kernel's children are not just the worker")
        worker = Proc(pid, "worker")
        cell = self.send(kc, 'fmt.Println("started")\ntime.Sleep(time.Hour)')
        self.wait_started(kc, cell)
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        self.collect(kc, cell, timeout=CRASH_BOUND + 20)
        self.check_aftermath(kc, cell, pid, True, CRASH_BOUND, started=killed)
        self.assertFalse(worker.alive(), f"{worker} survived SIGKILL")

    def interrupt(self, code, replaced=None, imports=()):
        km, kc = self.start_kernel()
        self.assert_ok(kc, setup(*imports))
        pid = self.worker_pid(kc)
        cell = self.send(kc, code)
        self.wait_started(kc, cell)
        interrupted = time.monotonic()
        km.interrupt_kernel()
        self.collect(kc, cell, timeout=INTERRUPT_BOUND + 20)
        self.check_aftermath(kc, cell, pid, replaced, INTERRUPT_BOUND, started=interrupted)

    def test_interrupt_sleep(self):
        self.interrupt('fmt.Println("started")\ntime.Sleep(time.Hour)', replaced=False)

    def test_interrupt_busy_loop(self):
        self.interrupt('fmt.Println("started")\nfor {\n}', replaced=False)

    def test_interrupt_busy_loops_on_every_cpu(self):
        """A busy loop on every CPU, after a pause and without output, is interrupted; the variables survive.

        With every P busy only the Go runtime's monitor can read the
        interrupt, and after a pause it sleeps; printing "started" would
        wake it, so this cell prints nothing and is interrupted 0.3 s in."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, setup("runtime") + "\ncpus := runtime.NumCPU()")
        pid = self.worker_pid(kc)
        time.sleep(1)
        cell = self.send(kc, "for i := 1; i < cpus; i++ {\n\tgo func() {\n\t\tfor {\n\t\t}\n\t}()\n}\nfor {\n}")
        time.sleep(0.3)
        interrupted = time.monotonic()
        km.interrupt_kernel()
        self.collect(kc, cell, timeout=INTERRUPT_BOUND + 20)
        self.check_aftermath(kc, cell, pid, False, INTERRUPT_BOUND, started=interrupted)

    def test_interrupt_fifo_open(self):
        tmp = tempfile.mkdtemp(prefix="gokernel-fifo-")
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "fifo")
        self.interrupt(
            f'fifoPath := "{path}"\n'
            "if err := syscall.Mkfifo(fifoPath, 0600); err != nil { panic(err) }\n"
            'fmt.Println("started")\n'
            "f, err := os.OpenFile(fifoPath, os.O_WRONLY, 0)\n"
            "fmt.Println(f, err)",
            imports=["syscall"],
        )


if __name__ == "__main__":
    unittest.main()
