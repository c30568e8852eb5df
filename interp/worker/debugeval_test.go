package worker

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// testEnv is an evaluation environment with a few variables and the
// strings and strconv packages imported.
func testEnv() (evalEnv, map[string]reflect.Value) {
	type point struct{ X, Y int }
	vars := map[string]reflect.Value{}
	set := func(name string, v any) {
		p := reflect.New(reflect.TypeOf(v)).Elem()
		p.Set(reflect.ValueOf(v))
		vars[name] = p
	}
	set("n", 7)
	set("u", uint8(250))
	set("f", 1.5)
	set("s", "héllo")
	set("xs", []int{10, 20, 30})
	set("m", map[string]int{"a": 1})
	set("p", point{3, 4})
	set("pp", &point{5, 6})
	set("nilp", (*point)(nil))
	set("ok", true)
	set("fn", strings.ToUpper)
	set("dur", 90*time.Second)
	set("when", time.Unix(1, 0))
	set("i64", int64(0))
	var anyv any = 41
	set("iface", anyv)
	env := evalEnv{
		lookup: func(name string) (reflect.Value, bool) {
			v, ok := vars[name]
			return v, ok
		},
		kind: func(name string) string {
			return map[string]string{"add": "func", "P": "type"}[name]
		},
		imports: map[string]string{"strings": "strings", "strconv": "strconv", "fmt": "fmt"},
		pkg: func(path string) (map[string]reflect.Value, bool) {
			syms, _, ok := packages().lookup(path)
			return syms, ok
		},
	}
	return env, vars
}

func TestEvalExpressions(t *testing.T) {
	env, _ := testEnv()
	for _, tc := range []struct {
		expr, want string
	}{
		{"n", "7"},
		{"n + 1", "8"},
		{"n * 2 - 3", "11"},
		{"n / 2", "3"},
		{"n % 4", "3"},
		{"f * 2", "3"},
		{"7 / 2.0", "3.5"},
		{"-n", "-7"},
		{"u + 5", "255"},
		{"n << 2", "28"},
		{"s + \"!\"", `"héllo!"`},
		{"len(s)", "6"},
		{"s[1:3]", `"é"`},
		{"xs[1]", "20"},
		{"xs[1:]", "[20 30]"},
		{"len(xs)", "3"},
		{"cap(xs[:1])", "3"},
		{"m[\"a\"]", "1"},
		{"m[\"zz\"]", "0"},
		{"p.X + p.Y", "7"},
		{"pp.Y", "6"},
		{"(*pp).X", "5"},
		{"n > 5 && ok", "true"},
		{"n == 7", "true"},
		{"nilp == nil", "true"},
		{"pp != nil", "true"},
		{"iface", "41"},
		{"iface + 1", "42"},
		{"strings.ToUpper(s)", `"HÉLLO"`},
		{"strings.Repeat(\"ab\", n-5)", `"abab"`},
		{"strconv.Itoa(n) + \"x\"", `"7x"`},
		{"strconv.Atoi(\"12\")", "12, nil"},
		{"float64(n) / 2", "3.5"},
		{"string(rune(65))", `"A"`},
		{"int(f)", "1"},
		{"1 << 10", "1024"},
		{"dur.String()", `"1m30s"`},
		{"fmt.Sprint(n, s, p)", `"7héllo{3 4}"`},
		{"fmt.Sprintf(\"%03d\", n)", `"007"`},
		{"dur.Minutes()", "1.5"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			vals, err := env.evalString(tc.expr, false)
			if err != nil {
				t.Fatalf("%s: %v", tc.expr, err)
			}
			texts := make([]string, len(vals))
			for k, v := range vals {
				texts[k] = show(v)
			}
			if got := strings.Join(texts, ", "); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	env, _ := testEnv()
	for _, tc := range []struct {
		expr, says string
	}{
		{"nope", "undefined: nope"},
		{"n +", "not a Go expression"},
		{"xs[5]", "index out of range [5] with length 3"},
		{"n / 0", "divide by zero"},
		{"nilp.X", "nil"},
		{"*nilp", "nil pointer"},
		{"p.Z", "has no field Z"},
		{"n + s", "mismatched types"},
		{"fn(s)", "functions that cells declare cannot be called"},
		{"add(1, 2)", "functions that cells declare cannot be called"},
		{"P", "is a type"},
		{"func() {}", "function literals"},
		{"[]int{1}", "composite literals"},
		{"strings", "is a package"},
		{"strings.Nope", "undefined: strings.Nope"},
		{"strings.Builder", "is a type"},
		{"strings.Repeat(\"a\")", "takes 2 arguments"},
		{"strings.Repeat(\"a\", -1)", "panicked"},
		{"u + 10", "overflows uint8"},
		{"", "needs arguments.expression"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := env.evalString(tc.expr, false)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: error %v, want one that says %q", tc.expr, err, tc.says)
			}
		})
	}
}

func TestEvalAssign(t *testing.T) {
	env, vars := testEnv()
	for _, tc := range []struct {
		stmt, check, want string
	}{
		{"n = 9", "n", "9"},
		{"n = n * 2", "n", "18"},
		{"p.X = 30", "p.X", "30"},
		{"xs[0] = -1", "xs", "[-1 20 30]"},
		{"m[\"b\"] = 2", "len(m)", "2"},
		{"s = \"x\"", "s", `"x"`},
	} {
		if _, err := env.evalString(tc.stmt, true); err != nil {
			t.Fatalf("%s: %v", tc.stmt, err)
		}
		vals, err := env.evalString(tc.check, false)
		if err != nil || show(vals[0]) != tc.want {
			t.Errorf("after %s, %s = %v (%v), want %s", tc.stmt, tc.check, vals, err, tc.want)
		}
	}
	// Outside the repl context an assignment is not an expression.
	if _, err := env.evalString("n = 1", false); err == nil {
		t.Error("n = 1 outside the repl context: no error")
	}
	for stmt, says := range map[string]string{
		"n = \"x\"":      "cannot use",
		"nope = 1":       "undefined: nope",
		"n = xs[9]":      "index out of range",
		"len(xs) = 1":    "cannot assign",
		"u = 300":        "cannot use 300 as uint8",
		"nilp.X = 1":     "nil",
		"strings.X = 1":  "undefined: strings.X",
		"when.wall = 1":  "cannot assign to when.wall",
		"u = when.ext":   "cannot use",
		"i64 = when.ext": "cannot assign to i64",
	} {
		if _, err := env.evalString(stmt, true); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: error %v, want one that says %q", stmt, err, says)
		}
	}
	if got := vars["n"].Int(); got != 18 {
		t.Errorf("failed assignments changed n to %d", got)
	}
}

// TestServeSafely checks that a panic while serving a request becomes the
// request's error: here, a debugger without a worker.
func TestServeSafely(t *testing.T) {
	d := newDebugger(nil)
	body, err := d.serveSafely("inspectVariables", dapArgs{})
	if err == nil || !strings.Contains(err.Error(), "internal error") || body != nil {
		t.Errorf("serveSafely = %v, %v; want an internal error", body, err)
	}
	// The debugger still answers.
	if _, err := d.serveSafely("initialize", dapArgs{}); err != nil {
		t.Errorf("initialize after the panic: %v", err)
	}
}
