package worker

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/beacceaf/gokernel/interp/gosrc"
	"github.com/beacceaf/gokernel/interp/internal/proto"
)

// missingImport finds a package used in the plan's units, such as
// strings in strings.ToUpper, that no cell has imported. yaegi reports
// such a use with misleading errors ("constant definition loop", a nil
// pointer dereference) and, worse, leaves the package name broken for the
// rest of the session; so the worker refuses the cell before anything runs.
func (s *session) missingImport(cell string, plan *gosrc.Plan) *proto.Error {
	imported := s.state.Imports()
	for _, u := range plan.Units {
		for _, n := range u.Names { // imports, and names this cell declares
			imported[n] = n
		}
	}
	for _, u := range plan.Units {
		if u.Kind == gosrc.Import || u.Checked() {
			continue // go/types resolved every name: no package is missing
		}
		for _, id := range unresolvedSelectors(u.Text) {
			name := id.name
			if _, ok := imported[name]; ok {
				continue
			}
			if _, ok := s.state.Lookup(name); ok {
				continue
			}
			paths := packages().byName[name]
			if len(paths) == 0 {
				continue
			}
			line := u.Line + id.line - 1
			col := id.col
			if id.line == 1 {
				col += u.Col - 1
			}
			msg := fmt.Sprintf("%s:%d:%d: undefined: %s", cell, line, col, name)
			return &proto.Error{Name: proto.EnameCompile, Value: msg, Traceback: []string{
				msg, fmt.Sprintf("hint: add import %q to this cell or an earlier one", paths[0]),
			}}
		}
	}
	return nil
}

type position struct {
	name      string
	line, col int // in the unit's text
}

// unresolvedSelectors parses a unit and returns the identifiers that are
// not declared in it and are used as the left side of a selector (pkg.Name).
func unresolvedSelectors(text string) []position {
	fset := token.NewFileSet()
	prefix := "package p\n"
	f, err := parser.ParseFile(fset, "", prefix+text, 0)
	shift := 1
	if err != nil {
		prefix = "package p\nfunc _() {\n"
		f, err = parser.ParseFile(fset, "", prefix+text+"\n}", 0)
		shift = 2
		if err != nil {
			return nil
		}
	}
	unresolved := map[*ast.Ident]bool{}
	for _, id := range f.Unresolved {
		unresolved[id] = true
	}
	var out []position
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && unresolved[id] && !strings.HasPrefix(id.Name, "__gk") {
			p := fset.Position(id.Pos())
			out = append(out, position{name: id.Name, line: p.Line - shift, col: p.Column})
		}
		return true
	})
	return out
}
