"""The reliability suite: hostile and careless use, over real ZeroMQ.

Each test drives the real gokernel binary with jupyter_client and checks one
promise, stated in its first docstring line. The Go side
(../reliability_test.go) runs this module and reports each method.
"""

import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

from gkutil import KERNEL_NAME, KernelTestCase, Proc, bound, children, descendants, kernel_pid, wait_gone

HERE = os.path.dirname(os.path.abspath(__file__))

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
        # Wait until the kernel has reaped the worker: a cell sent while a
        # killed worker's threads are still exiting is told the worker died.
        deadline = time.monotonic() + 5
        while os.path.exists(f"/proc/{worker.pid}") and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertFalse(worker.alive(), f"{worker} survived SIGKILL")
        sent = time.monotonic()
        cell = self.assert_value(kc, "1+1", "2")
        took = cell.replied - sent
        print(f"measured: dead worker between cells: next cell replied in {took:.3f} s")
        self.assertLess(took, bound(1.0), f"the next cell took {took:.1f} s")
        self.assertRegex(cell.stderr, r"\b(lost|gone)\b", "the cell does not say that the variables were lost")
        self.assertEqual(wait_gone([child], bound(2.0)), [], f"{child} outlived its worker")


class SignalTests(KernelTestCase):
    def test_sigint_interrupts(self):
        """SIGINT to the kernel process interrupts the running cell within 2 s; the variables survive."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "time")\nkeep := 41')
        cell = self.send(kc, 'fmt.Println("started")\ntime.Sleep(time.Hour)')
        self.wait_started(kc, cell)
        sent = time.monotonic()
        os.kill(kernel_pid(km), signal.SIGINT)
        self.collect(kc, cell, timeout=30)
        took = cell.replied - sent
        self.assertEqual(cell.status, "error", cell.describe())
        self.assertLess(took, bound(2.0), f"the cell ended {took:.1f} s after SIGINT")
        self.assert_value(kc, "keep+1", "42")


class ShutdownTests(KernelTestCase):
    def test_shutdown_request_exits(self):
        """After shutdown_request the kernel replies and its process, worker and a cell's child are gone within 1 s."""
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, SPAWN)
        fields = cell.stdout.split()
        procs = [Proc(kernel_pid(km), "kernel"), Proc(int(fields[0]), "worker"), Proc(int(fields[1]), "sleep child")]
        for p in procs[1:]:
            self.addCleanup(DeadWorkerTests.kill_if_alive, p)
        control = km.connect_control()
        self.addCleanup(control.close, 0)
        msg = km.session.msg("shutdown_request", content={"restart": False})
        sent = time.monotonic()
        km.session.send(control, msg)
        self.assertTrue(control.poll(int(bound(2.0) * 1000)), "no shutdown_reply")
        _, msg_list = km.session.feed_identities(control.recv_multipart())
        reply = km.session.deserialize(msg_list)
        self.assertEqual(reply["parent_header"]["msg_id"], msg["header"]["msg_id"])
        left = wait_gone(procs, bound(1.0))
        took = time.monotonic() - sent
        print(f"measured: shutdown_request to kernel, worker and child gone: {took:.3f} s")
        self.assertEqual(left, [], f"alive {took:.1f} s after shutdown_request")


