"""gokernel in Debian's jupyter console (6.4.4), driven through a terminal.

console_test.go runs this module through runtests.py, with a hermetic Jupyter
environment in which the kernelspec GOKERNEL_KERNEL_NAME is gokernel.

--simple-prompt, which scripts use, is driven through a pty with pexpect: each
line is one cell. The full prompt_toolkit prompt needs a real terminal (it
asks for the cursor position and draws menus), so it runs in a detached tmux
session, which the test reads back with capture-pane.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import pexpect

import gkutil

KERNEL_NAME = gkutil.KERNEL_NAME
CONSOLE = "/usr/bin/jupyter-console"
PROMPT = r"\r\nIn \[(\d+)\]: "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def console_env(term):
    return dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", TERM=term)


def kernels_below(pid):
    """Returns the kernel processes below pid, as gkutil.Procs."""
    out = []
    for p in gkutil.descendants(pid):
        try:
            proc = gkutil.Proc(p, "a kernel process")
        except AssertionError:
            continue  # ended meanwhile
        if " kernel -f " in proc.cmdline or proc.cmdline.endswith("/gokernel-worker"):
            out.append(proc)
    return out


def kill_all(procs):
    for p in procs:
        if p.alive():
            try:
                os.kill(p.pid, 9)
            except ProcessLookupError:
                pass


class SimplePromptTest(unittest.TestCase):
    """jupyter console --simple-prompt in a pty."""

    maxDiff = None

    def setUp(self):
        self.c = pexpect.spawn(CONSOLE, ["--kernel", KERNEL_NAME, "--simple-prompt", "--no-confirm-exit"],
                               env=console_env("dumb"), encoding="utf-8", echo=False, timeout=30)
        self.log = []
        self.addCleanup(self.stop)
        self.expect_prompt(60)
        self.kernel_procs = self.until_kernels()

    def until_kernels(self):
        deadline = time.monotonic() + 15
        while True:
            procs = kernels_below(self.c.pid)
            if any(" kernel -f " in p.cmdline for p in procs) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertTrue(any(" kernel -f " in p.cmdline for p in procs),
                        f"no kernel process below the console: {procs}")
        return procs

    def stop(self):
        """Ends the console with Ctrl-D, which shuts its kernel down, and
        kills what is left."""
        procs = kernels_below(self.c.pid) if self.c.isalive() else []
        if self.c.isalive():
            self.c.sendeof()
            try:
                self.c.expect(pexpect.EOF, timeout=10)
            except pexpect.TIMEOUT:
                pass
        self.c.close(force=True)
        kill_all(gkutil.wait_gone(procs, 5))

    def expect_prompt(self, timeout=30):
        """Waits for the next prompt and returns what came before it, and the
        prompt's number."""
        try:
            self.c.expect(PROMPT, timeout=timeout)
        except pexpect.TIMEOUT:
            self.fail(f"no prompt within {timeout} s; the console showed:\n"
                      f"{''.join(self.log)}{self.c.before}")
        before = ANSI.sub("", self.c.before)
        self.log.append(self.c.before + self.c.after)
        return before.replace("\r\n", "\n").strip("\n"), int(self.c.match.group(1))

    def cell(self, line, timeout=30):
        """Sends one line and returns the output shown before the next prompt."""
        self.c.sendline(line)
        out, _ = self.expect_prompt(timeout)
        return out

    def test_values(self):
        self.assertEqual(self.cell("x := 6 * 7"), "")
        self.assertEqual(self.cell("x"), "Out[2]: 42")
        self.assertEqual(self.cell('import "fmt"'), "")
        self.assertEqual(self.cell('fmt.Println("hello", x)'), "hello 42")
        self.assertEqual(self.cell("func add(a, b int) int { return a + b }"), "")
        self.assertEqual(self.cell("add(x, 1)"), "Out[6]: 43")
        self.assertEqual(self.cell('"quoted"'), 'Out[7]: "quoted"')
        self.assertEqual(self.cell("%p x / 2"), "x / 2 = 21")
        self.c.sendline("nope + 1")
        out, n = self.expect_prompt()
        self.assertEqual(out, "In[9]:1:1: undefined: nope")
        self.assertEqual(n, 10)

    def test_ctrl_c_interrupts(self):
        self.assertEqual(self.cell('import ("fmt"; "time")'), "")
        self.assertEqual(self.cell("x := 42"), "")
        self.c.sendline('fmt.Println("sleeping"); time.Sleep(time.Hour); fmt.Println("woke")')
        self.c.expect("sleeping", timeout=30)
        started = time.monotonic()
        self.c.sendintr()
        out, _ = self.expect_prompt(gkutil.bound(5, 10) + 5)
        took = time.monotonic() - started
        self.assertLess(took, gkutil.bound(2, 5), f"Ctrl-C took {took:.1f} s; output {out!r}")
        self.assertIn("nterrupt", out)
        self.assertNotIn("woke", out)
        # The console and the kernel go on, with the state kept.
        self.assertEqual(self.cell("x + 1"), "Out[4]: 43")
        self.assertEqual(self.cell('fmt.Println("after")'), "after")
        kernels = [p for p in self.kernel_procs if " kernel -f " in p.cmdline]
        self.assertTrue(all(p.alive() for p in kernels), f"the kernel ended: {kernels}")

    def test_exit_ends_kernel(self):
        """Ctrl-D ends the console, which shuts its kernel down."""
        self.assertEqual(self.cell("1 + 1"), "Out[1]: 2")
        self.c.sendeof()
        self.c.expect(pexpect.EOF, timeout=30)
        left = gkutil.wait_gone(self.kernel_procs, gkutil.bound(5, 10))
        self.assertEqual(left, [], "processes of the console's kernel outlived it")

    def test_killed_console_ends_kernel(self):
        """A console killed with SIGKILL takes its kernel, the kernel's worker
        and a cell's child with it, as ipykernel does: a kernel whose front
        end has gone would run for ever."""
        self.assertEqual(self.cell('import "os/exec"'), "")
        self.assertEqual(self.cell('child := exec.Command("sleep", "300")'), "")
        self.assertEqual(self.cell("child.Start()"), "")
        procs = []
        for pid in gkutil.descendants(self.c.pid):
            try:
                procs.append(gkutil.Proc(pid, "a process below the console"))
            except AssertionError:
                pass  # ended meanwhile
        self.assertTrue(any(p.cmdline.startswith("sleep 300") for p in procs), f"no cell child: {procs}")
        os.kill(self.c.pid, 9)
        left = gkutil.wait_gone(procs, gkutil.bound(3, 5))
        kill_all(left)
        self.assertEqual(left, [], "processes of the killed console's kernel outlived it")


