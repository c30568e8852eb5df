package gosrc

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the .want files of testdata/*.txtar")

// TestGolden compiles the cells of each NAME.go file in testdata/*.txtar
// (cells are separated by a "----" line, and share one State, every unit
// committed) and compares the plans with NAME.want.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		changed := false
		wants := map[string]int{}
		for i, f := range ar.Files {
			if name, ok := strings.CutSuffix(f.Name, ".want"); ok {
				wants[name] = i
			}
		}
		for _, f := range ar.Files {
			name, ok := strings.CutSuffix(f.Name, ".go")
			if !ok {
				continue
			}
			got := goldenPlans(string(f.Data))
			i, ok := wants[name]
			switch {
			case *update && ok:
				ar.Files[i].Data = []byte(got)
				changed = true
			case *update:
				ar.Files = append(ar.Files, txtar.File{Name: name + ".want", Data: []byte(got)})
				changed = true
			case !ok:
				t.Errorf("%s: no %s.want (run go test -update)", file, name)
			case string(ar.Files[i].Data) != got:
				t.Errorf("%s: %s differs:\n--- got\n%s\n--- want\n%s", file, name, got, ar.Files[i].Data)
			}
		}
		if changed {
			if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func goldenPlans(src string) string {
	st := NewState()
	var b strings.Builder
	for i, cell := range strings.Split(strings.TrimSuffix(src, "\n"), "\n----\n") {
		p, err := Compile(fmt.Sprintf("In[%d]", i+1), cell, st)
		fmt.Fprintf(&b, "### In[%d]\n%s", i+1, dump(p, err))
		if err == nil {
			for _, u := range p.Units {
				st.Commit(u)
			}
		}
	}
	return b.String()
}
