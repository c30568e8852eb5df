package interp_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
)

// TestBlockedCellIsExplained checks that a cell blocked in an open or a
// read of a FIFO gets a status line saying why, which turns into how long
// it waited.
func TestBlockedCellIsExplained(t *testing.T) {
	tests := []struct {
		name        string
		code        string
		shown, done string // the start of the status line, and of its update
	}{
		{
			name: "open",
			// A reader turns up after 3 s, so the open blocks and then succeeds.
			code: `c := exec.Command("sh", "-c", "sleep 3; cat my_fifo >/dev/null"); c.Start()
f, err := os.OpenFile("my_fifo", os.O_WRONLY, 0)
f.Close()
c.Wait()`,
			shown: `waiting in open("my_fifo", O_WRONLY): no reader has opened it yet`,
			done:  `open("my_fifo", O_WRONLY) waited `,
		},
		{
			name: "read",
			// A writer opens at once and writes after 3 s; syscall.Read
			// blocks in read(2), where os.File would park in the poller.
			code: `c := exec.Command("sh", "-c", "exec 3>my_fifo; sleep 3; echo hi >&3"); c.Start()
fd, err := syscall.Open("my_fifo", syscall.O_RDONLY, 0)
if err != nil { panic(err) }
syscall.Read(fd, make([]byte, 16))
syscall.Close(fd)
c.Wait()`,
			shown: `waiting in read(fd `,
			done:  `read(fd `,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := syscall.Mkfifo(filepath.Join(dir, "my_fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
			in := newInterpreter(t, dir)
			if _, res := run(t, in, 1, `import ("os"; "os/exec"; "syscall")`); res.Err != nil {
				t.Fatal(res.Err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			rec := &kerneltest.Recorder{}
			res := in.Execute(ctx, &kernel.ExecuteRequest{Code: tt.code, Count: 2}, rec)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var shown []string
			ids := map[string]bool{}
			for _, e := range rec.Events() {
				if e.Kind == "display" || e.Kind == "update" {
					shown = append(shown, e.Bundle["text/plain"].(string))
					ids[e.DisplayID] = true
				}
			}
			if len(shown) != 2 || len(ids) != 1 {
				t.Fatalf("status lines %q (ids %v), want one display and one update of it", shown, ids)
			}
			if !strings.HasPrefix(shown[0], tt.shown) {
				t.Errorf("status line %q, want %q…", shown[0], tt.shown)
			}
			if tt.name == "read" && !strings.HasSuffix(shown[0], "→ my_fifo): writers attached, no data") {
				t.Errorf("status line %q does not name my_fifo and why", shown[0])
			}
			reason, last, _ := strings.Cut(shown[1], "\n")
			if reason != shown[0] {
				t.Errorf("update %q: its first line must stay the status line %q", shown[1], shown[0])
			}
			_, after, ok := strings.Cut(last, ") waited ")
			if !strings.HasPrefix(last, tt.done) || !ok {
				t.Fatalf("update %q, want %q… waited N s", shown[1], tt.done)
			}
			secs, err := strconv.ParseFloat(strings.TrimSuffix(after, " s"), 64)
			if err != nil || secs < 2 || secs > 10 {
				t.Errorf("waited %q, want about 3 s", shown[1])
			}
		})
	}
}