class LoadTests(KernelTestCase):
    def test_thousand_exec_children(self):
        """A cell that runs 1,000 child processes one after another finishes within 60 s and leaves no child behind."""
        km, kc = self.start_kernel()
        cell = self.assert_ok(
            kc,
            'import ("fmt"; "os"; "os/exec")\n'
            "n := 0\n"
            'for i := 0; i < 1000; i++ { if exec.Command("true").Run() == nil { n++ } }\n'
            "fmt.Println(n, os.Getpid())",
            timeout=120,
        )
        n, worker = cell.stdout.split()
        self.assertEqual(n, "1000", cell.describe())
        self.assertLess(cell.elapsed, 60, f"1,000 children took {cell.elapsed:.1f} s")
        print(f"measured: 1,000 exec children: {cell.elapsed:.2f} s")
        self.assertEqual(children(int(worker)), [], "the worker has children left")
        self.assert_value(kc, "1+1", "2")

    def test_two_clients_pipelining(self):
        """Two clients sending 200 cells each without waiting get 200 ok replies each, in order, within 60 s."""
        km, kc = self.start_kernel()
        # A session of its own, as a second front end has: jupyter_client
        # names the shell socket after the session.
        other = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
        other.start_channels()
        self.addCleanup(other.stop_channels)
        other.wait_for_ready(timeout=30)
        start = time.monotonic()
        sent = {
            "first": [kc.execute(f"a{i} := {i}") for i in range(200)],
            "second": [other.execute(f"b{i} := {i}") for i in range(200)],
        }
        for name, client in (("first", kc), ("second", other)):
            got = []
            while len(got) < 200:
                left = 60 - (time.monotonic() - start)
                self.assertGreater(left, 0, f"{name} client: {len(got)} replies after 60 s")
                reply = client.get_shell_msg(timeout=left)
                if reply["parent_header"].get("msg_id") in sent[name]:  # not wait_for_ready's
                    got.append((reply["parent_header"]["msg_id"], reply["content"]["status"]))
            ids = [m for m, _ in got]
            wrong = next((k for k in range(200) if ids[k] != sent[name][k]), None)
            self.assertIsNone(
                wrong,
                f"{name} client: reply {wrong} is to {ids[wrong] if wrong is not None else ''}, "
                f"want {sent[name][wrong] if wrong is not None else ''}",
            )
            self.assertEqual({st for _, st in got}, {"ok"}, f"{name} client: statuses")
        took = time.monotonic() - start
        print(f"measured: two clients, 200 pipelined cells each: {took:.2f} s")
        self.assert_value(kc, "a199 + b199", "398")

    def test_twenty_restarts(self):
        """20 restarts in a row each give a working kernel and leave no process of the old one."""
        km, kc = self.start_kernel()
        old = []
        start = time.monotonic()
        for i in range(20):
            cell = self.assert_ok(kc, 'import "os"\nos.Getpid()')
            old += [Proc(kernel_pid(km), f"kernel {i}"), Proc(int(cell.results()[0]), f"worker {i}")]
            km.restart_kernel(now=False)
            kc.wait_for_ready(timeout=30)
        self.assert_value(kc, "1+1", "2")
        took = time.monotonic() - start
        print(f"measured: 20 restarts: {took:.2f} s")
        self.assertEqual(wait_gone(old, bound(2.0)), [], "processes of old kernels are left")


class GarbageTests(KernelTestCase):
    def test_garbage_on_every_socket(self):
        """Garbage frames on shell, control, stdin and heartbeat, and a 64 MiB message, leave the kernel answering."""
        km, kc = self.start_kernel()
        garbage = [
            [b""],
            [b"\xff" * 100],
            [b"<IDS|MSG>"],
            [b"<IDS|MSG>", b"sig", b"{", b"", b"[]"],
            [os.urandom(1000), os.urandom(10)],
        ]
        socks = {
            "shell": km.connect_shell(),
            "control": km.connect_control(),
            "stdin": km.connect_stdin(),
            "heartbeat": km.connect_hb(),
        }
        for name, sock in socks.items():
            self.addCleanup(sock.close, 0)
            for frames in garbage:
                sock.send_multipart(frames)
                if name == "heartbeat":  # a REQ socket must read its echo
                    self.assertTrue(sock.poll(int(bound(2.0) * 1000)), f"no echo of {frames!r}")
                    sock.recv_multipart()
        # 64 MiB, signed, on shell: a kernel_info_request with a large field.
        big = km.session.msg("kernel_info_request", content={"pad": "x" * (64 << 20)})
        km.session.send(socks["shell"], big)
        self.assertTrue(socks["shell"].poll(30000), "no reply to the 64 MiB message")
        _, msg_list = km.session.feed_identities(socks["shell"].recv_multipart())
        self.assertEqual(km.session.deserialize(msg_list)["msg_type"], "kernel_info_reply")
        self.assertTrue(km.is_alive())
        self.assert_value(kc, "1+1", "2")
        socks["heartbeat"].send_multipart([b"ping"])
        self.assertTrue(socks["heartbeat"].poll(int(bound(2.0) * 1000)), "the heartbeat stopped")
        self.assertEqual(socks["heartbeat"].recv_multipart(), [b"ping"])


