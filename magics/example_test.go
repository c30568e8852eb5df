package magics_test

import (
	"fmt"

	"github.com/beacceaf/gokernel/magics"
)

func ExampleParse() {
	cell := `x := 7 % 3
%p x  # остаток
!echo "x is computed"
fmt.Println(x)`
	segs, err := magics.Parse(cell)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range segs {
		switch s.Kind {
		case magics.Go:
			fmt.Printf("line %d: %s %q\n", s.Line, s.Kind, s.Text)
		case magics.Shell:
			fmt.Printf("line %d: %s %q\n", s.Line, s.Kind, s.Text)
		default:
			fmt.Printf("line %d: %s %q args %q\n", s.Line, s.Kind, s.Name, s.Args)
		}
	}
	// Output:
	// line 1: go "x := 7 % 3\n"
	// line 2: line magic "p" args "x  # остаток"
	// line 3: shell "echo \"x is computed\""
	// line 4: go "fmt.Println(x)"
}

func ExampleParse_cellMagic() {
	segs, _ := magics.Parse("%%cpp hello.c\nint main() { return 0; }\n%run gcc hello.c -o hello.exe\n")
	s := segs[0]
	fmt.Printf("%s %q args %q\nbody %q\n", s.Kind, s.Name, s.Args, s.Body)
	// Output:
	// cell magic "cpp" args "hello.c"
	// body "int main() { return 0; }\n%run gcc hello.c -o hello.exe\n"
}

func ExampleMarkdownTable() {
	reg := magics.NewRegistry(&magics.Magic{
		Name: "hello", Kind: magics.Line, Usage: "%hello [NAME]", Short: "Greet NAME.",
		Run: noop,
	})
	fmt.Print(magics.MarkdownTable(reg))
	// Output:
	// | Magic | Usage | What it does |
	// |---|---|---|
	// | `%hello` | `%hello [NAME]` | Greet NAME. |
}
