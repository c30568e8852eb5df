package fifo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/beacceaf/gokernel/interp/fifo"
)

// inTempDir makes a temporary directory with a FIFO named my_fifo in it,
// and returns the directory, the FIFO's path, and a function that removes
// both.
func inTempDir() (dir, path string, cleanup func()) {
	dir, err := os.MkdirTemp("", "fifo-example")
	if err != nil {
		panic(err)
	}
	path = filepath.Join(dir, "my_fifo")
	if err := fifo.Make(path, 0o600); err != nil {
		panic(err)
	}
	return dir, path, func() { os.RemoveAll(dir) }
}

// short removes the temporary directory from a message.
func short(dir string, err error) string {
	return strings.ReplaceAll(fmt.Sprint(err), dir+"/", "")
}

func ExampleMake() {
	dir, _, cleanup := inTempDir()
	defer cleanup()
	p := filepath.Join(dir, "fifo2")

	fmt.Println(fifo.Make(p, 0o600))
	fmt.Println(fifo.Make(p, 0o600)) // an existing FIFO is fine
	fi, _ := os.Stat(p)
	fmt.Println(fi.Mode())

	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("a file\n"), 0o600)
	err := fifo.Make(notes, 0o600)
	fmt.Println(short(dir, err))
	fmt.Println(errors.Is(err, fifo.ErrNotFIFO), errors.Is(err, fs.ErrExist))
	// Output:
	// <nil>
	// <nil>
	// prw-------
	// fifo: make notes.txt: not a fifo but a regular file
	// true true
}

func ExampleRecreate() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	fmt.Println(fifo.Recreate(p, 0o600)) // rm -f my_fifo && mkfifo my_fifo
	ok, err := fifo.Is(p)
	fmt.Println(ok, err)

	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("a file\n"), 0o600)
	fmt.Println(short(dir, fifo.Recreate(notes, 0o600)))
	b, _ := os.ReadFile(notes)
	fmt.Printf("%q\n", b)
	// Output:
	// <nil>
	// true <nil>
	// fifo: recreate notes.txt: not a fifo but a regular file, so it is left alone
	// "a file\n"
}

func ExampleIs() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	fmt.Println(fifo.Is(p))
	fmt.Println(fifo.Is(dir))
	_, err := fifo.Is(filepath.Join(dir, "missing"))
	fmt.Println(short(dir, err))
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// true <nil>
	// false <nil>
	// fifo: stat missing: no such file or directory
	// true
}

func ExampleOpenWrite() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	// No reader: the open waits, here for at most 100 ms.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := fifo.OpenWrite(ctx, p)
	fmt.Println(short(dir, err))
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	// With cat reading, the open succeeds.
	var out bytes.Buffer
	cat := exec.Command("cat", p)
	cat.Stdout = &out
	cat.Start()
	w, err := fifo.OpenWrite(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		cat.Process.Kill()
	} else {
		fmt.Fprintln(w, "Hello from Go")
		w.Close() // cat sees end of file
	}
	cat.Wait()
	fmt.Print(out.String())
	// Output:
	// fifo: open my_fifo for writing: context deadline exceeded
	// true
	// Hello from Go
}

func ExampleOpenRead() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := fifo.OpenRead(ctx, p)
	fmt.Println(short(dir, err))

	// A shell writer, as with %bash_async echo Hello > my_fifo.
	sh := exec.Command("sh", "-c", `echo Hello > "$0"`, p)
	sh.Start()
	defer sh.Wait()
	r, err := fifo.OpenRead(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		sh.Process.Kill()
		return
	}
	defer r.Close()
	b, err := io.ReadAll(r) // to end of file: the writer has closed
	fmt.Printf("%q %v\n", b, err)
	// Output:
	// fifo: open my_fifo for reading: context deadline exceeded
	// "Hello\n" <nil>
}

