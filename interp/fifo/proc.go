package fifo

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Status is the parsed /proc/PID/status of a process.
type Status struct {
	Name    string // the command name (at most 15 bytes), e.g. "cat"
	State   string // e.g. "S (sleeping)"; the first letter is the code ps shows
	PID     int
	PPID    int
	Threads int
	SigIgn  uint64            // ignored signals, bit n-1 for signal n; SignalNames decodes it
	SigCgt  uint64            // caught signals (a handler is installed)
	SigBlk  uint64            // blocked signals
	SigPnd  uint64            // signals pending for the thread
	Fields  map[string]string // every line, by name ("VmRSS": "1234 kB", ...)
}

// String gives the main fields on one line, for example
// `pid 4242 "cat" S (sleeping), ppid 4240, 1 thread(s)`.
func (s *Status) String() string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("pid %d %q %s, ppid %d, %d thread(s)", s.PID, s.Name, s.State, s.PPID, s.Threads)
}

// checkPID rejects a PID that cannot name a process.
func checkPID(op string, pid int) error {
	if pid <= 0 {
		return fmt.Errorf("fifo: %s pid %d: %w", op, pid, errBadPID)
	}
	return nil
}

// ProcStatus reads /proc/PID/status: what `cat /proc/PID/status` shows,
// parsed. A PID that names no process (any more) gives an error wrapping
// ErrNoProcess and fs.ErrNotExist; this is why a PID typed into a notebook
// fails on the next run.
//
// A process that has exited but has not been reaped by its parent still
// has a status, with State "Z (zombie)".
func ProcStatus(pid int) (*Status, error) {
	if err := checkPID("status of", pid); err != nil {
		return nil, err
	}
	st, err := readStatus("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, fmt.Errorf("fifo: status of pid %d: %w", pid, procErr(err))
	}
	return st, nil
}

// readStatus reads and parses a status file.
func readStatus(file string) (*Status, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	st := &Status{Fields: make(map[string]string)}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		st.Fields[k] = v
		switch k {
		case "Name":
			st.Name = v
		case "State":
			st.State = v
		case "Pid":
			st.PID, _ = strconv.Atoi(v)
		case "PPid":
			st.PPID, _ = strconv.Atoi(v)
		case "Threads":
			st.Threads, _ = strconv.Atoi(v)
		case "SigIgn":
			st.SigIgn, _ = strconv.ParseUint(v, 16, 64)
		case "SigCgt":
			st.SigCgt, _ = strconv.ParseUint(v, 16, 64)
		case "SigBlk":
			st.SigBlk, _ = strconv.ParseUint(v, 16, 64)
		case "SigPnd":
			st.SigPnd, _ = strconv.ParseUint(v, 16, 64)
		}
	}
	if st.Name == "" && st.State == "" {
		return nil, fmt.Errorf("%s: unexpected contents", file)
	}
	return st, nil
}

// SignalNames decodes a signal mask of /proc/PID/status (SigIgn, SigCgt,
// SigBlk, SigPnd), in which bit n-1 stands for signal n, into names such as
// "SIGPIPE", in signal-number order. Real-time signals show as "SIGRT34"
// and so on.
func SignalNames(mask uint64) []string {
	var names []string
	for n := 1; n <= 64; n++ {
		if mask&(1<<(n-1)) == 0 {
			continue
		}
		name := unix.SignalName(syscall.Signal(n))
		if name == "" {
			name = "SIGRT" + strconv.Itoa(n)
		}
		names = append(names, name)
	}
	return names
}

// Block says in which FIFO (or pipe) operation a task is blocked.
type Block int

// The values of Block.
const (
	NotBlocked Block = iota // running, or sleeping in something else
	BlockOpen               // in open(2) of a FIFO, waiting for the other end
	BlockRead               // in read(2), on an empty FIFO or pipe that has a writer
	BlockWrite              // in write(2), on a full FIFO or pipe
)

// String returns "not blocked", "blocked in open", "blocked in read" or
// "blocked in write".
func (b Block) String() string {
	switch b {
	case NotBlocked:
		return "not blocked"
	case BlockOpen:
		return "blocked in open"
	case BlockRead:
		return "blocked in read"
	case BlockWrite:
		return "blocked in write"
	}
	return "Block(" + strconv.Itoa(int(b)) + ")"
}

// wchanBlocks maps the kernel functions a task sleeps in (its wchan) to
// what they mean for a FIFO. Names differ across Linux versions: recent
// kernels say wait_for_partner, anon_pipe_read and anon_pipe_write; older
// ones fifo_open, pipe_read and pipe_write. The oldest say pipe_wait for
// all three; that case is decided by the system call.
var wchanBlocks = map[string]Block{
	"wait_for_partner":   BlockOpen,
	"fifo_open":          BlockOpen,
	"anon_pipe_read":     BlockRead,
	"pipe_read":          BlockRead,
	"pipe_wait_readable": BlockRead,
	"anon_pipe_write":    BlockWrite,
	"pipe_write":         BlockWrite,
	"pipe_wait_writable": BlockWrite,
}

