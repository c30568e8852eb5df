// Command gensymbols writes the generated yaegi symbol tables of package
// github.com/beacceaf/gokernel/interp/symbols.
//
// It runs yaegi's extractor (package github.com/traefik/yaegi/extract) on
// every target listed in targets. For standard-library targets it first
// reads the symbol tables that yaegi v0.16.1 itself ships (stdlib, syscall,
// unsafe and unrestricted) and excludes every symbol they already define, so
// the written tables hold only a delta: the symbols that Go 1.23 and later
// added. Re-registering a symbol yaegi already has would replace yaegi's
// sandboxed version of it (fmt.Println, os.Exit, log.Fatal, ...).
//
// Usage, from the directory of package symbols (go generate does this):
//
//	go run ./internal/gensymbols [-dir .] [-v]
//
// Every file it wrote before (recognised by its first line) is removed, so a
// target that is dropped from the list disappears from the package.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/extract"
)

// target is one package to extract.
type target struct {
	// path is the import path of the package.
	path string
	// include lists regular expressions; when it is not empty only the
	// exported names matching one of them are extracted.
	include []string
	// archs lists the linux GOARCH values to extract the package for, one
	// file each, named *_linux_<arch>.go. A nil archs means one portable
	// file, extracted for the host.
	archs []string
	// delta drops the symbols that yaegi's own tables already provide.
	delta bool
}

// linuxArchs are the architectures of the arch-specific tables.
var linuxArchs = []string{"amd64", "arm64"}

// newStd lists the standard-library packages that yaegi v0.16.1 does not
// ship at all. Packages whose whole API is generic (iter, unique, weak) are
// omitted: the extractor cannot export generic code, and an empty table
// would turn a clear "unable to find source" error into a confusing
// "has no symbol" one.
var newStd = []string{
	"crypto/fips140",
	"crypto/hkdf",
	"crypto/hpke",
	"crypto/mlkem",
	"crypto/pbkdf2",
	"crypto/sha3",
	"structs",
	"testing/synctest",
}

// skipStd lists standard-library packages of yaegi's tables that are not
// extracted again.
var skipStd = map[string]bool{
	"unsafe": true, // nothing new, and yaegi treats it specially
}

// archStd lists the standard-library packages whose tables depend on GOARCH.
var archStd = map[string]bool{
	"syscall": true,
}

