package gosrc

import (
	"go/ast"
	"go/token"
	"go/types"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// This file type-checks a cell with go/types, against what earlier cells
// declared, before the rewrites run. The rewrites take every type and
// constant value from these facts (types.go). Its errors never refuse a
// cell on their own: the worker shows them, in the Go compiler's words,
// only when the interpreter fails to compile the same unit.

// nodeKey identifies an expression of the cell by its cell offsets.
type nodeKey struct{ start, end int }

// typeFacts is what go/types learned about one cell.
type typeFacts struct {
	pkg   *types.Package
	tvs   map[nodeKey]types.TypeAndValue
	insts map[nodeKey]instance // uses of generic functions, by the function's name
	// usesBy gives the objects that the cell's identifiers use, and
	// declOff the cell offset where an object is declared; uses is
	// built from usesBy when first asked for (see use).
	usesBy  map[*ast.Ident]types.Object
	declOff func(types.Object) (int, bool)
	key     func(ast.Node) (nodeKey, bool)
	uses    map[nodeKey]types.Object
	// errs are the errors go/types reported, with cell positions.
	errs []typeErr
	// trusted is set when go/types saw every name and package the cell
	// uses, so that its errors are the compiler's.
	trusted bool
	// names maps the package paths imported by the session and the cell
	// to the names they are imported under, to write types as source.
	names map[string]string
	// inits are the initial values of the cell's package-level vars, in
	// the order Go evaluates them (see varOrder).
	inits []nodeKey
}

// instance is a use of a generic function, with its inferred type
// arguments.
type instance struct {
	types.Instance
	fn *types.Func
}

type typeErr struct {
	off  int
	soft bool
	err  *Error
}

// checkCell type-checks the groups of a cell. It returns nil when it
// cannot (then every fact is unknown).
func (c *compiler) checkCell(groups []*parsed) (facts *typeFacts) {
	imp := c.st.typesImporter()
	if imp == nil {
		return nil
	}

	defer func() {
		if recover() != nil { // go/types on a package put together by hand
			facts = nil
		}
	}()
	fset := token.NewFileSet()
	if len(groups) > 0 {
		fset = groups[0].fset // split parses all groups of a cell into one
	}
	pkg := types.NewPackage("main", "p") // the name the groups were parsed with
	facts = &typeFacts{pkg: pkg, tvs: map[nodeKey]types.TypeAndValue{}, insts: map[nodeKey]instance{},
		trusted: true, names: map[string]string{}}
	declared := map[string]bool{}       // package-level names of this cell
	imports := map[string]string{}      // name → path, the cell's and the session's
	byFile := map[*token.File]*parsed{} // to turn positions into cell offsets
	var files []*ast.File
	type method struct {
		f *ast.File
		d *ast.FuncDecl
	}
	var methods []method
	for _, g := range groups {
		if g.fset != fset {
			return nil // not parsed by split
		}
		f := g.file // go/types reads the nodes and changes none
		byFile[g.tf] = g
		nf := &ast.File{Package: f.Package, Name: f.Name}
		if g.decl {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.GenDecl:
					if d.Tok == token.IMPORT {
						c.cellImports(d, imports, facts)
						continue
					}
					if d = c.newDecls(d, declared); d != nil {
						nf.Decls = append(nf.Decls, d)
					}
				case *ast.FuncDecl:
					if d.Recv != nil {
						methods = append(methods, method{nf, d})
						continue
					}
					declared[d.Name.Name] = true
					nf.Decls = append(nf.Decls, d)
				}
			}
		} else {
			fd := f.Decls[0].(*ast.FuncDecl)
			var body []ast.Stmt
			for _, s := range fd.Body.List {
				if d := topDecl(s, declared); d != nil {
					nf.Decls = append(nf.Decls, d)
					continue
				}
				body = append(body, s)
			}
			nfd := *fd
			nfd.Body = &ast.BlockStmt{Lbrace: fd.Body.Lbrace, List: body, Rbrace: fd.Body.Rbrace}
			nf.Decls = append(nf.Decls, &nfd)
		}
		files = append(files, nf)
	}
	// A method belongs to a type of this cell. One added to an earlier
	// cell's type cannot join that type, which go/types has completed: it
	// is checked as a function whose first parameter is the receiver, so
	// that its body has types. Its errors cannot be trusted, since the
	// methods that other cells added to the type are missing.
	for i, m := range methods {
		switch {
		case len(m.d.Recv.List) != 1:
			facts.trusted = false
		case declared[recvName(m.d.Recv.List[0].Type)]:
			m.f.Decls = append(m.f.Decls, m.d)
		default:
			facts.trusted = false
			if fd := methodAsFunc(m.d, i); fd != nil {
				m.f.Decls = append(m.f.Decls, fd)
			}
		}
	}
	// Only the names the cell mentions enter its scope: objects refer to
	// each other directly.
	used := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		})
	}
	scope := pkg.Scope()
	for name, path := range c.sn.imports.all() {
		if _, ok := imports[name]; ok || name == "_" || name == "." || declared[name] {
			continue
		}
		facts.names[path] = name // to write types, even of packages the cell does not name
		if used[name] {
			imports[name] = path
		}
	}
	var paths []string
	for name, path := range imports {
		if !declared[name] && used[name] {
			paths = append(paths, path)
		}
	}
	imp.prefetch(paths)
	for name, path := range imports {
		if declared[name] || !used[name] {
			continue
		}
		if p, err := imp.Import(path); err == nil {
			scope.Insert(types.NewPkgName(token.NoPos, pkg, name, p))
			facts.names[path] = name
			facts.trusted = facts.trusted && !imp.isPartial(path)
		} else {
			facts.trusted = false
		}
	}
	for name := range used {
		if declared[name] || scope.Lookup(name) != nil {
			continue
		}
		if obj := c.st.typeObject(name); obj != nil {
			scope.Insert(obj)
		}
	}
	// cellOff is the cell offset of a position in the files parsed here.
	cellOff := func(pos token.Pos) (int, bool) {
		tf := fset.File(pos)
		g := byFile[tf]
		if g == nil {
			return 0, false
		}
		off := tf.Offset(pos) - g.base + g.start
		return off, off >= g.start && off <= g.end
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Instances: map[*ast.Ident]types.Instance{},
		Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{
		Error: func(err error) {
			te, ok := err.(types.Error)
			if !ok {
				return
			}
			off, ok := cellOff(te.Pos)
			if !ok {
				return
			}
			if strings.HasPrefix(te.Msg, "undefined: ") {
				facts.trusted = false
			}
			// A cell shows the value of an expression statement: "x is
			// not used" is no error in a cell.
			soft := te.Soft || strings.HasSuffix(te.Msg, " is not used")
			facts.errs = append(facts.errs, typeErr{off: off, soft: soft, err: c.errAt(off, "%s", te.Msg)})
		},
		Sizes:       types.SizesFor("gc", runtime.GOARCH),
		FakeImportC: true,
	}
	checker := types.NewChecker(&conf, fset, pkg, info)
	_ = checker.Files(files)
	key := func(n ast.Node) (nodeKey, bool) {
		start, ok1 := cellOff(n.Pos())
		end, ok2 := cellOff(n.End())
		return nodeKey{start, end}, ok1 && ok2
	}
	for e, tv := range info.Types {
		if k, ok := key(e); ok {
			facts.tvs[k] = tv
		}
	}
	facts.usesBy, facts.key = info.Uses, key
	facts.declOff = func(obj types.Object) (int, bool) { return cellOff(obj.Pos()) }
	for _, in := range info.InitOrder {
		if k, ok := key(in.Rhs); ok {
			facts.inits = append(facts.inits, k)
		}
	}
	for id, inst := range info.Instances {
		obj, isFunc := info.Uses[id].(*types.Func)
		if !isFunc || obj.Pkg() == nil {
			continue
		}
		if k, ok := key(id); ok {
			facts.insts[k] = instance{Instance: inst, fn: obj}
		}
	}
	sort.SliceStable(facts.errs, func(i, j int) bool { return facts.errs[i].off < facts.errs[j].off })
	return facts
}

