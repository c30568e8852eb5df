package gosrc

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	pathpkg "path"
	"strconv"
	"strings"
)

// Kind says how the worker must hand a unit to the interpreter.
type Kind int

const (
	// Import is an import declaration.
	Import Kind = iota + 1
	// Decl is a func, type, var or const declaration.
	Decl
	// Stmt is a statement. yaegi runs it inside a func main of its own.
	Stmt
)

// String returns the kind's name: "import", "decl" or "stmt".
func (k Kind) String() string {
	switch k {
	case Import:
		return "import"
	case Decl:
		return "decl"
	case Stmt:
		return "stmt"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Unit is one piece of a cell that the worker evaluates on its own: one
// import or statement, or the declarations that run together.
type Unit struct {
	Kind Kind
	// Src is the source to evaluate, rewritten where yaegi needs it and
	// prefixed with a //line directive naming the cell, line and column
	// where the unit starts. A statement's prefix starts with ";", which
	// stops yaegi from re-running a cell that starts with a func literal.
	// The directive's file name is "In[N]/_.go": yaegi keys imports by the
	// base name of a node's file and breaks on any other base name, so
	// interpreter errors read "In[N]/_.go:L:C: msg"; [CleanPos] turns that
	// into "In[N]:L:C: msg".
	Src string
	// Alt, when not empty, is Src with every range loop whose operand's
	// type could not be told rewritten as a loop over an integer. When Src
	// fails with yaegi's "nil type" compile panic (nothing has run then),
	// evaluate Alt instead; if Alt fails too, report Src's error.
	Alt string
	// Line and Col give where the unit starts in the cell (1-based).
	Line, Col int
	// Text is the unit as written in the cell. For declarations that run
	// together, it runs from the first to the last of them, with what lies
	// between them blanked out (newlines kept), so that a line and column
	// in Text, counted from Line and Col, is the same in the cell.
	Text string
	// Names lists the names the unit declares at top level: vars, consts,
	// funcs, types, and for imports the package names.
	Names []string

	records []*record
	notes   notes
	defers  bool // the unit defers a call to the end of the cell
	// facts are go/types' facts about the unit's cell; spans are the cell
	// offsets of the unit's text, to find its errors.
	facts *typeFacts
	spans [][2]int
}

// notes are facts about a unit that help explain a failure.
type notes struct {
	rangeUnknown     bool // a range over an operand of unknown type, one variable
	rangeUnknown2    bool // the same, two variables (could be a func)
	rangeFuncComplex bool // a range over a func that could not be rewritten
	recvUnknown      bool // v, ok := <-ch at top level, element type unknown
	genericDefine    bool // x := f(...) at top level, f generic
}

// A Plan is a compiled cell: the units to evaluate in order, and how to
// display the cell's value.
type Plan struct {
	Cell  string
	Units []Unit
	// Display is set when the last unit is an expression statement, whose
	// value the worker shows (see Display.Srcs).
	Display *Display
	// Defers is set when the cell has a defer statement at its own level.
	// Such a deferred call waits on a stack in the interpreter: when the
	// cell ends, whether it succeeded, panicked or failed, evaluate
	// [RunDefers], which runs the calls last first (a panic in one is the
	// cell's error, when it had none). After an interrupt, evaluate
	// [DropDefers] instead, as a Go program that is interrupted runs no
	// deferred calls. Either way no deferred call runs in a later cell.
	Defers bool

	// before holds, for each name the cell declares (see record.key),
	// the declaration that it replaces: what State.Fail restores.
	before map[string]*record
}

// RunDefers and DropDefers are the statement units that end a cell whose
// Plan.Defers is set. They need [Prelude].
const (
	RunDefers  = ";__gk_rundefers()"
	DropDefers = ";__gk_dropdefers()"
)

// Display describes the cell's trailing expression.
type Display struct {
	// Expr is the expression's source, rewritten as in the unit.
	Expr string
	// Call is set when the expression is a call.
	Call bool
	// Results is how many values the expression yields, or -1 when that
	// go/types does not know (a call it could not check).
	Results int
	// WriteLike marks calls of fmt.Print*, fmt.Fprint*, io.WriteString,
	// print, println and methods named Write, WriteString, WriteByte and
	// WriteRune: their results are shown only when the error is not nil.
	WriteLike bool
	// Srcs are statement units that evaluate to a string, to pass to
	// Format. The worker evaluates the first one that compiles (yaegi's
	// Compile runs nothing) instead of the last unit; when none compiles
	// (a call that returns nothing, or an error in the expression), it
	// evaluates the last unit as usual. They need [Prelude].
	Srcs []string
}

// compiler holds the state of one Compile call.
type compiler struct {
	cell, code string
	file       string // the file name in //line directives: cell + "/_.go"
	st         *State
	sn         *snapshot
	// Declarations of earlier units of this cell, seen by later ones.
	pending decls
	// facts are what go/types learned about the cell, or nil.
	facts *typeFacts
}

// Compile cuts a cell into units, checks them against st and rewrites them
// for yaegi. cell names the cell in positions, such as "In[3]". Syntax
// errors and refused constructs are returned as an *[Error]; then no unit
// may run. Compile does not change st, except to reserve names for
// temporaries: call [State.Commit] for each unit that ran. A nil st stands
// for a fresh one.
//
// A top-level for, range, if, switch, select, block or labeled statement
// runs inside "func() { … }()": yaegi mishandles scoped variables at top
// level (comma-ok forms, shadowing, generic results), and such a
// statement's variables are local anyway. Simple statements stay at top
// level, so that := declares globals.
func Compile(cell, code string, st *State) (*Plan, error) {
	if st == nil {
		st = NewState()
	}
	c := &compiler{
		cell: cell, code: code, file: cell + "/_.go", st: st, sn: st.snapshot(),
	}
	sc := scan(code)
	groups, tuple, perr := splitCell(cell, code, sc)
	if perr != nil && sc.minDepth < 0 && perr.off >= sc.lastEnd {
		// A stray closing bracket makes the parser run past the text.
		return nil, c.errAt(sc.badOff, "expected statement, found '%c'", code[sc.badOff])
	}
	if perr != nil {
		return nil, perr.err
	}
	c.facts = c.checkCell(groups)
	plan := &Plan{Cell: cell}
	var items []*item
	var last *item
	var lastDisp *Display
	for _, g := range groups {
		var nodes []ast.Node
		if g.decl {
			for _, d := range g.file.Decls {
				nodes = append(nodes, d)
			}
		} else {
			for _, s := range joinGotos(g.stmts) {
				if _, empty := s.(*ast.EmptyStmt); !empty {
					nodes = append(nodes, s)
				}
			}
		}
		for _, n := range nodes {
			u, disp, err := c.unit(g, n, false)
			if err != nil {
				return nil, err
			}
			last, lastDisp = nil, nil
			if u == nil {
				continue
			}
			if u.notes.rangeUnknown {
				if alt, _, err := c.unit(g, n, true); err == nil && alt != nil {
					u.Alt = alt.Src
				}
			}

			c.applyPending(u.records)
			it := &item{u: u, node: n, g: g, start: g.off(n.Pos()), end: min(g.off(n.End()), g.end), uses: freeNames(n)}
			if err := c.checkMain(g, n, u, it.uses); err != nil {
				return nil, err
			}
			items = append(items, it)
			last, lastDisp = it, disp
		}
	}
	if c.sn.undefined.len() > 0 {
		for _, it := range items {
			if err := c.checkLost(it); err != nil {
				return nil, err
			}
		}
	}
	plan.Units = c.arrange(items)
	plan.before = map[string]*record{}
	for _, u := range plan.Units {
		plan.Defers = plan.Defers || u.defers
		for _, r := range u.records {
			if r.name.Kind == "method" {
				if old, ok := c.sn.method(r.recv, r.name.Name); ok {
					plan.before[r.key()] = old
				}
			} else if old, ok := c.sn.global(r.name.Name); ok {
				plan.before[r.key()] = old
			}
		}
	}
	if tuple != nil {
		u, disp := c.tuple(*tuple)
		plan.Units = append(plan.Units, u)
		plan.Display = disp
		return plan, nil
	}
	if last != nil && lastDisp != nil && len(plan.Units) > 0 && plan.Units[len(plan.Units)-1].Src == last.u.Src {
		plan.Display = lastDisp
	}
	return plan, nil
}

// tuple makes the unit and display of a cell's trailing list of
// expressions, "a, b": their values are shown, separated by ", ".
func (c *compiler) tuple(p piece) (Unit, *Display) {
	text := c.code[p.start:p.end]
	e := &editor{file: c.file, code: c.code}
	src := c.prefix(Stmt, p.start) + "__gkfmt.Sprintf(__gk_dfmt, " + e.at(p.start) + text + ")"
	u := Unit{Kind: Stmt, Src: src, Text: text}
	u.Line, u.Col = lineCol(c.code, p.start)
	return u, &Display{Expr: text, Results: exprCount(text), Srcs: []string{src}}
}

// checkMain refuses a global named main, which breaks every later cell in
// yaegi, and a use of main, which no cell can declare: yaegi would take the
// package name main for a value ("reflect: call of reflect.Value.Call on
// string Value").
func (c *compiler) checkMain(g *parsed, n ast.Node, u *Unit, uses map[string]bool) error {
	for _, r := range u.records {
		if r.name.Name == "main" && r.name.Kind != "method" && r.name.Kind != "import" {
			return c.errAt(g.off(n.Pos()), "main cannot be declared at a cell's top level: the interpreter runs each cell as its func main; choose another name")
		}
	}
	if !uses["main"] || c.global("main") != nil {
		return nil
	}
	return c.errAt(g.off(firstIdent(n, "main")), "undefined: main")
}

// checkLost refuses a use of a name that a failed cell lost (see
// State.Fail), unless this cell declares it again.
func (c *compiler) checkLost(it *item) error {
	for name := range it.uses {
		cell, lost := c.sn.undefined.get(name)
		if !lost {
			continue
		}
		if _, again := c.pending.global(name); again {
			continue
		}
		return c.errAt(it.g.off(firstIdent(it.node, name)), "undefined: %s (%s, which declared it, failed to compile)", name, cell)
	}
	return nil
}

// firstIdent is the position of the first identifier name in n.
func firstIdent(n ast.Node, name string) token.Pos {
	at := n.Pos()
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok && id.Name == name && !found {
			at, found = id.Pos(), true
		}
		return !found
	})
	return at
}