// unixInclude selects the part of golang.org/x/sys/unix that a Linux
// systems-programming course uses. Each entry is anchored; a trailing $
// makes it an exact name.
var unixInclude = []string{
	// Files and descriptors.
	`^(Open|Openat|Openat2|Creat|Close|CloseRange|Read|Write|Pread|Pwrite|Readv|Writev|Preadv|Pwritev)$`,
	`^(Lseek|Ftruncate|Truncate|Fsync|Fdatasync|Sync|Syncfs|Fallocate|Sendfile|Splice|Tee|CopyFileRange)$`,
	`^(Dup|Dup2|Dup3|Pipe|Pipe2|Mkfifo|Mkfifoat|Mknod|Mknodat|Umask|Access|Faccessat)$`,
	`^(Stat|Fstat|Lstat|Fstatat|Statx|Statfs|Fstatfs|Stat_t|Statx_t|Statfs_t)$`,
	`^(Chmod|Fchmod|Fchmodat|Chown|Fchown|Lchown|Fchownat|Utimes|UtimesNano|UtimesNanoAt|Futimes)$`,
	`^(Unlink|Unlinkat|Rename|Renameat|Renameat2|Link|Linkat|Symlink|Symlinkat|Readlink|Readlinkat)$`,
	`^(Mkdir|Mkdirat|Rmdir|Getcwd|Chdir|Fchdir|Getdents|ReadDirent|Flock|FcntlFlock|Flock_t|Getpagesize)$`,
	`^(Fcntl.*|IoctlGetInt|IoctlSetInt|IoctlSetPointerInt|IoctlGetWinsize|IoctlGetTermios|IoctlSetTermios|Winsize|Termios|MemfdCreate)$`,
	`^(O_|F_|FD_|S_I|AT_|SEEK_|LOCK_|RENAME_|FALLOC_FL_|SPLICE_F_|MFD_|STATX_|TIOC|FIONBIO$|FIOCLEX$|FIONCLEX$)`,
	`^(TCGETS|TCSETS|TCSETSW|TCSETSF|TCFLSH|TCIFLUSH|TCOFLUSH|TCIOFLUSH|ICANON|ISIG|IEXTEN|ICRNL|IXON|OPOST|VMIN|VTIME|VINTR|VEOF)$`,
	// Polling and event descriptors.
	`^(Poll|Ppoll|PollFd|Select|Pselect|FdSet|Epoll.*|EpollEvent|Eventfd|Timerfd.*|ItimerSpec|Inotify.*|InotifyEvent|Signalfd|SignalfdSiginfo)$`,
	`^(POLL|EPOLL|EFD_|TFD_|IN_|SFD_)`,
	// Processes and signals.
	`^(Kill|Tgkill|Tkill|Getpid|Getppid|Gettid|Getpgid|Setpgid|Getpgrp|Getsid|Setsid|Getuid|Geteuid|Getgid|Getegid|Getgroups)$`,
	`^(Signal|SignalName|SignalNum|Sigset_t|PthreadSigmask|Siginfo|Wait4|Waitid|WaitStatus|Rusage|Getrusage|Exec|Pause|Alarm)$`,
	`^(SIG|W[A-Z]+$|RUSAGE_|SIG_|P_PID$|P_PGID$|P_ALL$|CLD_)`,
	`^(Getpriority|Setpriority|PRIO_|SchedYield|SchedGetaffinity|SchedSetaffinity|CPUSet|Prctl|PR_|Getrlimit|Setrlimit|Prlimit|Rlimit|RLIMIT_|RLIM_INFINITY$)`,
	`^(Setitimer|Getitimer|Itimerval|ItimerWhich|ITIMER_)`,
	// Memory.
	`^(Mmap|Munmap|Mprotect|Msync|Madvise|Mlock|Munlock|Mlockall|Munlockall|Mremap|Mincore)$`,
	`^(PROT_|MAP_|MS_|MADV_|MCL_|MREMAP_)`,
	// Sockets (local ones mostly).
	`^(Socket|Socketpair|Bind|Listen|Accept|Accept4|Connect|Shutdown|Getsockname|Getpeername|Recvfrom|Sendto|Recvmsg|Sendmsg|SendmsgN)$`,
	`^(GetsockoptInt|SetsockoptInt|UnixRights|ParseUnixRights|ParseSocketControlMessage|SocketControlMessage|UnixCredentials|ParseUnixCredentials|Ucred|CmsgLen|CmsgSpace)$`,
	`^(Sockaddr|SockaddrUnix|SockaddrInet4|SockaddrInet6)$`,
	`^(AF_|SOCK_|SOL_SOCKET$|SO_|SCM_|SHUT_|MSG_|IPPROTO_)`,
	// Errors, time, system information, helpers.
	`^(Errno|ErrnoName|E[A-Z0-9]+)$`,
	`^(Nanosleep|Timespec|Timeval|NsecToTimespec|NsecToTimeval|TimespecToNsec|TimevalToNsec|NanosleepFlags|ClockGettime|ClockNanosleep|Gettimeofday|Time|Time_t)$`,
	`^(CLOCK_|TIMER_ABSTIME$)`,
	`^(Uname|Utsname|Sysinfo|Sysinfo_t|Getrandom|GRND_|Getpagesize|PathMax|PATH_MAX$)`,
	`^(ByteSliceToString|BytePtrFromString|ByteSliceFromString|BytePtrToString)$`,
	`^(Syscall|Syscall6|RawSyscall|RawSyscall6|SYS_)`,
}

