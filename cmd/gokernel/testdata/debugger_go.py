"""The DAP replay of dap.py against gokernel, with Go code, and the cases
that JupyterLab's debugger panel meets beyond it."""

import unittest

from ipykernel.compiler import murmur2_x86

import dap
from gkutil import KERNEL_NAME


class GoReplay(dap.ReplayTest):
    KERNEL = KERNEL_NAME
    CELL = "func add(a, b int) int {\n\tc := a + b\n\tc = c * 10\n\treturn c\n}\ny := add(2, 3)\n"
    SHOW_Y = "y"
    HASH = staticmethod(murmur2_x86)

    def test_kernel_info_announces_debugger(self):
        self.dap.kc.kernel_info()
        reply = self.dap.kc.get_shell_msg(timeout=dap.bound(5))
        self.assertIs(reply["content"].get("debugger"), True, reply["content"])
        self.assertIn("debugger", reply["content"].get("supported_features", []))


if __name__ == "__main__":
    unittest.main()


def shown(msgs):
    """The text/plain of the execute_result among msgs."""
    return [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]


class DebuggerCase(unittest.TestCase):
    """A gokernel with a DAP client, and helpers; no tests of its own."""

    def setUp(self):
        self.km, kc = dap.start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=dap.bound(30, 60))
        self.addCleanup(self.stop)
        self.dap = dap.DAP(kc)

    def stop(self):
        self.dap.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def ok(self, command, arguments=None):
        r = self.dap.request(command, arguments)
        self.assertTrue(r["success"], r)
        return r.get("body", {})

    def breakpoint(self, code, *lines):
        """Dumps code and sets breakpoints on lines; returns its path."""
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        body = self.ok("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": l} for l in lines]})
        self.assertTrue(all(b["verified"] for b in body["breakpoints"]), body)
        return path

    def run_to_stop(self, code):
        """Executes code until a thread stops; returns (msg_id, stopped event)."""
        d = self.dap
        d.drain()
        start = len(d.events)
        msg_id = d.execute(code)
        return msg_id, d.wait_event("stopped", start)

    def top(self, thread):
        return self.ok("stackTrace", {"threadId": thread})["stackFrames"][0]

    def locals(self, frame):
        scopes = {s["name"]: s for s in self.ok("scopes", {"frameId": frame["id"]})["scopes"]}
        return dap.variables(self.dap, scopes["Locals"]["variablesReference"])