func (c *compiler) applyPending(rs []*record) {
	c.pending = c.pending.declare(rs)
}

// global finds a top-level name from this cell or an earlier one.
func (c *compiler) global(name string) *object {
	if r, ok := c.pending.global(name); ok {
		return r.obj
	}
	if p, ok := c.pending.imp(name); ok {
		return &object{kind: objPkg, path: p}
	}
	if r, ok := c.sn.global(name); ok {
		return r.obj
	}
	if p, ok := c.sn.imp(name); ok {
		return &object{kind: objPkg, path: p}
	}
	return nil
}

func (c *compiler) method(typeName, name string) *object {
	if r, ok := c.pending.method(typeName, name); ok {
		return r.obj
	}
	if r, ok := c.sn.method(typeName, name); ok {
		return r.obj
	}
	return nil
}

// importPath gives the path imported under name, if any.
func (c *compiler) importPath(name string) (string, bool) {
	if p, ok := c.pending.imp(name); ok {
		return p, true
	}
	if _, ok := c.pending.global(name); ok {
		return "", false
	}
	return c.sn.imp(name)
}

func (c *compiler) errAt(off int, format string, args ...any) *Error {
	line, col := lineCol(c.code, off)
	return &Error{Cell: c.cell, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (c *compiler) prefix(k Kind, off int) string {
	line, col := lineCol(c.code, off)
	if k == Stmt {
		return fmt.Sprintf(";\n//line %s:%d:%d\n", c.file, line, col)
	}
	return fmt.Sprintf("\n//line %s:%d:%d\n", c.file, line, col)
}

// unit compiles one top-level declaration or statement of group g. It
// returns nil when nothing is left to evaluate (an import already done).
// forceInt makes range loops over operands of unknown type integer loops.
func (c *compiler) unit(g *parsed, n ast.Node, forceInt bool) (*Unit, *Display, error) {
	start, end := g.off(n.Pos()), min(g.off(n.End()), g.end)
	r := c.newRewriter(g, end, forceInt)
	u := &Unit{Text: c.code[start:end]}
	u.Line, u.Col = lineCol(c.code, start)
	var disp *Display
	var body string
	var err error
	switch n := n.(type) {
	case *ast.GenDecl:
		body, u.Kind, err = c.genDecl(r, u, n, start, end)
	case *ast.FuncDecl:
		body, u.Kind, err = c.funcDecl(r, u, n, start, end)
	case ast.Stmt:
		r.cellDefer = true
		body, disp, err = c.stmt(r, u, n, start, end)
		u.Kind = Stmt
	default:
		return nil, nil, c.errAt(start, "unexpected %T", n)
	}
	if err == nil && r.refusal != nil {
		err = r.refusal
	}
	if err != nil || u.Kind == 0 {
		return nil, nil, err
	}
	u.Src = c.prefix(u.Kind, start) + body
	u.facts, u.spans = c.facts, [][2]int{{start, end}}
	u.notes = r.notes
	u.defers = r.defers
	if _, ok := n.(*ast.FuncDecl); ok {
		for _, rec := range u.records {
			rec.src = u.Src
		}
	}
	for _, rec := range u.records {
		if rec.name.Kind != "method" {
			u.Names = append(u.Names, rec.name.Name)
		}
	}
	return u, disp, nil
}

// genDecl handles import, type, var and const declarations.
func (c *compiler) genDecl(r *rewriter, u *Unit, d *ast.GenDecl, start, end int) (string, Kind, error) {
	switch d.Tok {
	case token.IMPORT:
		return c.importDecl(r, u, d, start, end)
	case token.TYPE:
		return c.typeDecl(r, u, d, start, end)
	}
	// var or const at top level.
	if d.Tok == token.VAR && len(d.Specs) == 1 {
		vs := d.Specs[0].(*ast.ValueSpec)
		if vs.Type == nil && len(vs.Names) == 2 && len(vs.Values) == 1 && isCommaOk(vs.Values[0]) {
			lhs := []ast.Expr{vs.Names[0], vs.Names[1]}
			if text, ok := c.commaOk(r, u, lhs, vs.Values[0], start, end); ok {
				return text, Stmt, nil
			}
		}
	}
	r.topDefine = d.Tok == token.VAR
	r.walk(d)
	c.valueRecords(r, u, d, start, end)
	if len(r.hoists) > 0 {
		// A package-level var cannot follow statements: make it a
		// statement. Top-level statements declare globals in yaegi.
		return r.withHoists(start, end), Stmt, nil
	}
	return r.e.src(start, end), Decl, nil
}

// valueRecords records the names a var or const declaration makes.
func (c *compiler) valueRecords(r *rewriter, u *Unit, d *ast.GenDecl, start, end int) {
	src := c.withDoc(start, end)
	for _, spec := range d.Specs {
		vs := spec.(*ast.ValueSpec)
		for _, name := range vs.Names {
			if name.Name == "_" {
				continue
			}
			kind, o := "var", &object{kind: objVar}
			if d.Tok == token.CONST {
				kind, o = "const", &object{kind: objConst}
			}
			u.records = append(u.records, &record{
				name: Name{Name: name.Name, Kind: kind, Type: c.globalType(name.Name), Source: src, Cell: c.cell},
				obj:  o,
			})
		}
	}
}

// withDoc is code[start:end] with the comment lines right above it.
func (c *compiler) withDoc(start, end int) string {
	ls := strings.LastIndexByte(c.code[:start], '\n') + 1
	if strings.TrimSpace(c.code[ls:start]) != "" {
		return c.code[start:end]
	}
	docStart := ls
	for docStart > 0 {
		prev := strings.LastIndexByte(c.code[:docStart-1], '\n') + 1
		line := strings.TrimSpace(c.code[prev : docStart-1])
		if !strings.HasPrefix(line, "//") {
			break
		}
		docStart = prev
	}
	return strings.TrimLeft(c.code[docStart:start], " \t") + c.code[start:end]
}

func (c *compiler) importDecl(r *rewriter, u *Unit, d *ast.GenDecl, start, end int) (string, Kind, error) {
	var kept []*ast.ImportSpec
	seen := map[string]string{}
	for _, spec := range d.Specs {
		is := spec.(*ast.ImportSpec)
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return "", 0, c.errAt(r.p.off(is.Path.Pos()), "bad import path %s", is.Path.Value)
		}
		name := c.importName(is, path)
		key := name
		if name == "_" || name == "." {
			key = name + " " + path
		}
		old, done := c.importPath(key)
		if !done {
			old, done = seen[key]
		}
		switch {
		case done && (old == path || name == "_" || name == "."):
			continue // already imported: yaegi would fail on a second import
		case done:
			return "", 0, c.errAt(r.p.off(is.Pos()),
				"%s is already imported as %q; the interpreter cannot import another package under that name: use an alias, such as import %s2 %q",
				name, old, name, path)
		}
		if o := c.global(name); o != nil && o.kind != objPkg && key == name {
			return "", 0, c.errAt(r.p.off(is.Pos()), "%s is already declared in an earlier cell; import %q under another name", name, path)
		}
		seen[key] = path
		kept = append(kept, is)
		u.records = append(u.records, &record{
			name: Name{Name: key, Kind: "import", Type: path, Source: importSource(name, path), Cell: c.cell},
			obj:  &object{kind: objPkg, path: path}, path: path,
		})
	}
	if len(kept) == 0 {
		return "", 0, nil
	}
	if len(kept) == len(d.Specs) {
		return c.code[start:end], Import, nil
	}
	var b strings.Builder
	b.WriteString("import (")
	for _, is := range kept {
		b.WriteString(r.e.orig(r.p.off(is.Pos()), r.p.off(is.End())))
		b.WriteString("; ")
	}
	b.WriteString(")")
	return b.String(), Import, nil
}

func (c *compiler) typeDecl(r *rewriter, u *Unit, d *ast.GenDecl, start, end int) (string, Kind, error) {
	var kept []*ast.TypeSpec
	for _, spec := range d.Specs {
		ts := spec.(*ast.TypeSpec)
		def := canonical(r.p.text(ts))
		name := ts.Name.Name
		old, ok := c.pending.typ(name)
		if !ok {
			old, ok = c.sn.typ(name)
		}
		if ok {
			if old == def {
				continue // the same definition again: nothing to do
			}
			what := "differently"
			if _, isStruct := ts.Type.(*ast.StructType); isStruct {
				what = "with different fields"
			}
			return "", 0, c.errAt(r.p.off(ts.Name.Pos()),
				"type %s is already defined %s; yaegi cannot redefine types — restart the kernel to change %s", name, what, name)
		}
		kept = append(kept, ts)
		sig := "type " + r.p.text(ts)
		if i := strings.IndexByte(sig, '\n'); i >= 0 {
			sig = sig[:i]
		}
		u.records = append(u.records, &record{
			name: Name{Name: name, Kind: "type", Signature: sig, Source: c.withDoc(start, end), Cell: c.cell},
			obj:  &object{kind: objType, generic: ts.TypeParams != nil},
			def:  def,
		})
	}
	if len(kept) == 0 {
		return "", 0, nil
	}
	r.walk(d)
	if len(kept) == len(d.Specs) {
		return r.e.src(start, end), Decl, nil
	}
	var b strings.Builder
	b.WriteString("type (")
	for _, ts := range kept {
		b.WriteString(r.e.orig(r.p.off(ts.Pos()), r.p.off(ts.End())))
		b.WriteString("; ")
	}
	b.WriteString(")")
	return b.String(), Decl, nil
}

// canonical is a type definition reduced to its tokens, so that layout and
// comments do not make two definitions differ.
func canonical(src string) string {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(f, []byte(src), nil, 0)
	var toks []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON {
			continue
		}
		if lit == "" {
			lit = tok.String()
		}
		toks = append(toks, lit)
	}
	return strings.Join(toks, " ")
}

