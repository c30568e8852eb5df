package fifo

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// show formats a path for an error message; an empty one shows as "".
func show(path string) string {
	if path == "" {
		return `""`
	}
	return path
}

// Make creates a FIFO at path with permissions perm, like mkfifo(3). The
// process umask applies, as it does for mkfifo: with the usual umask 022,
// Make(path, 0666) gives prw-r--r--. Make never changes the umask, which is
// shared by the whole process (in gokernel, by every later cell).
//
// A FIFO that already exists at path is fine (TLPI's rule for EEXIST), even
// with other permissions; anything else there is an error that wraps both
// ErrNotFIFO and fs.ErrExist. perm may hold only permission bits (and
// os.ModeNamedPipe, which is implied).
func Make(path string, perm os.FileMode) error {
	return mkfifo("make", path, perm)
}

func mkfifo(op, path string, perm os.FileMode) error {
	if path == "" {
		return fmt.Errorf("fifo: %s %s: %w", op, show(path), errEmptyPath)
	}
	if perm&^(os.ModePerm|os.ModeNamedPipe) != 0 {
		return fmt.Errorf("fifo: %s %s: bad permissions %v, want bits such as 0644: %w",
			op, path, perm, syscall.EINVAL)
	}
	err := unix.Mkfifo(path, uint32(perm.Perm()))
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.EEXIST) {
		var st unix.Stat_t
		if serr := unix.Stat(path, &st); serr == nil {
			if isFIFO(st.Mode) {
				return nil
			}
			return fmt.Errorf("fifo: %s %s: %w", op, path, &notFIFOError{kind: kindOf(st.Mode), exists: true})
		}
		// A dangling symbolic link, for example.
	}
	return fmt.Errorf("fifo: %s %s: %w", op, path, err)
}

// Recreate removes the FIFO at path, if there is one, and makes a new one
// with permissions perm: the seminar's `rm -f my_fifo && mkfifo my_fifo`.
//
// Unlike rm -f, Recreate refuses to remove anything but a FIFO, so a typo
// cannot delete a file. A process that still has the old FIFO open (or is
// blocked opening it) keeps using the old one, which now has no name: it
// will never meet a process that opens the new one.
func Recreate(path string, perm os.FileMode) error {
	if path == "" {
		return fmt.Errorf("fifo: recreate %s: %w", show(path), errEmptyPath)
	}
	var st unix.Stat_t
	err := unix.Lstat(path, &st)
	switch {
	case err == nil && !isFIFO(st.Mode):
		return fmt.Errorf("fifo: recreate %s: %w, so it is left alone",
			path, &notFIFOError{kind: kindOf(st.Mode), exists: true})
	case err == nil:
		if err := unix.Unlink(path); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("fifo: recreate %s: remove: %w", path, err)
		}
	case !errors.Is(err, unix.ENOENT):
		return fmt.Errorf("fifo: recreate %s: %w", path, err)
	}
	return mkfifo("recreate", path, perm)
}

// Is reports whether path names a FIFO, following symbolic links. A path
// that does not exist is an error wrapping fs.ErrNotExist.
func Is(path string) (bool, error) {
	if path == "" {
		return false, fmt.Errorf("fifo: stat %s: %w", show(path), errEmptyPath)
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return false, fmt.Errorf("fifo: stat %s: %w", path, err)
	}
	return isFIFO(st.Mode), nil
}
