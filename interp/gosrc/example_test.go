package gosrc_test

import (
	"fmt"

	"github.com/beacceaf/gokernel/interp/gosrc"
)

func ExampleCompile() {
	st := gosrc.NewState()
	plan, err := gosrc.Compile("In[1]", "import \"fmt\"\nn := 3\nfor i := range n {\n\tfmt.Println(i)\n}\nn * 2", st)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range plan.Units {
		fmt.Printf("%s at line %d: %q\n", u.Kind, u.Line, u.Text)
		st.Commit(u) // after the unit ran without error
	}
	fmt.Println("display:", plan.Display.Expr)
	// Output:
	// import at line 1: "import \"fmt\""
	// stmt at line 2: "n := 3"
	// stmt at line 3: "for i := range n {\n\tfmt.Println(i)\n}"
	// stmt at line 6: "n * 2"
	// display: n * 2
}

func ExampleCompile_error() {
	_, err := gosrc.Compile("In[4]", "func main() {}", nil)
	fmt.Println(err)
	// Output:
	// In[4]:1:6: func main is not allowed in a cell: call your code directly, or rename it
}

func ExampleIsComplete() {
	for _, code := range []string{"x := 1", "if x > 0 {", "x := )"} {
		status, indent := gosrc.IsComplete(code)
		fmt.Printf("%q %q\n", status, indent)
	}
	// Output:
	// "complete" ""
	// "incomplete" "    "
	// "invalid" ""
}

func ExampleIdentAt() {
	code := "fmt.Pri"
	start, end, expr := gosrc.IdentAt(code, len(code))
	fmt.Println(start, end, expr)
	// Output:
	// 0 7 fmt.Pri
}

func ExampleState_Names() {
	st := gosrc.NewState()
	plan, _ := gosrc.Compile("In[1]", "// sq squares x.\nfunc sq(x int) int { return x * x }", st)
	st.Commit(plan.Units[0])
	for _, n := range st.Names() {
		fmt.Printf("%s %s: %s\n%s\n", n.Kind, n.Name, n.Signature, n.Source)
	}
	// Output:
	// func sq: func sq(x int) int
	// // sq squares x.
	// func sq(x int) int { return x * x }
}

func ExampleCleanPos() {
	fmt.Println(gosrc.CleanPos("In[2]/_.go:3:5: undefined: q"))
	// Output:
	// In[2]:3:5: undefined: q
}
