"""The reliability suite: hostile and careless use, over real ZeroMQ.

Each test drives the real gokernel binary with jupyter_client and checks one
promise, stated in its first docstring line. The Go side
(../reliability_test.go) runs this module and reports each method.
"""

import os
import signal
import time
import unittest

from gkutil import KernelTestCase, Proc, bound, wait_gone

# A cell that starts "sleep 12" with the cell's stdout as its stdout, so that
# the child holds the worker's output pipe, and prints both PIDs.
CHILD_HOLDS_PIPE = (
    'import ("fmt"; "os"; "os/exec")\n'
    'cmd := exec.Command("sleep", "12")\n'
    "cmd.Stdout = os.Stdout\n"
    "if err := cmd.Start(); err != nil { panic(err) }\n"
    "fmt.Println(os.Getpid(), cmd.Process.Pid)"
)


class DeadWorkerTests(KernelTestCase):
    def start_with_child(self):
        """Starts a kernel whose worker has a child holding its stdout pipe;
        returns kc and the worker and child processes."""
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, CHILD_HOLDS_PIPE)
        fields = cell.stdout.split()
        self.assertEqual(len(fields), 2, cell.describe())
        worker = Proc(int(fields[0]), "worker")
        child = Proc(int(fields[1]), "sleep child holding the worker's stdout")
        self.addCleanup(self.kill_if_alive, child)
        return kc, worker, child

    @staticmethod
    def kill_if_alive(p):
        if p.alive():
            os.kill(p.pid, signal.SIGKILL)

    def test_dead_worker_mid_cell(self):
        """A worker dying mid-cell while its child holds the pipes ends the cell within 2 s and kills the child."""
        kc, worker, child = self.start_with_child()
        cell = self.send(kc, 'fmt.Println("started")\nselect {}')
        self.wait_started(kc, cell)
        killed = time.monotonic()
        os.kill(worker.pid, signal.SIGKILL)
        self.collect(kc, cell, timeout=30)
        took = cell.replied - killed
        print(f"measured: dead worker mid-cell: error reply {took:.3f} s after SIGKILL")
        self.assertEqual(cell.status, "error", cell.describe())
        self.assertLess(took, bound(2.0), f"the cell ended {took:.1f} s after the worker died")
        self.assertEqual(wait_gone([child], bound(2.0)), [], f"{child} outlived its worker")
        self.assert_value(kc, "1+1", "2")

    def test_dead_worker_between_cells(self):
        """After a worker dies between cells while its child holds the pipes, the next cell answers within 1 s."""
        kc, worker, child = self.start_with_child()
        os.kill(worker.pid, signal.SIGKILL)
        self.assertEqual(wait_gone([worker], 5), [], f"{worker} survived SIGKILL")
        sent = time.monotonic()
        cell = self.assert_value(kc, "1+1", "2")
        took = cell.replied - sent
        print(f"measured: dead worker between cells: next cell replied in {took:.3f} s")
        self.assertLess(took, bound(1.0), f"the next cell took {took:.1f} s")
        self.assertRegex(cell.stderr, r"\b(lost|gone)\b", "the cell does not say that the variables were lost")
        self.assertEqual(wait_gone([child], bound(2.0)), [], f"{child} outlived its worker")


if __name__ == "__main__":
    unittest.main()
