"""gokernel in the classic Notebook (Debian's jupyter-notebook 6), in headless
Chromium driven by Debian's python3-selenium.

browser_test.go runs this module through runtests.py, with a hermetic Jupyter
environment in which the kernelspec GOKERNEL_KERNEL_NAME is gokernel (and its
kernel.js). The screenshot goes to the directory in GOKERNEL_ARTIFACTS.

The tests share one server, one browser and one notebook page, and run in the
order of their names: later ones use the state that earlier ones left.
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import gkutil

KERNEL_NAME = gkutil.KERNEL_NAME
ARTIFACTS = os.environ.get("GOKERNEL_ARTIFACTS") or tempfile.gettempdir()
SCREENSHOT = os.path.join(ARTIFACTS, "browser-notebook.png")
FAILURE_SHOT = os.path.join(ARTIFACTS, "browser-final.png")

# Cells in the notebook file before the page opens: their highlighting comes
# from kernel.js when the notebook loads.
PRELOADED = [
    "%%cpp hello.c\n#include <stdio.h>\nint main(void) { return 0; }",
    '%%bash\necho "$HOME"',
    "var preloaded = 1",
]
FIRST = len(PRELOADED)  # index of the first cell that a test adds

# The language_info that Notebook saves in a notebook once its kernel has
# answered.
LANGUAGE_INFO = {"name": "go", "mimetype": "text/x-go", "file_extension": ".go",
                 "pygments_lexer": "go", "codemirror_mode": "go", "nbconvert_exporter": "script"}

# JS_WATCH marks cell i as not finished and arranges that it is marked
# finished when the notebook reports its execution finished.
JS_WATCH = """var nb = Jupyter.notebook, i = arguments[0];
while (nb.ncells() <= i) { nb.insert_cell_at_bottom('code'); }
var c = nb.get_cell(i);
window.__done = window.__done || {};
window.__done[i] = false;
var h = function (e, d) {
  if (d.cell === c) { window.__done[i] = true; nb.events.off('finished_execute.CodeCell', h); }
};
nb.events.on('finished_execute.CodeCell', h);"""
JS_RUN = JS_WATCH + "\nc.set_text(arguments[1]); c.execute();"
JS_FINISHED = (
    "return !!window.__done && window.__done[arguments[0]] === true &&"
    " typeof Jupyter.notebook.get_cell(arguments[0]).input_prompt_number === 'number'"
)
JS_IDLE = (
    "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel &&"
    " Jupyter.notebook.kernel.is_connected() &&"
    " document.getElementById('kernel_indicator_icon').className === 'kernel_idle_icon')"
)
JS_MODE = (
    "var m = Jupyter.notebook.get_cell(arguments[0]).code_mirror.getOption('mode');"
    " return typeof m === 'string' ? m : (m && m.name) || String(m);"
)
JS_MODE_NAME = "return Jupyter.notebook.get_cell(arguments[0]).code_mirror.getMode().name"
# JS_TOKENS returns the CodeMirror token types and texts of line n of cell i.
JS_TOKENS = """var cm = Jupyter.notebook.get_cell(arguments[0]).code_mirror;
return cm.getLineTokens(arguments[1], true).filter(function (t) { return t.string.trim() !== ''; })
  .map(function (t) { return [t.type || '', t.string]; });"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def job_stdout(text):
    """Returns the STDOUT section of a %bash_async job's area."""
    _, sep, rest = text.partition("\nSTDOUT\n")
    if not sep:
        return None
    return rest.partition("\nSTDERR")[0]


