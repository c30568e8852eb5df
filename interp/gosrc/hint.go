package gosrc

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	cellPosRE  = regexp.MustCompile(`(In\[\d+\])(?:/_\.go)?:(\d+):(\d+)`)
	cellFileRE = regexp.MustCompile(`(In\[\d+\])/_\.go:`)
)

// CleanPos rewrites the positions "In[N]/_.go:L:C" that the interpreter
// prints for units (see Unit.Src) into "In[N]:L:C".
func CleanPos(msg string) string { return cellFileRE.ReplaceAllString(msg, "$1:") }

// CellPos finds the first cell position ("In[3]:2:5", or
// "In[3]/_.go:2:5") in an error message and returns its parts.
func CellPos(msg string) (cell string, line, col int, ok bool) {
	m := cellPosRE.FindStringSubmatch(msg)
	if m == nil {
		return "", 0, 0, false
	}
	line, _ = strconv.Atoi(m[2])
	col, _ = strconv.Atoi(m[3])
	return m[1], line, col, true
}

var (
	undefinedBuiltinRE = regexp.MustCompile(`undefined: (min|max|clear)\b`)
	missingPkgRE       = regexp.MustCompile(`unable to find source related to: "([^"]+)"`)
	genericSelectorRE  = regexp.MustCompile(`undefined selector: (slices|maps)\.(\w+)`)
	incompleteTypeRE   = regexp.MustCompile(`incomplete type (\w+)`)
)

// Hint explains a raw interpreter error that occurred while evaluating
// unit u, or returns "" when it has nothing to add. The worker shows it
// after the error.
func Hint(errText string, u Unit) string {
	switch {
	case strings.Contains(errText, "nil type") || strings.Contains(errText, "nil reflect type"):
		switch {
		case u.notes.rangeUnknown || u.notes.rangeUnknown2 || u.notes.rangeFuncComplex:
			return "the interpreter (yaegi v0.16.1) cannot range over an integer or a function. " +
				"The kernel rewrites such loops when it can tell the operand's type; here it could not. " +
				"Write for i := 0; i < n; i++ { … } for an integer, or call the function with a yield closure: seq(func(x T) bool { …; return true })."
		case u.notes.recvUnknown:
			return "the interpreter cannot compile v, ok := <-ch at cell top level. " +
				"Declare the variables first (var v T; var ok bool; v, ok = <-ch), or receive inside a func."
		case u.notes.genericDefine || strings.Contains(errText, "nil reflect type"):
			return "the interpreter cannot give a variable declared at cell top level the type of a generic function's result. " +
				"Declare it with its type first (var x T; x = f(…)), or work inside a func."
		}
		return "the interpreter (yaegi v0.16.1) could not compile this statement (a \"nil type\" panic). " +
			"Known causes: range over an integer or a function, v, ok := forms at top level, generic calls at top level. " +
			"Moving the code into a func often helps."
	case undefinedBuiltinRE.MatchString(errText):
		name := undefinedBuiltinRE.FindStringSubmatch(errText)[1]
		return "the interpreter lacks the " + name + " builtin. The kernel rewrites calls such as " + name +
			"(a, b), but not other uses of the name."
	case missingPkgRE.MatchString(errText):
		path := missingPkgRE.FindStringSubmatch(errText)[1]
		switch path {
		case "iter", "unique", "weak", "structs":
			return "package " + path + " is not available in the interpreter: its API is generic, and yaegi v0.16.1 only knows the standard library up to Go 1.22."
		}
		return "package " + path + " is not available in the interpreter: it knows the standard library and the packages the kernel registered."
	case genericSelectorRE.MatchString(errText):
		m := genericSelectorRE.FindStringSubmatch(errText)
		return "the interpreter has only part of the generic " + m[1] + " package, and " + m[1] + "." + m[2] +
			" is missing; write a loop, or use the sort package."
	case strings.Contains(errText, "undefined type for") || strings.Contains(errText, "cannot use type func("):
		return "the interpreter could not infer the type arguments of a generic call; give them explicitly, such as Map[int, string](xs, f)."
	case strings.Contains(errText, "must be interface or implement error"):
		return "errors.As does not work with error types declared in cells; use a type assertion or a type switch on the error."
	case incompleteTypeRE.MatchString(errText):
		return incompleteTypeRE.FindStringSubmatch(errText)[1] + " is probably undefined: the interpreter reports an undefined name this way in some declarations."
	case strings.Contains(errText, "constant definition loop"):
		return "probably an undefined name on the right of := or =: the interpreter reports it this way at cell top level."
	case strings.Contains(errText, "variable definition loop"):
		return "a known interpreter quirk: declare the variable first (var x T) and assign it in a separate statement."
	case strings.Contains(errText, "reflect: call of reflect.Value.Field on zero Value"),
		strings.Contains(errText, "reflect: call of reflect.Value.Elem on zero Value"):
		return "probably a nil pointer dereference."
	case strings.Contains(errText, "reflect: slice index out of range"):
		return "an index out of range."
	}
	return ""
}