class GoDebugger(DebuggerCase):
    """What JupyterLab's debugger panel meets beyond the replay."""

    def test_breakpoint_in_function_of_earlier_cell(self):
        # The function's cell runs before the debugger is attached.
        earlier = "func sq(x int) int {\n\tr := x * x\n\treturn r\n}\n"
        content, _ = self.dap.run(earlier)
        self.assertEqual(content["status"], "ok", content)
        self.dap.start()
        path = self.breakpoint(earlier, 2)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop("z := sq(7)\n")
        self.assertEqual(stopped["body"]["reason"], "breakpoint")
        top = self.top(stopped["body"]["threadId"])
        self.assertEqual((top["name"], top["line"], top["source"]["path"]), ("sq", 2, path), top)
        self.assertEqual(self.locals(top)["x"]["value"], "7")
        self.ok("continue", {"threadId": stopped["body"]["threadId"]})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        _, msgs = self.dap.run("z")
        self.assertEqual(shown(msgs), ["49"])

    def test_step_in(self):
        code = "func double(n int) int {\n\tm := n * 2\n\treturn m\n}\nv := 5\nw := double(v)\n"
        self.dap.start()
        path = self.breakpoint(code, 5)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        thread = stopped["body"]["threadId"]
        top = self.top(thread)
        self.assertEqual((top["line"], top["source"]["path"]), (5, path), top)
        start = len(self.dap.events)
        self.ok("next", {"threadId": thread})
        self.dap.wait_event("stopped", start)
        top = self.top(thread)
        self.assertEqual((top["line"], top["source"]["path"]), (6, path), top)
        start = len(self.dap.events)
        self.ok("stepIn", {"threadId": thread})
        stopped = self.dap.wait_event("stopped", start)
        self.assertEqual(stopped["body"]["reason"], "step")
        top = self.top(thread)
        self.assertEqual((top["name"], top["line"]), ("double", 2), top)
        self.assertEqual(self.locals(top)["n"]["value"], "5")
        start = len(self.dap.events)
        self.ok("stepOut", {"threadId": thread})
        self.dap.wait_event("stopped", start)
        self.ok("continue", {"threadId": thread})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        _, msgs = self.dap.run("w")
        self.assertEqual(shown(msgs), ["10"])

    def test_inspect_variables_while_idle(self):
        content, _ = self.dap.run(
            'answer := 42\nname := "go"\ntype P struct{ X, Y int }\np := P{1, 2}\nxs := []int{7, 8}\n'
            "type Shape interface{ Area() int }\n"
            "func (q P) Area() int { return q.X * q.Y }\n"
            "var sh Shape = P{3, 4}\n"
        )
        self.assertEqual(content["status"], "ok", content)
        self.dap.start()
        got = {v["name"]: v for v in self.ok("inspectVariables")["variables"]}
        self.assertEqual(got["answer"]["value"], "42", got)
        self.assertEqual({k: got[k]["type"] for k in ("answer", "p", "xs", "sh")},
                         {"answer": "int", "p": "P", "xs": "[]int", "sh": "Shape"}, got)
        self.assertEqual(got["name"]["value"], '"go"', got)
        # A struct and a slice expand to their fields and elements.
        fields = dap.variables(self.dap, got["p"]["variablesReference"])
        self.assertEqual((fields["X"]["value"], fields["Y"]["value"]), ("1", "2"), fields)
        elems = dap.variables(self.dap, got["xs"]["variablesReference"])
        self.assertEqual((elems["[0]"]["value"], elems["[1]"]["value"]), ("7", "8"), elems)
        # yaegi holds a value of an interface type that a cell declared in
        # a wrapper of its own; the panel shows the value inside.
        self.assertEqual(got["sh"]["value"], "{3 4}", got["sh"])
        fields = dap.variables(self.dap, got["sh"]["variablesReference"])
        self.assertEqual((fields["X"]["value"], fields["Y"]["value"]), ("3", "4"), fields)
        r = self.ok("richInspectVariables", {"variableName": "answer"})
        self.assertEqual(r["data"], {"text/plain": "42"})

    def test_disconnect_then_full_speed(self):
        loop = "s := 0\nfor i := 0; i < 200000; i++ {\n\ts += i\n}\n"
        content, _ = self.dap.run(loop)  # warm up
        t0 = dap.time.monotonic()
        self.dap.run(loop)
        plain = dap.time.monotonic() - t0

        self.dap.start()
        self.ok("configurationDone")
        t0 = dap.time.monotonic()
        self.dap.run(loop)
        attached = dap.time.monotonic() - t0
        self.breakpoint(loop, 3)
        msg_id, stopped = self.run_to_stop(loop)
        r = self.ok("disconnect", {"restart": False, "terminateDebuggee": False})
        # The stopped cell goes on, and no breakpoint stops it again.
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        start = len(self.dap.events)
        t0 = dap.time.monotonic()
        content, _ = self.dap.run(loop)
        after = dap.time.monotonic() - t0
        self.assertEqual(content["status"], "ok", content)
        self.assertNotIn("stopped", [e["event"] for e in self.dap.events[start:]])
        self.assertFalse(self.ok("debugInfo")["isStarted"])
        print(f"measured: 200000-iteration loop cell: {plain:.3f} s before attach, {attached:.3f} s attached, {after:.3f} s after disconnect")
        # Under the debugger the loop runs about ten times slower.
        self.assertLess(after, dap.bound(2))
        self.assertLess(after, attached / 3, "detached, cells run at full speed again")

    def test_bad_requests(self):
        d = self.dap
        d.start()
        for command, args, says in [
            ("noSuchCommand", {}, "unknown DAP command"),
            ("stackTrace", {}, "threadId"),
            ("stackTrace", {"threadId": 99}, "not stopped"),
            ("scopes", {}, "frameId"),
            ("variables", {}, "variablesReference"),
            ("variables", {"variablesReference": 12345}, "no variables"),
            ("setBreakpoints", {"breakpoints": [{"line": 1}]}, "source.path"),
            ("dumpCell", {}, "code"),
            ("continue", {"threadId": 1}, "not stopped"),
            ("evaluate", {"expression": "1 +"}, "not a Go expression"),
            ("evaluate", {}, "expression"),
            ("evaluate", {"expression": "func() {}"}, "function literals"),
            ("evaluate", {"expression": "nope"}, "undefined: nope"),
            ("evaluate", {"expression": "x", "frameId": 999}, "no frame 999"),
            ("copyToGlobals", {"dstVariableName": "x", "srcFrameId": 1}, "srcVariableName"),
            ("copyToGlobals", {"srcVariableName": "x", "srcFrameId": 1}, "dstVariableName"),
            ("copyToGlobals", {"srcVariableName": "x", "dstVariableName": "x"}, "srcFrameId"),
            ("copyToGlobals", {"srcVariableName": "x", "dstVariableName": "1x", "srcFrameId": 1}, "not a name"),
            ("copyToGlobals", {"srcVariableName": "x", "dstVariableName": "x", "srcFrameId": 1}, "no thread is stopped"),
            ("setExceptionBreakpoints", {}, "filters"),
            ("setExceptionBreakpoints", {"filters": ["raised"]}, "unknown exception filter"),
            ("exceptionInfo", {}, "threadId"),
            ("exceptionInfo", {"threadId": 1}, "not stopped on a panic"),
            ("richInspectVariables", {}, "variableName"),
            ("variables", {"variablesReference": 1, "start": -1}, "negative"),
            ("source", {"source": {"path": "/nonexistent/cell.go"}}, "source unavailable"),
        ]:
            with self.subTest(command=command, args=args):
                r = d.request(command, args)
                self.assertFalse(r["success"], r)
                self.assertIn(says, r.get("message", ""), r)
                self.assertEqual(r["command"], command)
        # Not DAP at all.
        r = d.raw({"type": "request", "seq": 1})
        self.assertFalse(r["success"], r)
        self.assertTrue(r["message"], r)
        # The kernel stays up, and so does its state.
        content, msgs = d.run("1 + 1")
        self.assertEqual(shown(msgs), ["2"], msgs)

    def test_goroutine_thread(self):
        # A named function: yaegi v0.16.1's debugger counts a goroutine
        # started from a func literal as its starter's thread.
        # The statement that starts it waits for it: yaegi's debugger
        # follows a goroutine only as long as that statement runs.
        code = ("func work(c chan int) {\n\tk := 3\n\tc <- k * 2\n}\n"
                "func twice(c chan int) int {\n\tgo work(c)\n\tv := <-c\n\treturn v\n}\n"
                "done := make(chan int)\ngot := twice(done)\n")
        self.dap.start()
        self.breakpoint(code, 3)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        thread = stopped["body"]["threadId"]
        self.assertNotEqual(thread, 1, "the goroutine, not the cell's main thread, stops")
        started = [e["body"]["threadId"] for e in self.dap.events if e["event"] == "thread" and e["body"]["reason"] == "started"]
        self.assertIn(thread, started)
        threads = [t["id"] for t in self.ok("threads")["threads"]]
        self.assertIn(1, threads)
        self.assertIn(thread, threads)
        top = self.top(thread)
        self.assertEqual((top["name"], top["line"]), ("work", 3), top)
        self.assertEqual(self.locals(top)["k"]["value"], "3")
        self.ok("continue", {"threadId": thread})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        _, msgs = self.dap.run("got")
        self.assertEqual(shown(msgs), ["6"])

    def test_interrupt_while_stopped(self):
        content, _ = self.dap.run("kept := 11\n")
        self.assertEqual(content["status"], "ok", content)
        code = "n := 1\nn = n + 1\nkept = 12\n"
        self.dap.start()
        self.breakpoint(code, 2)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        t0 = dap.time.monotonic()
        self.dap.kc.session.send(self.dap.kc.control_channel.socket, "interrupt_request", {})
        reply = self.dap.reply(msg_id)
        self.assertEqual(reply["status"], "error", reply)
        self.assertEqual(reply["ename"], "Interrupted", reply)
        self.assertLess(dap.time.monotonic() - t0, dap.bound(5, 10))
        self.assertEqual(self.ok("debugInfo")["stoppedThreads"], [])
        _, msgs = self.dap.run("kept")
        self.assertEqual(shown(msgs), ["11"], "the interrupted cell stopped before it changed kept")

    def test_pause_source_and_modules(self):
        self.dap.start()
        self.ok("configurationDone")
        code = "spins := 0\nfor spins < 1<<40 {\n\tspins++\n}\n"
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        d = self.dap
        d.drain()
        start = len(d.events)
        msg_id = d.execute(code)
        dap.time.sleep(0.3)
        # JupyterLab pauses the thread it last saw stopped, else thread 1.
        self.ok("pause", {"threadId": 1})
        stopped = d.wait_event("stopped", start)
        self.assertEqual(stopped["body"]["reason"], "pause", stopped)
        top = self.top(stopped["body"]["threadId"])
        self.assertIn(top["line"], (2, 3), top)
        self.assertEqual(top["source"]["path"], path, top)
        # The Globals scope shows the loop's progress.
        scopes = {s["name"]: s for s in self.ok("scopes", {"frameId": top["id"]})["scopes"]}
        spins = dap.variables(d, scopes["Globals"]["variablesReference"])["spins"]
        self.assertGreater(int(spins["value"]), 0, spins)

        body = self.ok("source", {"source": {"path": path}, "sourceReference": 0})
        self.assertEqual(body["content"], code)
        modules = self.ok("modules")["modules"]
        self.assertIn(path, [m["path"] for m in modules], modules)

        d.kc.session.send(d.kc.control_channel.socket, "interrupt_request", {})
        reply = d.reply(msg_id)
        self.assertEqual(reply["ename"], "Interrupted", reply)

    def test_panic_while_attached(self):
        self.dap.start()
        self.ok("configurationDone")
        content, _ = self.dap.run('var m map[string]int\nm["a"] = 1\n')
        self.assertEqual(content["status"], "error", content)
        self.assertIn("nil map", content["evalue"], content)
        content, msgs = self.dap.run("len(m)")
        self.assertEqual(shown(msgs), ["0"], msgs)


