package magics_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waited matches the line that replaces a status line once the call returned.
var waited = regexp.MustCompile(`^open\("my_fifo", O_WRONLY\) waited (\d+\.\d) s$`)

// readFIFO opens the FIFO at path for reading, which releases a writer
// blocked in its open, and returns what the writer sent.
func readFIFO(t *testing.T, path string) string {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestShellExplainsBlockedOpen checks that a `!` command blocked in the
// open of a FIFO gets the status line, and that the line then says how
// long the open waited.
func TestShellExplainsBlockedOpen(t *testing.T) {
	k := newKit(t)
	fifoPath := filepath.Join(k.env.Dir(), "my_fifo")
	if err := syscall.Mkfifo(fifoPath, 0o644); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- k.run(context.Background(), `!echo hi > my_fifo`) }()
	const want = `waiting in open("my_fifo", O_WRONLY): no reader has opened it yet`
	var id string
	waitFor(t, func() bool {
		for _, e := range k.rec.Events() {
			if e.Kind == "display" && e.Bundle["text/plain"] == want {
				id = e.DisplayID
				return true
			}
		}
		return false
	})
	if got := readFIFO(t, fifoPath); got != "hi\n" {
		t.Errorf("read %q from the FIFO", got)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not end after its reader came")
	}
	var last string
	for _, e := range k.rec.Events() {
		if e.Kind == "update" && e.DisplayID == id {
			last, _ = e.Bundle["text/plain"].(string)
		}
	}
	// The status line stays on the first line, the duration comes under it.
	reason, after, _ := strings.Cut(last, "\n")
	m := waited.FindStringSubmatch(after)
	if id == "" || m == nil || !strings.HasPrefix(reason, "waiting in ") {
		t.Fatalf("the status line %q ended as %q, want it to say how long the open waited", id, last)
	}
	if s, _ := strconv.ParseFloat(m[1], 64); s < 2 {
		t.Errorf("the open waited %s s, want at least 2 (the line shows after 2 s)", m[1])
	}
}

// TestJobExplainsBlockedOpen checks that a job blocked in the open of a
// FIFO shows the status line as the last line of its RUN LOG, and that the
// line becomes how long the open waited.
func TestJobExplainsBlockedOpen(t *testing.T) {
	k := newKit(t)
	fifoPath := filepath.Join(k.env.Dir(), "my_fifo")
	if err := syscall.Mkfifo(fifoPath, 0o644); err != nil {
		t.Fatal(err)
	}
	k.mustRun(`%bash_async --name writer echo hi > my_fifo`)
	const want = "waiting in open(\"my_fifo\", O_WRONLY): no reader has opened it yet\n"
	waitFor(t, func() bool { return strings.HasSuffix(section(k.lastJobText(), "RUN LOG"), want) })
	if got := readFIFO(t, fifoPath); got != "hi\n" {
		t.Errorf("read %q from the FIFO", got)
	}
	k.mustRun("%wait writer")
	lines := strings.Split(strings.TrimSuffix(section(k.lastJobText(), "RUN LOG"), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Process started!") || !waited.MatchString(lines[1]) || lines[2] != "Process finished! code=0" {
		t.Errorf("the final RUN LOG is %q, want the start, how long the open waited, and the end", lines)
	}
}