// A Task is one thread of a process, as /proc/PID/task/TID shows it: what
// it is doing, and if it is in a system call, which one and on what.
type Task struct {
	PID     int    // the process the task belongs to
	TID     int    // the task (thread) ID; the main thread has TID == PID
	Name    string // the task's command name
	State   string // e.g. "S (sleeping)"
	WChan   string // the kernel function it sleeps in, e.g. "wait_for_partner"; "" when running or hidden
	Syscall int    // the system call it is in (its number on this machine); -1 if none, running, or not readable
	FD      int    // the descriptor argument of a read or write call, -1 otherwise
	Path    string // what the call is about: the path argument of an open, or the file of FD; "" if unknown
	Flags   int    // the flags argument of an open call, -1 otherwise
	Block   Block  // in which FIFO operation the task is blocked, if any
}

// SyscallName returns the name of the task's system call, such as "openat"
// or "read"; "" if it is in none; "syscall N" for one this package does not
// name.
func (t Task) SyscallName() string {
	if t.Syscall < 0 {
		return ""
	}
	if n := syscallName(t.Syscall); n != "" {
		return n
	}
	return "syscall " + strconv.Itoa(t.Syscall)
}

// Call describes the system call the task is in, for example
// `openat("my_fifo", O_WRONLY)` or `read(3 → /home/me/my_fifo)`; "" if it
// is in none.
func (t Task) Call() string {
	name := t.SyscallName()
	switch {
	case name == "":
		return ""
	case t.Flags >= 0 && t.Path != "":
		return fmt.Sprintf("%s(%q, %s)", name, t.Path, openFlagString(t.Flags))
	case t.FD >= 0 && t.Path != "":
		return fmt.Sprintf("%s(%d → %s)", name, t.FD, t.Path)
	case t.FD >= 0:
		return fmt.Sprintf("%s(%d)", name, t.FD)
	}
	return name + "(…)"
}

// String describes the task on one line, for example
// `cat[4242] S (sleeping) in openat("my_fifo", O_RDONLY), wchan wait_for_partner: blocked in open`.
func (t Task) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%d] %s", t.Name, t.TID, t.State)
	if c := t.Call(); c != "" {
		fmt.Fprintf(&b, " in %s", c)
	}
	if t.WChan != "" {
		fmt.Fprintf(&b, ", wchan %s", t.WChan)
	}
	if t.Block != NotBlocked {
		fmt.Fprintf(&b, ": %s", t.Block)
	}
	return b.String()
}

// Tasks lists the threads of process pid, in TID order, with their state,
// wchan and system call. A single-threaded C program or shell has one task;
// a Go program has several, and the one blocked in a FIFO open is not
// necessarily the main one.
//
// Which system call a task is in, and its arguments, can be read only for
// processes the caller may trace (its own user's, unless the system
// restricts ptrace); otherwise Syscall is -1 and Block relies on the wchan
// alone.
func Tasks(pid int) ([]Task, error) {
	if err := checkPID("tasks of", pid); err != nil {
		return nil, err
	}
	tasks, err := readTasks(pid)
	if err != nil {
		return nil, fmt.Errorf("fifo: tasks of pid %d: %w", pid, procErr(err))
	}
	return tasks, nil
}

// readTasks does the work of Tasks.
func readTasks(pid int) ([]Task, error) {
	base := "/proc/" + strconv.Itoa(pid)
	names, err := readDirNames(base + "/task")
	if err != nil {
		return nil, err
	}
	var tids []int
	for _, n := range names {
		if tid, err := strconv.Atoi(n); err == nil {
			tids = append(tids, tid)
		}
	}
	slices.Sort(tids)
	var tasks []Task
	for _, tid := range tids {
		t, ok := readTask(pid, tid)
		if ok {
			tasks = append(tasks, t)
		}
	}
	if len(tasks) == 0 {
		return nil, ErrNoProcess
	}
	return tasks, nil
}

// readTask reads one task; ok is false if it has gone.
func readTask(pid, tid int) (Task, bool) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid)
	st, err := readStatus(dir + "/status")
	if err != nil {
		return Task{}, false
	}
	t := Task{PID: pid, TID: tid, Name: st.Name, State: st.State, Syscall: -1, FD: -1, Flags: -1}
	if b, err := os.ReadFile(dir + "/wchan"); err == nil {
		w := strings.TrimSpace(string(b))
		if w != "0" {
			t.WChan = w
		}
	}
	onFIFO := false
	if nr, args, ok := readSyscall(dir + "/syscall"); ok {
		t.Syscall = nr
		onFIFO = t.describeArgs(args)
	}
	t.Block = classify(t, onFIFO)
	return t, true
}

