package kernel_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestKernelKnowsNothingAboutGo keeps the protocol side language-agnostic:
// package kernel and its sub-packages must not depend on the Go
// interpreter, the magics or yaegi.
func TestKernelKnowsNothingAboutGo(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/interp", "/magics", "github.com/traefik/yaegi"} {
			if strings.Contains(dep, banned) {
				t.Errorf("package kernel depends on %s", dep)
			}
		}
	}
}
