"""Malformed Jupyter messages over real ZeroMQ.

Each test sends faulty messages on a raw socket of its own, signed (or not)
with jupyter_client's Session, and then checks that the kernel is still up:
kernel_info and execute work through an ordinary client.
"""

import time
import unittest
import uuid

from gkutil import KernelTestCase

DELIM = b"<IDS|MSG>"
BAD_SIGNATURE = b"0" * 64


class MalformedTests(KernelTestCase):
    def setUp(self):
        super().setUp()
        self.km, self.kc = self.start_kernel()
        self.session = self.km.session
        self.shell = self.km.connect_shell()
        self.control = self.km.connect_control()
        # Cleanups run last-in first-out: the sockets close before the kernel
        # stops and its context is destroyed.
        self.addCleanup(self.shell.close, 0)
        self.addCleanup(self.control.close, 0)

    def parts(self, msg_type, content=None):
        """Returns a new message's id and its four signed JSON parts."""
        content = {} if content is None else content
        msg = self.session.msg(msg_type, content=content)
        # The client's Session numbers its msg_ids from the same session id
        # and PID as ours: take ids of our own, so that none is reused.
        msg["header"]["msg_id"] = str(uuid.uuid4())
        p = self.session.pack
        return msg["header"]["msg_id"], [p(msg["header"]), p({}), p({}), p(content)]

    def signed(self, parts, extra=()):
        return [DELIM, self.session.sign(parts)] + list(parts) + list(extra)

    def header(self, msg_type):
        h = self.session.msg_header(msg_type)
        h["msg_id"] = str(uuid.uuid4())
        return self.session.pack(h)

    def send_raw(self, sock, frames):
        sock.send_multipart(frames)

    def recv_until(self, sock, msg_id, timeout=10):
        """Reads sock until the reply to msg_id; returns it and the messages
        read before it."""
        others = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"no reply to {msg_id} within {timeout} s; other messages: {others!r}")
            if not sock.poll(int(remaining * 1000) + 1):
                continue
            frames = sock.recv_multipart()
            _, msg_list = self.session.feed_identities(frames)
            msg = self.session.deserialize(msg_list)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg, others
            others.append(msg)

    def drain(self, sock):
        """Returns the messages waiting on sock."""
        out = []
        while sock.poll(0):
            _, msg_list = self.session.feed_identities(sock.recv_multipart())
            out.append(self.session.deserialize(msg_list))
        return out

    def good_kernel_info(self, sock):
        """Sends a correct kernel_info_request on sock and checks its reply;
        returns the messages that came before the reply."""
        msg_id, parts = self.parts("kernel_info_request")
        self.send_raw(sock, self.signed(parts))
        reply, others = self.recv_until(sock, msg_id)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assertEqual(reply["content"]["language_info"]["name"], "go")
        return others

    def assert_alive(self):
        """Checks that the kernel process runs and answers on every channel."""
        self.assertTrue(self.km.is_alive(), "the kernel process has exited")
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + 10
        while True:
            reply = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        self.assertEqual(reply["content"]["status"], "ok")
        self.assert_value(self.kc, "1+1", "2")
        self.good_kernel_info(self.shell)
        self.good_kernel_info(self.control)

    def test_bad_signature(self):
        runs = []
        for sig in (BAD_SIGNATURE, b"", b"not hex"):
            code = f'import "fmt"\nfmt.Println("BAD SIGNATURE {len(runs)} RAN")'
            msg_id, parts = self.parts(
                "execute_request", {"code": code, "silent": False, "allow_stdin": False}
            )
            runs.append(msg_id)
            self.send_raw(self.shell, [DELIM, sig] + parts)
        for sock in (self.shell, self.control):
            msg_id, parts = self.parts("kernel_info_request")
            runs.append(msg_id)
            self.send_raw(sock, [DELIM, BAD_SIGNATURE] + parts)
        # The same sockets then carry good requests: answers to the bad ones
        # would come first.
        before = self.good_kernel_info(self.shell) + self.good_kernel_info(self.control)
        self.assert_alive()
        answered = [
            m
            for m in before + self.drain(self.shell) + self.drain(self.control) + self.iopub_seen
            if m["parent_header"].get("msg_id") in runs
        ]
        self.assertEqual(answered, [], "the kernel acted on badly signed messages")
        printed = [
            m for m in self.iopub_seen if "BAD SIGNATURE" in str(m["content"].get("text", ""))
        ]
        self.assertEqual(printed, [], "a badly signed cell ran")

    def test_bad_json(self):
        _, good = self.parts("execute_request", {"code": "1+1", "silent": False})
        cases = {
            "header not JSON": [b"{not json"] + good[1:],
            "header not UTF-8": [b"\xff\xfe\xfd"] + good[1:],
            "header a list": [b"[]"] + good[1:],
            "header null": [b"null"] + good[1:],
            "header a string": [b'"execute_request"'] + good[1:],
            "header without msg_type": [self.session.pack({"msg_id": "m1", "session": "s"})]
            + good[1:],
            "msg_type a number": [self.session.pack({"msg_id": "m2", "msg_type": 42})] + good[1:],
            "parent_header not JSON": [good[0], b"{bad"] + good[2:],
            "metadata not JSON": good[:2] + [b"{bad", good[3]],
            "content not JSON": [self.header("execute_request")] + good[1:3] + [b"{bad"],
            "content a list": [self.header("execute_request")] + good[1:3] + [b"[1, 2]"],
            "code a number": [self.header("execute_request")]
            + good[1:3]
            + [self.session.pack({"code": 5})],
            "complete content a string": [self.header("complete_request")]
            + good[1:3]
            + [b'"x"'],
        }
        for name, parts in cases.items():
            with self.subTest(case=name):
                self.send_raw(self.shell, self.signed(parts))
                self.send_raw(self.control, self.signed(parts))
                self.assert_alive()

    def test_missing_frames(self):
        h = self.header("kernel_info_request")
        cases = {
            "delimiter only": [DELIM],
            "no header": [DELIM, self.session.sign([])],
            "header only": [DELIM, self.session.sign([h]), h],
            "no content": [DELIM, self.session.sign([h, b"{}", b"{}"]), h, b"{}", b"{}"],
            "no delimiter": [b"hello"],
            "one empty frame": [b""],
        }
        for name, frames in cases.items():
            with self.subTest(case=name):
                self.send_raw(self.shell, frames)
                self.send_raw(self.control, frames)
                self.assert_alive()

    def test_extra_frames(self):
        # Frames after content are buffers, which the protocol allows.
        msg_id, parts = self.parts("kernel_info_request")
        self.send_raw(self.shell, self.signed(parts, extra=[b"buffer 1", b"\x00\x01"]))
        reply, _ = self.recv_until(self.shell, msg_id)
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        self.assert_alive()

    def test_unknown_msg_type(self):
        for sock in (self.shell, self.control):
            _, parts = self.parts("frobnicate_request", {"x": 1})
            self.send_raw(sock, self.signed(parts))
        self.assert_alive()

    def test_large_message(self):
        code = "// " + "x" * (4 << 20) + "\n1+1"
        self.assert_value(self.kc, code, "2", timeout=60)
        self.assert_alive()


if __name__ == "__main__":
    unittest.main()