func ExampleOpenNonblock() {
	dir, p, cleanup := inTempDir()
	defer cleanup()
	buf := make([]byte, 64)

	// Reading: the open succeeds at once, and with no writer Read is EOF.
	r, err := fifo.OpenNonblock(p, os.O_RDONLY)
	fmt.Println(err)
	fmt.Println(r.Read(buf))
	r.Close()

	// Writing with no reader: ENXIO.
	_, err = fifo.OpenNonblock(p, os.O_WRONLY)
	fmt.Println(short(dir, err))
	fmt.Println(errors.Is(err, fifo.ErrNoReader), errors.Is(err, syscall.ENXIO))

	// With a reader, writing opens too; a writer and no data make Read
	// wait, here until its deadline.
	r, _ = fifo.OpenNonblock(p, os.O_RDONLY)
	defer r.Close()
	w, err := fifo.OpenNonblock(p, os.O_WRONLY)
	fmt.Println(err)
	r.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err = r.Read(buf)
	fmt.Println(errors.Is(err, os.ErrDeadlineExceeded))
	w.Close()
	r.SetReadDeadline(time.Time{})
	fmt.Println(r.Read(buf))
	// Output:
	// <nil>
	// 0 EOF
	// fifo: open my_fifo for writing (O_NONBLOCK): no such device or address
	// true true
	// <nil>
	// true
	// 0 EOF
}