func (c *compiler) funcDecl(r *rewriter, u *Unit, d *ast.FuncDecl, start, end int) (string, Kind, error) {
	if d.Recv == nil && d.Name.Name == "main" {
		return "", 0, c.errAt(r.p.off(d.Name.Pos()), "func main is not allowed in a cell: call your code directly, or rename it")
	}
	r.walk(d)
	sigEnd := end
	if d.Body != nil {
		sigEnd = r.p.off(d.Body.Lbrace)
	}
	sig := strings.TrimSpace(c.code[r.p.off(d.Type.Pos()):sigEnd])
	rec := &record{
		name: Name{Name: d.Name.Name, Kind: "func", Signature: sig, Source: c.withDoc(start, end), Cell: c.cell},
		obj:  &object{kind: objFunc, generic: d.Type.TypeParams != nil},
	}
	if d.Recv != nil && len(d.Recv.List) == 1 {
		rec.name.Kind = "method"
		rec.recv = recvName(d.Recv.List[0].Type)
		_, rec.obj.ptrRecv = ast.Unparen(d.Recv.List[0].Type).(*ast.StarExpr)
		rec.name.Type = rec.recv
	}
	u.records = append(u.records, rec)
	return r.e.src(start, end), Decl, nil
}

// recvName is the type name of a receiver: T for T, *T, T[K] or *T[K].
func recvName(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// stmt handles a top-level statement.
func (c *compiler) stmt(r *rewriter, u *Unit, s ast.Stmt, start, end int) (string, *Display, error) {
	switch s := s.(type) {
	case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
		*ast.SelectStmt, *ast.BlockStmt, *ast.LabeledStmt:
		// Run compound statements inside a func literal: yaegi handles
		// scoped variables at top level badly (comma-ok forms fail, a
		// shadowing i := i loops forever, generic results have no type),
		// and their variables are local anyway.
		r.funcDepth, r.cellDepth = 1, 1
		r.env.push()
		r.walk(s)
		return "func() { " + r.e.orig(start, end) + " }()", nil, nil
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			if len(s.Lhs) == 2 && len(s.Rhs) == 1 && isCommaOk(s.Rhs[0]) {
				if text, ok := c.commaOk(r, u, s.Lhs, s.Rhs[0], start, end); ok {
					return text, nil, nil
				}
			}
			r.topDefine = true
			r.walk(s)
			n := len(u.records)
			c.defineRecords(r, u, s, start, end)
			if tok := r.off(s.TokPos); c.reassigns(r.p, s) && !r.e.edited(tok) {
				r.e.add(edit{tok, tok + len(":="), " ="})
				u.records = u.records[:n] // no new variables: the earlier declarations stand
			}
			return r.withHoists(start, end), nil, nil
		}
	case *ast.ExprStmt:
		r.walk(s)
		return r.e.src(start, end), c.display(r, s.X), nil
	}
	r.walk(s)
	return r.withHoists(start, end), nil, nil
}