# ZMTP 3.0 on a raw TCP socket, for what no ZeroMQ library sends.
ZMTP_GREETING = b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32


def zmtp_ready(socket_type):
    """The READY command of the NULL mechanism for a peer of socket_type."""
    prop = b"\x0bSocket-Type" + struct.pack(">I", len(socket_type)) + socket_type
    body = b"\x05READY" + prop
    return b"\x04" + bytes([len(body)]) + body


def long_frame_header(flags, size):
    """The header of a frame whose body would be size bytes."""
    return bytes([flags | 0x02]) + struct.pack(">Q", size)


class WireTests(KernelTestCase):
    def raw(self, km, port):
        s = socket.create_connection((km.ip, port), timeout=bound(10.0))
        self.addCleanup(s.close)
        return s

    def closed_by_kernel(self, s, timeout):
        """Tells whether the kernel closes s within timeout seconds."""
        s.settimeout(timeout)
        try:
            while s.recv(4096):
                pass
        except socket.timeout:
            return False
        except ConnectionResetError:
            pass
        return True

    def test_bad_zmtp(self):
        """ZeroMQ frames that zmq4 would crash on (an enormous size, a bad READY) close that connection only; the kernel and its variables stay."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, "kept := 42")
        ports = {"shell": (km.shell_port, b"DEALER"), "control": (km.control_port, b"DEALER"),
                 "stdin": (km.stdin_port, b"DEALER"), "iopub": (km.iopub_port, b"SUB"), "heartbeat": (km.hb_port, b"REQ")}
        for name, (port, peer) in ports.items():
            cases = {
                "a command of 2^60 bytes": long_frame_header(0x04, 1 << 60),
                "a command of 32 GiB": long_frame_header(0x04, 32 << 30),
                "a message frame of 2^60 bytes": zmtp_ready(peer) + long_frame_header(0, 1 << 60),
                "a message frame of 32 GiB": zmtp_ready(peer) + long_frame_header(0, 32 << 30),
                "READY without Socket-Type": b"\x04\x06\x05READY",
                "READY whose property overruns it": b"\x04\x0d\x05READY\x0bSocket",
            }
            for case, data in cases.items():
                with self.subTest(socket=name, case=case):
                    s = self.raw(km, port)
                    s.sendall(ZMTP_GREETING + data)
                    self.assertTrue(self.closed_by_kernel(s, bound(5.0)), "the kernel kept the connection")
                    self.assertTrue(km.is_alive(), "the kernel died")
        self.assert_value(kc, "kept", "42")

    def test_clients_that_hang_up(self):
        """Connections whose peer hangs up during the handshake are closed at once: the kernel's descriptors stay as they were."""
        km, kc = self.start_kernel()
        fd_dir = f"/proc/{kernel_pid(km)}/fd"
        before = len(os.listdir(fd_dir))
        ctx = zmq.Context()
        self.addCleanup(ctx.term)
        for _ in range(50):
            socket.create_connection((km.ip, km.shell_port)).close()
            s = self.raw(km, km.iopub_port)
            s.sendall(ZMTP_GREETING[:20])
            s.close()
            sub = ctx.socket(zmq.SUB)
            sub.linger = 0
            sub.connect(f"tcp://{km.ip}:{km.iopub_port}")
            sub.close()
        deadline = time.monotonic() + bound(2.0)
        while len(os.listdir(fd_dir)) > before and time.monotonic() < deadline:
            time.sleep(0.05)
        after = len(os.listdir(fd_dir))
        print(f"measured: kernel descriptors {before} before 150 hang-ups, {after} after")
        self.assertLessEqual(after, before, "descriptors of closed connections are left open")
        self.assert_value(kc, "1+1", "2")

    def test_silent_client(self):
        """A client that connects and never completes the ZeroMQ handshake keeps new clients out for at most 10 s."""
        km, kc = self.start_kernel()
        silent = self.raw(km, km.shell_port)
        start = time.monotonic()
        late = km.connect_shell()
        self.addCleanup(late.close, 0)
        km.session.send(late, km.session.msg("kernel_info_request"))
        self.assertTrue(late.poll(int(bound(20.0) * 1000)), "a new client got no reply")
        took = time.monotonic() - start
        print(f"measured: a new client's reply behind a silent connection: {took:.1f} s")
        self.assertLess(took, 15.0)
        self.assertTrue(self.closed_by_kernel(silent, 5.0), "the silent connection stayed open")
        self.assert_value(kc, "1+1", "2")


