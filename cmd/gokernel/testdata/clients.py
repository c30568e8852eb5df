"""Several clients of one kernel, over real ZeroMQ.

A second client connected to the same kernel sees the IOPub output of the
first one's cells, and a client that goes away in the middle of a cell (a
closed browser tab, a killed console) leaves the kernel running and usable.
"""

import time
import unittest

from gkutil import KernelTestCase


class ClientTests(KernelTestCase):
    def second_client(self, km):
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=30)
        self.addCleanup(kc.stop_channels)
        return kc

    def test_second_client_sees_the_same_output(self):
        km, kc = self.start_kernel()
        other = self.second_client(km)
        cell = self.assert_ok(kc, 'import "fmt"\nfmt.Println("seen by both")\n6 * 7')
        # The other client reads IOPub until it sees this cell's idle.
        got, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                msg = other.get_iopub_msg(timeout=0.5)
            except Exception:
                continue
            if msg["parent_header"].get("msg_id") != cell.msg_id:
                continue
            got.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        kinds = [m["msg_type"] for m in got]
        self.assertIn("execute_input", kinds, kinds)
        streams = "".join(m["content"]["text"] for m in got if m["msg_type"] == "stream")
        self.assertEqual(streams, "seen by both\n")
        results = [m["content"]["data"]["text/plain"] for m in got if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["42"])

    def test_client_gone_mid_cell_leaves_kernel_usable(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "time")\nkeep := 41')
        kc.execute('time.Sleep(time.Second); fmt.Println("finished alone")')
        time.sleep(0.2)
        kc.stop_channels()  # the tab closes while the cell runs
        time.sleep(1.5)
        self.assertTrue(km.is_alive(), "the kernel died when its client went away")
        again = self.second_client(km)
        self.assert_value(again, "keep + 1", "42")


if __name__ == "__main__":
    unittest.main()