func ExampleOpenReadWrite() {
	_, p, cleanup := inTempDir()
	defer cleanup()

	// The extra descriptor is a writer: cat never sees end of file while
	// it is open, however many writers come and go.
	extra, err := fifo.OpenReadWrite(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	var out bytes.Buffer
	cat := exec.Command("cat", p)
	cat.Stdout = &out
	cat.Start()
	for i := 1; i <= 3; i++ {
		exec.Command("sh", "-c", fmt.Sprintf(`echo "Hello %d" > "$0"`, i), p).Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	task, err := fifo.WaitBlocked(ctx, cat.Process.Pid, fifo.BlockRead)
	fmt.Println(task.Name, task.Block, err)

	extra.Close() // the last writer is gone: cat gets end of file
	fmt.Println(cat.Wait())
	fmt.Print(out.String())
	// Output:
	// cat blocked in read <nil>
	// <nil>
	// Hello 1
	// Hello 2
	// Hello 3
}

func ExampleOpeners() {
	_, p, cleanup := inTempDir()
	defer cleanup()

	extra, _ := fifo.OpenReadWrite(p)
	defer extra.Close()
	cat := exec.Command("cat", p)
	cat.Start()
	defer cat.Wait()
	defer cat.Process.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fifo.WaitBlocked(ctx, cat.Process.Pid, fifo.BlockRead) // cat has opened it

	openers, err := fifo.Openers(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	sort.Slice(openers, func(i, j int) bool { return openers[i].Mode < openers[j].Mode })
	for _, o := range openers {
		who := o.Comm
		if o.PID == os.Getpid() {
			who = "this program"
		}
		fmt.Printf("%s: %v\n", who, o.Mode)
	}
	// Output:
	// cat: read
	// this program: read-write
}

func ExampleProcStatus() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	cat := exec.Command("cat", p)
	cat.Start()
	pid := cat.Process.Pid
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fifo.WaitBlocked(ctx, pid, fifo.BlockOpen)

	st, err := fifo.ProcStatus(pid)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Name, st.State, st.PPID == os.Getpid(), st.Threads)

	// Release cat, and ask again: the PID is gone.
	w, _ := fifo.OpenWrite(ctx, p)
	w.Close()
	cat.Wait()
	_, err = fifo.ProcStatus(pid)
	fmt.Println(strings.Replace(short(dir, err), fmt.Sprint(pid), "PID", 1))
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// cat S (sleeping) true 1
	// fifo: status of pid PID: no such process
	// true
}

func ExampleTasks() {
	dir, _, cleanup := inTempDir()
	defer cleanup()

	// cat, started in the FIFO's directory, blocks opening my_fifo.
	cat := exec.Command("cat", "my_fifo")
	cat.Dir = dir
	cat.Start()
	defer cat.Wait()
	defer cat.Process.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fifo.WaitBlocked(ctx, cat.Process.Pid, fifo.BlockOpen)

	tasks, err := fifo.Tasks(cat.Process.Pid)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range tasks {
		// The wchan differs across Linux versions: wait_for_partner on
		// recent ones.
		knownWChan := slices.Contains([]string{"wait_for_partner", "fifo_open", "pipe_wait"}, t.WChan)
		fmt.Println(t.TID == cat.Process.Pid, t.Block, knownWChan)
		fmt.Println(t.Call())
	}
	// Output:
	// true blocked in open true
	// openat("my_fifo", O_RDONLY)
}

func ExampleWaitBlocked() {
	_, p, cleanup := inTempDir()
	defer cleanup()

	// A compound command: the shell stays, and cat runs in a child.
	var out bytes.Buffer
	sh := exec.Command("sh", "-c", `cat "$0"; echo done`, p)
	sh.Stdout = &out
	sh.Start()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	task, err := fifo.WaitBlocked(ctx, sh.Process.Pid)
	if err != nil {
		fmt.Println(err)
		sh.Process.Kill()
		sh.Wait()
		return
	}
	fmt.Println(task.Name, task.Block, task.PID != sh.Process.Pid)

	w, _ := fifo.OpenWrite(ctx, p)
	fmt.Fprintln(w, "hi")
	w.Close()
	sh.Wait()
	fmt.Print(out.String())
	// Output:
	// cat blocked in open true
	// hi
	// done
}

func ExamplePgrep() {
	// A command line that nothing else on the machine has.
	arg := fmt.Sprintf("29.%d", os.Getpid())
	sleeper := exec.Command("sleep", arg)
	sleeper.Start()

	pids, err := fifo.Pgrep("sleep " + arg)
	fmt.Println(slices.Equal(pids, []int{sleeper.Process.Pid}), err)

	sleeper.Process.Kill()
	sleeper.Wait()
	pids, err = fifo.Pgrep("sleep " + arg)
	fmt.Println(len(pids), err)
	// Output:
	// true <nil>
	// 0 <nil>
}

func ExampleSetInterrupt() {
	dir, p, cleanup := inTempDir()
	defer cleanup()

	// What the gokernel worker does at start-up, with a channel that is
	// closed when the user interrupts the running cell.
	interrupt := make(chan struct{})
	fifo.SetInterrupt(func() <-chan struct{} { return interrupt })
	defer fifo.SetInterrupt(nil)
	time.AfterFunc(100*time.Millisecond, func() { close(interrupt) })

	_, err := fifo.OpenWrite(context.Background(), p) // no reader, no deadline
	fmt.Println(short(dir, err))
	fmt.Println(errors.Is(err, fifo.ErrInterrupted), errors.Is(err, context.Canceled))
	// Output:
	// fifo: open my_fifo for writing: interrupted
	// true true
}

func ExampleSignalNames() {
	// SigIgn of a process that ignores SIGINT and SIGPIPE.
	fmt.Println(fifo.SignalNames(0x1002))

	st, _ := fifo.ProcStatus(os.Getpid())
	// A Go program never ignores SIGPIPE: it catches it.
	fmt.Println(slices.Contains(fifo.SignalNames(st.SigCgt), "SIGPIPE"))
	// Output:
	// [SIGINT SIGPIPE]
	// true
}

func ExampleTask_String() {
	t := fifo.Task{PID: 4242, TID: 4242, Name: "cat", State: "S (sleeping)", WChan: "wait_for_partner",
		Syscall: -1, FD: -1, Flags: -1, Block: fifo.BlockOpen}
	fmt.Println(t)
	// Output:
	// cat[4242] S (sleeping), wchan wait_for_partner: blocked in open
}
