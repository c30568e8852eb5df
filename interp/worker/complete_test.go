package worker

import (
	"fmt"
	"testing"

	"github.com/traefik/yaegi/stdlib"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/symbols"
)

// TestPackageIndex checks that the index merges the tables that serve one
// path (yaegi's strings and gokernel's Go 1.23+ additions) without
// changing either.
func TestPackageIndex(t *testing.T) {
	yaegiLen, oursLen := len(stdlib.Symbols["strings/strings"]), len(symbols.Symbols["strings/strings"])
	if yaegiLen == 0 || oursLen == 0 {
		t.Fatalf("strings has %d symbols in yaegi's table and %d in gokernel's; want both", yaegiLen, oursLen)
	}
	syms, name, ok := packages().lookup("strings")
	if !ok || name != "strings" {
		t.Fatalf("lookup(strings) = _, %q, %v", name, ok)
	}
	for _, sym := range []string{"ToUpper", "Lines"} { // yaegi's, ours
		if _, ok := syms[sym]; !ok {
			t.Errorf("the index of strings lacks %s", sym)
		}
	}
	if len(stdlib.Symbols["strings/strings"]) != yaegiLen || len(symbols.Symbols["strings/strings"]) != oursLen {
		t.Errorf("building the index changed the tables of strings")
	}
}

// TestTypesOfOwnPackages checks that go/types knows gokernel's cell-facing
// packages and x/sys/unix through the symbol tables: the types of the
// globals that cells declare with them are known.
func TestTypesOfOwnPackages(t *testing.T) {
	st := gosrc.NewState()
	st.Symbols = symbolTable
	cells := []string{
		"import (\"context\"; \"github.com/beacceaf/gokernel/interp/fifo\"; \"github.com/beacceaf/gokernel/interp/jobs\"; \"golang.org/x/sys/unix\"; \"os\")",
		"f, err := fifo.OpenRead(context.Background(), \"my_fifo\")\npid, _ := jobs.PID(1)\nfd := unix.Getpid()\nflags := unix.O_RDONLY | unix.O_NONBLOCK\nvar st unix.Stat_t\nmode := fifo.ModeRead",
	}
	for i, cell := range cells {
		p, err := gosrc.Compile(fmt.Sprintf("In[%d]", i+1), cell, st)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Units {
			st.Commit(u)
		}
	}
	for name, want := range map[string]string{"f": "*os.File", "err": "error", "pid": "int", "fd": "int", "flags": "int", "st": "unix.Stat_t", "mode": "fifo.Mode"} {
		if n, ok := st.Lookup(name); !ok || n.Type != want {
			t.Errorf("type of %s = %q (%v), want %q", name, n.Type, ok, want)
		}
	}
}