class ParentDeathTests(KernelTestCase):
    def test_parent_sigkilled(self):
        """When the process that launched the kernel is SIGKILLed, the kernel, its worker and a cell's child end within 3 s."""
        parent = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "launcher.py")],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(parent.wait)
        self.addCleanup(parent.kill)
        line = parent.stdout.readline()
        parent.stdout.close()
        self.assertTrue(line, "launcher.py printed nothing")
        conn_file, kernel_pid = line.split()
        kernel = Proc(int(kernel_pid), "kernel")
        self.addCleanup(DeadWorkerTests.kill_if_alive, kernel)
        kc = BlockingKernelClient(connection_file=conn_file)
        kc.load_connection_file()
        kc.start_channels()
        self.addCleanup(kc.stop_channels)
        kc.wait_for_ready(timeout=30)
        cell = self.assert_ok(kc, SPAWN)
        fields = cell.stdout.split()
        self.assertEqual(len(fields), 2, cell.describe())
        procs = [kernel, Proc(int(fields[0]), "worker"), Proc(int(fields[1]), "sleep child of a cell")]
        for p in procs[1:]:
            self.addCleanup(DeadWorkerTests.kill_if_alive, p)

        killed = time.monotonic()
        parent.kill()
        parent.wait()
        left = wait_gone(procs, bound(3.0))
        took = time.monotonic() - killed
        self.assertEqual(left, [], f"alive {took:.1f} s after the parent was killed")
        print(f"measured: parent SIGKILLed: kernel, worker and child gone after {took:.3f} s")


class HostileMessageTests(KernelTestCase):
    """Messages written by hand on a raw socket of the test's own, signed
    with the kernel's key by jupyter_client's Session."""

    def setUp(self):
        super().setUp()
        self.km, self.kc = self.start_kernel()
        self.session = self.km.session
        self.shell = self.km.connect_shell()
        self.addCleanup(self.shell.close, 0)

    def frames(self, msg_type, content, header_edit=None):
        """Returns the signed frames of a new message and its header."""
        header = self.session.msg_header(msg_type)
        header["msg_id"] = str(uuid.uuid4())
        if header_edit:
            header_edit(header)
        p = self.session.pack
        parts = [p(header), p({}), p({}), p(content)]
        return [b"<IDS|MSG>", self.session.sign(parts)] + parts, header

    def replies_before_probe(self):
        """Sends a kernel_info_request on the raw socket and returns the
        replies that came before its own. Shell requests are served in
        order, so any reply to an earlier request comes first."""
        frames, header = self.frames("kernel_info_request", {})
        self.shell.send_multipart(frames)
        others = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not self.shell.poll(100):
                continue
            _, msg_list = self.session.feed_identities(self.shell.recv_multipart())
            msg = self.session.deserialize(msg_list)
            if msg["parent_header"].get("msg_id") == header["msg_id"]:
                return others
            others.append(msg)
        self.fail(f"no kernel_info_reply within 10 s; other replies: {others!r}")

    def test_replayed_message_dropped(self):
        """A signed message sent twice runs once; the kernel stays up."""
        self.assert_ok(self.kc, "n := 0")
        frames, header = self.frames("execute_request", {"code": "n++", "silent": False})
        self.shell.send_multipart(frames)
        self.shell.send_multipart(frames)
        replies = [m for m in self.replies_before_probe() if m["msg_type"] == "execute_reply"]
        self.assertEqual(len(replies), 1, f"replies to one message sent twice: {replies!r}")
        self.assertEqual(replies[0]["parent_header"]["msg_id"], header["msg_id"])
        self.assert_value(self.kc, "n", "1")

    def test_header_without_msg_id_dropped(self):
        """A signed message whose header has no msg_id is not run; the kernel stays up."""
        self.assert_ok(self.kc, "n := 0")
        frames, _ = self.frames(
            "execute_request", {"code": "n = 7", "silent": False}, lambda h: h.pop("msg_id")
        )
        self.shell.send_multipart(frames)
        self.assertEqual(self.replies_before_probe(), [])
        self.assert_value(self.kc, "n", "0")


