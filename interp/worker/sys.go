package worker

import "syscall"

var syscallEPERM = syscall.EPERM

func closeFD(fd int) error { return syscall.Close(fd) }
