package fifo

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Mode says which ends of a FIFO a descriptor holds.
type Mode int

// The modes of an Opener.
const (
	ModeRead      Mode = iota + 1 // opened O_RDONLY
	ModeWrite                     // opened O_WRONLY
	ModeReadWrite                 // opened O_RDWR: a reader and a writer at once
)

// String returns "read", "write" or "read-write".
func (m Mode) String() string {
	switch m {
	case ModeRead:
		return "read"
	case ModeWrite:
		return "write"
	case ModeReadWrite:
		return "read-write"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// An Opener is one open descriptor of a FIFO, in some process.
type Opener struct {
	PID   int    // the process that holds the descriptor
	Comm  string // its command name, as in /proc/PID/comm
	FD    int    // the descriptor number in that process
	Mode  Mode   // which ends it holds
	Flags int    // the file status flags (O_NONBLOCK, O_CLOEXEC, ...), from /proc/PID/fdinfo
}

// String describes the opener, for example "cat (pid 4242) fd 3: read".
func (o Opener) String() string {
	return fmt.Sprintf("%s (pid %d) fd %d: %s", o.Comm, o.PID, o.FD, o.Mode)
}

// Openers lists every open descriptor of the FIFO at path, in every process
// whose /proc entries the caller may read (in practice, the caller's own
// user's processes): who holds this FIFO open, and in which mode. The list
// is sorted by PID, then descriptor. It includes the calling process, so in
// gokernel it shows the worker that runs the cells when a cell holds the
// FIFO open.
//
// Descriptors are matched by the FIFO's device and inode, not by name, so a
// relative path or a symbolic link finds the same openers, and a FIFO that
// was removed and made again (Recreate) is a different FIFO. A process
// blocked in open(2) has no descriptor yet and is not listed; Tasks and
// WaitBlocked show it.
func Openers(path string) ([]Opener, error) {
	if path == "" {
		return nil, fmt.Errorf("fifo: openers of %s: %w", show(path), errEmptyPath)
	}
	var want unix.Stat_t
	if err := unix.Stat(path, &want); err != nil {
		return nil, fmt.Errorf("fifo: openers of %s: %w", path, err)
	}
	if !isFIFO(want.Mode) {
		return nil, fmt.Errorf("fifo: openers of %s: %w", path, &notFIFOError{kind: kindOf(want.Mode)})
	}
	pids, err := allPIDs()
	if err != nil {
		return nil, fmt.Errorf("fifo: openers of %s: %w", path, err)
	}
	var out []Opener
	for _, pid := range pids {
		out = append(out, openersIn(pid, want.Dev, want.Ino)...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PID != out[j].PID {
			return out[i].PID < out[j].PID
		}
		return out[i].FD < out[j].FD
	})
	return out, nil
}

// openersIn lists the descriptors of process pid that refer to the file
// with the given device and inode. A process that has gone, or that the
// caller may not inspect, has none.
func openersIn(pid int, dev, ino uint64) []Opener {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	names, err := readDirNames(dir)
	if err != nil {
		return nil
	}
	var out []Opener
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		link := dir + "/" + name
		target, err := os.Readlink(link)
		if err != nil || !strings.HasPrefix(target, "/") {
			continue // gone, or a socket, pipe or other anonymous file
		}
		var st unix.Stat_t
		if unix.Stat(link, &st) != nil || st.Dev != dev || st.Ino != ino {
			continue
		}
		flags := fdFlags(pid, fd)
		if flags < 0 {
			continue // closed meanwhile
		}
		var mode Mode
		switch flags & unix.O_ACCMODE {
		case unix.O_RDONLY:
			mode = ModeRead
		case unix.O_WRONLY:
			mode = ModeWrite
		default:
			mode = ModeReadWrite
		}
		out = append(out, Opener{PID: pid, Comm: comm(pid), FD: fd, Mode: mode, Flags: flags})
	}
	return out
}

// fdFlags reads the file status flags of descriptor fd of process pid from
// /proc/PID/fdinfo/FD, or returns -1.
func fdFlags(pid, fd int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(fd))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			if err != nil {
				return -1
			}
			return int(n)
		}
	}
	return -1
}

// comm returns the command name of process pid, or "".
func comm(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// readDirNames lists the names in a directory, unsorted.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// allPIDs lists the processes in /proc, in ascending order.
func allPIDs() ([]int, error) {
	names, err := readDirNames("/proc")
	if err != nil {
		return nil, err
	}
	pids := make([]int, 0, len(names))
	for _, name := range names {
		if pid, err := strconv.Atoi(name); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids, nil
}
