package worker

import (
	"testing"

	"github.com/traefik/yaegi/stdlib"

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
