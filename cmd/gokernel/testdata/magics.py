"""Every magic of the registry, over the real protocol.

Each test starts gokernel through jupyter_client in a temporary directory of
its own and checks what the magics really produce: the files they write, the
streams and displays they send, the processes they start and end, and the
errors they report. test_every_magic_is_covered compares the magics that
%lsmagic lists with COVERED, so a magic added to the registry fails this
module until a test here exercises it.
"""

import os
import re
import shutil
import signal
import tempfile
import threading
import time
import unittest

from gkutil import KernelTestCase, Proc, bound, descendants, group_members, kernel_pid, wait_gone

# Every spelling %lsmagic lists, with the test that exercises it.
COVERED = {
    "!": "test_shell, test_shell_interrupt, test_blocked_status_line",
    "%%save_file": "test_save_file",
    "%%cpp": "test_cpp, test_run_failures",
    "%%go": "test_go",
    "%%asm": "test_asm",
    "%%makefile": "test_makefile",
    "%%cmake": "test_cmake",
    "%p": "test_print",
    "%bash_async": "test_jobs, test_jobs_by_name, test_blocked_status_line, test_job_output_lands_in_its_cell, test_shutdown_ends_jobs",
    "%%bash_async": "test_jobs, test_jobs_by_name",
    "%jobs": "test_jobs, test_jobs_by_name",
    "%kill": "test_jobs, test_jobs_by_name",
    "%wait": "test_jobs, test_jobs_by_name",
    "%job_write": "test_jobs, test_jobs_by_name",
    "%job_close": "test_jobs, test_jobs_by_name",
    "%%bash": "test_scripts",
    "%%sh": "test_scripts",
    "%%writefile": "test_writefile",
    "%%file": "test_writefile",
    "%%html": "test_show",
    "%%markdown": "test_show",
    "%%javascript": "test_show",
    "%%js": "test_show",
    "%cd": "test_cd_pwd",
    "%pwd": "test_cd_pwd",
    "%env": "test_env",
    "%time": "test_time",
    "%%time": "test_time",
    "%timeit": "test_timeit",
    "%%timeit": "test_timeit",
    "%who": "test_who_reset",
    "%reset": "test_who_reset",
    "%lsmagic": "test_every_magic_is_covered",
    "%help": "test_help",
}

# The forms of the job magics beyond a job number, each with the help text
# that must show it (test_help) and the test that runs it.
JOB_FORMS = {
    "%bash_async [--name NAME [--replace]] CMD": ("%bash_async", "test_jobs_by_name"),
    "--replace": ("%bash_async", "test_jobs_by_name"),
    "%%bash_async [--name NAME": ("%%bash_async", "test_jobs_by_name"),
    "%kill [-SIGNAL] N|NAME|%+": ("%kill", "test_jobs_by_name"),
    "%wait N|NAME|%+": ("%wait", "test_jobs_by_name"),
    "%job_write N|NAME|%+": ("%job_write", "test_jobs_by_name"),
    "%job_close N|NAME|%+": ("%job_close", "test_jobs_by_name"),
    "%last": ("%wait", "test_jobs_by_name"),
    'jobs.PID("NAME")': ("%bash_async", "test_jobs_by_name"),
    'jobs.Lookup("NAME")': ("%bash_async", "test_jobs_by_name"),
}

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# The sections of a job's text/plain display.
SECTION = re.compile(r"^===== (RUN LOG|STDOUT|STDERR) =====\n", re.MULTILINE)


def job_sections(text):
    """Splits a job display's text/plain into its title line and its RUN LOG,
    STDOUT and STDERR sections."""
    parts = SECTION.split(text)
    sections = {"title": parts[0]}
    for i in range(1, len(parts) - 1, 2):
        sections[parts[i]] = parts[i + 1]
    return sections


