"""jupyter_kernel_test's protocol conformance tests, for gokernel.

jupyter_kernel_test 0.4.5 (Debian's python3-jupyter-kernel-test) starts one
kernel for the whole class, so the tests share it: imports and variables of
one test are seen by the next, and re-importing a package is allowed.
"""

import os
import unittest

import jupyter_kernel_test
from jupyter_kernel_test.msgspec_v5 import validate_message

DISPLAY = 'import "github.com/beacceaf/gokernel/interp/display"\n'


class GoKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("GOKERNEL_KERNEL_NAME", "gokernel")

    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'import "fmt"\nfmt.Println("hello, world")'
    code_stderr = 'import ("fmt"; "os")\nfmt.Fprintln(os.Stderr, "error")'

    # Without "matches", jupyter_kernel_test only validates the replies: it
    # compares whole sets of matches, so the inclusion checks are below.
    completion_samples = [{"text": "fmt.Pri"}, {"text": "strings.ToU"}]

    # Magic and shell lines are read as running the cell reads them.
    complete_code_samples = ["1+1", "fmt.Println(1)", "x := 1\n%p x", "x := 1\n!echo hi", "%%bash\nfor\n"]
    incomplete_code_samples = ["func f() {", "x := []int{", "%p 1\nfor {", "!echo a \\", "%%bash\necho a"]
    invalid_code_samples = ["x := )", "}", "for {\n%p 1", "x := 1\n%%bash"]

    code_page_something = "fmt.Println?"
    code_generate_error = 'panic("boom")'

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": '"hi"', "result": '"hi"'},
    ]
    code_display_data = [{"code": DISPLAY + 'display.HTML("<b>hi</b>")', "mime": "text/html"}]

    # A history glob: "?" matches the "*" of "6*7".
    code_history_pattern = "6?7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"
    code_clear_output = DISPLAY + "display.ClearOutput(false)"

    def completions(self, text):
        """Completes at the end of text; returns text with each match
        applied, as a front end would."""
        msg_id = self.kc.complete(text)
        reply = self.get_non_kernel_info_reply(timeout=jupyter_kernel_test.TIMEOUT)
        validate_message(reply, "complete_reply", msg_id)
        c = reply["content"]
        self.assertEqual(c["status"], "ok")
        self.assertLessEqual(c["cursor_start"], c["cursor_end"])
        self.assertEqual(c["cursor_end"], len(text))
        return [text[: c["cursor_start"]] + m + text[c["cursor_end"] :] for m in c["matches"]]

    def test_completion_package_member(self):
        self.flush_channels()
        got = self.completions("fmt.Pri")
        for want in ("fmt.Print", "fmt.Printf", "fmt.Println"):
            self.assertIn(want, got)
        for line in got:
            self.assertTrue(line.startswith("fmt.Pri"), f"{line!r} does not complete 'fmt.Pri'")

    def test_completion_user_variable(self):
        self.flush_channels()
        reply, _ = self.execute_helper("gokernelCompletionVariable := 1")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIn("gokernelCompletionVariable", self.completions("gokernelCompletionV"))


if __name__ == "__main__":
    unittest.main()
