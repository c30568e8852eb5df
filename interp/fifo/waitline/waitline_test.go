package waitline_test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/beacceaf/gokernel/interp/fifo"
	"github.com/beacceaf/gokernel/interp/fifo/waitline"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		task    fifo.Task
		waiting string // "" when the task is not described
	}{
		{fifo.Task{Block: fifo.BlockOpen, Path: "my_fifo", Flags: unix.O_WRONLY, FD: -1},
			`waiting in open("my_fifo", O_WRONLY): no reader has opened it yet`},
		{fifo.Task{Block: fifo.BlockOpen, Path: "/work/dir/my_fifo", Flags: unix.O_RDONLY | unix.O_CLOEXEC, FD: -1},
			`waiting in open("my_fifo", O_RDONLY): no writer has opened it yet`},
		{fifo.Task{Block: fifo.BlockOpen, Path: "/elsewhere/f", Flags: -1, FD: -1},
			`waiting in open("/elsewhere/f"): its other end has not been opened yet`},
		{fifo.Task{Block: fifo.BlockRead, Path: "/work/dir/my_fifo", FD: 3, Flags: -1},
			`waiting in read(fd 3 → my_fifo): writers attached, no data`},
		{fifo.Task{Block: fifo.BlockWrite, Path: "/work/dir/my_fifo", FD: 4, Flags: -1},
			`waiting in write(fd 4 → my_fifo): the FIFO is full and its reader is not reading`},
		{fifo.Task{Block: fifo.BlockRead, Path: "pipe:[1234]", FD: 0, Flags: -1}, ""},
		{fifo.Task{Block: fifo.NotBlocked, Path: "/work/dir/my_fifo", FD: 3, Flags: -1}, ""},
	}
	for _, tt := range tests {
		c, ok := waitline.Describe(tt.task, "/work/dir")
		if got := map[bool]string{true: c.Waiting(), false: ""}[ok]; got != tt.waiting {
			t.Errorf("Describe(%+v) = %q, want %q", tt.task, got, tt.waiting)
		}
	}
}

func TestDone(t *testing.T) {
	c := waitline.Call{What: `open("f", O_WRONLY)`, Why: "no reader has opened it yet", Since: time.Now().Add(-3 * time.Second)}
	first, second, _ := strings.Cut(c.Done(), "\n")
	if first != c.Waiting() || !strings.HasPrefix(second, `open("f", O_WRONLY) waited 3.`) || !strings.HasSuffix(second, " s") {
		t.Errorf("Done() = %q", c.Done())
	}
}