// reassigns reports whether x, y := ... at top level may run as x, y = ...:
// every name on its left is a variable, of an earlier cell or declared
// before in this one, of the type it would have now. Declared again,
// a variable would take a new slot among the interpreter's globals, and the
// old one would keep its value for the rest of the session: a cell that
// makes a 100 MiB slice, run five times, kept 500 MiB. And yaegi makes the
// new slot before it evaluates the right side, so err := f(err) passed f a
// nil error. Assigned, the old value is freed, the right side sees it, and
// functions and pointers that refer to the variable see the new one, as
// they would if the cell had said x = ....
func (c *compiler) reassigns(g *parsed, s *ast.AssignStmt) bool {
	if c.facts == nil || !c.facts.trusted {
		return false
	}
	seen := map[string]bool{}
	for i, l := range s.Lhs {
		id, ok := l.(*ast.Ident)
		switch {
		case !ok:
			return false
		case id.Name == "_":
			continue
		case seen[id.Name]:
			return false
		}
		seen[id.Name] = true
		// The variable's object: the first declaration when this cell,
		// which go/types checked as one package, declared it before, else
		// the earlier cell's.
		var old types.Object
		if r, again := c.pending.global(id.Name); again {
			if r.name.Kind == "var" {
				old = c.facts.object(id.Name)
			}
		} else if r, ok := c.sn.global(id.Name); ok && r.name.Kind == "var" {
			old = c.st.typeObject(id.Name)
		}
		now := c.valueType(g, s, i)
		if old == nil || now == nil || !types.Identical(old.Type(), now) {
			return false
		}
	}
	return len(seen) > 0
}