// methodAsFunc is method d as a function named after its index i, with
// the receiver as its first parameter, reusing d's nodes; nil for a
// method of a generic type.
func methodAsFunc(d *ast.FuncDecl, i int) *ast.FuncDecl {
	recv := d.Recv.List[0]
	x := ast.Unparen(recv.Type)
	if st, ok := x.(*ast.StarExpr); ok {
		x = ast.Unparen(st.X)
	}
	if _, ok := x.(*ast.Ident); !ok {
		return nil
	}
	params := &ast.FieldList{Opening: d.Type.Params.Opening, Closing: d.Type.Params.Closing,
		List: append([]*ast.Field{recv}, d.Type.Params.List...)}
	ft := &ast.FuncType{Func: d.Type.Func, Params: params, Results: d.Type.Results}
	return &ast.FuncDecl{Name: ast.NewIdent("__gk_method" + strconv.Itoa(i)), Type: ft, Body: d.Body}
}

// cellImports records the packages a cell imports.
func (c *compiler) cellImports(d *ast.GenDecl, imports map[string]string, facts *typeFacts) {
	for _, spec := range d.Specs {
		is := spec.(*ast.ImportSpec)
		path := strings.Trim(is.Path.Value, "\"`")
		name := c.importName(is, path)
		switch name {
		case "_":
		case ".":
			facts.trusted = false
		default:
			imports[name] = path
		}
	}
}

// newDecls is d without the type specs that repeat an earlier cell's
// definition (the interpreter keeps the earlier type, and so does the
// check), or nil when nothing is left. It records the names d declares.
func (c *compiler) newDecls(d *ast.GenDecl, declared map[string]bool) *ast.GenDecl {
	if d.Tok != token.TYPE {
		for _, s := range d.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				declared[n.Name] = true
			}
		}
		return d
	}
	nd := *d
	nd.Specs = nil
	for _, s := range d.Specs {
		ts := s.(*ast.TypeSpec)
		if _, ok := c.sn.typ(ts.Name.Name); ok && c.st.typeObject(ts.Name.Name) != nil {
			// The same name again: the compiler refuses a different
			// definition, and the earlier type stands.
			continue
		}
		declared[ts.Name.Name] = true
		nd.Specs = append(nd.Specs, ts)
	}
	if len(nd.Specs) == 0 {
		return nil
	}
	return &nd
}

