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
