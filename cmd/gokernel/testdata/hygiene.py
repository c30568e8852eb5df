"""Process hygiene: however the kernel ends, no process of its tree is left.

The checks look only at the kernel's own process tree and process groups,
never at process names across the machine.
"""

import os
import signal
import time
import unittest

from gkutil import KernelTestCase, Proc, bound, descendants, group_members, kernel_pid, wait_gone

# A cell that starts a child process and prints the worker's and the child's
# PIDs.
SPAWN = (
    'import ("fmt"; "os"; "os/exec")\n'
    'sleeper := exec.Command("sleep", "1000")\n'
    "if err := sleeper.Start(); err != nil { panic(err) }\n"
    "fmt.Println(os.Getpid(), sleeper.Process.Pid)"
)


class HygieneTests(KernelTestCase):
    def spawn(self):
        """Starts a kernel whose cell has started a sleep child. Returns
        km, kc, and the kernel, worker and sleep processes."""
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, SPAWN)
        fields = cell.stdout.split()
        self.assertEqual(len(fields), 2, cell.describe())
        worker_pid, sleep_pid = int(fields[0]), int(fields[1])
        kernel = Proc(kernel_pid(km), "kernel")
        worker = Proc(worker_pid, "worker")
        sleeper = Proc(sleep_pid, "sleep child of a cell")
        tree = descendants(kernel.pid)
        self.assertIn(worker.pid, tree, "the worker is not below the kernel")
        self.assertIn(sleeper.pid, tree, "the cell's child is not below the kernel")
        self.tree = [Proc(p, "descendant of the kernel") for p in tree]
        return km, kc, kernel, worker, sleeper

    def assert_no_orphans(self, worker, timeout):
        """Checks that the recorded tree, and the worker's process group, end
        within timeout seconds."""
        left = wait_gone(self.tree, timeout)
        members = group_members(worker.pgrp)
        said = f"processes left {timeout} s after the kernel ended: {left!r}"
        # Kill what is left of the recorded tree, so that a failure leaves no
        # orphans behind.
        for p in left:
            if p.alive():
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if left:
            self.fail(said)
        self.assertEqual(
            members, [], f"processes left in the worker's process group {worker.pgrp}"
        )

    def test_shutdown(self):
        km, kc, kernel, worker, sleeper = self.spawn()
        kc.stop_channels()
        km.shutdown_kernel()
        status = getattr(km, "_shutdown_status", None)
        if status is not None:
            # jupyter_client records whether it had to send SIGTERM or
            # SIGKILL because the kernel did not exit on shutdown_request.
            self.assertEqual(
                status.name,
                "ShutdownRequest",
                "the kernel did not exit by itself after shutdown_request",
            )
        self.assertFalse(kernel.alive(), f"{kernel} is still running after shutdown")
        self.assert_no_orphans(worker, bound(2.0))

    def test_sigkill_kernel(self):
        km, kc, kernel, worker, sleeper = self.spawn()
        os.kill(kernel.pid, signal.SIGKILL)
        km.provisioner.process.wait(timeout=10)
        self.assert_no_orphans(worker, bound(2.0))

    def test_sigterm_kernel(self):
        km, kc, kernel, worker, sleeper = self.spawn()
        os.kill(kernel.pid, signal.SIGTERM)
        start = time.monotonic()
        km.provisioner.process.wait(timeout=30)
        took = time.monotonic() - start
        self.assertLess(took, bound(2.0), f"the kernel took {took:.1f} s to exit on SIGTERM")
        self.assert_no_orphans(worker, bound(2.0))


if __name__ == "__main__":
    unittest.main()
