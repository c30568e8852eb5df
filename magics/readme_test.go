package magics_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/beacceaf/gokernel/magics"
)

var update = flag.Bool("update", false, "rewrite the magic table of ../README.md")

const (
	readmePath  = "../README.md"
	tableBegin  = "<!-- magics:begin -->"
	tableEnd    = "<!-- magics:end -->"
	updateUsage = "go test ./magics -run TestReadmeTable -update"
)

// TestReadmeTable checks that the README's magic table is the registry's.
// With -update it rewrites the table.
func TestReadmeTable(t *testing.T) {
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("the README must hold the magic table between %s and %s: %v", tableBegin, tableEnd, err)
	}
	readme := string(data)
	before, rest, ok1 := strings.Cut(readme, tableBegin)
	old, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %s and %s around the magic table; add them, then run %s",
			readmePath, tableBegin, tableEnd, updateUsage)
	}
	jobs := magics.NewJobs()
	defer jobs.Close()
	want := "\n" + magics.MarkdownTable(magics.Builtin(jobs))
	if old == want {
		return
	}
	if *update {
		if err := os.WriteFile(readmePath, []byte(before+tableBegin+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the magic table in %s differs from the registry; run %s. The table should be:\n%s", readmePath, updateUsage, want)
}

func TestMarkdownTable(t *testing.T) {
	jobs := magics.NewJobs()
	defer jobs.Close()
	reg := magics.Builtin(jobs)
	table := magics.MarkdownTable(reg)
	rows := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if rows[0] != "| Magic | Usage | What it does |" || rows[1] != "|---|---|---|" {
		t.Errorf("table header %q", rows[:2])
	}
	if got, want := len(rows)-2, len(reg.All()); got != want {
		t.Errorf("%d rows, want one per magic (%d)", got, want)
	}
	for i, m := range reg.All() {
		row := rows[i+2]
		if strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") != 4 {
			t.Errorf("row %q does not have three cells", row)
		}
		if !strings.Contains(row, m.Short) && !strings.Contains(row, strings.ReplaceAll(m.Short, "|", `\|`)) {
			t.Errorf("row %q lacks the short help of %s", row, m.Name)
		}
	}
	for _, want := range []string{"| `!` | `!CMD` |", "| `%%writefile` `%%file` |", "| `%time` `%%time` | `%time STMT`, or `%%time` with Go code in the cell |"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