// extra lists the packages that are not part of the standard library. Add
// further packages (for example the kernel's own cell packages) here.
var extra = []target{
	{path: "golang.org/x/sys/unix", include: unixInclude, archs: linuxArchs},
	{path: "github.com/beacceaf/gokernel/interp/display"},
	{path: "github.com/beacceaf/gokernel/interp/jobs"},
	{path: "github.com/beacceaf/gokernel/interp/fifo"},
}

// yaegiTables lists yaegi's own symbol-table packages; their union is the
// base that deltas are taken against.
var yaegiTables = []string{"stdlib", "stdlib/syscall", "stdlib/unsafe", "stdlib/unrestricted"}

const headerPrefix = "// Code generated by gensymbols"

// symbolLine matches one entry of a generated table.
var symbolLine = regexp.MustCompile(`(?m)^\s*"[^_"]\w*":\s+reflect\.ValueOf\(`)

func main() {
	dir := flag.String("dir", ".", "directory of package symbols")
	verbose := flag.Bool("v", false, "print one line per written file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gensymbols: ")
	if err := run(*dir, *verbose); err != nil {
		log.Fatal(err)
	}
}

func run(dir string, verbose bool) error {
	yaegiDir, err := moduleDir("github.com/traefik/yaegi")
	if err != nil {
		return err
	}
	hostBase, err := baseSymbols(yaegiDir, runtime.GOARCH)
	if err != nil {
		return err
	}
	ports, err := portNames()
	if err != nil {
		return err
	}
	pkgName, err := packageName(dir)
	if err != nil {
		return err
	}
	if err := removeGenerated(dir); err != nil {
		return err
	}

	// The cgo variants of net and os/user need a C toolchain to be
	// type-checked; their exported API is the same without cgo.
	build.Default.CgoEnabled = false

	// One shared importer finds, cheaply, the portable targets that have
	// nothing new; the extractor type-checks every package from scratch.
	imp := importer.ForCompiler(token.NewFileSet(), "source", nil)

	total := 0
	for _, t := range targets(hostBase) {
		if t.archs == nil {
			if verbose && t.delta {
				if err := reportGeneric(imp, t, hostBase); err != nil {
					return fmt.Errorf("%s: %w", t.path, err)
				}
			}
			ok, err := hasNewAPI(imp, t, hostBase)
			if err != nil {
				return fmt.Errorf("%s: %w", t.path, err)
			}
			if !ok {
				continue
			}
		}
		archs := t.archs
		if archs == nil {
			archs = []string{""}
		}
		for _, arch := range archs {
			base := hostBase
			if arch != "" {
				if base, err = baseSymbols(yaegiDir, arch); err != nil {
					return err
				}
			}
			name, n, err := generate(dir, pkgName, t, arch, base, ports)
			if err != nil {
				return fmt.Errorf("%s: %w", t.path, err)
			}
			total += n
			if verbose && name != "" {
				fmt.Fprintf(os.Stderr, "%-50s %5d symbols\n", name, n)
			}
		}
	}
	if verbose {
		fmt.Fprintf(os.Stderr, "total %d symbols\n", total)
	}
	return nil
}

// targets returns the full list of packages to extract: every standard
// library package that yaegi covers (as a delta), the new ones, and extra.
func targets(base map[string]map[string]bool) []target {
	var std []string
	for key := range base {
		p := importPathOf(key)
		if p == "" || strings.Contains(p, ".") || skipStd[p] {
			continue
		}
		std = append(std, p)
	}
	std = append(std, newStd...)
	sort.Strings(std)
	std = slices.Compact(std)

	var ts []target
	for _, p := range std {
		t := target{path: p, delta: true}
		if archStd[p] {
			t.archs = linuxArchs
		}
		ts = append(ts, t)
	}
	return append(ts, extra...)
}

