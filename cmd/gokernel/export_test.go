package main

// Tests of nbconvert's exporters on a notebook that gokernel executed:
// testdata/export.ipynb runs once through "jupyter nbconvert --execute",
// then the result goes through --to script, html and markdown.

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// nbconvert runs "jupyter nbconvert ARGS" in dir and returns its output.
func nbconvert(t *testing.T, env []string, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := testCommand(ctx, env, "/usr/bin/jupyter", append([]string{"nbconvert"}, args...)...)
	cmd.Dir = dir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("jupyter nbconvert %s: %.1f s", strings.Join(args, " "), time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("jupyter nbconvert %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// readExport reads a file that nbconvert wrote, or fails the test.
func readExport(t *testing.T, dir, name, log string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("%v (the directory holds %q); nbconvert said:\n%s", err, names, log)
	}
	return string(data)
}

// exportCells returns the sources of testdata/export.ipynb's code cells and
// of its markdown cells.
func exportCells(t *testing.T) (code, markdown []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "export.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("testdata/export.ipynb: %v", err)
	}
	for _, c := range nb.Cells {
		switch c.CellType {
		case "code":
			code = append(code, string(c.Source))
		case "markdown":
			markdown = append(markdown, string(c.Source))
		}
	}
	return code, markdown
}

var (
	scriptOrStyle = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>`)
	anyTag        = regexp.MustCompile(`(?s)<[^>]*>`)
	blankLines    = regexp.MustCompile(`\n[ \t]*\n`)
)

// htmlText returns the text of an HTML page's body as a reader sees it,
// roughly: no scripts, styles or tags, entities decoded.
func htmlText(page string) string {
	if i := strings.Index(page, "<body"); i >= 0 {
		page = page[i:]
	}
	page = scriptOrStyle.ReplaceAllString(page, "")
	return html.UnescapeString(anyTag.ReplaceAllString(page, ""))
}

// The texts that the executed export.ipynb shows, in its outputs.
const (
	exportStdout  = "x is 42"
	exportPrint   = "x * 2 = 84"
	exportComment = "# doubled"
	exportJobOut  = "job says <hi>\n\nafter a blank line\n"
	exportJobErr  = "job complains"
	exportShell   = "shell says hi"
	exportValue   = "21"
)

// TestNbconvertExporters checks that --to script gives a .go file with the
// cells' code, and that --to html and --to markdown show the outputs of
// Go, %p, ! and %bash_async cells readably.
func TestNbconvertExporters(t *testing.T) {
	env := jupyterEnv(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "export.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "export.ipynb"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	log := nbconvert(t, env, dir, "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=60",
		"--output", "run.ipynb", "export.ipynb")
	readExport(t, dir, "run.ipynb", log)
	code, markdown := exportCells(t)

	t.Run("script", func(t *testing.T) {
		log := nbconvert(t, env, dir, "--to", "script", "run.ipynb")
		// The file's extension comes from the kernel's language_info.
		script := readExport(t, dir, "run.go", log)
		at := 0
		for _, c := range code {
			i := strings.Index(script[at:], c)
			if i < 0 {
				t.Errorf("run.go lacks cell %q after offset %d; run.go:\n%s", c, at, script)
				continue
			}
			at += i + len(c)
		}
		for _, m := range markdown {
			if strings.Contains(script, m) {
				t.Errorf("run.go holds the markdown cell %q:\n%s", m, script)
			}
		}
		for _, out := range []string{exportStdout, exportPrint, "Process started", "finished"} {
			if strings.Contains(script, out) {
				t.Errorf("run.go holds the output %q:\n%s", out, script)
			}
		}
	})

	t.Run("html", func(t *testing.T) {
		log := nbconvert(t, env, dir, "--to", "html", "run.ipynb")
		page := readExport(t, dir, "run.html", log)
		text := htmlText(page)
		for _, want := range []string{
			exportStdout, exportPrint + "  " + exportComment, exportShell,
			"RUN LOG", "Process started! pid=", "Process finished! code=0", "finished, code=0",
			"STDOUT", exportJobOut, "STDERR", exportJobErr,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the page's text lacks %q", want)
			}
		}
		// %p's Markdown is rendered: the expression and value in <code>.
		if !strings.Contains(page, "<code>"+exportPrint+"</code>") {
			t.Errorf("run.html does not show %q in <code>", exportPrint)
		}
		if strings.Contains(text, "`"+exportPrint) {
			t.Errorf("run.html shows %%p's Markdown source, with backquotes, instead of rendering it")
		}
		// The job area is shown once: as HTML, not also as its text/plain.
		if n := strings.Count(text, "===== RUN LOG"); n != 0 {
			t.Errorf("the page shows the job's text/plain (%d times) beside its HTML", n)
		}
		if n := strings.Count(text, "RUN LOG"); n != 1 {
			t.Errorf("the page shows %d job areas, want 1", n)
		}
		// Go cells are highlighted with the lexer that language_info names.
		if !strings.Contains(page, "highlight hl-go") {
			t.Errorf("run.html has no Go-highlighted input (class \"highlight hl-go\")")
		}
		if t.Failed() {
			t.Logf("the page's text:\n%s", blankLines.ReplaceAllString(strings.TrimSpace(text), "\n"))
		}
	})

	t.Run("markdown", func(t *testing.T) {
		log := nbconvert(t, env, dir, "--to", "markdown", "run.ipynb")
		md := readExport(t, dir, "run.md", log)
		// Code cells are fenced as Go.
		for _, c := range code {
			if want := "```go\n" + c + "\n```"; !strings.Contains(md, want) {
				t.Errorf("run.md lacks the fenced cell %q", want)
			}
		}
		// %p's output is its Markdown: a code span and the comment.
		if want := "`" + exportPrint + "`  " + exportComment; !strings.Contains(md, want) {
			t.Errorf("run.md lacks %%p's output %q", want)
		}
		// Streams are indented code blocks.
		for _, want := range []string{"    " + exportStdout + "\n", "    " + exportShell + "\n"} {
			if !strings.Contains(md, want) {
				t.Errorf("run.md lacks the stream output %q", want)
			}
		}
		// The job's area is HTML in the Markdown. A Markdown renderer
		// (CommonMark 4.6, HTML blocks of kinds 6 and 7) ends such a block at
		// the first blank line, and renders the rest as Markdown: the area
		// must have no blank line, or it falls apart.
		blocks := htmlBlocks(md)
		var job string
		for _, b := range blocks {
			if strings.Contains(b.text, "RUN LOG") {
				job = b.text
				if open := b.unclosedDivs(); open != 0 {
					t.Errorf("the job's HTML block ends at a blank line with %d <div> still open: "+
						"a Markdown renderer shows the rest of the area as Markdown text. The block:\n%s",
						open, b.text)
				}
			}
		}
		if job == "" {
			t.Fatalf("run.md has no HTML block with the job's area; run.md:\n%s", md)
		}
		// What the rendered area shows.
		jobText := htmlText(jobArea(md))
		for _, want := range []string{"Process finished! code=0", exportJobOut, exportJobErr, "finished, code=0"} {
			if !strings.Contains(jobText, want) {
				t.Errorf("the job's area lacks %q; its text:\n%s", want, jobText)
			}
		}
		if t.Failed() {
			t.Logf("run.md:\n%s", md)
		}
	})
}

