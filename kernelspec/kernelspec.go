package kernelspec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// DefaultName is the kernel name used when [Options.Name] is empty.
const DefaultName = "gokernel"

var (
	//go:embed kernel.json.tmpl
	kernelJSONTemplate []byte
	//go:embed kernel.js
	kernelJS []byte
	//go:embed logo-32x32.png
	logo32 []byte
	//go:embed logo-64x64.png
	logo64 []byte
	//go:embed logo-svg.svg
	logoSVG []byte
)

// binaryPlaceholder is the argv element of kernel.json.tmpl that KernelJSON
// replaces with the binary's path.
const binaryPlaceholder = "{binary}"

// validName is the kernel name rule of jupyter_client: Jupyter ignores
// kernelspec directories with other names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// Options says where a kernelspec goes. The zero value installs "gokernel"
// for the current user, pointing at the running binary.
type Options struct {
	// Name is the kernel's name, the directory under kernels/.
	// It defaults to DefaultName.
	Name string
	// Dir is a Jupyter data directory, the parent of kernels/, such as
	// ~/.local/share/jupyter. It defaults to UserDataDir().
	Dir string
	// Binary is the gokernel binary that kernel.json starts. A relative path
	// is made absolute. It defaults to the running executable, with symbolic
	// links resolved.
	Binary string
}

// spec is kernel.json. The field order is the order in the file.
type spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// KernelJSON returns the contents of kernel.json for a kernel that runs
// binary, which must be an absolute path.
func KernelJSON(binary string) ([]byte, error) {
	if !filepath.IsAbs(binary) {
		return nil, fmt.Errorf("kernelspec: binary %q is not an absolute path", binary)
	}
	var s spec
	if err := json.Unmarshal(kernelJSONTemplate, &s); err != nil {
		return nil, fmt.Errorf("kernelspec: bad embedded kernel.json: %w", err)
	}
	for i, arg := range s.Argv {
		if arg == binaryPlaceholder {
			s.Argv[i] = binary
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("kernelspec: %w", err)
	}
	return buf.Bytes(), nil
}

// Install writes the kernelspec to DIR/kernels/NAME and returns that
// directory. An existing kernelspec of the same name is replaced.
func Install(opts Options) (dir string, err error) {
	o, err := opts.withDefaults(true)
	if err != nil {
		return "", err
	}
	kernelJSON, err := KernelJSON(o.Binary)
	if err != nil {
		return "", err
	}
	files := []struct {
		name string
		data []byte
	}{
		{"kernel.json", kernelJSON},
		{"kernel.js", kernelJS},
		{"logo-32x32.png", logo32},
		{"logo-64x64.png", logo64},
		{"logo-svg.svg", logoSVG},
	}

	kernels := filepath.Join(o.Dir, "kernels")
	dir = filepath.Join(kernels, o.Name)
	if err := os.MkdirAll(kernels, 0o755); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	// Fill a temporary directory next to the final one, then move it into
	// place, so that Jupyter never sees a half-written kernelspec.
	tmp, err := os.MkdirTemp(kernels, "."+o.Name+".install-")
	if err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once it has been renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.name), f.data, 0o644); err != nil {
			return "", fmt.Errorf("kernelspec: %w", err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("kernelspec: remove old kernelspec: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("kernelspec: %w", err)
	}
	return dir, nil
}

// Uninstall removes the kernelspec DIR/kernels/NAME and returns that
// directory. When there is none, the error wraps [fs.ErrNotExist].
// Options.Binary is not used.
func Uninstall(opts Options) (dir string, err error) {
	o, err := opts.withDefaults(false)
	if err != nil {
		return "", err
	}
	dir = filepath.Join(o.Dir, "kernels", o.Name)
	if _, err := os.Lstat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return dir, fmt.Errorf("kernelspec: %s is not installed in %s: %w", o.Name, o.Dir, fs.ErrNotExist)
		}
		return dir, fmt.Errorf("kernelspec: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return dir, fmt.Errorf("kernelspec: %w", err)
	}
	return dir, nil
}

// withDefaults checks o and fills in its defaults; the binary only when
// needBinary is set.
func (o Options) withDefaults(needBinary bool) (Options, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if !validName.MatchString(o.Name) || o.Name == "." || o.Name == ".." {
		return o, fmt.Errorf("kernelspec: invalid kernel name %q: use letters, digits, '.', '_' and '-'", o.Name)
	}
	if o.Dir == "" {
		dir, err := UserDataDir()
		if err != nil {
			return o, err
		}
		o.Dir = dir
	}
	if !needBinary {
		return o, nil
	}
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return o, fmt.Errorf("kernelspec: find the gokernel binary: %w", err)
		}
		if exe, err = filepath.EvalSymlinks(exe); err != nil {
			return o, fmt.Errorf("kernelspec: find the gokernel binary: %w", err)
		}
		o.Binary = exe
	}
	abs, err := filepath.Abs(o.Binary)
	if err != nil {
		return o, fmt.Errorf("kernelspec: %w", err)
	}
	o.Binary = abs
	return o, nil
}
