"""A debugger client over the Jupyter protocol, as JupyterLab's debugger panel is.

DAP requests go out as debug_request on the control channel; their answers
are debug_reply messages there, and the debugger's events are debug_event
messages on IOPub. ReplayTest replays the sequence JupyterLab sends when a
user sets a breakpoint in a cell, runs it, looks at the variables, steps and
continues. Its subclasses (debugger_python.py for ipykernel, debugger_go.py
for gokernel) supply the cell and the kernel's name, so the same steps run
against a real Python kernel and against gokernel.
"""

import queue
import time
import unittest

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

from gkutil import bound

# What JupyterLab 4 sends as the initialize request's arguments.
INITIALIZE = {
    "clientID": "jupyterlab",
    "clientName": "JupyterLab",
    "adapterID": "python",
    "pathFormat": "path",
    "linesStartAt1": True,
    "columnsStartAt1": True,
    "supportsVariableType": True,
    "supportsVariablePaging": True,
    "supportsRunInTerminalRequest": True,
    "locale": "en",
}


class DAP:
    """A kernel client that speaks DAP over debug_request and debug_event."""

    def __init__(self, kc):
        self.kc = kc
        self.seq = 0
        self.iopub = []  # every IOPub message seen, in order
        self.events = []  # the content of every debug_event seen

    def request(self, command, arguments=None, timeout=None):
        """Sends one DAP request and returns the debug_reply's content."""
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command}
        if arguments is not None:
            content["arguments"] = arguments
        return self.raw(content, timeout)

    def raw(self, content, timeout=None):
        """Sends content as a debug_request and returns the reply's content."""
        msg = self.kc.session.msg("debug_request", content)
        self.kc.control_channel.send(msg)
        deadline = time.monotonic() + (timeout or bound(10, 20))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no debug_reply to {content!r}")
            try:
                reply = self.kc.get_control_msg(timeout=left)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                if reply["msg_type"] != "debug_reply":
                    raise AssertionError(f"a {reply['msg_type']} answered {content!r}")
                return reply["content"]

    def drain(self, timeout=0.05):
        """Reads the IOPub messages that have arrived."""
        while True:
            try:
                m = self.kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                return
            self.iopub.append(m)
            if m["msg_type"] == "debug_event":
                self.events.append(m["content"])

    def wait_event(self, event, start=0, timeout=None):
        """Returns the first debug_event named event after the first start
        events, waiting for it."""
        deadline = time.monotonic() + (timeout or bound(10, 20))
        while True:
            for e in self.events[start:]:
                if e.get("event") == event:
                    return e
            if time.monotonic() > deadline:
                seen = [e.get("event") for e in self.events]
                raise AssertionError(f"no {event!r} debug_event; seen: {seen}")
            self.drain(0.1)

    def execute(self, code):
        """Sends an execute_request and returns its msg_id."""
        return self.kc.execute(code)

    def reply(self, msg_id, timeout=None):
        """Waits for the execute_reply to msg_id and returns its content."""
        deadline = time.monotonic() + (timeout or bound(10, 20))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no execute_reply")
            try:
                m = self.kc.get_shell_msg(timeout=left)
            except queue.Empty:
                continue
            if m["parent_header"].get("msg_id") == msg_id:
                return m["content"]

    def run(self, code):
        """Runs a cell to its end and returns (reply content, its IOPub messages)."""
        msg_id = self.execute(code)
        content = self.reply(msg_id)
        deadline = time.monotonic() + bound(5)
        while time.monotonic() < deadline:
            mine = [m for m in self.iopub if m["parent_header"].get("msg_id") == msg_id]
            if any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" for m in mine):
                return content, mine
            self.drain(0.1)
        raise AssertionError(f"no idle after {code!r}")

    def start(self):
        """Starts a debug session as JupyterLab does: initialize, attach,
        debugInfo. Returns the debugInfo reply's body."""
        r = self.request("initialize", INITIALIZE)
        assert r["success"], r
        r = self.request("attach", {})
        assert r["success"], r
        r = self.request("debugInfo")
        assert r["success"], r
        return r["body"]


def variables(dap, ref):
    """Returns {name: variable} for the variables of reference ref."""
    r = dap.request("variables", {"variablesReference": ref})
    assert r["success"], r
    return {v["name"]: v for v in r["body"]["variables"]}


