package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFileKiB returns the process's resident pages that are mapped from
// files, from /proc/self/status.
func rssFileKiB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatalf("RssFile line %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatal("no RssFile line in /proc/self/status")
	return 0
}

func TestDropStartupPages(t *testing.T) {
	before := rssFileKiB(t)
	released, err := dropStartupPages()
	if err != nil {
		t.Fatalf("dropStartupPages: %v", err)
	}
	after := rssFileKiB(t)
	// The test binary links the worker's packages, whose initialisation
	// touched megabytes of code and read-only data.
	if released < 1<<20 {
		t.Errorf("dropStartupPages released %d bytes, want at least 1 MiB", released)
	}
	if after >= before-1024 {
		t.Errorf("RssFile went from %d to %d kB, want at least 1 MiB less", before, after)
	}
	// The dropped code and data come back when used: a second call reads
	// smaps and formats numbers again, through pages it dropped itself.
	if _, err := dropStartupPages(); err != nil {
		t.Fatalf("second dropStartupPages: %v", err)
	}
	if got := strconv.Itoa(before); got != strconv.FormatInt(int64(before), 10) {
		t.Errorf("strconv after the drop: %q", got)
	}
}
