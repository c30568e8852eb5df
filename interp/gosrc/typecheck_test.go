package gosrc

import (
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// typeOfGlobal compiles cells in st, committing every unit, and returns
// the go/types type of the global name the last cell declares, or "".
func typeOfGlobal(t *testing.T, st *State, name string, cells ...string) string {
	t.Helper()
	var last *Plan
	for _, cell := range cells {
		p, err := Compile("In[1]", cell, st)
		if err != nil {
			t.Fatalf("%q: %v", cell, err)
		}
		for _, u := range p.Units {
			st.Commit(u)
		}
		last = p
	}
	for _, u := range last.Units {
		if obj := u.facts.object(name); obj != nil {
			return types.TypeString(obj.Type(), nil)
		}
	}
	return ""
}

func TestTypeFacts(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
	}{
		{"literal", []string{"x := 1.5"}, "float64"},
		{"earlier cell", []string{"type P struct{ X int }\nfunc mk() *P { return nil }", "x := mk().X"}, "int"},
		{"package", []string{"import \"strings\"", "x := strings.Fields(\"a b\")"}, "[]string"},
		{"generic", []string{"func Id[T any](v T) T { return v }", "x := Id(uint8(3))"}, "uint8"},
		{"comma-ok", []string{"m := map[string]bool{}", "x, ok := m[\"a\"]"}, "bool"},
		// gokernel's own packages have no GOROOT source: unknown.
		{"unknown package", []string{"import \"github.com/beacceaf/gokernel/interp/jobs\"", "x := jobs.PID"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := typeOfGlobal(t, NewState(), "x", tt.cells...); got != tt.want {
				t.Errorf("type of x = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTypesFromExportData checks that go/types reads the standard library
// through the go command's export data, and that a later worker finds it in
// the kept list without running the go command.
func TestTypesFromExportData(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	dir := t.TempDir()
	st := NewState()
	st.GoCommand, st.CacheDir = gocmd, dir
	if got := typeOfGlobal(t, st, "x", "import \"strings\"\nx := strings.Split(\"a\", \"\")"); got != "[]string" {
		t.Fatalf("with go list: type of x = %q, want []string", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "exports-*.txt"))
	if len(files) != 1 {
		t.Fatalf("kept export lists: %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil || !strings.Contains(string(data), "strings\t") {
		t.Fatalf("kept list %s lacks strings (%v):\n%s", files[0], err, data)
	}
	later := NewState()
	later.GoCommand, later.CacheDir = filepath.Join(dir, "no-such-go"), dir
	if got := typeOfGlobal(t, later, "x", "import \"strings\"\nx := strings.Split(\"a\", \"\")"); got != "[]string" {
		t.Errorf("from the kept list: type of x = %q, want []string", got)
	}
	if len(later.importer.errs) != 0 {
		t.Errorf("import errors: %v", later.importer.errs)
	}
}

// TestTypeErrorsTrusted checks when go/types' errors stand for the
// compiler's: not when the cell uses a package go/types cannot see.
func TestTypeErrorsTrusted(t *testing.T) {
	tests := []struct {
		cell, want string
	}{
		{"x := 1\ny := x + \"s\"", "In[1]:2:6: invalid operation: x + \"s\" (mismatched types int and untyped string)"},
		{"func f() { z := 1 }", ""}, // unused: the interpreter accepts it
		{"x := 1\nx", ""},           // a value to show
		{"import \"github.com/beacceaf/gokernel/interp/jobs\"\nvar n int = jobs.PID", ""},
		{"var n int = undefinedName", ""},
	}
	for _, tt := range tests {
		p, err := Compile("In[1]", tt.cell, NewState())
		if err != nil {
			t.Fatalf("%q: %v", tt.cell, err)
		}
		var got []string
		for _, u := range p.Units {
			for _, e := range u.TypeErrors() {
				got = append(got, e.Error())
			}
		}
		if strings.Join(got, "\n") != tt.want {
			t.Errorf("%q: type errors %q, want %q", tt.cell, got, tt.want)
		}
	}
}