class GoDebuggerMore(DebuggerCase):
    """evaluate, copyToGlobals, stopping on panics, and the details of
    JupyterLab's requests."""

    FUNC = "func add(a, b int) int {\n\tc := a + b\n\tc = c * 10\n\treturn c\n}\ny := add(2, 3)\n"

    def stop_in_add(self):
        """Runs FUNC to its breakpoint on line 4; returns (msg_id, thread, top frame)."""
        self.breakpoint(self.FUNC, 4)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(self.FUNC)
        thread = stopped["body"]["threadId"]
        return msg_id, thread, self.top(thread)

    def test_initialize_capabilities_and_debug_info(self):
        d = self.dap
        # JupyterLab's first request, before initialize: debugInfo with
        # seq 0 and no arguments.
        r = d.raw({"type": "request", "seq": 0, "command": "debugInfo"})
        self.assertTrue(r["success"], r)
        self.assertFalse(r["body"]["isStarted"])
        r = d.request("initialize", dap.INITIALIZE)
        caps = r["body"]
        self.assertTrue(caps["supportsModulesRequest"], caps)
        self.assertTrue(caps["supportsExceptionInfoRequest"], caps)
        self.assertEqual([f["filter"] for f in caps["exceptionBreakpointFilters"]], ["panic"], caps)
        self.ok("attach", {})
        info = self.ok("debugInfo", {})
        self.assertIs(info["copyToGlobals"], True, info)
        self.assertIs(info["richRendering"], True, info)
        self.assertEqual(info["exceptionPaths"], ["panic"], info)
        # A dumped cell that has not run is still a source.
        code = "q := 1\n"
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        self.assertEqual(self.ok("source", {"source": {"path": path}, "sourceReference": 0})["content"], code)

    def test_evaluate(self):
        content, _ = self.dap.run('import "strings"\nimport "fmt"\nanswer := 21\nname := "go"\n'
                                  "type Shape interface{ Area() int }\ntype Q struct{ A int }\n"
                                  "func (q Q) Area() int { return q.A }\nvar sh Shape = Q{4}\n")
        self.assertEqual(content["status"], "ok", content)
        self.dap.start()
        # Idle: the notebook's variables, without a frame, as the debug
        # console sends it.
        r = self.ok("evaluate", {"expression": "answer * 2", "context": "repl"})
        self.assertEqual((r["result"], r["type"]), ("42", "int"), r)
        # A value of an interface a cell declared reaches a compiled
        # function as the value inside.
        r = self.ok("evaluate", {"expression": "fmt.Sprint(sh, sh.A)", "context": "repl"})
        self.assertEqual(r["result"], '"{4} 4"', r)
        msg_id, thread, top = self.stop_in_add()
        for expr, want in [
            ("a + b*2", "8"),
            ("c", "50"),
            ("c > 40 && a == 2", "true"),
            ("c / 3", "16"),
            ("strings.Repeat(name, b)", '"gogogo"'),
            ("len(name) + answer", "23"),
        ]:
            with self.subTest(expr=expr):
                r = self.ok("evaluate", {"expression": expr, "frameId": top["id"], "context": "watch"})
                self.assertEqual(r["result"], want, r)
        # The repl context assigns; the cell goes on with the new value.
        r = self.ok("evaluate", {"expression": "c = 7", "frameId": top["id"], "context": "repl"})
        self.assertEqual(r["result"], "7", r)
        self.assertEqual(self.locals(self.top(thread))["c"]["value"], "7")
        r = self.dap.request("evaluate", {"expression": "add(1, 2)", "frameId": top["id"], "context": "repl"})
        self.assertFalse(r["success"], r)
        self.assertIn("cannot be called", r["message"], r)
        self.ok("continue", {"threadId": thread})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        _, msgs = self.dap.run("y")
        self.assertEqual(shown(msgs), ["7"])

    def test_copy_to_globals(self):
        content, _ = self.dap.run("total := 0\ntype P struct{ X, Y int }\n")
        self.assertEqual(content["status"], "ok", content)
        self.dap.start()
        code = ("func mk(a int) int {\n\tp := P{a, a * 2}\n\tc := p.X + p.Y\n\treturn c\n}\n"
                "y := mk(2)\n")
        self.breakpoint(code, 4)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        thread = stopped["body"]["threadId"]
        top = self.top(thread)
        # As JupyterLab sends it: the same name, the top frame.
        for src, dst, value in [("c", "c", "6"), ("p", "p", "{2 4}"), ("a", "total", "2")]:
            with self.subTest(src=src, dst=dst):
                r = self.ok("copyToGlobals", {"srcVariableName": src, "dstVariableName": dst, "srcFrameId": top["id"]})
                self.assertEqual(r["value"], value, r)
        # JupyterLab then reloads the frame's scopes: Globals lists the copies.
        scopes = {s["name"]: s for s in self.ok("scopes", {"frameId": top["id"]})["scopes"]}
        globs = dap.variables(self.dap, scopes["Globals"]["variablesReference"])
        self.assertEqual({k: globs[k]["value"] for k in ("c", "p", "total")}, {"c": "6", "p": "{2 4}", "total": "2"}, globs)
        bad = self.dap.request("copyToGlobals", {"srcVariableName": "nope", "dstVariableName": "nope", "srcFrameId": top["id"]})
        self.assertFalse(bad["success"], bad)
        self.assertIn("undefined: nope", bad["message"])
        bad = self.dap.request("copyToGlobals", {"srcVariableName": "c", "dstVariableName": "P", "srcFrameId": top["id"]})
        self.assertFalse(bad["success"], bad)
        self.assertIn("not a variable", bad["message"])
        self.ok("continue", {"threadId": thread})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        # The copies are the notebook's variables now, with their types.
        _, msgs = self.dap.run("c*10 + total")
        self.assertEqual(shown(msgs), ["62"], msgs)
        _, msgs = self.dap.run("var q P = p\nq.Y")
        self.assertEqual(shown(msgs), ["4"], msgs)
        got = {v["name"]: v for v in self.ok("inspectVariables")["variables"]}
        self.assertEqual(got["c"]["value"], "6", got)

    def test_copy_to_globals_conflict(self):
        # The cell itself declares the name after the copy: the copy cannot
        # be declared, and the user is told, in the cell's output and in
        # the debug console (a DAP output event).
        self.dap.start()
        code = 'v := 5\nlater := "s"\n'
        self.breakpoint(code, 2)
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        thread = stopped["body"]["threadId"]
        start = len(self.dap.events)
        r = self.ok("copyToGlobals", {"srcVariableName": "v", "dstVariableName": "later", "srcFrameId": self.top(thread)["id"]})
        self.assertEqual(r["value"], "5", r)
        self.ok("continue", {"threadId": thread})
        self.assertEqual(self.dap.reply(msg_id)["status"], "ok")
        out = self.dap.wait_event("output", start)
        self.assertIn("copying later", out["body"]["output"], out)
        _, msgs = self.dap.run("later")
        self.assertEqual(shown(msgs), ['"s"'], msgs)

    def test_stop_on_panic(self):
        self.dap.start()
        self.ok("setExceptionBreakpoints", {"filters": ["panic"]})
        code = ('kept := 3\nfunc put(m map[string]int, k string) {\n\tm[k] = kept\n}\n'
                'var m map[string]int\nput(m, "a")\n')
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        self.ok("configurationDone")
        msg_id, stopped = self.run_to_stop(code)
        self.assertEqual(stopped["body"]["reason"], "exception", stopped)
        thread = stopped["body"]["threadId"]
        self.assertIn(thread, self.ok("debugInfo")["stoppedThreads"])
        info = self.ok("exceptionInfo", {"threadId": thread})
        self.assertIn("nil map", info["description"], info)
        self.assertEqual(info["breakMode"], "unhandled", info)
        frames = self.ok("stackTrace", {"threadId": thread})["stackFrames"]
        # The function the panic came through, at its declaration, then
        # the cell's statement that called it, exactly.
        self.assertEqual([(f["name"], f["line"]) for f in frames][-2:], [("put", 2), (frames[-1]["name"], 6)], frames)
        self.assertEqual(frames[-1]["source"]["path"], path, frames)
        scopes = {s["name"]: s for s in self.ok("scopes", {"frameId": frames[-1]["id"]})["scopes"]}
        value = dap.variables(self.dap, scopes["Panic"]["variablesReference"])["value"]
        self.assertIn("nil map", value["value"], value)
        self.assertEqual(dap.variables(self.dap, scopes["Globals"]["variablesReference"])["kept"]["value"], "3")
        r = self.ok("evaluate", {"expression": "kept + 1", "frameId": frames[-1]["id"]})
        self.assertEqual(r["result"], "4", r)
        start = len(self.dap.events)
        self.ok("continue", {"threadId": thread})
        reply = self.dap.reply(msg_id)
        self.assertEqual(reply["status"], "error", reply)
        self.assertIn("nil map", reply["evalue"], reply)
        self.dap.wait_event("continued", start)
        # A panic that the cell recovers does not stop; nor any once the
        # filter is off.
        d = self.dap
        d.drain()
        start = len(d.events)
        content, _ = d.run('func safe() (r string) {\n\tdefer func() { r = fmt.Sprint(recover()) }()\n\tpanic("x")\n}\n'
                           'import "fmt"\ns := safe()\n')
        self.assertEqual(content["status"], "ok", content)
        self.ok("setExceptionBreakpoints", {"filters": []})
        content, _ = d.run('panic("off")\n')
        self.assertEqual(content["status"], "error", content)
        self.assertNotIn("stopped", [e["event"] for e in d.events[start:]])

    def test_interrupt_while_stopped_on_panic(self):
        self.dap.start()
        self.ok("setExceptionBreakpoints", {"filters": ["panic"]})
        msg_id, stopped = self.run_to_stop('var xs []int\nv := xs[3]\n')
        self.assertEqual(stopped["body"]["reason"], "exception", stopped)
        self.dap.kc.session.send(self.dap.kc.control_channel.socket, "interrupt_request", {})
        reply = self.dap.reply(msg_id)
        self.assertEqual(reply["status"], "error", reply)
        self.assertEqual(self.ok("debugInfo")["stoppedThreads"], [])
        _, msgs = self.dap.run("len(xs)")
        self.assertEqual(shown(msgs), ["0"], msgs)

    def test_variables_paging_and_rich_inspect(self):
        content, _ = self.dap.run("big := make([]int, 250)\nfor i := 0; i < 250; i++ {\n\tbig[i] = i * i\n}\n")
        self.assertEqual(content["status"], "ok", content)
        self.dap.start()
        got = {v["name"]: v for v in self.ok("inspectVariables")["variables"]}
        big = got["big"]
        self.assertEqual(big["indexedVariables"], 250, big)
        # Without paging, the first 100 elements.
        self.assertEqual(len(dap.variables(self.dap, big["variablesReference"])), 100)
        page = self.ok("variables", {"variablesReference": big["variablesReference"], "start": 200, "count": 3})["variables"]
        self.assertEqual([(v["name"], v["value"]) for v in page], [("[200]", "40000"), ("[201]", "40401"), ("[202]", "40804")])
        r = self.ok("richInspectVariables", {"variableName": "special variables"})
        self.assertEqual(r["data"], {}, r)
        r = self.ok("richInspectVariables", {"variableName": "big"})
        self.assertTrue(r["data"]["text/plain"].startswith("[0 1 4 9"), r)
        content, _ = self.dap.run('import "image"\npic := image.NewRGBA(image.Rect(0, 0, 4, 3))\n')
        self.assertEqual(content["status"], "ok", content)
        r = self.ok("richInspectVariables", {"variableName": "pic"})
        self.assertEqual(r["data"]["text/plain"], "[*image.RGBA 4x3]", r)
        self.assertTrue(r["data"]["image/png"], r)

    def test_jupyterlab_sequence(self):
        # The requests JupyterLab 4 sends, in its order (debugger service,
        # session and handler): it sends no configurationDone on a plain
        # start, and refreshes frames, scopes and variables after each
        # stop, evaluate and copy.
        d = self.dap
        content, _ = d.run("type P struct{ X, Y int }\n")
        self.assertEqual(content["status"], "ok", content)
        r = d.raw({"type": "request", "seq": 0, "command": "debugInfo"})  # the session's connection
        self.assertTrue(r["success"], r)
        info = self.ok("debugInfo", {})  # restoreState
        self.assertFalse(info["isStarted"], info)
        caps = self.ok("initialize", dap.INITIALIZE)
        self.ok("attach", {})
        self.ok("setExceptionBreakpoints", {"filters": ["panic"]})
        self.assertEqual(self.ok("inspectVariables", {})["variables"], [])
        if caps.get("supportsModulesRequest"):
            self.assertIn("modules", self.ok("modules", {}))
        # A click in the gutter of the cell.
        code = "func scale(p P, k int) P {\n\tq := P{p.X * k, p.Y * k}\n\treturn q\n}\nr := scale(P{1, 2}, 3)\n"
        path = self.ok("dumpCell", {"code": code})["sourcePath"]
        self.ok("debugInfo", {})
        bps = self.ok("setBreakpoints", {"breakpoints": [{"line": 3}], "source": {"path": path}, "sourceModified": False})
        self.assertEqual([(b["line"], b["verified"]) for b in bps["breakpoints"]], [(3, True)], bps)
        msg_id, stopped = self.run_to_stop(code)
        thread = stopped["body"]["threadId"]

        def refresh():
            frames = self.ok("stackTrace", {"threadId": thread})["stackFrames"]
            scopes = self.ok("scopes", {"frameId": frames[0]["id"]})["scopes"]
            return frames, {s["name"]: dap.variables(d, s["variablesReference"]) for s in scopes}

        frames, scopes = refresh()
        self.assertEqual((frames[0]["name"], frames[0]["line"], frames[0]["source"]["path"]), ("scale", 3, path), frames)
        q = scopes["Locals"]["q"]
        # A type a cell declared shows by its name.
        self.assertEqual((q["value"], q["type"]), ("{3 6}", "P"), q)
        self.assertEqual(scopes["Locals"]["k"]["type"], "int", scopes["Locals"])
        fields = self.ok("variables", {"variablesReference": q["variablesReference"]})["variables"]
        self.assertEqual([(f["name"], f["value"]) for f in fields], [("X", "3"), ("Y", "6")])
        rich = self.ok("richInspectVariables", {"variableName": "q", "frameId": frames[0]["id"]})
        self.assertEqual(rich["data"], {"text/plain": "{3 6}"}, rich)
        self.ok("copyToGlobals", {"srcVariableName": "q", "dstVariableName": "q", "srcFrameId": frames[0]["id"]})
        frames, scopes = refresh()
        self.assertEqual(scopes["Globals"]["q"]["value"], "{3 6}", scopes["Globals"])
        r = self.ok("evaluate", {"context": "repl", "expression": "q.X + k", "frameId": frames[0]["id"]})
        self.assertEqual(r["result"], "6", r)
        frames, _ = refresh()
        start = len(d.events)
        self.ok("continue", {"threadId": thread})
        self.assertEqual(d.reply(msg_id)["status"], "ok")
        self.assertEqual(d.wait_event("continued", start)["body"]["threadId"], thread)
        _, msgs = d.run("q.Y + r.Y")
        self.assertEqual(shown(msgs), ["12"], msgs)
        got = {v["name"]: v["value"] for v in self.ok("inspectVariables", {})["variables"]}
        self.assertEqual((got["q"], got["r"]), ("{3 6}", "{3 6}"), got)
        self.ok("disconnect", {"restart": False, "terminateDebuggee": False})
        self.assertFalse(self.ok("debugInfo", {})["isStarted"])