// generate extracts one target for one architecture ("" for the host) and
// writes it. It returns the file name and the number of symbols, or an
// empty name when there was nothing to write.
func generate(dir, pkgName string, t target, arch string, base map[string]map[string]bool, ports map[string]bool) (string, int, error) {
	ext := extract.Extractor{Dest: pkgName, Include: t.include}
	if t.delta {
		if have := base[tableKey(t.path)]; len(have) > 0 {
			ext.Exclude = []string{exactNames(have)}
		}
	}
	if arch != "" {
		build.Default.GOOS, build.Default.GOARCH = "linux", arch
		defer func() { build.Default.GOOS, build.Default.GOARCH = runtime.GOOS, runtime.GOARCH }()
	}

	var buf bytes.Buffer
	if _, err := ext.Extract(t.path, "", &buf); err != nil {
		return "", 0, err
	}
	n := len(symbolLine.FindAll(buf.Bytes(), -1))
	if n == 0 {
		return "", 0, nil
	}
	if t.path == "fmt" {
		// A "fmt/fmt" key makes interp.Use re-run yaegi's stdio wiring
		// and recompile its generic sources.
		return "", 0, errors.New("a delta for fmt cannot be registered safely")
	}

	src, err := rewriteHeader(buf.Bytes(), t)
	if err != nil {
		return "", 0, err
	}

	stem := strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(t.path)
	if t.delta {
		stem = goVersionPrefix() + "_" + stem
	}
	if arch != "" {
		stem += "_linux_" + arch
	} else if i := strings.LastIndex(stem, "_"); i >= 0 && ports[stem[i+1:]] {
		// A GOOS or GOARCH suffix would silently restrict the file.
		stem += "_pkg"
	}
	name := stem + ".go"
	if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
		return "", 0, err
	}
	return name, n, nil
}

// hasNewAPI reports whether t may yield a non-empty table: whether its
// package exports a non-generic name that t selects and, for a delta, that
// yaegi's tables lack.
func hasNewAPI(imp types.Importer, t target, base map[string]map[string]bool) (bool, error) {
	pkg, err := imp.Import(t.path)
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	if t.delta {
		have = base[tableKey(t.path)]
	}
	for _, name := range pkg.Scope().Names() {
		if !token.IsExported(name) || have[name] || !selected(name, t.include) {
			continue
		}
		switch o := pkg.Scope().Lookup(name).(type) {
		case *types.Func:
			if o.Type().(*types.Signature).TypeParams().Len() > 0 {
				continue
			}
		case *types.TypeName:
			if n, ok := o.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
				continue
			}
		}
		return true, nil
	}
	return false, nil
}

// reportGeneric prints the exported generic functions and types of t that
// yaegi's tables lack: the extractor cannot export them.
func reportGeneric(imp types.Importer, t target, base map[string]map[string]bool) error {
	pkg, err := imp.Import(t.path)
	if err != nil {
		return err
	}
	have := base[tableKey(t.path)]
	for _, name := range pkg.Scope().Names() {
		if !token.IsExported(name) || have[name] {
			continue
		}
		generic := false
		switch o := pkg.Scope().Lookup(name).(type) {
		case *types.Func:
			generic = o.Type().(*types.Signature).TypeParams().Len() > 0
		case *types.TypeName:
			n, ok := o.Type().(*types.Named)
			generic = ok && n.TypeParams().Len() > 0
		}
		if generic {
			fmt.Fprintf(os.Stderr, "generic, not extracted: %s.%s\n", t.path, name)
		}
	}
	return nil
}

// selected reports whether name matches one of include, or include is empty.
func selected(name string, include []string) bool {
	if len(include) == 0 {
		return true
	}
	for _, re := range include {
		if regexp.MustCompile(re).MatchString(name) {
			return true
		}
	}
	return false
}

// rewriteHeader replaces the extractor's first line with ours and drops the
// obsolete "// +build" line.
func rewriteHeader(src []byte, t target) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "// Code generated by 'yaegi extract") {
		return nil, errors.New("unexpected extractor header")
	}
	what := "yaegi extract " + t.path
	if t.delta {
		what += ", minus the symbols of yaegi's own tables"
	}
	lines[0] = headerPrefix + " (" + what + "). DO NOT EDIT."
	out := lines[:0]
	for _, l := range lines {
		if strings.HasPrefix(l, "// +build ") {
			continue
		}
		out = append(out, l)
	}
	return format.Source([]byte(strings.Join(out, "\n")))
}

