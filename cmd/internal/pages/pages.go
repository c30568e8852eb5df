package pages

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// DropStartupPages takes out of the process's resident set the pages of
// its own program file that are mapped read-only and were never written:
// the code and read-only data that start-up touched. The pages stay in the
// page cache; one that the process needs again is mapped back at its first
// use, as a minor fault. A mapping that holds private copies of pages
// (smaps's Anonymous, as a debugger's breakpoints make) is left alone, so
// that nothing but pages of the file itself is dropped. ("Dirty" there
// describes the page cache, as of a file just built, not this process.) It
// returns how many bytes it released from the resident set.
func DropStartupPages() (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("drop start-up pages: %w", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("drop start-up pages: %w", err)
	}
	type mapping struct {
		start, end     uintptr
		rss            int // kB
		anon, readOnly bool
	}
	var maps []mapping
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) == 0 {
			continue
		}
		if bytes.IndexByte(f[0], '-') > 0 && !bytes.HasSuffix(f[0], []byte(":")) {
			// A mapping: "start-end perms offset dev inode path".
			m := mapping{anon: true} // until it is known to be the program's
			if len(f) >= 6 && string(f[5]) == exe && len(f[1]) == 4 && f[1][1] != 'w' {
				lo, hi, _ := bytes.Cut(f[0], []byte("-"))
				s, err1 := strconv.ParseUint(string(lo), 16, 64)
				e, err2 := strconv.ParseUint(string(hi), 16, 64)
				if err1 == nil && err2 == nil {
					m = mapping{start: uintptr(s), end: uintptr(e), readOnly: true}
				}
			}
			maps = append(maps, m)
			continue
		}
		if len(maps) == 0 || len(f) < 2 {
			continue
		}
		m := &maps[len(maps)-1]
		n, _ := strconv.Atoi(string(f[1]))
		switch string(f[0]) {
		case "Rss:":
			m.rss = n
		case "Anonymous:":
			m.anon = m.anon || n > 0
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("drop start-up pages: %w", err)
	}
	released := 0
	for _, m := range maps {
		if !m.readOnly || m.anon || m.rss == 0 {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED); errno != 0 {
			return released, fmt.Errorf("drop start-up pages: madvise: %w", errno)
		}
		released += m.rss << 10
	}
	return released, nil
}