// valueType is the type of the value that x, y := ... gives its i-th name,
// which the name would get declared, or nil when go/types does not know
// it. It is read from the value, not from the name's object, which a cycle
// (err := f(err), checked as a package-level var) leaves without a type.
func (c *compiler) valueType(g *parsed, s *ast.AssignStmt, i int) types.Type {
	var tv types.TypeAndValue
	var ok bool
	switch {
	case len(s.Rhs) == len(s.Lhs):
		tv, ok = c.facts.typeAt(g, s.Rhs[i])
	case len(s.Rhs) == 1:
		if tv, ok = c.facts.typeAt(g, s.Rhs[0]); ok {
			tuple, isTuple := tv.Type.(*types.Tuple)
			if !isTuple || tuple.Len() != len(s.Lhs) {
				return nil
			}
			return tuple.At(i).Type()
		}
	}
	if !ok {
		return nil
	}
	return types.Default(tv.Type)
}

// defineRecords records the globals that x, y := ... declares.
func (c *compiler) defineRecords(r *rewriter, u *Unit, s *ast.AssignStmt, start, end int) {
	for _, e := range s.Rhs {
		if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
				if o := r.env.lookup(id.Name); o != nil && o.generic && o.kind == objFunc {
					r.notes.genericDefine = true
				}
			}
		}
	}
	for _, l := range s.Lhs {
		id, ok := l.(*ast.Ident)
		if !ok || id.Name == "_" {
			continue
		}
		u.records = append(u.records, &record{
			name: Name{Name: id.Name, Kind: "var", Type: c.globalType(id.Name), Source: c.code[start:end], Cell: c.cell},
			obj:  &object{kind: objVar},
		})
	}
}

