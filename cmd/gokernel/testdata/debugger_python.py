"""The DAP replay of dap.py against Debian's ipykernel, with Python code.

This pins down what a real kernel does for each step that debugger_go.py
then asks of gokernel.
"""

import unittest

from ipykernel.compiler import murmur2_x86

import dap


class IPykernelReplay(dap.ReplayTest):
    KERNEL = "python3"
    CELL = "def add(a, b):\n    c = a + b\n    c = c * 10\n    return c\n\ny = add(2, 3)\n"
    SHOW_Y = "y"
    HASH = staticmethod(murmur2_x86)


if __name__ == "__main__":
    unittest.main()
