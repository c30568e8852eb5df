//go:build linux && (amd64 || arm64)

package symbols_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/symbols"
)

func TestUnixTableKey(t *testing.T) {
	if len(symbols.Symbols["golang.org/x/sys/unix/unix"]) < 1000 {
		t.Fatalf("unix table has %d symbols, want the course subset", len(symbols.Symbols["golang.org/x/sys/unix/unix"]))
	}
}

// fifoRoundTrip does on the host what the fifo cell does in the
// interpreter, and formats the results the same way.
func fifoRoundTrip(path string) string {
	err := unix.Mkfifo(path, 0o600)
	fd, err2 := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK, 0)
	n, err3 := unix.Write(fd, []byte("ping"))
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	np, err4 := unix.Poll(fds, 1000)
	buf := make([]byte, 16)
	m, err5 := unix.Read(fd, buf)
	_, err6 := unix.Read(fd, buf)
	sz, err7 := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
	unix.Close(fd)
	return fmt.Sprintln(err, err2 == nil, n, err3, np, fds[0].Revents&unix.POLLIN != 0, err4, string(buf[:m]), err5, err6 == unix.EAGAIN, sz, err7)
}

const fifoCell = `err := unix.Mkfifo(%q, 0o600)
fd, err2 := unix.Open(%[1]q, unix.O_RDWR|unix.O_NONBLOCK, 0)
n, err3 := unix.Write(fd, []byte("ping"))
fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
np, err4 := unix.Poll(fds, 1000)
buf := make([]byte, 16)
m, err5 := unix.Read(fd, buf)
_, err6 := unix.Read(fd, buf)
sz, err7 := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0)
unix.Close(fd)
fmt.Println(err, err2 == nil, n, err3, np, fds[0].Revents&unix.POLLIN != 0, err4, string(buf[:m]), err5, err6 == unix.EAGAIN, sz, err7)`

func TestUnixCells(t *testing.T) {
	dir := t.TempDir()
	mapped := filepath.Join(dir, "mapped")
	content := fmt.Sprintf("mapped by pid %d", os.Getpid())
	if err := os.WriteFile(mapped, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		t.Fatal(err)
	}
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}

	runCells(t, []cell{{
		name:    "mkfifo open write poll read fcntl",
		imports: []string{"fmt", "golang.org/x/sys/unix"},
		code:    fmt.Sprintf(fifoCell, filepath.Join(dir, "cell.fifo")),
		want:    fifoRoundTrip(filepath.Join(dir, "host.fifo")),
	}, {
		name:    "mmap a file",
		imports: []string{"fmt", "golang.org/x/sys/unix"},
		code: fmt.Sprintf(`fd, err := unix.Open(%q, unix.O_RDONLY, 0)
b, err2 := unix.Mmap(fd, 0, %d, unix.PROT_READ, unix.MAP_SHARED)
fmt.Println(string(b), err, err2, unix.Munmap(b), unix.Close(fd))`, mapped, len(content)),
		want: fmt.Sprintln(content, nil, nil, nil, nil),
	}, {
		name:    "uname and getrlimit",
		imports: []string{"fmt", "golang.org/x/sys/unix"},
		decls:   []string{`var u unix.Utsname`, `var rl unix.Rlimit`},
		code:    `fmt.Println(unix.Uname(&u), unix.ByteSliceToString(u.Sysname[:]), unix.Getrlimit(unix.RLIMIT_NOFILE, &rl), rl.Cur)`,
		want:    fmt.Sprintln(nil, unix.ByteSliceToString(uts.Sysname[:]), nil, rl.Cur),
	}, {
		name:    "pipe2 and errno",
		imports: []string{"fmt", "golang.org/x/sys/unix"},
		code: `p := make([]int, 2)
err := unix.Pipe2(p, unix.O_NONBLOCK|unix.O_CLOEXEC)
_, err2 := unix.Read(p[0], make([]byte, 1))
fmt.Println(err, err2 == unix.EAGAIN, unix.ErrnoName(unix.EAGAIN))
unix.Close(p[0]); unix.Close(p[1])`,
		want: fmt.Sprintln(nil, true, unix.ErrnoName(unix.EAGAIN)),
	}})

	if fi, err := os.Stat(filepath.Join(dir, "cell.fifo")); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the cell did not create a fifo: %v, %v", fi, err)
	}
}
