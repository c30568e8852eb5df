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

// TestBlockedCellIsExplained checks that a cell blocked opening a FIFO gets
// a status line saying why, which turns into how long it waited.
func TestBlockedCellIsExplained(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "my_fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	in := newInterpreter(t, dir)
	if _, res := run(t, in, 1, `import ("os"; "os/exec")`); res.Err != nil {
		t.Fatal(res.Err)
	}
	// A reader turns up after 3 s, so the open blocks and then succeeds.
	code := `c := exec.Command("sh", "-c", "sleep 3; cat my_fifo >/dev/null"); c.Start()
f, err := os.OpenFile("my_fifo", os.O_WRONLY, 0)
f.Close()
c.Wait()`
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rec := &kerneltest.Recorder{}
	res := in.Execute(ctx, &kernel.ExecuteRequest{Code: code, Count: 2}, rec)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var shown []string
	ids := map[string]bool{}
	for _, e := range rec.Events() {
		if e.Kind == "display" || e.Kind == "update" {
			shown = append(shown, e.Kind+": "+e.Bundle["text/plain"].(string))
			ids[e.DisplayID] = true
		}
	}
	if len(shown) != 2 || len(ids) != 1 {
		t.Fatalf("status lines %q (ids %v), want one display and one update of it", shown, ids)
	}
	if want := `display: waiting in open("my_fifo", O_WRONLY): no reader has opened it yet`; shown[0] != want {
		t.Errorf("got %q, want %q", shown[0], want)
	}
	prefix := `update: open("my_fifo", O_WRONLY) waited `
	if !strings.HasPrefix(shown[1], prefix) {
		t.Fatalf("got %q, want %q…", shown[1], prefix)
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(shown[1], prefix), " s"), 64)
	if err != nil || secs < 2 || secs > 10 {
		t.Errorf("waited %q, want about 3 s", shown[1])
	}
}