// readSyscall parses /proc/PID/task/TID/syscall: the call number and its
// six arguments. ok is false when the task is running, is in no system
// call, or the file cannot be read.
func readSyscall(file string) (nr int, args [6]uint64, ok bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, args, false
	}
	f := strings.Fields(string(b))
	if len(f) < 7 {
		return 0, args, false // "running", or "-1 sp pc"
	}
	nr, err = strconv.Atoi(f[0])
	if err != nil || nr < 0 {
		return 0, args, false
	}
	for i := range args {
		args[i], err = strconv.ParseUint(strings.TrimPrefix(f[i+1], "0x"), 16, 64)
		if err != nil {
			return 0, args, false
		}
	}
	return nr, args, true
}

// describeArgs fills FD, Path and Flags from the arguments of the task's
// system call, and reports whether the call is about a FIFO or pipe.
func (t *Task) describeArgs(args [6]uint64) (onFIFO bool) {
	base := "/proc/" + strconv.Itoa(t.PID)
	switch callKind(t.Syscall) {
	case BlockOpen:
		dirfd, pathArg, flagArg := openArgs(t.Syscall, args)
		p, ok := readCString(t.PID, pathArg)
		if !ok {
			return false
		}
		t.Path = p
		if flagArg >= 0 {
			t.Flags = flagArg
		}
		// Resolve the path as the task sees it, to tell whether it is a FIFO.
		full := p
		if !strings.HasPrefix(p, "/") {
			if dirfd == unix.AT_FDCWD {
				full = base + "/cwd/" + p
			} else {
				full = base + "/fd/" + strconv.Itoa(dirfd) + "/" + p
			}
		}
		var st unix.Stat_t
		return unix.Stat(full, &st) == nil && isFIFO(st.Mode)
	case BlockRead, BlockWrite:
		t.FD = int(int32(args[0]))
		link := base + "/fd/" + strconv.Itoa(t.FD)
		if target, err := os.Readlink(link); err == nil {
			t.Path = target
		}
		var st unix.Stat_t
		return unix.Stat(link, &st) == nil && isFIFO(st.Mode)
	}
	return false
}

// readCString reads a NUL-terminated string of at most 4096 bytes at addr
// in the memory of process pid.
func readCString(pid int, addr uint64) (string, bool) {
	if addr == 0 || addr > 1<<62 {
		return "", false
	}
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/mem")
	if err != nil {
		return "", false
	}
	defer f.Close()
	const page = 4096
	var out []byte
	for len(out) < 4096 {
		n := page - int(addr%page) // never read across a page boundary
		n = min(n, 256)
		buf := make([]byte, n)
		m, err := f.ReadAt(buf, int64(addr))
		if m <= 0 {
			return "", false
		}
		if i := bytes.IndexByte(buf[:m], 0); i >= 0 {
			return string(append(out, buf[:i]...)), true
		}
		if err != nil {
			return "", false
		}
		out = append(out, buf[:m]...)
		addr += uint64(m)
	}
	return string(out), true
}

// classify decides in which FIFO operation, if any, a task is blocked.
func classify(t Task, onFIFO bool) Block {
	if b, ok := wchanBlocks[t.WChan]; ok {
		return b
	}
	// An old kernel's pipe_wait, or a wchan the kernel hides: decide by the
	// system call, if the task sleeps in one on a FIFO or pipe.
	if t.WChan != "" && t.WChan != "pipe_wait" {
		return NotBlocked
	}
	if !onFIFO || !strings.HasPrefix(t.State, "S") {
		return NotBlocked
	}
	return callKind(t.Syscall)
}

// formatFlag pairs a flag bit with its name.
type formatFlag struct {
	bit  int
	name string
}

// openFlagNames are the open(2) flags that openFlagString names.
var openFlagNames = []formatFlag{
	{unix.O_NONBLOCK, "O_NONBLOCK"},
	{unix.O_CLOEXEC, "O_CLOEXEC"},
	{unix.O_CREAT, "O_CREAT"},
	{unix.O_EXCL, "O_EXCL"},
	{unix.O_TRUNC, "O_TRUNC"},
	{unix.O_APPEND, "O_APPEND"},
	{unix.O_NOCTTY, "O_NOCTTY"},
}

// openFlagString formats open(2) flags as in C: "O_WRONLY|O_CREAT".
func openFlagString(flags int) string {
	var parts []string
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		parts = append(parts, "O_RDONLY")
	case unix.O_WRONLY:
		parts = append(parts, "O_WRONLY")
	default:
		parts = append(parts, "O_RDWR")
	}
	for _, f := range openFlagNames {
		if flags&f.bit != 0 {
			parts = append(parts, f.name)
		}
	}
	return strings.Join(parts, "|")
}

// errExited is wrapped when a process that was being watched has exited.
var errExited = fmt.Errorf("it exited: %w", ErrNoProcess)

// isZombie reports whether a status belongs to a process that has exited.
func isZombie(st *Status) bool {
	return strings.HasPrefix(st.State, "Z") || strings.HasPrefix(st.State, "X")
}
