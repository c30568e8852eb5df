//go:build !amd64

package fifo

// archSyscallNames is empty: this architecture has only the system calls
// that syscallNames names.
var archSyscallNames = map[int]string{}
