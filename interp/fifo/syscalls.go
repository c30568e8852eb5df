package fifo

import "golang.org/x/sys/unix"

// syscallNames names the system calls a blocked process is commonly found
// in. The numbers come from x/sys/unix, so they are right for the machine's
// architecture; archSyscallNames adds the calls that only older
// architectures have.
var syscallNames = map[int]string{
	unix.SYS_READ:            "read",
	unix.SYS_WRITE:           "write",
	unix.SYS_READV:           "readv",
	unix.SYS_WRITEV:          "writev",
	unix.SYS_PREAD64:         "pread64",
	unix.SYS_PWRITE64:        "pwrite64",
	unix.SYS_OPENAT:          "openat",
	unix.SYS_OPENAT2:         "openat2",
	unix.SYS_CLOSE:           "close",
	unix.SYS_PPOLL:           "ppoll",
	unix.SYS_PSELECT6:        "pselect6",
	unix.SYS_EPOLL_PWAIT:     "epoll_pwait",
	unix.SYS_FUTEX:           "futex",
	unix.SYS_NANOSLEEP:       "nanosleep",
	unix.SYS_CLOCK_NANOSLEEP: "clock_nanosleep",
	unix.SYS_WAIT4:           "wait4",
	unix.SYS_WAITID:          "waitid",
	unix.SYS_RT_SIGSUSPEND:   "rt_sigsuspend",
	unix.SYS_SPLICE:          "splice",
	unix.SYS_TEE:             "tee",
}

// syscallName returns the name of system call nr, or "".
func syscallName(nr int) string {
	if n, ok := syscallNames[nr]; ok {
		return n
	}
	return archSyscallNames[nr]
}

// callKind tells which FIFO operation a system call is: BlockOpen for the
// open calls, BlockRead and BlockWrite for the read and write calls, and
// NotBlocked for any other.
func callKind(nr int) Block {
	switch syscallName(nr) {
	case "open", "openat", "openat2":
		return BlockOpen
	case "read", "readv", "pread64":
		return BlockRead
	case "write", "writev", "pwrite64":
		return BlockWrite
	}
	return NotBlocked
}

// openArgs picks the directory descriptor, path pointer and flags out of
// the arguments of an open call. flags is -1 when the call passes them
// indirectly (openat2).
func openArgs(nr int, args [6]uint64) (dirfd int, path uint64, flags int) {
	switch syscallName(nr) {
	case "open":
		return unix.AT_FDCWD, args[0], int(int32(args[1]))
	case "openat2":
		return int(int32(args[0])), args[1], -1
	}
	return int(int32(args[0])), args[1], int(int32(args[2]))
}