def require(*tools):
    """Fails, with what to install, when a tool the test needs is missing."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise AssertionError(
            f"{', '.join(missing)} not found on PATH: the magics tests need them (.ci/run installs gcc and make)"
        )


class MagicsTests(KernelTestCase):
    def start_kernel(self):
        """Starts a kernel whose working directory is a new temporary
        directory, self.dir."""
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="gokernel-magics-"))
        self.addCleanup(shutil.rmtree, self.dir, True)
        old = os.getcwd()
        os.chdir(self.dir)  # the kernel inherits it
        try:
            return super().start_kernel()
        finally:
            os.chdir(old)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def read(self, name):
        with open(self.path(name), encoding="utf-8") as f:
            return f.read()

    @staticmethod
    def outputs(cell, msg_type="display_data"):
        """Returns the contents of the cell's messages of msg_type."""
        return [m["content"] for m in cell.messages if m["msg_type"] == msg_type]

    def only_display(self, cell):
        """Returns the data of the cell's single display_data."""
        ds = self.outputs(cell)
        self.assertEqual(len(ds), 1, cell.describe())
        return ds[0]["data"]

    def assert_error(self, kc, code, *wants, ename="UsageError"):
        """Runs code and checks that it fails with a one-line message that
        contains every one of wants, reported in the reply and on IOPub."""
        cell = self.run_cell(kc, code)
        self.assertEqual(cell.status, "error", cell.describe())
        content = cell.reply["content"]
        if ename is not None:
            self.assertEqual(content["ename"], ename, cell.describe())
        evalue = content["evalue"]
        self.assertTrue(evalue.strip(), f"empty error message: {cell.describe()}")
        self.assertNotIn("\n", evalue, f"the message is not one line: {cell.describe()}")
        # Tracebacks are coloured with ANSI escapes; the text is the message.
        self.assertEqual(re.sub(r"\x1b\[[0-9;]*m", "", content["traceback"][0]), evalue, cell.describe())
        for want in wants:
            self.assertIn(want, evalue, cell.describe())
        errors = self.outputs(cell, "error")
        self.assertEqual([e["evalue"] for e in errors], [evalue], cell.describe())
        return cell

    def assert_run_display(self, cell, cmds):
        """Checks that the cell showed "Run: `CMD`" for exactly cmds, in
        order."""
        runs = [
            d["data"].get("text/markdown")
            for d in self.outputs(cell)
            if d["data"].get("text/markdown", "").startswith("Run: ")
        ]
        self.assertEqual(runs, [f"Run: `{c}`" for c in cmds], cell.describe())

    # The registry, %lsmagic and help.

    def test_every_magic_is_covered(self):
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, "%lsmagic")
        data = self.only_display(cell)
        plain = data["text/plain"]
        listed = set(re.findall(r"(?<!\S)%%?\w+", plain.split("Shell:")[0]))
        self.assertIn("Shell: !CMD", plain, cell.describe())
        listed.add("!")
        self.assertEqual(
            sorted(listed),
            sorted(COVERED),
            "the magics %lsmagic lists differ from those this module tests (COVERED)",
        )
        # The Markdown table has one row a magic, aliases in their magic's row.
        rows = [r for r in data["text/markdown"].splitlines() if r.startswith("| `")]
        spelled = []
        for row in rows:
            names = re.findall(r"`([^`]+)`", row.split(" | ")[0])
            self.assertTrue(names, row)
            spelled += names
        self.assertEqual(sorted(spelled), sorted(COVERED), data["text/markdown"])
        self.assertEqual(len(spelled), len(set(spelled)), data["text/markdown"])
        # Every form of the job magics names a test that exists.
        for form, (spelling, tests) in JOB_FORMS.items():
            self.assertIn(spelling, COVERED, form)
            for name in tests.split(", "):
                self.assertTrue(callable(getattr(self, name, None)), f"{form}: no test {name}")

    def test_help(self):
        km, kc = self.start_kernel()
        for spelling in sorted(COVERED):
            with self.subTest(magic=spelling):
                name = spelling.lstrip("%")
                cell = self.assert_ok(kc, f"%help {spelling}")
                text = cell.stdout
                self.assertRegex(text, r"^usage: \S", cell.describe())
                first = text.splitlines()[0]
                if spelling == "!":
                    self.assertIn("!CMD", first, cell.describe())
                else:
                    # The usage line names the magic (an alias names what it stands for).
                    # The usage line, or the aliases line, names the magic.
                    self.assertIn(spelling, text, cell.describe())
                if spelling == "!":
                    continue
                # %help NAME without % finds it too, and %NAME? says the same.
                self.assertEqual(self.assert_ok(kc, f"%help {name}").stdout, text)
                self.assertEqual(self.assert_ok(kc, f"{spelling}?").stdout, text)
        # The help shows every form of the job magics.
        for form, (spelling, _) in JOB_FORMS.items():
            with self.subTest(form=form):
                self.assertIn(form, self.assert_ok(kc, f"%help {spelling}").stdout)
        # Aliases name their magic.
        self.assertIn("%%writefile", self.assert_ok(kc, "%help file").stdout)
        self.assertIn("%%javascript", self.assert_ok(kc, "%%js?").stdout)
        self.assert_error(kc, "%help nosuchmagic", "nosuchmagic", ename=None)

    # File magics.

    def test_save_file(self):
        km, kc = self.start_kernel()
        cell = self.assert_ok(
            kc,
            "%%save_file greet.sh\n"
            'echo "hello from $0"   \n'
            "%# just a comment\n"
            "%MD **Готово**: файл сохранён\n"
            "%run sh greet.sh\n",
        )
        self.assertEqual(
            self.read("greet.sh"),
            "# %%save_file greet.sh\n"
            'echo "hello from $0"   \n'
            "# %# just a comment\n"
            "# %MD **Готово**: файл сохранён\n"
            "# %run sh greet.sh\n",
        )
        kinds = [
            (m["msg_type"], m["content"].get("data", {}).get("text/markdown") or m["content"].get("text"))
            for m in cell.messages
        ]
        self.assertEqual(
            kinds,
            [
                ("display_data", "**Готово**: файл сохранён"),
                ("display_data", "Run: `sh greet.sh`"),
                ("stream", "hello from greet.sh\n"),
            ],
            cell.describe(),
        )
        # The comment prefix follows the extension; a body without a final
        # newline still gives a file that ends with one.
        for name, header in [
            ("q.sql", "-- %%save_file q.sql"),
            ("page.html", "<!-- %%save_file page.html -->"),
            ("main.go", "// %%save_file main.go"),
            ("notes.txt", "# %%save_file notes.txt"),
        ]:
            with self.subTest(file=name):
                self.assert_ok(kc, f"%%save_file {name}\nbody line")
                self.assertEqual(self.read(name), f"{header}\nbody line\n")
        # --ejudge-style strips trailing blanks and ends without a newline.
        self.assert_ok(kc, "%%save_file e.c --ejudge-style\nint main() {   \n  return 0;\t\n}\n")
        self.assertEqual(
            self.read("e.c"),
            "// %%save_file e.c --ejudge-style\nint main() {\n  return 0;\n}\n// line without \\n",
        )
        # An unknown % line is a usage error naming its line; nothing is written.
        self.assert_error(kc, "%%save_file bad.txt\nfine\n%frobnicate now", "line 3", "%frobnicate")
        self.assertFalse(os.path.exists(self.path("bad.txt")), "the file was written despite the error")

    def test_cpp(self):
        require("gcc")
        km, kc = self.start_kernel()
        code = (
            "%%cpp hello.c\n"
            "#include <stdio.h>\n"
            "%// greet in Russian\n"
            "int main(void) {\n"
            '    printf("привет, %d\\n", 6 * 7);\n'
            "    return 0;\n"
            "}\n"
            "%run gcc -Wall -o hello hello.c\n"
            "%run ./hello\n"
        )
        cell = self.assert_ok(kc, code, timeout=60)
        self.assertEqual(
            self.read("hello.c"),
            "// %%cpp hello.c\n"
            "#include <stdio.h>\n"
            "// %// greet in Russian\n"
            "int main(void) {\n"
            '    printf("привет, %d\\n", 6 * 7);\n'
            "    return 0;\n"
            "}\n"
            "// %run gcc -Wall -o hello hello.c\n"
            "// %run ./hello\n",
        )
        self.assert_run_display(cell, ["gcc -Wall -o hello hello.c", "./hello"])
        self.assertEqual(cell.stdout, "привет, 42\n", cell.describe())
        self.assertEqual(cell.stderr, "", cell.describe())
        self.assertTrue(os.access(self.path("hello"), os.X_OK), "gcc built no binary")
        # gcc reports an error on cell line 7 at :7:.
        cell = self.assert_ok(
            kc,
            "%%cpp err.c\n"
            "#include <stdio.h>\n"
            "\n"
            "int main(void) {\n"
            "    int x = 1;\n"
            "    (void)x;\n"
            "    return undefined_var;\n"
            "}\n"
            "%run gcc -c err.c -o err.o\n",
            timeout=60,
        )
        self.assertRegex(ANSI.sub("", cell.stdout), r"err\.c:7:\d+: error: .*undefined_var", cell.describe())
        self.assertEqual(cell.stderr, "exit status 1\n", cell.describe())

    def test_run_failures(self):
        """A failing %run shows its status and skips the rest; --keep-going
        runs them all; the reply stays ok."""
        require("gcc")
        km, kc = self.start_kernel()
        with self.subTest("exit status 1 skips the rest"):
            cell = self.assert_ok(kc, "%%cpp a.c\nint a;\n%run false\n%run echo SKIPPED-1\n%run echo SKIPPED-2")
            self.assert_run_display(cell, ["false"])
            self.assertNotIn("SKIPPED", cell.stdout, cell.describe())
            self.assertEqual(
                cell.stderr,
                "exit status 1\nskipped 2 remaining %run commands after the failure (--keep-going runs them all)\n",
                cell.describe(),
            )
        with self.subTest("--keep-going"):
            cell = self.assert_ok(kc, "%%cpp a.c --keep-going\nint a;\n%run exit 3\n%run echo RAN")
            self.assert_run_display(cell, ["exit 3", "echo RAN"])
            self.assertEqual(cell.stdout, "RAN\n", cell.describe())
            self.assertEqual(cell.stderr, "exit status 3\n", cell.describe())
            self.assertEqual(self.read("a.c"), "// %%cpp a.c --keep-going\nint a;\n// %run exit 3\n// %run echo RAN\n")
        with self.subTest("a crash shows the signal"):
            cell = self.assert_ok(
                kc,
                "%%cpp crash.c\n"
                "#include <signal.h>\n"
                "int main(void) { raise(SIGSEGV); return 0; }\n"
                "%run gcc -o crash crash.c\n"
                "%run ./crash\n"
                "%run echo AFTER-CRASH\n",
                timeout=60,
            )
            self.assert_run_display(cell, ["gcc -o crash crash.c", "./crash"])
            self.assertNotIn("AFTER-CRASH", cell.stdout, cell.describe())
            self.assertIn("skipped 1 remaining %run command after the failure", cell.stderr, cell.describe())
            self.assertIn("killed by signal 11 (SIGSEGV)\n", cell.stderr, cell.describe())

    def test_go(self):
        require("go")
        km, kc = self.start_kernel()
        code = (
            "%%go bad.go\n"
            "package main\n"
            "\n"
            'import "fmt"\n'
            "\n"
            "func main() {\n"
            "\tfmt.Println(undefinedName)\n"
            "}\n"
            "%run go build -o bad bad.go\n"
            "%run echo SHOULD-NOT-RUN\n"
        )
        cell = self.assert_ok(kc, code, timeout=120)
        lines = self.read("bad.go").split("\n")
        self.assertEqual(lines[0], "// %%go bad.go")
        self.assertEqual(lines[6], "\tfmt.Println(undefinedName)", "line 7 of the file is not line 7 of the cell")
        self.assertEqual(lines[8:], ["// %run go build -o bad bad.go", "// %run echo SHOULD-NOT-RUN", ""])
        self.assertRegex(cell.stdout, r"bad\.go:7:\d+: undefined: undefinedName", cell.describe())
        self.assertNotIn("SHOULD-NOT-RUN", cell.stdout, cell.describe())
        self.assert_run_display(cell, ["go build -o bad bad.go"])
        self.assertEqual(
            cell.stderr,
            "exit status 1\nskipped 1 remaining %run command after the failure (--keep-going runs them all)\n",
            cell.describe(),
        )
        cell = self.assert_ok(
            kc,
            '%%go good.go\npackage main\n\nimport "fmt"\n\nfunc main() { fmt.Println("go says привет") }\n'
            "%run go run good.go",
            timeout=120,
        )
        self.assertEqual(cell.stdout, "go says привет\n", cell.describe())
        self.assertEqual(cell.stderr, "", cell.describe())

    def test_asm(self):
        require("gcc")
        km, kc = self.start_kernel()
        cell = self.assert_ok(
            kc,
            "%%asm answer.S\n"
            "    .globl answer\n"
            "    .data\n"
            "answer:\n"
            "    .long 42\n"
            "%run gcc -c answer.S -o answer.o\n",
            timeout=60,
        )
        self.assertEqual(
            self.read("answer.S"),
            "// %%asm answer.S\n    .globl answer\n    .data\nanswer:\n    .long 42\n// %run gcc -c answer.S -o answer.o\n",
        )
        self.assertEqual(cell.stderr, "", cell.describe())
        self.assertTrue(os.path.exists(self.path("answer.o")), cell.describe())
        cell = self.assert_ok(
            kc,
            "%%cpp main.c\n"
            "#include <stdio.h>\n"
            "extern int answer;\n"
            'int main(void) { printf("answer=%d\\n", answer); return 0; }\n'
            "%run gcc -o answer main.c answer.o\n"
            "%run ./answer\n",
            timeout=60,
        )
        self.assertIn("answer=42\n", cell.stdout, cell.describe())
        self.assertEqual(cell.stderr, "", cell.describe())

    def test_makefile(self):
        require("make")
        km, kc = self.start_kernel()
        self.assert_ok(kc, "%%writefile in.txt\nhello")
        cell = self.assert_ok(
            kc,
            "%%makefile\n"
            "all: out.upper\n"
            "\n"
            "out.txt: in.txt\n"
            "    cp in.txt out.txt\n"
            "    echo built >> out.txt\n"
            "%.upper: %.txt\n"
            "    tr a-z A-Z < $< > $@\n"
            "%run make -s\n"
            "%run cat out.upper\n",
            timeout=60,
        )
        self.assertEqual(
            self.read("makefile"),
            "# %%makefile\n"
            "all: out.upper\n"
            "\n"
            "out.txt: in.txt\n"
            "\tcp in.txt out.txt\n"
            "\techo built >> out.txt\n"
            "%.upper: %.txt\n"
            "\ttr a-z A-Z < $< > $@\n"
            "# %run make -s\n"
            "# %run cat out.upper\n",
        )
        self.assert_run_display(cell, ["make -s", "cat out.upper"])
        self.assertEqual(cell.stdout, "HELLO\nBUILT\n", cell.describe())
        self.assertEqual(cell.stderr, "", cell.describe())

    def test_cmake(self):
        km, kc = self.start_kernel()
        cell = self.assert_ok(
            kc,
            "%%cmake CMakeLists.txt\n"
            "cmake_minimum_required(VERSION 3.10)\n"
            "project(demo C)\n"
            "%# комментарий\n"
            "%run wc -l < CMakeLists.txt\n",
        )
        self.assertEqual(
            self.read("CMakeLists.txt"),
            "# %%cmake CMakeLists.txt\n"
            "cmake_minimum_required(VERSION 3.10)\n"
            "project(demo C)\n"
            "# %# комментарий\n"
            "# %run wc -l < CMakeLists.txt\n",
        )
        self.assertEqual(cell.stdout.strip(), "5", cell.describe())

    # ! and %p.

    def test_shell(self):
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, "!echo out; echo err 1>&2")
        self.assertEqual(cell.stdout, "out\nerr\n", cell.describe())  # merged, \n not \r\n
        self.assertEqual(cell.stderr, "", cell.describe())
        cell = self.assert_ok(kc, "![ -t 0 ] && [ -t 1 ] && echo on a terminal")
        self.assertEqual(cell.stdout, "on a terminal\n", cell.describe())
        cell = self.assert_ok(kc, "!echo before; exit 3")
        self.assertEqual(cell.stdout, "before\n", cell.describe())
        self.assertEqual(cell.stderr, "exit status 3\n", cell.describe())
        cell = self.assert_ok(kc, "!echo one \\\n  two \\\n  три")
        self.assertEqual(cell.stdout, "one two три\n", cell.describe())
        # Go and ! lines run in order.
        cell = self.assert_ok(
            kc, 'import "fmt"\nfmt.Println("go 1")\n!echo shell 2\nfmt.Println("go 3")\n!pwd'
        )
        self.assertEqual(cell.stdout, f"go 1\nshell 2\ngo 3\n{self.dir}\n", cell.describe())
        self.assert_error(kc, "!sleep 1 &", "%bash_async sleep 1")
        # /bin/sh by default; %env SHELL=/bin/bash switches.
        cell = self.assert_ok(kc, '!echo "[$BASH_VERSION]"')
        self.assertEqual(cell.stdout, "[]\n", f"the default shell is bash: {cell.describe()}")
        self.assert_ok(kc, "%env SHELL=/bin/bash")
        cell = self.assert_ok(kc, '!echo "[$BASH_VERSION]"')
        self.assertRegex(cell.stdout, r"^\[\d+\.\S+\]\n$", cell.describe())
        self.assert_ok(kc, "%env -u SHELL")
        cell = self.assert_ok(kc, '!echo "[$BASH_VERSION]"')
        self.assertEqual(cell.stdout, "[]\n", cell.describe())

    def test_shell_interrupt(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, "keep := 41")
        cell = self.send(kc, "!echo started $$; sleep 100")
        self.wait_started(kc, cell)
        shell_pid = int(re.search(r"started (\d+)", cell.stdout).group(1))
        procs = [Proc(shell_pid, "the ! shell")]
        deadline = time.monotonic() + 5
        while len(procs) == 1 and time.monotonic() < deadline:  # sleep may not be forked yet
            procs += [Proc(p, "child of the ! shell") for p in descendants(shell_pid)]
            time.sleep(0.02)
        self.assertGreater(len(procs), 1, "the shell started no sleep")
        interrupted = time.monotonic()
        km.interrupt_kernel()
        self.collect(kc, cell, timeout=30)
        took = cell.replied - interrupted
        self.assertLess(took, bound(2.0), f"the interrupted cell took {took:.1f} s: {cell.describe()}")
        self.assertEqual(cell.status, "error", cell.describe())
        self.assertRegex(cell.error_text(), re.compile("interrupt", re.IGNORECASE), cell.describe())
        left = wait_gone(procs, bound(2.0))
        self.assertEqual(left, [], "processes of the interrupted command are still running")
        # The kernel and the Go state are still there.
        self.assert_value(kc, "keep+1", "42")
        self.assertEqual(self.assert_ok(kc, "!echo again").stdout, "again\n")

    def test_blocked_status_line(self):
        """A `!` command and a job blocked in the open of a FIFO get the
        status line; once the open returns, it says how long it waited."""
        km, kc = self.start_kernel()
        os.mkfifo(self.path("my_fifo"))
        waiting = 'waiting in open("my_fifo", O_WRONLY): no reader has opened it yet'
        waited = re.compile(r'^open\("my_fifo", O_WRONLY\) waited (\d+\.\d) s$')

        def release():
            with open(self.path("my_fifo")) as f:
                return f.read()

        # A ! command: a display in its cell, updated in place.
        cell = self.send(kc, "!echo hi > my_fifo")

        def shown(c):
            return any(d["data"].get("text/plain") == waiting for d in self.outputs(c))

        self.collect(kc, cell, timeout=bound(5.0, 10.0), until=lambda c: shown(c) or c.reply is not None)
        self.assertTrue(shown(cell), cell.describe())
        did = next(d["transient"]["display_id"] for d in self.outputs(cell) if d["data"].get("text/plain") == waiting)
        self.assertEqual(release(), "hi\n")
        self.collect(kc, cell)
        self.assertEqual(cell.status, "ok", cell.describe())
        texts = self.updates(did, cell)
        # The reason stays above the duration, for the saved notebook.
        self.assertTrue(texts and texts[-1].startswith(waiting + "\n"), cell.describe())
        last = texts[-1].split("\n")[-1]
        self.assertTrue(waited.match(last), cell.describe())
        self.assertGreaterEqual(float(waited.match(last).group(1)), 2.0)

        # A job: the last line of its RUN LOG while it waits.
        cell = self.assert_ok(kc, "%bash_async --name w echo hi > my_fifo")
        jdid = self.outputs(cell)[0]["transient"]["display_id"]
        later = self.send(kc, "%wait w 30")
        threading.Timer(3.0, release).start()
        self.collect(kc, later, timeout=bound(10.0, 20.0))
        self.assertEqual(later.stdout, "[1 w] finished: code=0\n", later.describe())
        logs = [job_sections(u).get("RUN LOG", "") for u in self.updates(jdid)]
        self.assertTrue(any(log.endswith(waiting + "\n") for log in logs), logs)
        final = logs[-1].splitlines()
        self.assertEqual(len(final), 3, final)
        self.assertRegex(final[1], waited)
        self.assertEqual(final[2], "Process finished! code=0")

    def test_print(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, "x := 21")
        data = self.only_display(self.assert_ok(kc, "%p x*2 # ответ на главный вопрос"))
        self.assertEqual(data["text/plain"], "x*2 = 42  # ответ на главный вопрос")
        self.assertEqual(data["text/markdown"], "`x*2 = 42`  # ответ на главный вопрос")
        data = self.only_display(self.assert_ok(kc, "%p x*2"))
        self.assertEqual(data["text/plain"], "x*2 = 42")
        self.assertEqual(data["text/markdown"], "`x*2 = 42`")
        # A # in a string literal is part of the expression.
        data = self.only_display(self.assert_ok(kc, '%p "строка #1" + "!" # коммент'))
        self.assertEqual(data["text/plain"], '"строка #1" + "!" = "строка #1!"  # коммент')
        data = self.only_display(self.assert_ok(kc, "%p # **Примечание**: только текст"))
        self.assertEqual(data["text/markdown"], "**Примечание**: только текст")
        # %p lines between Go lines run in order.
        cell = self.assert_ok(kc, "y := x + 1\n%p y\ny++\n%p y")
        self.assertEqual([d["data"]["text/plain"] for d in self.outputs(cell)], ["y = 22", "y = 23"])
        self.assert_error(kc, "%p nosuchname + 1", "nosuchname", ename=None)
        self.assert_value(kc, "x", "21")

    # Jobs.

    def job_display(self, cell):
        """Returns (job number, PID, display id, text/plain) of a cell that
        started a job."""
        m = re.fullmatch(r"\[(\d+)\] (\d+) (.*)\n", cell.stdout, re.DOTALL)
        self.assertIsNotNone(m, f"no [N] PID CMD line: {cell.describe()}")
        ds = self.outputs(cell)
        self.assertEqual(len(ds), 1, cell.describe())
        did = ds[0]["transient"].get("display_id")
        self.assertTrue(did, f"the job's display_data has no display_id: {cell.describe()}")
        return int(m.group(1)), int(m.group(2)), did, ds[0]["data"]["text/plain"]

    def updates(self, did, cell=None):
        """Returns the text/plain of the update_display_data messages for
        did, of cell or of any cell, in the order they came."""
        msgs = cell.messages if cell is not None else self.iopub_seen
        out = []
        for m in msgs:
            if m["msg_type"] == "update_display_data":
                if m["content"]["transient"].get("display_id") == did:
                    out.append(m["content"]["data"]["text/plain"])
        return out

    def test_jobs(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "time")\nkeep := 41')
        cmd = 'echo start; read line; sleep 0.5; echo "got $line"; echo oops >&2; read l2; echo end'
        cell = self.assert_ok(kc, f"%bash_async {cmd}")
        n, pid, did1, text = self.job_display(cell)
        self.assertEqual(n, 1, cell.describe())
        self.assertEqual(cell.stdout, f"[1] {pid} {cmd}\n")
        self.assertIn(f"Process started! pid={pid}", job_sections(text).get("RUN LOG", ""), text)
        job = Proc(pid, "job [1]")
        self.assertEqual(job.pgrp, pid, "the job is not the leader of its own process group")
        self.assertNotEqual(job.pgrp, Proc(kernel_pid(km), "kernel").pgrp)

        # Go cells reach the job table.
        cell = self.assert_ok(
            kc, 'import "github.com/beacceaf/gokernel/interp/jobs"\np, err := jobs.PID(1)\nfmt.Println(p, err)'
        )
        self.assertEqual(cell.stdout, f"{pid} <nil>\n", cell.describe())

        cell = self.assert_ok(kc, "%jobs")
        self.assertRegex(cell.stdout, rf"(?m)^\[1\]\s+{pid}\s+running\s+echo start; read line", cell.describe())

        # Output that comes while a later cell runs is an update of the
        # job's display, parented to that later cell.
        self.assert_ok(kc, "%job_write 1 привет")
        later = self.assert_ok(kc, "time.Sleep(2 * time.Second)")
        texts = self.updates(did1, later)
        self.assertTrue(texts, f"no update of job [1] during the later cell: {later.describe()}")
        sec = job_sections(texts[-1])
        self.assertEqual(sec.get("STDOUT"), "start\ngot привет\n", texts[-1])
        self.assertEqual(sec.get("STDERR"), "oops\n", texts[-1])
        self.assertIn("Wrote to stdin: привет\n", sec.get("RUN LOG", ""), texts[-1])
        for m in self.iopub_seen:
            if m["msg_type"] == "stream":
                self.assertNotIn("got привет", m["content"]["text"], "job output went to a stream")

        cell = self.assert_ok(kc, "%job_close 1")
        self.assertEqual(cell.stdout, "[1] stdin closed; finished: code=0\n", cell.describe())
        texts = self.updates(did1, cell)
        self.assertTrue(texts, cell.describe())
        sec = job_sections(texts[-1])
        self.assertEqual(sec.get("STDOUT"), "start\ngot привет\nend\n", texts[-1])
        self.assertIn("Process finished! code=0", sec.get("RUN LOG", ""), texts[-1])
        self.assertFalse(job.alive(), f"{job} survived")

        # %kill with a name with SIG; %wait.
        cell = self.assert_ok(kc, "%bash_async sleep 1000")
        n, pid2, did2, _ = self.job_display(cell)
        self.assertEqual(n, 2)
        job2 = Proc(pid2, "job [2]")
        cell = self.assert_ok(kc, "%kill -SIGUSR1 2")
        self.assertEqual(cell.stdout, f"sent SIGUSR1 to job [2] (process group {pid2})\n", cell.describe())
        usr1 = int(signal.SIGUSR1)
        cell = self.assert_ok(kc, "%wait 2")
        self.assertEqual(cell.stdout, f"[2] finished: signal={usr1} (SIGUSR1)\n", cell.describe())
        texts = self.updates(did2)
        self.assertTrue(texts, "job [2]'s display was never updated")
        self.assertIn(f"Process finished! signal={usr1} (SIGUSR1)", texts[-1])
        self.assertFalse(job2.alive(), f"{job2} survived")

        # %kill -9 signals the whole group: bash and its sleep child.
        cell = self.assert_ok(kc, "%bash_async sleep 1000; echo never")
        n, pid3, did3, _ = self.job_display(cell)
        self.assertEqual(n, 3)
        group = self.wait_group(pid3, 2)
        cell = self.assert_ok(kc, "%kill -9 3")
        self.assertIn("sent SIGKILL to job [3]", cell.stdout, cell.describe())
        cell = self.assert_ok(kc, "%wait 3 5")
        self.assertEqual(cell.stdout, "[3] finished: signal=9 (SIGKILL)\n", cell.describe())
        self.assertEqual(wait_gone(group, bound(2.0)), [], "processes of job [3] survived %kill -9")
        self.assertIn("Process finished! signal=9 (SIGKILL)", self.updates(did3)[-1])

        # %kill without a signal sends SIGTERM to the group.
        cell = self.assert_ok(
            kc, "%bash_async trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done"
        )
        n, pid4, did4, _ = self.job_display(cell)
        self.assertEqual(n, 4)
        self.wait_group(pid4, 2)
        cell = self.assert_ok(kc, "%kill 4")
        self.assertEqual(cell.stdout, f"sent SIGTERM to job [4] (process group {pid4})\n", cell.describe())
        cell = self.assert_ok(kc, "%wait 4")
        self.assertEqual(cell.stdout, "[4] finished: code=7\n", cell.describe())
        self.assertEqual(job_sections(self.updates(did4)[-1]).get("STDOUT"), "ready\ngot TERM\n")

        # A %wait timeout is an error naming the job; the job goes on.
        cell = self.assert_ok(kc, "%bash_async sleep 1000")
        n, pid5, did5, _ = self.job_display(cell)
        self.assertEqual(n, 5)
        job5 = Proc(pid5, "job [5]")
        start = time.monotonic()
        self.assert_error(kc, "%wait 5 0.3", "job [5]", ename=None)
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(job5.alive(), "%wait's timeout ended the job")
        self.assert_ok(kc, "%kill -KILL %5")
        self.assertEqual(self.assert_ok(kc, "%wait 5").stdout, "[5] finished: signal=9 (SIGKILL)\n")

        # The cell form; numbers are never reused.
        cell = self.assert_ok(kc, "%%bash_async\necho from the cell form\necho to stderr >&2")
        n, _, did6, _ = self.job_display(cell)
        self.assertEqual(n, 6)
        self.assertEqual(self.assert_ok(kc, "%wait 6").stdout, "[6] finished: code=0\n")
        sec = job_sections(self.updates(did6)[-1])
        self.assertEqual((sec.get("STDOUT"), sec.get("STDERR")), ("from the cell form\n", "to stderr\n"))

        cell = self.assert_ok(kc, "%jobs")
        rows = {
            int(m.group(1)): (m.group(2), m.group(3))
            for m in re.finditer(r"(?m)^\[(\d+)\]\s+\d+\s+(\w+)\s+(code=\d+|signal=\d+ \(\w+\))", cell.stdout)
        }
        self.assertEqual(
            rows,
            {
                1: ("exited", "code=0"),
                2: ("killed", f"signal={usr1} (SIGUSR1)"),
                3: ("killed", "signal=9 (SIGKILL)"),
                4: ("exited", "code=7"),
                5: ("killed", "signal=9 (SIGKILL)"),
                6: ("exited", "code=0"),
            },
            cell.stdout,
        )
        # Every update of every job replaced the job's whole display.
        for m in self.iopub_seen:
            if m["msg_type"] == "update_display_data":
                self.assertIn(m["content"]["transient"].get("display_id"), {did1, did2, did3, did4, did5, did6}, m)
                self.assertEqual(
                    set(job_sections(m["content"]["data"]["text/plain"])), {"title", "RUN LOG", "STDOUT", "STDERR"}
                )
        self.assert_value(kc, "keep+1", "42")

    def test_jobs_by_name(self):
        """Every job magic takes a job's name, %+ and %last wherever it takes
        a number; a name still in use is refused with a hint, and --replace
        ends the old job; Go cells find jobs by name."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "github.com/beacceaf/gokernel/interp/jobs")\nkeep := 41')
        cmd = 'while read -r line; do echo "got $line"; done; echo eof'
        cell = self.assert_ok(kc, f"%bash_async --name reader {cmd}")
        m = re.fullmatch(r"\[1 reader\] (\d+) (.*)\n", cell.stdout, re.DOTALL)
        self.assertIsNotNone(m, cell.describe())
        self.assertEqual(m.group(2), cmd)
        pid = int(m.group(1))
        did = self.outputs(cell)[0]["transient"]["display_id"]
        self.assertTrue(self.outputs(cell)[0]["data"]["text/plain"].startswith(f"[1 reader] {cmd}  (running)"))

        # Go cells: jobs.PID by name, number or %+; jobs.Lookup.
        cell = self.assert_ok(
            kc,
            'a, e1 := jobs.PID("reader")\nb, e2 := jobs.PID(1)\nc, e3 := jobs.PID("%+")\n'
            'j, e4 := jobs.Lookup("%reader")\nfmt.Println(a, b, c, j.N, j.Name, j.Running, e1, e2, e3, e4)\n'
            '_, e5 := jobs.Lookup("nobody")\nfmt.Println(e5)',
        )
        self.assertEqual(
            cell.stdout,
            f'{pid} {pid} {pid} 1 reader true <nil> <nil> <nil> <nil>\n'
            'jobs: no job named "nobody" (%bash_async --name nobody CMD starts one; %jobs lists them)\n',
            cell.describe(),
        )

        # %job_write by name and as %+, %jobs shows the name, %job_close as %last.
        self.assert_ok(kc, "%job_write reader one")
        self.assert_ok(kc, "%job_write %+ two")
        cell = self.assert_ok(kc, "%jobs")
        self.assertRegex(cell.stdout, rf"(?m)^\[1 reader\]\s+{pid}\s+running\s+while read", cell.describe())
        cell = self.assert_ok(kc, "%job_close %last")
        self.assertEqual(cell.stdout, "[1 reader] stdin closed; finished: code=0\n", cell.describe())
        sec = job_sections(self.updates(did)[-1])
        self.assertEqual(sec.get("STDOUT"), "got one\ngot two\neof\n")

        # A name whose job runs is refused, with a hint; nothing starts.
        cell = self.assert_ok(kc, "%bash_async --name srv sleep 1000")
        m = re.fullmatch(r"\[2 srv\] (\d+) sleep 1000\n", cell.stdout)
        self.assertIsNotNone(m, cell.describe())
        srv1 = int(m.group(1))
        job1 = Proc(srv1, "job [2 srv]")
        self.assert_error(
            kc,
            "%bash_async --name srv sleep 2000",
            "job [2 srv] is still running",
            "%kill srv first, or start the new one with --replace",
            ename=None,
        )
        self.assertNotIn("[3", self.assert_ok(kc, "%jobs").stdout)
        # --replace ends the old job and starts the new one, as job 3.
        start = time.monotonic()
        cell = self.assert_ok(kc, "%%bash_async --name srv --replace\nsleep 1000")
        self.assertLess(time.monotonic() - start, bound(5.0))
        self.assertRegex(cell.stdout, r"^\[3 srv\] \d+ sleep 1000\n$", cell.describe())
        srv2 = int(cell.stdout.split()[2])
        self.assertEqual(wait_gone([job1], bound(2.0)), [], "--replace left the old job running")
        # %kill, %wait by name reach the newest srv; the old one shows SIGTERM.
        cell = self.assert_ok(kc, "%kill -9 srv")
        self.assertEqual(cell.stdout, f"sent SIGKILL to job [3 srv] (process group {srv2})\n", cell.describe())
        self.assertEqual(self.assert_ok(kc, "%wait srv").stdout, "[3 srv] finished: signal=9 (SIGKILL)\n")
        self.assertEqual(self.assert_ok(kc, "%wait 2").stdout, "[2 srv] finished: signal=15 (SIGTERM)\n")
        # A finished job's name is free again.
        self.assert_ok(kc, "%bash_async --name srv true")
        self.assertEqual(self.assert_ok(kc, "%wait %+").stdout, "[4 srv] finished: code=0\n")

        # Bad names and references are usage errors; the kernel stays up.
        for code, wants in [
            ("%bash_async --name 9lives true", ['bad job name "9lives"']),
            ("%bash_async --replace true", ["--replace needs --name NAME"]),
            ("%wait nobody", ['no job named "nobody"']),
            ("%kill a/b", ['bad job "a/b"']),
        ]:
            with self.subTest(code=code):
                self.assert_error(kc, code, *wants)
        self.assert_value(kc, "keep+1", "42")

    def wait_group(self, pgrp, count, timeout=5):
        """Waits until process group pgrp has count live members; returns
        them."""
        deadline = time.monotonic() + timeout
        while True:
            members = group_members(pgrp)
            if len(members) >= count or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        self.assertGreaterEqual(len(members), count, f"process group {pgrp}: {members}")
        return [Proc(p, f"member of job group {pgrp}") for p in members]

    def test_job_output_lands_in_its_cell(self):
        """A job's output that comes while a later cell runs is an update of
        the job's own display, parented to the later request."""
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import "time"')
        started = self.assert_ok(kc, "%bash_async sleep 0.5; echo late line; echo late error >&2")
        n, pid, did, text = self.job_display(started)
        self.assertEqual(job_sections(text).get("STDOUT"), "", text)
        later = self.assert_ok(kc, "time.Sleep(2 * time.Second)")
        texts = self.updates(did, later)
        self.assertTrue(texts, f"no update in the later cell: {later.describe()}")
        for m in later.messages:
            if m["msg_type"] == "update_display_data":
                self.assertEqual(m["parent_header"]["msg_id"], later.msg_id)
        self.assertEqual([m["msg_type"] for m in later.messages if m["msg_type"] != "update_display_data"], [])
        sec = job_sections(texts[-1])
        self.assertEqual(sec.get("STDOUT"), "late line\n", texts[-1])
        self.assertEqual(sec.get("STDERR"), "late error\n", texts[-1])
        self.assertIn("Process finished! code=0", sec.get("RUN LOG", ""), texts[-1])
        self.assertIn("finished, code=0", sec["title"], texts[-1])

    def test_shutdown_ends_jobs(self):
        km, kc = self.start_kernel()
        # bash execs a lone command; with two, sleep is bash's child.
        group = []
        for code, count in [("%bash_async sleep 1000", 1), ("%bash_async sleep 1000; echo never", 2)]:
            n, pid, _, _ = self.job_display(self.assert_ok(kc, code))
            group += self.wait_group(pid, count)
        self.assertEqual(len(group), 3, group)
        kernel = Proc(kernel_pid(km), "kernel")
        kc.stop_channels()
        km.shutdown_kernel()
        self.assertFalse(kernel.alive(), f"{kernel} is still running after shutdown")
        left = wait_gone(group, bound(2.0))
        for p in left:  # leave nothing behind, even on failure
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(left, [], "job processes survived the kernel's shutdown")

    # The IPython habits.

    def test_scripts(self):
        km, kc = self.start_kernel()
        for shell in ["bash", "sh"]:
            with self.subTest(shell=shell):
                cell = self.assert_ok(kc, f"%%{shell}\necho $0 in $(pwd)\necho to stderr >&2\nexit 2")
                self.assertEqual(cell.stdout, f"{shell} in {self.dir}\n", cell.describe())
                self.assertEqual(cell.stderr, "to stderr\nexit status 2\n", cell.describe())
        cell = self.assert_ok(kc, '%%bash\necho "bash $BASH_VERSION"')
        self.assertRegex(cell.stdout, r"^bash \d+\.", cell.describe())

    def test_writefile(self):
        km, kc = self.start_kernel()
        cell = self.assert_ok(kc, "%%writefile w.txt\nстрока 1")
        self.assertEqual(cell.stdout, "Writing w.txt\n", cell.describe())
        self.assertEqual(self.read("w.txt"), "строка 1\n")
        cell = self.assert_ok(kc, "%%writefile -a w.txt\nline 2\n%run not a magic here\n")
        self.assertEqual(cell.stdout, "Appending to w.txt\n", cell.describe())
        self.assertEqual(self.read("w.txt"), "строка 1\nline 2\n%run not a magic here\n")
        cell = self.assert_ok(kc, "%%file w.txt\nline 3")
        self.assertEqual(cell.stdout, "Overwriting w.txt\n", cell.describe())
        self.assertEqual(self.read("w.txt"), "line 3\n")

    def test_show(self):
        km, kc = self.start_kernel()
        data = self.only_display(self.assert_ok(kc, "%%html\n<b>жирный</b> <i>text</i>"))
        self.assertEqual(data["text/html"], "<b>жирный</b> <i>text</i>")
        data = self.only_display(self.assert_ok(kc, "%%markdown\n# Заголовок\n\n*text*"))
        self.assertEqual(data["text/markdown"], "# Заголовок\n\n*text*")
        for name in ["javascript", "js"]:
            data = self.only_display(self.assert_ok(kc, f"%%{name}\nconsole.log('{name}')"))
            self.assertEqual(data, {"application/javascript": f"console.log('{name}')"})

    def test_cd_pwd(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "os")')
        os.makedirs(self.path("sub", "deeper"))
        sub = self.path("sub")
        self.assertEqual(self.assert_ok(kc, "%pwd").stdout, self.dir + "\n")
        self.assertEqual(self.assert_ok(kc, "%cd sub").stdout, sub + "\n")
        self.assertEqual(self.assert_ok(kc, "%pwd").stdout, sub + "\n")
        self.assertEqual(self.assert_ok(kc, "wd, err := os.Getwd()\nfmt.Println(wd, err)").stdout, sub + " <nil>\n")
        self.assertEqual(self.assert_ok(kc, "!pwd").stdout, sub + "\n")
        self.assert_ok(kc, "%%writefile here.txt\nhere")
        self.assertEqual(self.read("sub/here.txt"), "here\n")
        # os.Chdir in a Go cell moves what %pwd, ! and file magics see.
        self.assert_ok(kc, 'if err := os.Chdir("deeper"); err != nil { panic(err) }')
        deeper = self.path("sub", "deeper")
        self.assertEqual(self.assert_ok(kc, "%pwd").stdout, deeper + "\n")
        self.assertEqual(self.assert_ok(kc, "!pwd").stdout, deeper + "\n")
        # %cd - goes to the directory before the last %cd.
        self.assertEqual(self.assert_ok(kc, "%cd -").stdout, self.dir + "\n")
        self.assertEqual(self.assert_ok(kc, "%cd -").stdout, deeper + "\n")
        self.assertEqual(self.assert_ok(kc, "%cd ../..").stdout, self.dir + "\n")
        home = os.path.normpath(os.path.expanduser("~"))
        self.assertEqual(self.assert_ok(kc, "%cd").stdout, home + "\n")
        self.assertEqual(self.assert_ok(kc, "wd, err = os.Getwd()\nfmt.Println(wd, err)").stdout, home + " <nil>\n")

    def test_env(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "os")')
        cell = self.assert_ok(kc, "%env GK_MAGIC_X=значение с пробелом")
        self.assertEqual(cell.stdout, "env: GK_MAGIC_X=значение с пробелом\n", cell.describe())
        self.assert_value(kc, 'os.Getenv("GK_MAGIC_X")', '"значение с пробелом"')
        self.assertEqual(self.assert_ok(kc, '!echo "[$GK_MAGIC_X]"').stdout, "[значение с пробелом]\n")
        self.assertEqual(self.assert_ok(kc, "%env GK_MAGIC_X").stdout, "значение с пробелом\n")
        self.assertIn("\nGK_MAGIC_X=значение с пробелом\n", "\n" + self.assert_ok(kc, "%env").stdout)
        cell = self.assert_ok(kc, "%bash_async echo \"job sees [$GK_MAGIC_X]\"")
        n, _, did, _ = self.job_display(cell)
        self.assert_ok(kc, f"%wait {n}")
        self.assertEqual(job_sections(self.updates(did)[-1]).get("STDOUT"), "job sees [значение с пробелом]\n")
        # NAME VALUE sets too; -u unsets everywhere.
        self.assert_ok(kc, "%env GK_MAGIC_Y second")
        self.assert_value(kc, 'os.Getenv("GK_MAGIC_Y")', '"second"')
        self.assertEqual(self.assert_ok(kc, "%env -u GK_MAGIC_X").stdout, "env: unset GK_MAGIC_X\n")
        self.assertEqual(self.assert_ok(kc, '_, ok := os.LookupEnv("GK_MAGIC_X")\nfmt.Println(ok)').stdout, "false\n")
        self.assertEqual(self.assert_ok(kc, '!echo "[${GK_MAGIC_X-unset}]"').stdout, "[unset]\n")
        self.assert_error(kc, "%env GK_MAGIC_X", "GK_MAGIC_X")

    def test_time(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import ("fmt"; "time")')
        cell = self.assert_ok(kc, "%time time.Sleep(200 * time.Millisecond)")
        m = re.fullmatch(r"Wall time: ([\d.]+) (s|ms)\n", cell.stdout)
        self.assertIsNotNone(m, cell.describe())
        secs = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
        self.assertGreaterEqual(secs, 0.2, cell.describe())
        self.assertLess(secs, 2, cell.describe())
        cell = self.assert_ok(kc, '%%time\nfmt.Println("в ячейке")\ny := 7')
        self.assertRegex(cell.stdout, r"^в ячейке\nWall time: [\d.]+ (s|ms|µs|ns)\n$", cell.describe())
        self.assert_value(kc, "y*6", "42")
        self.assert_error(kc, "%time nosuch()", "nosuch", ename=None)

    def test_timeit(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, 'import "time"\nalpha := 1')
        report = r"([\d.]+) (s|ms|µs|ns) ± [\d.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)\n"
        scale = {"s": 1, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}
        cell = self.assert_ok(kc, "%timeit -n 10 -r 3 time.Sleep(time.Millisecond)")
        m = re.fullmatch(report, cell.stdout)
        self.assertIsNotNone(m, cell.describe())
        self.assertEqual((m.group(4), m.group(5)), ("3", "10"), cell.describe())
        mean = float(m.group(1)) * scale[m.group(2)]
        self.assertGreaterEqual(mean, 1e-3, cell.describe())
        self.assertLess(mean, 0.1, cell.describe())
        # Without -n, the number of loops is a power of ten chosen by timing.
        cell = self.assert_ok(kc, "%timeit -r 2 alpha + 1", timeout=60)
        m = re.fullmatch(report, cell.stdout)
        self.assertIsNotNone(m, cell.describe())
        self.assertEqual(m.group(4), "2", cell.describe())
        self.assertRegex(m.group(5).replace(",", ""), r"^10*$", cell.describe())
        # The cell form runs its setup once, then the body n×r times.
        cell = self.assert_ok(kc, "%%timeit -n 5 -r 2 s := 0\ns += 1")
        m = re.fullmatch(report, cell.stdout)
        self.assertIsNotNone(m, cell.describe())
        self.assertEqual((m.group(4), m.group(5)), ("2", "5"), cell.describe())
        self.assert_value(kc, "s", "10")

    def test_who_reset(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, "alpha := 1\nfunc beta() int { return 2 }\ntype gamma struct{}")
        cell = self.assert_ok(kc, "%who")
        names = cell.stdout.split()
        for name in ["alpha", "beta", "gamma"]:
            self.assertIn(name, names, cell.describe())
        job = self.job_display(self.assert_ok(kc, "%bash_async sleep 1000; echo never"))
        group = self.wait_group(job[1], 2)
        worker = self.worker_pid(kc)
        cell = self.assert_ok(kc, "%reset -f")
        self.assertIn("every variable is gone", cell.stdout, cell.describe())
        self.assert_error(kc, "alpha", "alpha", ename=None)
        self.assertEqual(self.assert_ok(kc, "%who").stdout, "no names defined yet\n")
        self.assertNotEqual(self.worker_pid(kc), worker, "%reset kept the worker")
        self.assertEqual(wait_gone(group, bound(2.0)), [], "a job survived %reset")
        self.assert_ok(kc, "%reset")
        self.assert_value(kc, "1+1", "2")

    # Bad input.

    def test_bad_input(self):
        km, kc = self.start_kernel()
        self.assert_ok(kc, "keep := 41")
        cases = [
            ("%cdd /tmp", ["unknown line magic %cdd", "did you mean %cd?"]),
            ("%%cppp a.c\nint x;", ["unknown cell magic %%cppp", "did you mean %%cpp?"]),
            ("%lsmagik", ["did you mean %lsmagic?"]),
            ("keep = 100\n%nosuchmagic", ["%nosuchmagic"]),
            ("%kill", ["%kill", "missing job number"]),
            ("%wait", ["%wait", "missing job number"]),
            ("%job_write", ["%job_write", "missing job number"]),
            ("%pwd extra", ["%pwd", "unexpected argument", "extra"]),
            ("%lsmagic extra", ["%lsmagic", "unexpected argument"]),
            ("%%cpp\nint x;", ["%%cpp", "missing file name"]),
            ("%%go\npackage main", ["%%go", "missing file name"]),
            ("%%save_file\nx", ["%%save_file", "missing file name"]),
            ("%%cmake\nproject(x)", ["%%cmake", "missing file name"]),
            ("%%writefile\nx", ["%%writefile", "missing file name"]),
            ("%kill 99", ["%kill", "no job [99]"]),
            ("%wait 99", ["%wait", "no job [99]"]),
            ("%job_close 7", ["%job_close", "no job [7]"]),
            ("%kill -NOSUCHSIG 1", ["%kill", "unknown signal", "NOSUCHSIG"]),
            ("%cd /nonexistent-gokernel-dir", ["%cd", "no such directory", "/nonexistent-gokernel-dir"]),
            ("%p", ["%p", "missing expression"]),
        ]
        for code, wants in cases:
            with self.subTest(code=code):
                self.assert_error(kc, code, *wants)
                self.assert_value(kc, "keep+1", "42")
        # %kill of an unknown job and an unknown signal, with a job there.
        self.job_display(self.assert_ok(kc, "%bash_async sleep 1000"))
        self.assert_error(kc, "%kill 2", "no job [2]")
        self.assert_error(kc, "%kill -SIGNOPE 1", "unknown signal")
        self.assert_error(kc, "%kill -99 1", "unknown signal")
        self.assertIn("running", self.assert_ok(kc, "%jobs").stdout)
        self.assert_ok(kc, "%kill -9 1")
        self.assert_value(kc, "keep+1", "42")
        self.assertEqual(self.assert_ok(kc, "%pwd").stdout, self.dir + "\n", "a failed %cd moved the worker")


if __name__ == "__main__":
    unittest.main()