// exactNames returns one regular expression that matches exactly the given
// names.
func exactNames(names map[string]bool) string {
	quoted := make([]string, 0, len(names))
	for n := range names {
		quoted = append(quoted, regexp.QuoteMeta(n))
	}
	sort.Strings(quoted)
	return "^(?:" + strings.Join(quoted, "|") + ")$"
}

// baseSymbols reads yaegi's symbol tables from its source, for linux/arch
// at the running Go version, and returns the symbol names per table key
// ("strings/strings"). Reading the source rather than importing the tables
// gives the right answer for architectures other than the host's.
func baseSymbols(yaegiDir, arch string) (map[string]map[string]bool, error) {
	ctxt := build.Default
	ctxt.GOOS, ctxt.GOARCH = "linux", arch
	base := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, sub := range yaegiTables {
		d := filepath.Join(yaegiDir, filepath.FromSlash(sub))
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			if ok, err := ctxt.MatchFile(d, name); err != nil {
				return nil, err
			} else if !ok {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(d, name), nil, parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			collectTables(f, base)
		}
	}
	if len(base["fmt/fmt"]) == 0 {
		return nil, fmt.Errorf("no fmt symbols found under %s", yaegiDir)
	}
	return base, nil
}

// collectTables adds the keys of every `Symbols["k"] = map[string]reflect.Value{...}`
// assignment in f to base.
func collectTables(f *ast.File, base map[string]map[string]bool) {
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			return true
		}
		ix, ok := as.Lhs[0].(*ast.IndexExpr)
		if !ok {
			return true
		}
		if id, ok := ix.X.(*ast.Ident); !ok || id.Name != "Symbols" {
			return true
		}
		key, ok := stringLit(ix.Index)
		if !ok {
			return true
		}
		lit, ok := as.Rhs[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		if base[key] == nil {
			base[key] = map[string]bool{}
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if name, ok := stringLit(kv.Key); ok {
					base[key][name] = true
				}
			}
		}
		return false
	})
}

func stringLit(e ast.Expr) (string, bool) {
	bl, ok := e.(*ast.BasicLit)
	if !ok || bl.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(bl.Value)
	return s, err == nil
}

// tableKey returns the key yaegi uses for an import path: "path/name".
// Every package handled here has a name equal to the last path element,
// except the versioned ones (math/rand/v2 is package rand).
func tableKey(importPath string) string {
	base := path.Base(importPath)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		return importPath + "/" + path.Base(path.Dir(importPath))
	}
	return importPath + "/" + base
}

// importPathOf is the inverse of tableKey; it returns "" for keys that are
// not package tables (".").
func importPathOf(key string) string {
	if key == "." || !strings.Contains(key, "/") {
		return ""
	}
	return path.Dir(key)
}

// removeGenerated deletes the files an earlier run wrote.
func removeGenerated(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(b, []byte(headerPrefix)) {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// packageName returns the name of the Go package in dir.
func packageName(dir string) (string, error) {
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return "", fmt.Errorf("reading package in %s: %w", dir, err)
	}
	return bp.Name, nil
}

// moduleDir returns the directory of a module of the build list.
func moduleDir(mod string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		return "", fmt.Errorf("locating %s: %w", mod, err)
	}
	d := strings.TrimSpace(string(out))
	if d == "" {
		return "", fmt.Errorf("module %s is not downloaded", mod)
	}
	return d, nil
}

// portNames returns every GOOS and GOARCH value the toolchain knows.
func portNames() (map[string]bool, error) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("listing ports: %w", err)
	}
	ports := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		goos, goarch, _ := strings.Cut(l, "/")
		ports[goos], ports[goarch] = true, true
	}
	return ports, nil
}

// goVersionPrefix returns "go1_26" for the running toolchain, the version
// the extractor writes into the build constraint.
func goVersionPrefix() string {
	parts := strings.Split(runtime.Version(), ".")
	if len(parts) < 2 {
		return "go"
	}
	return parts[0] + "_" + extract.GetMinor(parts[1])
}
