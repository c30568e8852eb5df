package magics_test

import (
	"context"
	"strings"
	"testing"
)

func TestPrint(t *testing.T) {
	values := map[string]string{
		"x":                 "42",
		"x | y":             "7",
		`"a#b" + s`:         `"a#bc"`,
		"'#'":               "35",
		"m":                 "map[a:1\nb:2]",
		"q":                 "a`b",
		"строка":            "привет",
		"my_bin(x & ^y)":    "0b_1010",
		"`raw # not`":       "raw # not",
		"float64(x) / 3.0 ": "14",
	}
	tests := []struct {
		name, cell, plain, md string
	}{
		{"value", "%p x", "x = 42", "`x = 42`"},
		{"comment", "%p x | y  # Побитовый OR", "x | y = 7  # Побитовый OR", "`x | y = 7`  # Побитовый OR"},
		{"hash in a string", `%p "a#b" + s # склейка`, `"a#b" + s = "a#bc"  # склейка`, "`\"a#b\" + s = \"a#bc\"`  # склейка"},
		{"hash in a rune", "%p '#'", "'#' = 35", "`'#' = 35`"},
		{"hash in a raw string", "%p `raw # not`", "`raw # not` = raw # not", "`` `raw # not` = raw # not ``"},
		{"backquote in the value", "%p q", "q = a`b", "``q = a`b``"},
		{"multi-line value", "%p m  # map", "m = map[a:1\nb:2]  # map", "`m =`  # map\n\n```\nmap[a:1\nb:2]\n```"},
		{"cyrillic expression", "%p строка", "строка = привет", "`строка = привет`"},
		{"markdown characters stay code", "%p my_bin(x & ^y)", "my_bin(x & ^y) = 0b_1010", "`my_bin(x & ^y) = 0b_1010`"},
		{"prose", "%p # Это **Markdown**", "Это **Markdown**", "Это **Markdown**"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.env.values = values
			k.mustRun(tc.cell)
			ds := displays(k.rec)
			if len(ds) != 1 {
				t.Fatalf("%d displays, want 1", len(ds))
			}
			if got := ds[0].Bundle["text/plain"]; got != tc.plain {
				t.Errorf("text/plain %q, want %q", got, tc.plain)
			}
			if got := ds[0].Bundle["text/markdown"]; got != tc.md {
				t.Errorf("text/markdown %q, want %q", got, tc.md)
			}
		})
	}
}

func TestPrintErrors(t *testing.T) {
	k := newKit(t)
	k.usageErr("%p", "%p: missing expression")
	k.usageErr("%p   ", "%p: missing expression")
	err := k.run(context.Background(), "%p nope  # комментарий")
	if err == nil || !strings.Contains(err.Error(), "undefined: nope") {
		t.Errorf("%%p of an undefined name: %v, want the Eval error", err)
	}
	if len(k.rec.Events()) != 0 {
		t.Errorf("failed %%p showed %+v", k.rec.Events())
	}
}