class CrashReportTests(KernelTestCase):
    def test_stack_overflow_report(self):
        """A stack overflow shows the user under 2 KB: the error and its cell; the full runtime trace goes to the kernel log."""
        log = tempfile.NamedTemporaryFile(prefix="gokernel-log-", suffix=".txt")
        self.addCleanup(log.close)
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=30, stderr=log)
        self.addCleanup(self._stop_kernel, km, kc)
        self.assert_ok(kc, "x := 1")
        cell = self.run_cell(kc, "func rec(n int) int { return rec(n+1) + 1 }\nrec(0)", timeout=60)
        shown = cell.stdout + cell.stderr + cell.error_text()
        print(f"measured: stack overflow: {len(shown.encode())} bytes shown to the user")
        self.assertEqual(cell.status, "error", cell.describe())
        self.assertIn("stack overflow", cell.reply["content"]["evalue"], cell.describe())
        self.assertRegex(cell.error_text(), r"\bIn\[\d+\]", "the error does not name the cell")
        self.assertLess(len(shown.encode()), 2048, f"the user was shown {len(shown)} bytes: {cell.describe()}")
        self.assert_value(kc, "1+1", "2")
        with open(log.name, encoding="utf-8", errors="replace") as f:
            logged = f.read()
        self.assertIn("fatal error: stack overflow", logged)
        self.assertIn("goroutine ", logged, "the kernel log lacks the goroutine stacks")


class ControlTests(KernelTestCase):
    def setUp(self):
        super().setUp()
        self.km, self.kc = self.start_kernel()
        self.control = self.km.connect_control()
        self.addCleanup(self.control.close, 0)

    def request(self, msg_type, content=None):
        """Sends a request on control and returns its reply."""
        msg = self.km.session.msg(msg_type, content=content or {})
        msg["header"]["msg_id"] = str(uuid.uuid4())
        self.km.session.send(self.control, msg)
        deadline = time.monotonic() + bound(2.0)
        while time.monotonic() < deadline:
            if not self.control.poll(100):
                continue
            _, msg_list = self.km.session.feed_identities(self.control.recv_multipart())
            reply = self.km.session.deserialize(msg_list)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                return reply
        self.fail(f"no reply to {msg_type} on control within {bound(2.0)} s")

    def test_unknown_control_message(self):
        """An unknown control message gets an error reply within 2 s; the kernel stays up."""
        reply = self.request("no_such_request")
        self.assertEqual(reply["msg_type"], "no_such_reply")
        self.assertEqual(reply["content"]["status"], "error", reply)
        self.assertIn("no_such_request", reply["content"]["evalue"])
        self.assert_value(self.kc, "1+1", "2")

    def test_usage_request(self):
        """usage_request on control reports host, pid, and the CPU and memory of kernel, worker and the worker's children."""
        mib = 2**20
        first = self.request("usage_request")["content"]
        self.assertEqual(first["hostname"], socket.gethostname())
        self.assertEqual(first["pid"], kernel_pid(self.km))
        self.assertGreaterEqual(first["cpu_count"], 1)
        self.assertGreater(first["host_virtual_memory"]["total"], 0)
        # 64 MiB in the worker, and a child of the worker that holds 64 MiB
        # and keeps a CPU busy.
        cell = self.assert_ok(
            self.kc,
            'import ("bytes"; "fmt"; "os/exec")\n'
            "held := bytes.Repeat([]byte{1}, 64<<20)\n"
            'hog := exec.Command("/usr/bin/python3", "-c", '
            '"import time\\nb = bytes([1]) * (64 << 20)\\nprint(1, flush=True)\\n'
            'end = time.time() + 60\\nwhile time.time() < end: pass")\n'
            "out, _ := hog.StdoutPipe()\n"
            "if err := hog.Start(); err != nil { panic(err) }\n"
            "out.Read(make([]byte, 1))\n"
            "fmt.Println(len(held), hog.Process.Pid)",
        )
        hog = Proc(int(cell.stdout.split()[1]), "busy child of the worker")
        self.addCleanup(DeadWorkerTests.kill_if_alive, hog)
        time.sleep(1.0)  # CPU is measured since the previous request
        usage = self.request("usage_request")["content"]
        print(
            f"measured: usage_reply: kernel_memory {usage['kernel_memory'] / mib:.0f} MiB, "
            f"kernel_cpu {usage['kernel_cpu']:.0f} %"
        )
        self.assertGreater(usage["kernel_memory"], 128 * mib, usage)
        self.assertLess(usage["kernel_memory"], 1024 * mib, usage)
        self.assertGreater(usage["kernel_cpu"], 10, usage)
        self.assertIn("host_cpu_percent", usage)


