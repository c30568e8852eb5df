package magics

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ptyRows and ptyCols are the terminal size commands see, pexpect's default.
const ptyRows, ptyCols = 24, 80

// openPTY opens a new pseudo-terminal pair. The master is non-blocking, so
// that its reads honour deadlines; the slave is meant for a child's
// stdin, stdout and stderr. Both are close-on-exec: exec.Cmd dups the slave
// into the child.
func openPTY() (master, slave *os.File, err error) {
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	fail := func(what string, err error) (*os.File, *os.File, error) {
		unix.Close(mfd)
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil { // unlockpt
		return fail("unlock pty", err)
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN) // ptsname
	if err != nil {
		return fail("get pty number", err)
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail("open "+name, err)
	}
	if err := unix.IoctlSetWinsize(sfd, unix.TIOCSWINSZ, &unix.Winsize{Row: ptyRows, Col: ptyCols}); err != nil {
		unix.Close(sfd)
		return fail("set pty size", err)
	}
	return os.NewFile(uintptr(mfd), "/dev/ptmx"), os.NewFile(uintptr(sfd), name), nil
}
