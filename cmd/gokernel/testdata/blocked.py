"""The kernel explains a cell blocked on a FIFO, over real ZeroMQ.

A Go cell that waits more than two seconds in open() of a FIFO gets a
display_data status line saying why; when the open returns, an
update_display_data with the same display_id says how long it waited.
"""

import os
import re
import shutil
import tempfile
import unittest

from gkutil import KernelTestCase


class BlockedTests(KernelTestCase):
    def test_open_without_reader_is_explained(self):
        km, kc = self.start_kernel()
        work = os.path.realpath(tempfile.mkdtemp(prefix="gokernel-blocked-"))
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        os.mkfifo(os.path.join(work, "my_fifo"))
        self.assert_ok(kc, f'import ("os"; "os/exec")\nos.Chdir("{work}")')
        # A reader turns up after 3 s: the open blocks, then succeeds.
        cell = self.collect(kc, self.send(kc, 'r := exec.Command("sh", "-c", "sleep 3; cat my_fifo >/dev/null")\n'
                                               'r.Start()\n'
                                               'f, err := os.OpenFile("my_fifo", os.O_WRONLY, 0)\n'
                                               'f.Close()\nr.Wait()'))
        self.assertEqual(cell.status, "ok", cell.describe())
        shown = [m for m in cell.messages if m["msg_type"] in ("display_data", "update_display_data")]
        self.assertEqual([m["msg_type"] for m in shown], ["display_data", "update_display_data"], cell.describe())
        ids = {m["content"]["transient"]["display_id"] for m in shown}
        self.assertEqual(len(ids), 1, "the update must replace the status line")
        self.assertEqual(shown[0]["content"]["data"]["text/plain"],
                         'waiting in open("my_fifo", O_WRONLY): no reader has opened it yet')
        done = shown[1]["content"]["data"]["text/plain"]
        m = re.fullmatch(r'waiting in open\("my_fifo", O_WRONLY\): no reader has opened it yet\n'
                         r'open\("my_fifo", O_WRONLY\) waited (\d+\.\d) s', done)
        self.assertIsNotNone(m, done)
        self.assertTrue(2.0 <= float(m.group(1)) <= 10.0, done)


if __name__ == "__main__":
    unittest.main()
