package gosrc

import (
	"go/ast"
	"go/token"
)

// freeNames lists the identifiers that n refers to without declaring them
// itself: the package-level names (of this cell, earlier cells, the
// prelude or the universe) that n depends on. It errs on the side of
// listing too much: the keys of composite literals are listed, since they
// may be expressions, and so are the names of methods' receiver types.
func freeNames(n ast.Node) map[string]bool {
	f := &freeWalker{free: map[string]bool{}}
	ast.Walk(f, n)
	return f.free
}

// freeWalker is an ast.Visitor that tracks local scopes. Each block gets a
// walker of its own, whose scope links to the enclosing one.
type freeWalker struct {
	free  map[string]bool
	names map[string]bool // declared in this scope
	outer *freeWalker
}

func (f *freeWalker) inner() *freeWalker {
	return &freeWalker{free: f.free, names: map[string]bool{}, outer: f}
}

func (f *freeWalker) declare(id *ast.Ident) {
	if id != nil && id.Name != "_" && f.names != nil {
		f.names[id.Name] = true
	}
}

func (f *freeWalker) use(name string) {
	for s := f; s != nil; s = s.outer {
		if s.names[name] {
			return
		}
	}
	f.free[name] = true
}

// fields walks the types of a field list and declares its names in f.
func (f *freeWalker) fields(fl *ast.FieldList, declare bool) {
	if fl == nil {
		return
	}
	for _, fd := range fl.List {
		ast.Walk(f, fd.Type)
		if declare {
			for _, id := range fd.Names {
				f.declare(id)
			}
		}
	}
}

// walkAll walks the optional parts of a statement (nil interfaces when
// absent).
func (f *freeWalker) walkAll(xs ...ast.Node) {
	for _, x := range xs {
		if x != nil {
			ast.Walk(f, x)
		}
	}
}

func (f *freeWalker) exprs(xs []ast.Expr) {
	for _, x := range xs {
		ast.Walk(f, x)
	}
}

func (f *freeWalker) stmts(ss []ast.Stmt) {
	for _, s := range ss {
		ast.Walk(f, s)
	}
}

// Visit implements ast.Visitor.
func (f *freeWalker) Visit(n ast.Node) ast.Visitor {
	switch n := n.(type) {
	case nil:
		return nil
	case *ast.Ident:
		f.use(n.Name)
		return nil
	case *ast.SelectorExpr:
		ast.Walk(f, n.X)
		return nil
	case *ast.FuncDecl:
		in := f.inner()
		in.fields(n.Type.TypeParams, true)
		in.fields(n.Recv, true)
		in.fields(n.Type.Params, true)
		in.fields(n.Type.Results, true)
		if n.Body != nil {
			in.stmts(n.Body.List)
		}
		return nil
	case *ast.FuncLit:
		in := f.inner()
		in.fields(n.Type.Params, true)
		in.fields(n.Type.Results, true)
		in.stmts(n.Body.List)
		return nil
	case *ast.FuncType:
		f.fields(n.TypeParams, false)
		f.fields(n.Params, false)
		f.fields(n.Results, false)
		return nil
	case *ast.StructType:
		f.fields(n.Fields, false)
		return nil
	case *ast.InterfaceType:
		f.fields(n.Methods, false)
		return nil
	case *ast.LabeledStmt:
		ast.Walk(f, n.Stmt)
		return nil
	case *ast.BranchStmt:
		return nil
	case *ast.BlockStmt:
		f.inner().stmts(n.List)
		return nil
	case *ast.IfStmt:
		in := f.inner()
		in.walkAll(n.Init, n.Cond)
		in.stmts(n.Body.List)
		if n.Else != nil {
			in.walkAll(n.Else)
		}
		return nil
	case *ast.ForStmt:
		in := f.inner()
		in.walkAll(n.Init, n.Cond, n.Post)
		in.stmts(n.Body.List)
		return nil
	case *ast.RangeStmt:
		ast.Walk(f, n.X)
		in := f.inner()
		if n.Tok == token.DEFINE {
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, ok := x.(*ast.Ident); ok {
					in.declare(id)
				}
			}
		} else {
			in.walkAll(n.Key, n.Value)
		}
		in.stmts(n.Body.List)
		return nil
	case *ast.SwitchStmt:
		in := f.inner()
		in.walkAll(n.Init, n.Tag)
		in.stmts(n.Body.List)
		return nil
	case *ast.TypeSwitchStmt:
		in := f.inner()
		in.walkAll(n.Init, n.Assign)
		in.stmts(n.Body.List)
		return nil
	case *ast.SelectStmt:
		f.stmts(n.Body.List)
		return nil
	case *ast.CaseClause:
		in := f.inner()
		in.exprs(n.List)
		in.stmts(n.Body)
		return nil
	case *ast.CommClause:
		in := f.inner()
		in.walkAll(n.Comm)
		in.stmts(n.Body)
		return nil
	case *ast.AssignStmt:
		f.exprs(n.Rhs)
		if n.Tok != token.DEFINE {
			f.exprs(n.Lhs)
			return nil
		}
		for _, l := range n.Lhs {
			if id, ok := l.(*ast.Ident); ok {
				f.declare(id)
			}
		}
		return nil
	case *ast.GenDecl:
		f.genDecl(n)
		return nil
	}
	return f
}

// genDecl walks a declaration. Inside a function, its names are declared
// in the current scope; at top level they are not (they are globals).
func (f *freeWalker) genDecl(d *ast.GenDecl) {
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			f.declare(s.Name)
			in := f.inner()
			in.fields(s.TypeParams, true)
			ast.Walk(in, s.Type)
		case *ast.ValueSpec:
			if s.Type != nil {
				ast.Walk(f, s.Type)
			}
			f.exprs(s.Values)
			for _, id := range s.Names {
				f.declare(id)
			}
		}
	}
}
