package kernel_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/beacceaf/gokernel"

// TestDependencyRules keeps the project's layering: the protocol side knows
// nothing about Go, the FIFO package and the cell lexer stand alone, and
// the magics reach the worker only through the interface the interpreter
// gives them. The magics may use the FIFO package, which is a library like
// any other (they read /proc with it to explain a blocked command).
func TestDependencyRules(t *testing.T) {
	tests := []struct {
		rule    string
		pkg     string   // a go list pattern
		allowed []string // the only packages of ours it may depend on, besides itself
		anyOurs bool     // it may depend on any package of ours not banned
		banned  []string // prefixes it must not depend on, ours or not
		except  []string // prefixes exempt from banned
	}{
		{
			rule:    "package kernel imports nothing of ours but kernel/wire and kernel/rawio",
			pkg:     module + "/kernel",
			allowed: []string{module + "/kernel/wire", module + "/kernel/rawio"},
			banned:  []string{"github.com/traefik/yaegi"},
		},
		{
			rule:   "kernel/wire imports nothing of ours",
			pkg:    module + "/kernel/wire",
			banned: []string{"github.com/traefik/yaegi"},
		},
		{
			rule:   "kernel/rawio imports nothing of ours",
			pkg:    module + "/kernel/rawio",
			banned: []string{"github.com/traefik/yaegi"},
		},
		{
			rule:    "kernel/kerneltest imports only the kernel side",
			pkg:     module + "/kernel/kerneltest",
			allowed: []string{module + "/kernel", module + "/kernel/wire", module + "/kernel/rawio"},
			banned:  []string{"github.com/traefik/yaegi"},
		},
		{
			rule: "interp/fifo imports nothing of ours",
			pkg:  module + "/interp/fifo/...",
		},
		{
			// The one lexer of cell syntax, shared by magics and by
			// interp/gosrc, which runs in the worker too.
			rule: "magics/cellsyntax imports nothing of ours",
			pkg:  module + "/magics/cellsyntax",
		},
		{
			rule:    "magics does not import interp",
			pkg:     module + "/magics/...",
			anyOurs: true,
			banned:  []string{module + "/interp"},
			except:  []string{module + "/interp/fifo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", tt.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list %s: %v\n%s", tt.pkg, err, out)
			}
			self, tree := strings.CutSuffix(tt.pkg, "/...")
			deps := strings.Fields(string(out))
			if len(deps) == 0 {
				t.Fatalf("go list %s listed nothing", tt.pkg)
			}
			for _, dep := range deps {
				for _, b := range tt.banned {
					if under(dep, b) && !slices.ContainsFunc(tt.except, func(e string) bool { return under(dep, e) }) {
						t.Errorf("%s depends on %s", tt.pkg, dep)
					}
				}
				ours := dep == module || strings.HasPrefix(dep, module+"/")
				inside := dep == self || tree && strings.HasPrefix(dep, self+"/")
				if ours && !inside && !tt.anyOurs && !slices.Contains(tt.allowed, dep) {
					t.Errorf("%s depends on %s; of ours it may use only %q", tt.pkg, dep, tt.allowed)
				}
			}
		})
	}
}

// under tells whether package path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