// globalType is the type of a var or const that the cell declares at top
// level, written as source (an untyped constant's default type), or ""
// when go/types does not know it.
func (c *compiler) globalType(name string) string {
	obj := c.facts.object(name)
	if obj == nil {
		return ""
	}
	text, ok := c.facts.typeText(types.Default(obj.Type()))
	if !ok {
		return ""
	}
	return text
}

// isCommaOk reports whether e, alone on the right of a two-value
// assignment, is a map index, a channel receive or a type assertion.
func isCommaOk(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		return true
	case *ast.UnaryExpr:
		return e.Op == token.ARROW
	case *ast.TypeAssertExpr:
		return e.Type != nil
	}
	return false
}

// commaOk rewrites v, ok := m[k] (or <-ch, or x.(T)) at top level, which
// yaegi cannot compile, into declarations followed by an assignment, which
// it can. It reports false when it cannot (a receive from a channel whose
// element type is unknown).
func (c *compiler) commaOk(r *rewriter, u *Unit, lhs []ast.Expr, rhs ast.Expr, start, end int) (string, bool) {
	v, ok1 := lhs[0].(*ast.Ident)
	okv, ok2 := lhs[1].(*ast.Ident)
	if !ok1 || !ok2 {
		return "", false
	}
	rhs = ast.Unparen(rhs)
	var vt string // the type of v, for a receive or a type assertion
	switch x := rhs.(type) {
	case *ast.UnaryExpr:
		var ok bool
		if vt, ok = r.env.text(r.env.typeOf(x)); !ok {
			r.notes.recvUnknown = true
			return "", false
		}
	case *ast.TypeAssertExpr:
		vt = r.p.text(x.Type)
	}
	r.topDefine = true
	r.commaOkRHS = rhs
	r.walk(rhs)
	r.commaOkRHS = nil
	var b strings.Builder
	b.WriteString(strings.Join(r.hoists, ""))
	switch x := rhs.(type) {
	case *ast.IndexExpr:
		m, k := r.operand(x.X, &b), r.operand(x.Index, &b)
		value := m + "[" + k + "]"
		if v.Name != "_" {
			fmt.Fprintf(&b, "%s := %s; ", v.Name, value)
		}
		if okv.Name != "_" {
			fmt.Fprintf(&b, "var %s bool; ", okv.Name)
		}
		fmt.Fprintf(&b, "%s, %s = %s", v.Name, okv.Name, value)
	default:
		if v.Name != "_" {
			fmt.Fprintf(&b, "var %s %s; ", v.Name, vt)
		}
		if okv.Name != "_" {
			fmt.Fprintf(&b, "var %s bool; ", okv.Name)
		}
		fmt.Fprintf(&b, "%s, %s = %s", v.Name, okv.Name, r.e.orig(r.p.off(rhs.Pos()), r.p.off(rhs.End())))
	}
	src := c.code[start:end]
	vtext := ""
	if t, ok := r.env.text(r.env.typeOf(rhs)); ok {
		vtext = t
	}
	if v.Name != "_" {
		u.records = append(u.records, &record{
			name: Name{Name: v.Name, Kind: "var", Type: vtext, Source: src, Cell: c.cell},
			obj:  &object{kind: objVar},
		})
	}
	if okv.Name != "_" {
		u.records = append(u.records, &record{
			name: Name{Name: okv.Name, Kind: "var", Type: "bool", Source: src, Cell: c.cell},
			obj:  &object{kind: objVar},
		})
	}
	return b.String(), true
}

