"""A short-lived front end: starts gokernel through jupyter_client, prints
the connection file and the kernel's PID on one line, and waits to be
killed. reliability.py kills it to check that the kernel ends with it."""

import time

from jupyter_client.manager import KernelManager

from gkutil import KERNEL_NAME

km = KernelManager(kernel_name=KERNEL_NAME)
km.start_kernel()
print(km.connection_file, km.provisioner.process.pid, flush=True)
time.sleep(3600)