class Tmux:
    """A detached tmux session on a private server, running one command."""

    def __init__(self, command, width=100, height=40):
        self.dir = tempfile.mkdtemp(prefix="gokernel-tmux-")
        self.sock = os.path.join(self.dir, "sock")
        self.env = console_env("xterm-256color")
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height),
                 *command)
        self.pane_pid = int(self.run("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def run(self, *args):
        r = subprocess.run(["tmux", "-S", self.sock, *args], env=self.env, capture_output=True,
                           text=True, timeout=30)
        if r.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r.stdout

    def alive(self):
        return subprocess.run(["tmux", "-S", self.sock, "has-session", "-t", "t"], env=self.env,
                              capture_output=True, timeout=30).returncode == 0

    def screen(self):
        """Returns the pane's text, without trailing blank lines."""
        return self.run("capture-pane", "-p", "-t", "t").rstrip("\n")

    def type(self, text):
        self.run("send-keys", "-t", "t", "-l", text)

    def key(self, *names):
        self.run("send-keys", "-t", "t", *names)

    def close(self):
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], env=self.env, capture_output=True,
                       timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class FullPromptTest(unittest.TestCase):
    """jupyter console with its prompt_toolkit prompt, in tmux."""

    maxDiff = None

    def setUp(self):
        self.t = Tmux([CONSOLE, "--kernel", KERNEL_NAME, "--no-confirm-exit"])
        self.addCleanup(self.stop)
        self.wait(lambda s: s.endswith("In [1]:"), 60, "the first prompt")
        self.procs = kernels_below(self.t.pane_pid)

    def stop(self):
        procs = kernels_below(self.t.pane_pid) + getattr(self, "procs", [])
        self.t.key("C-d")  # with --no-confirm-exit the console ends at once
        deadline = time.monotonic() + 10
        while self.t.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.t.close()
        kill_all(gkutil.wait_gone(procs, 5))

    def wait(self, cond, timeout, what):
        """Polls the screen until cond(screen) is true; returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.t.screen()
            if cond(s):
                return s
            if time.monotonic() > deadline:
                self.fail(f"waited {timeout} s for {what}; the screen:\n{s}")
            time.sleep(0.05)

    def last_lines(self, s, n):
        return [line.rstrip() for line in s.splitlines()[-n:]]

    def test_multiline_func_is_one_cell(self):
        """is_complete decides when Enter runs the cell: not before the func
        is complete, at once when it is."""
        self.t.type("func add(a, b int) int {")
        self.t.key("Enter")
        s = self.wait(lambda s: s.splitlines()[-1].strip() == "...:", 10,
                      "a continuation prompt after the func's first line")
        self.t.type("return a + b")
        self.t.key("Enter")
        s = self.wait(lambda s: "return a + b" in s and s.splitlines()[-1].strip() == "...:", 10,
                      "a continuation prompt after the body")
        self.assertNotIn("In [2]", s)
        # The console indents the body by what is_complete said.
        self.assertIn("   ...:     return a + b", s.splitlines())
        self.t.type("}")
        self.t.key("Enter")
        # One Enter runs the complete func: no empty line is needed.
        s = self.wait(lambda s: s.endswith("In [2]:"), 10, "the func to run as cell 1")
        self.assertNotIn("is_complete", s, "the console gave up on the kernel's is_complete")
        self.assertEqual(s.count("In ["), 2, s)
        self.t.type("add(2, 3)")
        self.t.key("Enter")
        s = self.wait(lambda s: s.endswith("In [3]:"), 10, "add(2, 3) to run")
        self.assertEqual(self.last_lines(s, 4), ["In [2]: add(2, 3)", "Out[2]: 5", "", "In [3]:"])
        # A complete single line runs at once too; invalid code is not held back.
        self.t.type("y := add(1, 1)")
        self.t.key("Enter")
        s = self.wait(lambda s: s.endswith("In [4]:"), 10, "a one-line cell to run")
        self.t.type("y := )")
        self.t.key("Enter")
        s = self.wait(lambda s: s.endswith("In [5]:"), 10, "invalid code to run and show its error")
        self.assertIn("In[4]:1:", s)

    def test_cell_magic_waits_for_an_empty_line(self):
        """A %% cell magic's body has no end mark, so, as in IPython, Enter
        on an empty line runs it."""
        self.t.type("%%bash")
        self.t.key("Enter")
        self.wait(lambda s: s.splitlines()[-1].strip() == "...:", 10, "a continuation prompt after %%bash")
        self.t.type("echo one-$((40+2))")
        self.t.key("Enter")
        s = self.wait(lambda s: "echo one-" in s and s.splitlines()[-1].strip() == "...:", 10,
                      "a continuation prompt after the body's first line")
        self.assertNotIn("In [2]", s)
        self.t.key("Enter")
        s = self.wait(lambda s: s.endswith("In [2]:"), 10, "the cell magic to run on an empty line")
        self.assertIn("one-42", [line.strip() for line in s.splitlines()], s)

    def test_tab_completion(self):
        self.t.type('import "fmt"')
        self.t.key("Enter")
        self.wait(lambda s: s.endswith("In [2]:"), 10, "the import to run")
        self.t.type("fmt.Pri")
        self.t.key("Tab")
        s = self.wait(lambda s: any(line.strip() == "Println" for line in s.splitlines()), 10,
                      "Println in the completion menu")
        menu = [line.strip() for line in s.splitlines()[s.splitlines().index("In [2]: fmt.Print") + 1:]]
        self.assertEqual(menu, ["Print", "Printf", "Println"], s)
        # Choosing the third entry puts it in the line; the cell then runs.
        self.t.key("Tab", "Tab", "Tab")
        self.wait(lambda s: "In [2]: fmt.Println" in s, 10, "fmt.Println in the line")
        self.t.type('("done")')  # typing accepts the chosen completion
        self.t.key("Enter")
        s = self.wait(lambda s: s.endswith("In [3]:"), 10, "the completed call to run")
        self.assertIn('In [2]: fmt.Println("done")', s)
        self.assertEqual(self.last_lines(s, 3)[0], "done", s)


if __name__ == "__main__":
    unittest.main()