// display describes the trailing expression x of a cell.
func (c *compiler) display(r *rewriter, x ast.Expr) *Display {
	start, end := r.p.off(x.Pos()), r.p.off(x.End())
	d := &Display{Expr: r.e.src(start, end), Results: 1}
	expr := r.e.orig(start, end)
	head := c.prefix(Stmt, start)
	single := head + "__gkfmt.Sprintf(__gk_dfmt, " + expr + ")"
	iife := func(n int) string {
		var vs []string
		for i := 1; i <= n; i++ {
			vs = append(vs, "__gkd"+strconv.Itoa(i))
		}
		list := strings.Join(vs, ", ")
		return head + "func() string { " + list + " := " + expr + "; return __gkfmt.Sprintf(__gk_dfmt, " + list + ") }()"
	}
	call, isCall := ast.Unparen(x).(*ast.CallExpr)
	if !isCall {
		d.Srcs = []string{single}
		return d
	}
	d.Call = true
	d.WriteLike = c.writeLike(r, call)
	d.Results = -1
	if rs := r.env.results(call); rs != nil {
		d.Results = len(rs)
	} else if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && d.WriteLike {
		if id, ok := sel.X.(*ast.Ident); ok {
			if o := r.env.lookup(id.Name); o != nil && o.kind == objPkg {
				d.Results = 2 // fmt.Print*, fmt.Fprint*, io.WriteString
			}
		}
	}
	switch {
	case d.Results == 0:
	case d.Results == 1:
		d.Srcs = []string{single}
	case d.Results > 1:
		d.Srcs = []string{iife(d.Results)}
	case d.WriteLike: // a Write method: (n, err), or just err
		d.Srcs = []string{iife(2), single}
	default:
		d.Srcs = []string{single, iife(2), iife(3), head + "__gk_showN(" + expr + ")"}
	}
	return d
}

