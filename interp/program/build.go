package program

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultKeep is how many binaries a Builder keeps when Keep is zero.
const DefaultKeep = 32

// A Builder compiles programs with the Go toolchain and caches the
// binaries. Its methods may be called from several goroutines, and several
// processes may share one cache directory.
type Builder struct {
	// Go is the go command, as found by exec.LookPath.
	Go string
	// Dir is the cache directory. Each binary lives in a directory of its
	// own there, named by a hash of the toolchain's version, the file name
	// and the source.
	Dir string
	// Keep is how many binaries stay in Dir; the least recently used go
	// first. Zero means DefaultKeep.
	Keep int

	once    sync.Once
	version string
	verErr  error
}

// A BuildError is a program that does not compile. Lines are the
// compiler's messages, with the positions the //line directive gave them.
type BuildError struct {
	Lines []string
}

func (e *BuildError) Error() string { return strings.Join(e.Lines, "\n") }

// Build returns the path of the binary for src, a file named file (see
// Source), compiling it unless the cache already holds it. It returns a
// *BuildError when the program does not compile. Cancelling ctx stops the
// build.
func (b *Builder) Build(ctx context.Context, file, src string) (string, error) {
	b.once.Do(func() { b.version, b.verErr = b.goVersion(ctx) })
	if b.verErr != nil {
		return "", b.verErr
	}
	sum := sha256.Sum256([]byte(b.version + "\x00" + file + "\x00" + src))
	dir := filepath.Join(b.Dir, hex.EncodeToString(sum[:12]))
	bin := filepath.Join(dir, "prog")
	if _, err := os.Stat(bin); err == nil {
		now := time.Now()
		_ = os.Chtimes(dir, now, now) // most recently used
		return bin, nil
	}
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return "", fmt.Errorf("program: cache: %w", err)
	}
	tmp, err := os.MkdirTemp(b.Dir, "build-")
	if err != nil {
		return "", fmt.Errorf("program: cache: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename, unless something failed
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), []byte(src), 0o644); err != nil {
		return "", fmt.Errorf("program: %w", err)
	}
	out, err := b.run(ctx, tmp, "build", "-o", "prog", "main.go")
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", &BuildError{Lines: buildLines(out, tmp)}
		}
		return "", fmt.Errorf("program: go build: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another process built the same program first: use its binary.
		if _, serr := os.Stat(bin); serr != nil {
			return "", fmt.Errorf("program: cache: %w", err)
		}
	}
	b.evict()
	return bin, nil
}

// goVersion asks the toolchain for its version, which is part of every
// cache key.
func (b *Builder) goVersion(ctx context.Context) (string, error) {
	out, err := b.run(ctx, "", "env", "GOVERSION")
	if err != nil {
		return "", fmt.Errorf("program: %s env GOVERSION: %w: %s", b.Go, err, bytes.TrimSpace(out))
	}
	return string(bytes.TrimSpace(out)), nil
}

// run runs the go command in dir, in a process group of its own, so that
// cancelling ctx also ends the compilers it started.
func (b *Builder) run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, b.Go, args...)
	cmd.Dir = dir
	// A go.work above the cache would pull the program into a workspace.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	return cmd.CombinedOutput()
}

// buildLines keeps the compiler's messages from go build's output: it
// drops the "# package" headers and the build directory.
func buildLines(out []byte, dir string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		l = strings.ReplaceAll(l, dir+string(filepath.Separator), "")
		lines = append(lines, strings.ReplaceAll(l, dir, "."))
	}
	if len(lines) == 0 {
		lines = []string{"go build failed without a message"}
	}
	return lines
}

// evict removes the least recently used binaries beyond Keep.
func (b *Builder) evict() {
	keep := b.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	entries, err := os.ReadDir(b.Dir)
	if err != nil {
		return
	}
	type built struct {
		path string
		used time.Time
	}
	var all []built
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() {
			continue
		}
		path := filepath.Join(b.Dir, e.Name())
		if strings.HasPrefix(e.Name(), "build-") {
			// Left by a build whose process died; a live build is younger.
			if time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(path)
			}
			continue
		}
		all = append(all, built{path, info.ModTime()})
	}
	if len(all) <= keep {
		return
	}
	slices.SortFunc(all, func(x, y built) int { return y.used.Compare(x.used) })
	for _, old := range all[keep:] {
		os.RemoveAll(old.path)
	}
}