// topDecl turns a statement at the cell's own level that declares globals
// (x := e, or a var, const or type declaration) into a package-level
// declaration, reusing its nodes, or returns nil.
func topDecl(s ast.Stmt, declared map[string]bool) ast.Decl {
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE {
			return nil
		}
		var names []*ast.Ident
		for _, l := range s.Lhs {
			id, ok := l.(*ast.Ident)
			if !ok || declared[id.Name] {
				return nil
			}
			names = append(names, id)
		}
		for _, id := range names {
			declared[id.Name] = true
		}
		return &ast.GenDecl{TokPos: s.Pos(), Tok: token.VAR, Specs: []ast.Spec{&ast.ValueSpec{Names: names, Values: s.Rhs}}}
	case *ast.DeclStmt:
		d, ok := s.Decl.(*ast.GenDecl)
		if !ok {
			return nil
		}
		for _, sp := range d.Specs {
			switch sp := sp.(type) {
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					declared[n.Name] = true
				}
			case *ast.TypeSpec:
				declared[sp.Name.Name] = true
			}
		}
		return d
	}
	return nil
}

// use is the object that the identifier at k uses, or nil.
func (f *typeFacts) use(k nodeKey) types.Object {
	if f.uses == nil {
		f.uses = make(map[nodeKey]types.Object, len(f.usesBy))
		for id, obj := range f.usesBy {
			if k, ok := f.key(id); ok {
				f.uses[k] = obj
			}
		}
	}
	return f.uses[k]
}

// key identifies node n of group g by its cell offsets.
func (g *parsed) key(n ast.Node) nodeKey { return nodeKey{g.off(n.Pos()), g.off(n.End())} }

// typeAt is what go/types knows of the expression of group g at pos..end.
func (f *typeFacts) typeAt(g *parsed, e ast.Expr) (types.TypeAndValue, bool) {
	if f == nil || e == nil {
		return types.TypeAndValue{}, false
	}
	tv, ok := f.tvs[g.key(e)]
	if !ok || tv.Type == nil {
		return tv, false
	}
	if b, isBasic := tv.Type.(*types.Basic); isBasic && b.Kind() == types.Invalid {
		return tv, false
	}
	return tv, true
}

// typeText writes t as source for a cell, or reports false when it cannot
// (a type of a package the session has not imported, an invalid type).
func (f *typeFacts) typeText(t types.Type) (string, bool) {
	if f == nil {
		return "", false
	}
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		if p.Path() == "main" {
			return ""
		}
		name, found := f.names[p.Path()]
		if !found {
			ok = false
		}
		return name
	})
	if strings.Contains(s, "invalid type") {
		return "", false
	}
	return s, ok
}

// errorsIn are the errors of the cell's text from start to end, or nil
// when they are not to be trusted, or are all soft (unused variables,
// which the interpreter accepts).
func (f *typeFacts) errorsIn(spans [][2]int) []*Error {
	if f == nil || !f.trusted {
		return nil
	}
	var out []*Error
	hard := false
	for _, e := range f.errs {
		for _, s := range spans {
			if e.off >= s[0] && e.off < s[1] {
				out = append(out, e.err)
				hard = hard || !e.soft
				break
			}
		}
	}
	if !hard {
		return nil
	}
	return out
}

// object is the go/types object that the cell declares at top level under
// name, or nil.
func (f *typeFacts) object(name string) types.Object {
	if f == nil {
		return nil
	}
	obj := f.pkg.Scope().Lookup(name)
	if obj == nil || obj.Pkg() != f.pkg || obj.Type() == nil {
		return nil
	}
	if b, ok := obj.Type().(*types.Basic); ok && b.Kind() == types.Invalid {
		return nil
	}
	return obj
}

// TypeErrors are the errors that go/types found in the unit's text, in the
// Go compiler's words and with cell positions, such as "In[3]:2:5:
// invalid operation: x + s (mismatched types int and string)". It returns
// nil unless go/types saw every name and package the cell uses (gokernel's
// own packages, for one, it cannot see), and when it found only unused
// variables, which the interpreter accepts. A cell is never refused for
// these errors alone: the worker shows them instead of the interpreter's
// own message when the interpreter fails to compile the unit.
func (u Unit) TypeErrors() []*Error {
	return u.facts.errorsIn(u.spans)
}

// Checked reports whether go/types saw every name and package the unit
// uses and found no error in it (unused variables aside): then no name in
// it is undefined, such as a package that no cell imported.
func (u Unit) Checked() bool {
	return u.facts != nil && u.facts.trusted && u.facts.errorsIn(u.spans) == nil
}