class HeartbeatTests(KernelTestCase):
    # Payloads a heartbeat client may send, empty frames included.
    PAYLOADS = [
        [b"ping"],
        [b""],
        [b"", b""],
        [b"a", b""],
        [b"", b"a"],
        [b"a", b"", b"b"],
        [b"x" * 100000],
    ]

    def test_heartbeat_echoes_exactly(self):
        """The heartbeat echoes exactly the frames it received, empty frames included."""
        km, kc = self.start_kernel()
        sock = km.connect_hb()  # a REQ socket, as jupyter_client's own
        self.addCleanup(sock.close, 0)
        for payload in self.PAYLOADS:
            with self.subTest(payload=[f[:8] for f in payload]):
                sock.send_multipart(payload)
                self.assertTrue(sock.poll(int(bound(2.0) * 1000)), "no echo")
                got = sock.recv_multipart()
                self.assertEqual(
                    [len(f) for f in got], [len(f) for f in payload], "frame lengths differ"
                )
                self.assertEqual(got, payload)


# The note that stands for dropped stream text.
DROP_NOTE = re.compile(r"\[… (\d+) bytes dropped[^\]]*\]\n")


def tree_rss(pid):
    """Returns the RSS of pid and its descendants, in bytes."""
    total = 0
    for p in [pid] + descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) * 1024
        except (OSError, StopIteration):
            pass
    return total


