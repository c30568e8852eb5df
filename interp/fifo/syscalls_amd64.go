package fifo

import "golang.org/x/sys/unix"

// archSyscallNames names the system calls that amd64 has and newer
// architectures, such as arm64, replaced with their *at or p* forms.
var archSyscallNames = map[int]string{
	unix.SYS_OPEN:       "open",
	unix.SYS_POLL:       "poll",
	unix.SYS_SELECT:     "select",
	unix.SYS_PAUSE:      "pause",
	unix.SYS_EPOLL_WAIT: "epoll_wait",
}
