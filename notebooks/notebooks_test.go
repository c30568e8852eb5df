package notebooks_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/beacceaf/gokernel/kernelspec/kernelspectest"
)

var update = flag.Bool("update", false, "rewrite the notebooks' outputs from a fresh run")

// TestNotebooksRunHeadless executes every notebook with nbconvert, in a
// temporary copy of this folder (see executeNotebook), and compares its
// outputs with the committed ones.
func TestNotebooksRunHeadless(t *testing.T) {
	j := kernelspectest.Install(t)
	kernelspectest.RequirePython(t, "nbformat", "nbconvert", "nbclient")
	books, _ := filepath.Glob("*.ipynb")
	if len(books) == 0 {
		t.Fatal("no notebooks")
	}
	for _, book := range books {
		t.Run(book, func(t *testing.T) {
			dir := t.TempDir()
			src, err := os.ReadFile(book)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, book), src, 0o644); err != nil {
				t.Fatal(err)
			}
			executeNotebook(t, j.Env, dir, book)
			executed := filepath.Join(dir, "executed.ipynb")
			if *update {
				b, err := os.ReadFile(executed)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(book, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got := normalize(t, j.Env, executed)
			want := normalize(t, j.Env, book)
			if got != want {
				t.Errorf("%s: outputs of a fresh run differ from the committed ones (go test ./notebooks -update rewrites them)\n--- fresh\n%s\n--- committed\n%s", book, got, want)
			}
		})
	}
}

func normalize(t *testing.T, env []string, path string) string {
	t.Helper()
	cmd := exec.Command(kernelspectest.Python, "testdata/normalize.py", path)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("normalize %s: %v", path, err)
	}
	return string(out)
}
