package pages

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
	released, err := DropStartupPages()
	if err != nil {
		t.Fatalf("DropStartupPages: %v", err)
	}
	after := rssFileKiB(t)
	// Starting the test binary (the runtime, package testing and their
	// initialisation) touched megabytes of its code and read-only data:
	// 2.7 MiB when this was written.
	if released < 1<<20 {
		t.Errorf("DropStartupPages released %d bytes, want at least 1 MiB", released)
	}
	// RssFile counts fewer pages than the mappings' Rss did, and the test
	// runs code again before it reads it (about 0.9 MiB less when this
	// was written).
	if after >= before-512 {
		t.Errorf("RssFile went from %d to %d kB, want at least 512 KiB less", before, after)
	}
	// The dropped code and data come back when used: a second call reads
	// smaps and formats numbers again, through pages it dropped itself.
	if _, err := DropStartupPages(); err != nil {
		t.Fatalf("second DropStartupPages: %v", err)
	}
	if got := strconv.Itoa(before); got != strconv.FormatInt(int64(before), 10) {
		t.Errorf("strconv after the drop: %q", got)
	}
}
