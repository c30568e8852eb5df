package gosrc

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func BenchmarkCompileTrivial(b *testing.B) {
	st := NewState()
	for b.Loop() {
		if _, err := Compile("In[1]", "x := 1", st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile50Lines(b *testing.B) {
	st := NewState()
	cell := strings.Repeat("import \"fmt\"\ntype P struct{ X, Y int }\nfunc (p P) Sum() int { return p.X + p.Y }\nn := 10\nfor i := range n {\n\tfmt.Println(min(i, 3))\n}\nv, ok := map[string]int{}[\"a\"]\nfmt.Println(v, ok)\nP{1, 2}.Sum()\n", 5)
	for b.Loop() {
		if _, err := Compile("In[1]", cell, st); err != nil {
			b.Fatal(err)
		}
	}
}

// longSession commits 200 cells into st, each of which imported fmt and
// declared a name, as late in a session.
func longSession(b *testing.B, st *State) {
	b.Helper()
	session(b, st, 200)
}

// session commits n cells into st, each of which imported fmt and declared
// a name.
func session(b *testing.B, st *State, n int) {
	b.Helper()
	for i := range n {
		p, err := Compile("In[1]", fmt.Sprintf("import \"fmt\"\nv%d := fmt.Sprint(%d)", i, i), st)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range p.Units {
			st.Commit(u)
		}
	}
}

// BenchmarkCompileTrivialSession is BenchmarkCompileTrivial after 200 cells
// that declared a name each and imported fmt.
func BenchmarkCompileTrivialSession(b *testing.B) { benchTrivialAfter(b, 200) }

// BenchmarkCompileTrivialSession2000 is BenchmarkCompileTrivialSession
// after 2000 cells: with BenchmarkCompileTrivial and it, it shows how a
// cell's cost grows with the names a session declared.
func BenchmarkCompileTrivialSession2000(b *testing.B) { benchTrivialAfter(b, 2000) }

// benchTrivialAfter measures compiling "x := 1" after a session of cells.
func benchTrivialAfter(b *testing.B, cells int) {
	st := NewState()
	session(b, st, cells)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compile("In[2]", "x := 1", st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit measures State.Commit of a unit that declares one name,
// after 2000 cells that declared a name each.
func BenchmarkCommit(b *testing.B) {
	st := NewState()
	session(b, st, 2000)
	p, err := Compile("In[2]", "x := 1", st)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, u := range p.Units {
			st.Commit(u)
		}
	}
}

// BenchmarkFirstImport measures a cell's first import of a package in a
// worker, for go/types: from GOROOT's sources (no go command), through "go
// list -export" (a go command, the first worker on a machine), and from the
// export data files that an earlier worker found (the usual case).
func BenchmarkFirstImport(b *testing.B) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		b.Fatal(err)
	}
	kept := b.TempDir()
	for _, use := range []string{"fmt.Sprint", "strings.ToUpper", "os.Getpid", "net/http.Get"} {
		path, fn, _ := strings.Cut(use, ".")
		cell := fmt.Sprintf("import %q\nf := %s.%s", path, path[strings.LastIndexByte(path, '/')+1:], fn)
		for _, how := range []string{"source", "golist", "kept"} {
			b.Run(strings.ReplaceAll(path, "/", "_")+"/"+how, func(b *testing.B) {
				for b.Loop() {
					st := NewState()
					switch how {
					case "golist":
						st.GoCommand, st.CacheDir = gocmd, b.TempDir()
					case "kept":
						st.GoCommand, st.CacheDir = gocmd, kept
					}
					p, err := Compile("In[1]", cell, st)
					if err != nil {
						b.Fatal(err)
					}
					if p.Units[len(p.Units)-1].facts.object("f") == nil {
						b.Fatal("go/types did not check the cell")
					}
				}
			})
		}
	}
}

// BenchmarkTypeCheckTrivial measures what the type check adds to a trivial
// cell late in a session (200 cells that each declared a name and imported
// fmt): Compile of "x := 1" with go/types ("checked") and without it
// ("unchecked", as when go/types has no data). The difference is the
// check's cost per cell.
func BenchmarkTypeCheckTrivial(b *testing.B) {
	for _, how := range []string{"checked", "unchecked"} {
		b.Run(how, func(b *testing.B) {
			st := NewState()
			st.noTypes = how == "unchecked"
			longSession(b, st)
			b.ResetTimer()
			for b.Loop() {
				if _, err := Compile("In[2]", "x := 1", st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckCellTrivial measures the type check alone (checkCell) of
// "x := 1" late in a session, as BenchmarkTypeCheckTrivial's "checked".
func BenchmarkCheckCellTrivial(b *testing.B) {
	st := NewState()
	longSession(b, st)
	code := "x := 1"
	c := &compiler{cell: "In[2]", code: code, file: "In[2]/_.go", st: st, sn: st.snapshot()}
	groups, _, perr := splitCell("In[2]", code, scan(code))
	if perr != nil {
		b.Fatal(perr.err)
	}
	b.ResetTimer()
	for b.Loop() {
		if c.checkCell(groups) == nil {
			b.Fatal("no facts")
		}
	}
}