func (c *compiler) writeLike(r *rewriter, call *ast.CallExpr) bool {
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		return (f.Name == "print" || f.Name == "println") && r.env.isBuiltin(f.Name)
	case *ast.SelectorExpr:
		switch f.Sel.Name {
		case "Write", "WriteString", "WriteByte", "WriteRune":
			return true
		}
		id, ok := f.X.(*ast.Ident)
		if !ok {
			return false
		}
		path, ok := c.importPath(id.Name)
		if !ok {
			return false
		}
		switch path {
		case "fmt":
			return strings.HasPrefix(f.Sel.Name, "Print") || strings.HasPrefix(f.Sel.Name, "Fprint")
		}
	}
	return false
}

// joinGotos joins the top-level statements from a label to the gotos that
// jump to it (or from a goto to its label) into one block, which runs as
// one unit: each statement runs on its own otherwise, and a label in one
// is not seen from another. The variables that the block declares are
// local to it.
func joinGotos(stmts []ast.Stmt) []ast.Stmt {
	labels := map[string]int{} // label → index of its statement
	for i, s := range stmts {
		for l, ok := s.(*ast.LabeledStmt); ok; l, ok = l.Stmt.(*ast.LabeledStmt) {
			labels[l.Label.Name] = i
		}
	}
	if len(labels) == 0 {
		return stmts
	}
	// span[i] is the last statement that statement i must run with.
	span := make([]int, len(stmts))
	for i := range span {
		span[i] = i
	}
	for i, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.BranchStmt:
				if n.Tok != token.GOTO || n.Label == nil {
					return true
				}
				if j, ok := labels[n.Label.Name]; ok && j != i {
					lo, hi := min(i, j), max(i, j)
					span[lo] = max(span[lo], hi)
				}
			}
			return true
		})
	}
	var out []ast.Stmt
	for i := 0; i < len(stmts); i++ {
		end := span[i]
		for k := i; k <= end; k++ {
			end = max(end, span[k])
		}
		if end == i {
			out = append(out, stmts[i])
			continue
		}
		out = append(out, &ast.BlockStmt{Lbrace: stmts[i].Pos(), List: stmts[i : end+1], Rbrace: stmts[end].End() - 1})
		i = end
	}
	return out
}

// importName is the name an import spec binds: its explicit name, or the
// package's own name as the session's hook or go/types knows it, or else
// the last element of path.
func (c *compiler) importName(is *ast.ImportSpec, path string) string {
	if is.Name != nil {
		return is.Name.Name
	}
	if c.sn.pkgName != nil {
		if name := c.sn.pkgName(path); name != "" {
			return name
		}
	}
	if imp := c.st.typesImporter(); imp != nil {
		imp.prefetch([]string{path})
		if p, err := imp.Import(path); err == nil {
			return p.Name()
		}
	}
	return pathpkg.Base(path)
}