def png_size(path):
    """Returns the width and height of a PNG file, or fails."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG file (starts {head[:16]!r})")
    return struct.unpack(">II", head[16:24])


class Server:
    """A Notebook 6 server on a free loopback port, with a token."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="gokernel-browser-")
        self.dir = os.path.join(self.tmp, "nb")
        os.makedirs(self.dir)
        self.token = os.urandom(16).hex()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.tmp, "server.log")
        env = dict(os.environ, IPYTHONDIR=os.path.join(self.tmp, "ipython"),
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["/usr/bin/jupyter-notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", "--port-retries=0", f"--NotebookApp.token={self.token}",
             f"--notebook-dir={self.dir}"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.api("GET", "/api/status")
                return
            except OSError as e:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"the notebook server did not start ({e}):\n{self.log_text()}")
                time.sleep(0.1)

    def api(self, method, path, body=None):
        req = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"},
            data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            data = r.read()
        return json.loads(data) if data else None

    def put_notebook(self, name, cells, language_info=None):
        """Saves a gokernel notebook with the given code cells."""
        meta = {"kernelspec": {"name": KERNEL_NAME, "display_name": "Go (gokernel)", "language": "go"}}
        if language_info is not None:
            meta["language_info"] = language_info
        nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": meta,
              "cells": [{"cell_type": "code", "id": f"c{k}", "metadata": {}, "execution_count": None,
                         "outputs": [], "source": src} for k, src in enumerate(cells)]}
        self.api("PUT", f"/api/contents/{name}", {"type": "notebook", "content": nb})

    def log_text(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def kernels(self):
        """Returns the PIDs of the kernel processes below the server."""
        return [p for p in gkutil.descendants(self.proc.pid) if " kernel -f " in cmdline(p)]

    def stop(self):
        """Shuts the server and its kernels down; kills what is left."""
        if self.proc.poll() is None:
            try:
                self.api("POST", "/api/shutdown")
                self.proc.wait(15)
            except Exception:
                pass
        left = [gkutil.Proc(p, "process") for p in gkutil.descendants(self.proc.pid)
                if gkutil.proc_stat(p) is not None]
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait(15)
        for p in left:
            if p.alive():
                try:
                    os.kill(p.pid, 9)
                except ProcessLookupError:
                    pass
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class NotebookTest(unittest.TestCase):
    maxDiff = None
    server = None
    drv = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        try:
            cls.server.put_notebook("go.ipynb", PRELOADED, LANGUAGE_INFO)
            opts = Options()
            opts.binary_location = "/usr/bin/chromium"
            for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                      "--window-size=1280,1000"):
                opts.add_argument(a)
            cls.drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
            cls.drv.set_script_timeout(60)
            cls.drv.get(f"{cls.server.base}/notebooks/go.ipynb?token={cls.server.token}")
            WebDriverWait(cls.drv, 60, poll_frequency=0.05).until(lambda d: d.execute_script(JS_IDLE))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.drv is not None:
            try:
                cls.drv.save_screenshot(FAILURE_SHOT)
            except Exception:
                pass
            cls.drv.quit()
            cls.drv = None
        if cls.server is not None:
            cls.server.stop()
            cls.server = None

    # Helpers.

    def until(self, cond, timeout, what):
        """Polls cond until it returns a true value, which it returns;
        fails after timeout seconds, saying what was awaited: what, or
        what() when it is a function (to show the state at the end)."""
        try:
            return WebDriverWait(self.drv, timeout, poll_frequency=0.05).until(lambda d: cond())
        except TimeoutException:
            pass
        if callable(what):
            what = what()
        self.fail(f"waited {timeout} s for {what}; the server's log:\n{self.kernel_log()}")

    def kernel_log(self):
        return self.server.log_text()[-4000:]

    def cell_element(self, i):
        return self.drv.find_elements(By.CSS_SELECTOR, "#notebook-container > .cell")[i]

    def out_text(self, i):
        """Returns the text that cell i's output area shows."""
        for _ in range(50):
            try:
                return self.cell_element(i).find_element(By.CSS_SELECTOR, ".output_wrapper .output").text
            except StaleElementReferenceException:
                continue  # an update replaced the element: read again
        raise AssertionError(f"cell {i}'s output keeps changing")

    def prompt_number(self, i):
        return self.drv.execute_script(
            "return Jupyter.notebook.get_cell(arguments[0]).input_prompt_number", i)

    def start(self, i, code):
        self.drv.execute_script(JS_RUN, i, code)

    def wait_finished(self, i, timeout=30):
        self.until(lambda: self.drv.execute_script(JS_FINISHED, i), timeout,
                   lambda: f"cell {i} to finish (it shows {self.out_text(i)!r})")

    def run_cell(self, i, code, timeout=30):
        """Runs code in cell i, waits until it finished, returns its output."""
        self.start(i, code)
        self.wait_finished(i, timeout)
        return self.out_text(i)

    def wait_idle(self, timeout=30):
        self.until(lambda: self.drv.execute_script(JS_IDLE), timeout, "the kernel to be idle")

    def kernel_pid(self):
        pids = self.until(self.server.kernels, 10, "a kernel process below the server")
        self.assertEqual(len(pids), 1, f"kernel processes: {[cmdline(p) for p in pids]}")
        return pids[0]

    def menu(self, item):
        """Clicks Kernel > item (the id of its <li>)."""
        self.drv.find_element(By.ID, "kernellink").click()
        link = self.drv.find_element(By.CSS_SELECTOR, f"#{item} > a")
        self.until(link.is_displayed, 10, f"the menu item {item} to show")
        link.click()

    def mode(self, i):
        return self.drv.execute_script(JS_MODE, i)

    # The tests, in order.

    def test_01_typed_go_cell(self):
        """A Go cell typed with the keyboard and run with Shift+Enter shows
        its value."""
        i = FIRST
        self.drv.execute_script(JS_WATCH, i)
        self.drv.execute_script("Jupyter.notebook.select(arguments[0]);"
                                " Jupyter.notebook.edit_mode();", i)
        area = self.cell_element(i).find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
        for line in ('import "fmt"', 'import "strings"'):
            area.send_keys(line)
            area.send_keys(Keys.ENTER)
        area.send_keys("x := 6 * 7")
        area.send_keys(Keys.ENTER)
        area.send_keys('strings.Repeat("ab", 2) + fmt.Sprint(x)')
        area.send_keys(Keys.SHIFT, Keys.ENTER)
        self.wait_finished(i)
        text = self.drv.execute_script("return Jupyter.notebook.get_cell(arguments[0]).get_text()", i)
        self.assertEqual(text, 'import "fmt"\nimport "strings"\nx := 6 * 7\nstrings.Repeat("ab", 2) + fmt.Sprint(x)',
                         "the typed cell's text")
        n = self.prompt_number(i)
        self.assertEqual(self.out_text(i), f'Out[{n}]:\n"abab42"')

    def test_02_go_cell_stdout(self):
        out = self.run_cell(FIRST + 1, 'for i := range 3 {\n\tfmt.Println("line", i)\n}')
        self.assertEqual(out, "line 0\nline 1\nline 2")

    def test_03_p_cell(self):
        i = FIRST + 2
        out = self.run_cell(i, "%p x * 2 # twice x")
        self.assertIn("x * 2 = 84", out)
        self.assertIn("twice x", out)
        # The Markdown rendering: the expression and value in a code span.
        codes = [e.text for e in self.cell_element(i).find_elements(By.CSS_SELECTOR, ".output code")]
        self.assertIn("x * 2 = 84", codes, f"the <code> elements of the %p output; text {out!r}")

    def test_04_shell_cell(self):
        out = self.run_cell(FIRST + 3, "!echo hello from sh; echo $((6 * 7)); exit 3")
        lines = out.splitlines()
        self.assertEqual(lines[:2], ["hello from sh", "42"], out)
        self.assertIn("3", "\n".join(lines[2:]), f"the exit status is not shown: {out!r}")

    def test_05_bash_async_live(self):
        """A %bash_async job's area in its cell updates on the same page while
        another cell runs."""
        i = FIRST + 4
        self.drv.execute_script("window.__sameLoad = 'yes'")
        out = self.run_cell(
            i, "%bash_async echo tick 1; while [ ! -e go_on ]; do sleep 0.05; done; echo tick 2; exit 4")
        area = self.cell_element(i)
        self.until(lambda: job_stdout(self.out_text(i)) == "tick 1", 10,
                   lambda: f"tick 1 in the job's area: {self.out_text(i)!r}")
        self.assertIn("running", self.out_text(i))
        # Another cell lets the job go on; the first cell's area changes.
        out = self.run_cell(
            i + 1, 'import "os"\nif err := os.WriteFile("go_on", nil, 0o644); err != nil {\n\tpanic(err)\n}')
        self.assertEqual(out, "", "the cell that lets the job go on")
        self.until(lambda: "Process finished" in self.out_text(i), 15,
                   lambda: f"the job's area to show its end: {self.out_text(i)!r}")
        text = self.out_text(i)
        self.assertEqual(job_stdout(text), "tick 1\ntick 2", text)
        self.assertIn("code=4", text)
        self.assertNotIn("running", text)
        self.assertEqual(self.drv.execute_script("return window.__sameLoad"), "yes", "the page was reloaded")
        self.assertEqual(area, self.cell_element(i), "the cell's element was replaced")
        # One job area: the job updated its display instead of adding one.
        # Read in one go: each update replaces the area's element.
        areas = self.drv.execute_script(
            "return Array.from(arguments[0].querySelectorAll('.output > .output_area'))"
            ".map(function (e) { return e.innerText; })", area)
        self.assertEqual(len([a for a in areas if "RUN LOG" in a]), 1, f"the job cell's outputs: {areas!r}")
        del out

    def test_06_error_position(self):
        i = FIRST + 6
        out = self.run_cell(i, 'y := 1\nfmt.Println(y, nope)')
        n = self.prompt_number(i)
        self.assertIsInstance(n, int)
        self.assertIn(f"In[{n}]:2:16: undefined: nope", out)
        # The error shows as an error: the red traceback area.
        self.assertTrue(self.cell_element(i).find_elements(By.CSS_SELECTOR, ".output_error"),
                        f"no .output_error element: {out!r}")

    def test_07_codemirror_modes(self):
        # Go cells: the kernel's language_info.codemirror_mode.
        self.assertEqual(self.drv.execute_script(JS_MODE_NAME, FIRST), "go")
        self.assertEqual(self.drv.execute_script(JS_MODE_NAME, 2), "go")
        toks = self.drv.execute_script(JS_TOKENS, 2, 0)
        self.assertIn(["keyword", "var"], toks)
        # Cells saved in the notebook: kernel.js highlights them on load.
        self.until(lambda: self.mode(0).endswith("text/x-c++src"), 10,
                   lambda: f"the %%cpp cell's mode to be C++ (it is {self.mode(0)!r})")
        toks = self.drv.execute_script(JS_TOKENS, 0, 2)
        self.assertIn(["type", "int"], toks, "tokens of the C line")
        self.assertIn(["keyword", "return"], toks, "tokens of the C line")
        # Notebook's own magic_shell entry for %%bash comes before kernel.js's
        # text/x-sh: either is CodeMirror's shell mode.
        self.until(lambda: self.mode(1) in ("magic_text/x-sh", "magic_shell"), 10,
                   lambda: f"the %%bash cell's mode to be shell (it is {self.mode(1)!r})")
        toks = self.drv.execute_script(JS_TOKENS, 1, 1)
        self.assertIn(["builtin", "echo"], toks, "tokens of the shell line")
        # A cell typed on the page: highlighting follows when Notebook
        # re-highlights it (on select, on Enter, on leaving the cell).
        i = FIRST + 7
        self.drv.execute_script(JS_WATCH, i)
        self.drv.execute_script(
            "var c = Jupyter.notebook.get_cell(arguments[0]);"
            " c.set_text('%%asm add.S\\n    .text\\nadd:\\n    ret'); c.auto_highlight();", i)
        self.until(lambda: self.mode(i).endswith("text/x-c++src"), 10,
                   lambda: f"the %%asm cell's mode to be C++ (it is {self.mode(i)!r})")
        self.drv.execute_script(
            "var c = Jupyter.notebook.get_cell(arguments[0]); c.set_text('z := 1'); c.auto_highlight();", i)
        self.until(lambda: self.mode(i) == "go", 10, lambda: f"the cell's mode to go back to go (it is {self.mode(i)!r})")

    def test_08_interrupt_fifo(self):
        """Kernel > Interrupt stops a shell command blocked opening a FIFO."""
        self.assertEqual(self.run_cell(FIRST + 8, "!rm -f my_fifo; mkfifo my_fifo && echo made"), "made")
        i = FIRST + 9
        kernel = self.kernel_pid()
        self.start(i, "!echo hi > my_fifo")
        blocked = self.until(
            lambda: [p for p in gkutil.descendants(kernel) if "my_fifo" in cmdline(p)], 15,
            "the shell that opens my_fifo")
        procs = [gkutil.Proc(p, "the blocked shell") for p in blocked]
        self.assertFalse(self.drv.execute_script(JS_FINISHED, i), "the cell finished before the interrupt")
        started = time.monotonic()
        self.menu("int_kernel")
        self.wait_finished(i, 30)
        took = time.monotonic() - started
        self.assertLess(took, gkutil.bound(5, 10), "the interrupt took too long")
        out = self.out_text(i)
        self.assertIn("interrupt", out.lower())
        self.assertEqual(gkutil.wait_gone(procs, 5), [], "the blocked shell outlived the interrupt")
        self.wait_idle()
        # The kernel still works and kept its state.
        out = self.run_cell(i + 1, "x + 1")
        self.assertEqual(out.splitlines()[-1], "43", out)
        self.assertEqual(self.kernel_pid(), kernel, "the kernel process changed")

    def test_09_screenshot(self):
        """Saves the whole notebook as one image: the window is made as tall
        as the notebook for the shot."""
        size = self.drv.get_window_size()
        tall = self.drv.execute_script(
            "return document.getElementById('notebook-container').scrollHeight")
        try:
            self.drv.set_window_size(size["width"], min(tall + 400, 6000))
            self.drv.execute_script("Jupyter.notebook.scroll_to_top()")
            self.drv.save_screenshot(SCREENSHOT)
        finally:
            self.drv.set_window_size(size["width"], size["height"])
        w, h = png_size(SCREENSHOT)
        self.assertGreater(w, 600)
        self.assertGreater(h, min(tall, 5000), "the shot does not hold the whole notebook")
        print(f"screenshot: {SCREENSHOT} ({w}x{h})", flush=True)

    def test_10_restart_no_orphans(self):
        """Kernel > Restart ends the old kernel, its worker and its jobs."""
        i = FIRST + 11
        out = self.run_cell(i, "%bash_async sleep 300")
        self.assertIn("[", out)
        old = self.kernel_pid()
        tree = self.until(
            lambda: (lambda ps: ps if any("sleep 300" in cmdline(p) for p in ps) else None)(
                gkutil.descendants(old)), 10, "the job's sleep below the kernel")
        procs = [gkutil.Proc(old, "the old kernel")] + [gkutil.Proc(p, "a process of the old kernel")
                                                          for p in tree]
        self.drv.execute_script(
            "window.__ready = false;"
            " Jupyter.notebook.events.one('kernel_ready.Kernel', function () { window.__ready = true; });")
        self.menu("restart_kernel")
        buttons = self.until(
            lambda: [b for b in self.drv.find_elements(By.CSS_SELECTOR, ".modal.in .modal-footer button.btn-danger")
                     if b.is_displayed()], 10, "the restart dialog")
        buttons[0].click()
        self.until(lambda: self.drv.execute_script("return window.__ready === true"), 30, "kernel_ready")
        self.until(lambda: not self.drv.find_elements(By.CSS_SELECTOR, ".modal.in"), 10,
                   "the dialog to close")
        self.wait_idle()
        left = gkutil.wait_gone(procs, gkutil.bound(5, 10))
        self.assertEqual(left, [], "processes of the old kernel outlived the restart")
        new = self.kernel_pid()
        self.assertNotEqual(new, old)
        # The new kernel has no job, and no state.
        out = self.run_cell(i + 1, "%jobs")
        self.assertEqual(out, "no jobs")
        out = self.run_cell(i + 2, "x")
        self.assertIn("undefined: x", out)
        for p in gkutil.descendants(new):
            self.assertNotIn("sleep", cmdline(p), "a job below the new kernel")
        # kernel.js keeps the magic cells highlighted after the restart.
        self.assertTrue(self.mode(0).endswith("text/x-c++src"), self.mode(0))

    def test_11_highlight_without_language_info(self):
        """A notebook saved without language_info (as scripts write them)
        highlights its magic cells too. This test opens another page."""
        self.server.put_notebook("fresh.ipynb", PRELOADED)
        self.drv.get(f"{self.server.base}/notebooks/fresh.ipynb?token={self.server.token}")
        self.wait_idle(60)
        # The notebook's mode is Go once the kernel has answered.
        self.until(lambda: self.drv.execute_script(JS_MODE_NAME, 2) == "go", 10,
                   lambda: f"the Go cell's mode to be go (it is {self.mode(2)!r})")
        self.until(lambda: self.mode(0).endswith("text/x-c++src"), 5,
                   lambda: f"the %%cpp cell's mode to be C++ after the page set the notebook's mode to go "
                   f"(it is {self.mode(0)!r})")
        self.until(lambda: self.mode(1) in ("magic_text/x-sh", "magic_shell"), 5,
                   lambda: f"the %%bash cell's mode to be shell (it is {self.mode(1)!r})")


if __name__ == "__main__":
    unittest.main()