class ReplayTest(unittest.TestCase):
    """JupyterLab's sequence for a breakpoint in a cell. Subclasses set:

    KERNEL: the kernel's name;
    CELL: a cell that defines add(a, b), whose lines 2 and 3 are
      "c = a + b" and "c = c * 10" (each in the language's own form), and
      calls y = add(2, 3) on line 5;
    SHOW_Y: a cell whose value is y;
    HASH: a function (code, seed) -> the front end's hash of code, or None.
    """

    KERNEL = None
    CELL = None
    SHOW_Y = None
    HASH = None

    def setUp(self):
        self.km, kc = start_new_kernel(kernel_name=self.KERNEL, startup_timeout=bound(30, 60))
        self.addCleanup(self.stop)
        self.dap = DAP(kc)

    def stop(self):
        self.dap.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def test_kernelspec_announces_debugger(self):
        # JupyterLab offers its debugger for a kernel whose kernelspec has
        # metadata.debugger true.
        spec = KernelSpecManager().get_kernel_spec(self.KERNEL)
        self.assertTrue(spec.metadata.get("debugger"), spec.metadata)

    def test_replay(self):
        dap = self.dap
        info = dap.start()
        self.assertTrue(info["isStarted"], info)
        self.assertEqual(info["hashMethod"], "Murmur2")
        for key in ("hashSeed", "tmpFilePrefix", "tmpFileSuffix", "breakpoints", "stoppedThreads"):
            self.assertIn(key, info)

        r = dap.request("dumpCell", {"code": self.CELL})
        self.assertTrue(r["success"], r)
        path = r["body"]["sourcePath"]
        # The front end computes the same path from the code, with the
        # hash and seed that debugInfo announced.
        expect = info["tmpFilePrefix"] + str(type(self).HASH(self.CELL, info["hashSeed"])) + info["tmpFileSuffix"]
        self.assertEqual(path, expect)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), self.CELL)

        r = dap.request(
            "setBreakpoints",
            {"source": {"path": path}, "breakpoints": [{"line": 2}], "sourceModified": False},
        )
        self.assertTrue(r["success"], r)
        self.assertEqual(len(r["body"]["breakpoints"]), 1)
        self.assertTrue(r["body"]["breakpoints"][0]["verified"], r)

        r = dap.request("debugInfo")
        self.assertIn(path, [b["source"] for b in r["body"]["breakpoints"]], r)
        r = dap.request("configurationDone")
        self.assertTrue(r["success"], r)

        dap.drain()
        start = len(dap.events)
        msg_id = dap.execute(self.CELL)
        stopped = dap.wait_event("stopped", start)
        self.assertEqual(stopped["body"]["reason"], "breakpoint", stopped)
        thread = stopped["body"]["threadId"]

        r = dap.request("debugInfo")
        self.assertIn(thread, r["body"]["stoppedThreads"], r)
        r = dap.request("threads")
        self.assertIn(thread, [t["id"] for t in r["body"]["threads"]], r)

        r = dap.request("stackTrace", {"threadId": thread})
        self.assertTrue(r["success"], r)
        frames = r["body"]["stackFrames"]
        top = frames[0]
        self.assertEqual(top["line"], 2, frames)
        self.assertEqual(top["source"]["path"], path, frames)
        self.assertEqual(top["name"], "add", frames)
        # The bottom frame is the cell's statement that called add.
        self.assertEqual((frames[-1]["line"], frames[-1]["source"]["path"]), (6, path), frames)

        r = dap.request("scopes", {"frameId": top["id"]})
        self.assertTrue(r["success"], r)
        scopes = {s["name"]: s for s in r["body"]["scopes"]}
        self.assertIn("Locals", scopes, r)
        local = variables(dap, scopes["Locals"]["variablesReference"])
        self.assertEqual(local["a"]["value"], "2", local)
        self.assertEqual(local["b"]["value"], "3", local)
        # The debug console evaluates in the stopped frame.
        r = dap.request("evaluate", {"expression": "a + b * 2", "frameId": top["id"], "context": "repl"})
        self.assertTrue(r["success"], r)
        self.assertEqual(r["body"]["result"], "8", r)

        start = len(dap.events)
        r = dap.request("next", {"threadId": thread})
        self.assertTrue(r["success"], r)
        stopped = dap.wait_event("stopped", start)
        self.assertEqual(stopped["body"]["reason"], "step", stopped)

        r = dap.request("stackTrace", {"threadId": thread})
        top = r["body"]["stackFrames"][0]
        self.assertEqual(top["line"], 3, r)
        r = dap.request("scopes", {"frameId": top["id"]})
        scopes = {s["name"]: s for s in r["body"]["scopes"]}
        local = variables(dap, scopes["Locals"]["variablesReference"])
        self.assertEqual(local["c"]["value"], "5", local)

        r = dap.request("continue", {"threadId": thread})
        self.assertTrue(r["success"], r)
        reply = dap.reply(msg_id)
        self.assertEqual(reply["status"], "ok", reply)

        content, msgs = dap.run(self.SHOW_Y)
        self.assertEqual(content["status"], "ok", content)
        shown = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
        self.assertEqual(shown, ["50"], msgs)

        r = dap.request("disconnect", {"restart": False, "terminateDebuggee": True})
        self.assertTrue(r["success"], r)
