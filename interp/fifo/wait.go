package fifo

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// blockPollInterval is how often WaitBlocked looks again.
const blockPollInterval = 20 * time.Millisecond

// WaitBlocked waits until process pid, or one of its descendants, has a
// task blocked in a FIFO operation, and returns that task; with kinds, only
// a task blocked in one of those (BlockOpen, BlockRead, BlockWrite) counts.
// It looks every 20 ms at every task of the process tree (see Tasks), and
// knows the wchan names of several Linux versions.
//
// Descendants matter because a shell runs a compound command such as
// `echo Hello > my_fifo; echo done` itself, but a pipeline or a program
// call in a child process; the blocked task is then a child of the PID the
// job reports.
//
// It gives up when ctx ends, when gokernel's interrupt comes (see
// SetInterrupt), or when pid exits (an error wrapping ErrNoProcess). A
// tree whose processes have exited but not been reaped counts as exited.
//
// A Go program blocked reading or writing a FIFO through an *os.File waits
// in Go's poller, not in the FIFO, so it shows as NotBlocked; a Go program
// blocked in os.OpenFile of a FIFO shows BlockOpen like any other.
func WaitBlocked(ctx context.Context, pid int, kinds ...Block) (Task, error) {
	ctx = orBackground(ctx)
	if err := checkPID("wait for", pid); err != nil {
		return Task{}, err
	}
	for _, k := range kinds {
		if k != BlockOpen && k != BlockRead && k != BlockWrite {
			return Task{}, fmt.Errorf("fifo: wait for pid %d: bad kind %v, want BlockOpen, BlockRead or BlockWrite: %w",
				pid, k, syscall.EINVAL)
		}
	}
	var t *time.Timer
	defer func() { stopTimer(t) }()
	for {
		task, found, err := findBlocked(pid, kinds)
		if err != nil {
			return Task{}, fmt.Errorf("fifo: wait for pid %d to block: %w", pid, err)
		}
		if found {
			return task, nil
		}
		if err := pause(ctx, &t, blockPollInterval); err != nil {
			return Task{}, fmt.Errorf("fifo: wait for pid %d to block: %w", pid, err)
		}
	}
}

// findBlocked looks once through the tasks of pid and its descendants.
func findBlocked(pid int, kinds []Block) (Task, bool, error) {
	st, err := readStatus("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Task{}, false, procErr(err)
	}
	if isZombie(st) {
		return Task{}, false, errExited
	}
	for _, p := range append([]int{pid}, descendants(pid)...) {
		tasks, err := readTasks(p)
		if err != nil {
			continue // gone meanwhile
		}
		for _, t := range tasks {
			if t.Block != NotBlocked && (len(kinds) == 0 || slices.Contains(kinds, t.Block)) {
				return t, true, nil
			}
		}
	}
	return Task{}, false, nil
}

// descendants lists the descendants of pid, children first. It reads
// /proc/PID/task/TID/children; where the kernel lacks those files, it
// falls back to the parent PIDs of every process.
func descendants(pid int) []int {
	kids, ok := childrenOf(pid)
	if !ok {
		return descendantsByScan(pid)
	}
	var out []int
	seen := map[int]bool{pid: true}
	for len(kids) > 0 {
		k := kids[0]
		kids = kids[1:]
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		if more, ok := childrenOf(k); ok {
			kids = append(kids, more...)
		}
	}
	return out
}

// childrenOf reads the children of every task of pid. ok is false if the
// kernel has no children files.
func childrenOf(pid int) ([]int, bool) {
	base := "/proc/" + strconv.Itoa(pid) + "/task"
	tids, err := readDirNames(base)
	if err != nil {
		return nil, true // gone: no children
	}
	var kids []int
	for _, tid := range tids {
		b, err := os.ReadFile(base + "/" + tid + "/children")
		if os.IsNotExist(err) {
			if _, serr := os.Stat(base + "/" + tid); serr == nil {
				return nil, false // the task is there, the file is not
			}
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if k, err := strconv.Atoi(f); err == nil {
				kids = append(kids, k)
			}
		}
	}
	return kids, true
}

// descendantsByScan finds the descendants of pid from the PPid of every
// process.
func descendantsByScan(pid int) []int {
	pids, err := allPIDs()
	if err != nil {
		return nil
	}
	parent := make(map[int][]int)
	for _, p := range pids {
		if st, err := readStatus("/proc/" + strconv.Itoa(p) + "/status"); err == nil {
			parent[st.PPID] = append(parent[st.PPID], p)
		}
	}
	var out []int
	queue := parent[pid]
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		queue = append(queue, parent[k]...)
	}
	return out
}

// Pgrep returns the PIDs, in ascending order, of the processes whose
// command line (its arguments joined by spaces, as ps aux shows it)
// contains substr: it replaces the seminar's `ps aux | grep …`, without
// finding the grep itself. The calling process is left out, and so are
// kernel threads and exited processes, which have no command line. No match
// is an empty result, not an error.
func Pgrep(substr string) ([]int, error) {
	if substr == "" {
		return nil, fmt.Errorf("fifo: pgrep %q: empty pattern, which would match every process: %w",
			substr, syscall.EINVAL)
	}
	pids, err := allPIDs()
	if err != nil {
		return nil, fmt.Errorf("fifo: pgrep %q: %w", substr, err)
	}
	self := os.Getpid()
	var out []int
	for _, pid := range pids {
		if pid == self {
			continue
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil || len(b) == 0 {
			continue
		}
		line := strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " ")
		if strings.Contains(line, substr) {
			out = append(out, pid)
		}
	}
	return out, nil
}