class FloodTests(KernelTestCase):
    def read_stdout(self, kc, msg_id, timeout):
        """Reads IOPub as fast as it comes until msg_id's idle, as nbclient
        does, then its reply; returns the reply and the stdout text."""
        deadline = time.monotonic() + timeout
        parts = []
        while True:
            self.assertLess(time.monotonic(), deadline, f"no idle within {timeout} s")
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                parts.append(msg["content"]["text"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        while True:
            reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply, "".join(parts)

    def test_reader_gets_whole_flood(self):
        """A client that keeps reading gets all of a 128 MiB flood, with nothing dropped."""
        km, kc = self.start_kernel()
        total = 128 << 20
        msg_id = kc.execute(
            'import ("bytes"; "os")\n'
            "line := append(bytes.Repeat([]byte(\"x\"), 1023), '\\n')\n"
            "buf := bytes.Repeat(line, 1024)\n"
            f"for n := 0; n < {total}; n += len(buf) {{ os.Stdout.Write(buf) }}"
        )
        start = time.monotonic()
        reply, out = self.read_stdout(kc, msg_id, 120)
        took = time.monotonic() - start
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertIsNone(DROP_NOTE.search(out), "text was dropped for a client that kept reading")
        self.assertEqual(len(out), total, "stdout is not what the cell wrote")
        print(f"measured: 128 MiB flood to jupyter_client: all arrived in {took:.2f} s ({total / (1 << 20) / took:.0f} MiB/s)")
        self.assert_value(kc, "1+1", "2")

    def test_stalled_subscriber_bounded(self):
        """A subscriber that stops reading for 12 s keeps the kernel's tree under 256 MiB; notes count every dropped byte, and both clients see the cell end."""
        km, kc = self.start_kernel()
        pid = kernel_pid(km)
        stalled = zmq.Context.instance().socket(zmq.SUB)
        self.addCleanup(stalled.close, 0)
        stalled.rcvhwm = 1  # libzmq then stops reading the TCP socket
        stalled.rcvbuf = 64 << 10
        stalled.setsockopt(zmq.SUBSCRIBE, b"")
        stalled.connect(f"{km.transport}://{km.ip}:{km.iopub_port}")
        self.assert_ok(kc, "x := 1")  # both subscribed by now
        peak, stop = [0], threading.Event()

        def sample():
            while not stop.wait(0.05):
                peak[0] = max(peak[0], tree_rss(pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        self.addCleanup(sampler.join)
        self.addCleanup(stop.set)
        msg_id = kc.execute(
            'import ("bytes"; "fmt"; "os"; "time")\n'
            "line := append(bytes.Repeat([]byte(\"x\"), 1023), '\\n')\n"
            "buf := bytes.Repeat(line, 64)\n"
            "written := 0\n"
            "for start := time.Now(); time.Since(start) < 14*time.Second; written += len(buf) { os.Stdout.Write(buf) }\n"
            'fmt.Println("written", written)'
        )
        seen_idle = []

        def drain():
            time.sleep(12)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if not stalled.poll(100):
                    continue
                frames = stalled.recv_multipart()
                i = frames.index(b"<IDS|MSG>")
                header, parent = json.loads(frames[i + 2]), json.loads(frames[i + 3])
                if parent.get("msg_id") == msg_id and header["msg_type"] == "status" \
                        and json.loads(frames[i + 5])["execution_state"] == "idle":
                    seen_idle.append(True)
                    return

        drainer = threading.Thread(target=drain)
        drainer.start()
        reply, out = self.read_stdout(kc, msg_id, 90)
        drainer.join()
        stop.set()
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        m = re.search(r"written (\d+)\n$", out)
        self.assertIsNotNone(m, "the cell's last line is missing")
        dropped = sum(int(n) for n in DROP_NOTE.findall(out))
        arrived = len(DROP_NOTE.sub("", out)) - len(m.group(0))
        mib = 1 << 20
        print(
            f"measured: a subscriber stalled 12 s: kernel tree peak {peak[0] / mib:.0f} MiB; "
            f"{int(m.group(1)) / mib:.0f} MiB written, {arrived / mib:.0f} MiB arrived, {dropped / mib:.0f} MiB in notes"
        )
        self.assertEqual(arrived + dropped, int(m.group(1)), "dropped bytes not accounted for by notes")
        self.assertGreater(dropped, 0, "nothing was dropped though a subscriber stalled")
        self.assertLess(peak[0], 256 * mib, "the kernel's tree grew too much")
        self.assertTrue(seen_idle, "the stalled subscriber never saw the cell end")
        self.assert_value(kc, "1+1", "2")


# A cell that starts a child process and prints the worker's and the child's
# PIDs.
SPAWN = (
    'import ("fmt"; "os"; "os/exec")\n'
    'sleeper := exec.Command("sleep", "1000")\n'
    "if err := sleeper.Start(); err != nil { panic(err) }\n"
    "fmt.Println(os.Getpid(), sleeper.Process.Pid)"
)


if __name__ == "__main__":
    unittest.main()
