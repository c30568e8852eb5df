package symbols_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/beacceaf/gokernel/interp/symbols"
)

// evalAll runs each source in i, stopping at the first error.
func evalAll(i *interp.Interpreter, srcs ...string) error {
	for _, src := range srcs {
		if _, err := i.EvalWithContext(context.Background(), src); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
	}
	return nil
}

// Symbols is used after yaegi's own tables; it adds only what they lack.
func Example() {
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out})
	if err := i.Use(stdlib.Symbols); err != nil {
		fmt.Println(err)
		return
	}
	if err := i.Use(symbols.Symbols); err != nil {
		fmt.Println(err)
		return
	}
	err := evalAll(i,
		`import "fmt"`,
		`import "strings"`,
		`strings.Lines("one\ntwo\n")(func(l string) bool { fmt.Printf("%q\n", l); return true })`,
	)
	fmt.Print(out.String(), err)
	// Output:
	// "one\n"
	// "two\n"
	// <nil>
}

// LoadGeneric adds the generic slices and maps functions that yaegi lacks.
func ExampleLoadGeneric() {
	var out bytes.Buffer
	i := interp.New(interp.Options{Stdout: &out})
	if err := i.Use(stdlib.Symbols); err != nil {
		fmt.Println(err)
		return
	}
	if err := symbols.LoadGeneric(i); err != nil {
		fmt.Println(err)
		return
	}
	err := evalAll(i,
		`import "fmt"`,
		`import "maps"`,
		`import "slices"`,
		`fmt.Println(slices.Sorted(maps.Keys(map[string]int{"b": 2, "c": 3, "a": 1})))`,
	)
	fmt.Print(out.String(), err)
	// Output:
	// [a b c]
	// <nil>
}