// An htmlBlock is an HTML block of a Markdown text, as CommonMark (4.6,
// kinds 6 and 7) delimits it: from a line that starts with a tag to the
// next blank line.
type htmlBlock struct{ text string }

var blockStart = regexp.MustCompile(`^ {0,3}</?[A-Za-z][A-Za-z0-9-]*[\s/>]`)

// htmlBlocks returns the HTML blocks of md outside fenced code blocks.
func htmlBlocks(md string) []htmlBlock {
	var blocks []htmlBlock
	var cur []string
	inBlock, fenced := false, false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case inBlock && strings.TrimSpace(line) == "":
			blocks = append(blocks, htmlBlock{strings.Join(cur, "\n")})
			cur, inBlock = nil, false
		case inBlock:
			cur = append(cur, line)
		case strings.HasPrefix(line, "```"):
			fenced = !fenced
		case !fenced && blockStart.MatchString(line):
			cur, inBlock = []string{line}, true
		}
	}
	if inBlock {
		blocks = append(blocks, htmlBlock{strings.Join(cur, "\n")})
	}
	return blocks
}

// unclosedDivs returns how many <div> elements the block opens and does not
// close.
func (b htmlBlock) unclosedDivs() int {
	return strings.Count(b.text, "<div") - strings.Count(b.text, "</div>")
}

// jobArea returns the job area's HTML in md: from the <div> whose block
// holds "RUN LOG" to its matching </div>, blank lines included.
func jobArea(md string) string {
	i := strings.Index(md, "RUN LOG")
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(md[:i], "\n<div")
	if start < 0 {
		start = 0
	}
	depth := 0
	for j := start; j < len(md); {
		open := strings.Index(md[j:], "<div")
		closing := strings.Index(md[j:], "</div>")
		switch {
		case closing < 0:
			return md[start:]
		case open >= 0 && open < closing:
			depth++
			j += open + len("<div")
		default:
			depth--
			j += closing + len("</div>")
			if depth == 0 {
				return md[start:j]
			}
		}
	}
	return md[start:]
}
