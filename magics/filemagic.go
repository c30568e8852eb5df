package magics

import (
	"context"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

// A fileMagic describes one of the magics that save their cell as a file
// and then run the %run lines found in it.
type fileMagic struct {
	name        string // "cpp"
	prefix      string // comment prefix; "" chooses it from the file's extension
	defaultFile string // used when FILE is omitted; "" makes FILE required
	tabs        bool   // turn runs of four spaces into tabs (makefiles)
	short       string
	lang        string // for the help text: "C or C++ source"
}

// The file magics, in the order they are registered.
var fileMagics = []fileMagic{
	{name: "save_file", short: "Save the cell as FILE, with a header comment chosen by FILE's extension, then run its %run lines.", lang: "any file"},
	{name: "cpp", prefix: "//", short: "Save a C or C++ source file, then run its %run lines (compile, run).", lang: "a C or C++ source file"},
	{name: "go", prefix: "//", short: "Save a Go source file, then run its %run lines (go build, go run).", lang: "a Go source file"},
	{name: "asm", prefix: "//", short: "Save an assembler source file, then run its %run lines.", lang: "an assembler source file (// comments, as in .S files)"},
	{name: "makefile", prefix: "#", defaultFile: "makefile", tabs: true, short: "Save a makefile (runs of four spaces become tabs), then run its %run lines.", lang: "a makefile"},
	{name: "cmake", prefix: "#", short: "Save a CMake file, then run its %run lines.", lang: "a CMake file (CMakeLists.txt)"},
}

const fileMagicFlags = "[--keep-going] [--ejudge-style] [--under-spoiler-threshold N]"

func (fm fileMagic) magic(st *state) *Magic {
	file := "FILE"
	if fm.defaultFile != "" {
		file = "[FILE]"
	}
	prefixDoc := fmt.Sprintf("%q", fm.prefix)
	if fm.prefix == "" {
		prefixDoc = "chosen from FILE's extension (// for .c .go .cpp ..., # for .py .sh .txt and unknown ones, -- for .sql, ; for .asm .ini, <!-- --> for .html)"
	}
	byDefault, except := "", ""
	if fm.defaultFile != "" {
		byDefault = ", " + fm.defaultFile + " by default"
	}
	if fm.tabs {
		except = " (in a makefile, other % lines are kept: % starts pattern rules)"
	}
	long := fmt.Sprintf(`Saves the cell body as %s in the Go worker's directory%s.
Line 1 of the file is a header comment naming the magic and its arguments,
so line N of the file is line N of the cell and compiler messages point at
cell lines. The comment prefix is %s.
The file always ends with a newline.

Lines of the body that start with %% are written commented out and mean:
  %%run CMD    run CMD through the shell after saving, as !CMD does
  %%MD TEXT    show TEXT as Markdown, in order with the commands
  %%// TEXT    a comment (%%# TEXT too)
Any other %% line is an error%s.

The commands run in order; each shows "Run: CMD" and its live output. A
failing command shows its status, and the remaining %%run lines are skipped
(the number skipped is shown); the cell still succeeds.

Options:
  --keep-going                 run every command even after one fails
  --ejudge-style               strip trailing blanks from every line and end the
                               file with "line without \n" and no final newline
  --under-spoiler-threshold N  collect each command's output and show it folded
                               when it has more than N lines`,
		fm.lang, byDefault, prefixDoc, except)
	if fm.tabs {
		long += "\n\nEvery run of four spaces becomes a tab, as make wants for recipes."
	}
	return &Magic{
		Name:  fm.name,
		Kind:  Cell,
		Usage: fmt.Sprintf("%%%%%s %s %s", fm.name, file, fileMagicFlags),
		Short: fm.short,
		Long:  long,
		Run:   func(ctx context.Context, c *Call) error { return fm.run(ctx, c, st) },
	}
}

// A fileItem is a %run or %MD line, processed after the file is saved.
type fileItem struct {
	run  bool // %run CMD; otherwise %MD TEXT
	text string
}

func (fm fileMagic) run(ctx context.Context, c *Call, st *state) error {
	fs := flag.NewFlagSet(c.Spelling(), flag.ContinueOnError)
	ejudge := fs.Bool("ejudge-style", false, "")
	keepGoing := fs.Bool("keep-going", false, "")
	spoiler := fs.Int("under-spoiler-threshold", 0, "")
	pos, err := parseFlags(c, fs, c.Args)
	if err != nil {
		return err
	}
	if len(pos) == 0 && fm.defaultFile == "" {
		return c.usagef("missing file name")
	}
	if err := wantArgs(c, pos, 0, 1); err != nil {
		return err
	}
	file := fm.defaultFile
	if len(pos) == 1 {
		file = pos[0]
	}
	prefix, suffix := fm.prefix, ""
	if prefix == "" {
		prefix, suffix = commentStyle(file)
	}
	content, items, err := fm.build(c, prefix, suffix, *ejudge)
	if err != nil {
		return err
	}
	path := resolvePath(c.Env.Dir(), file)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("%s: %w", c.Spelling(), err)
	}
	return runItems(ctx, c, st, items, *keepGoing, *spoiler)
}

// build returns the file's content and the queued %run and %MD lines.
func (fm fileMagic) build(c *Call, prefix, suffix string, ejudge bool) (string, []fileItem, error) {
	comment := func(s string) string {
		if suffix != "" {
			return prefix + " " + s + " " + suffix
		}
		return prefix + " " + s
	}
	header := c.Spelling()
	if c.Line != "" {
		header += " " + c.Line
	}
	lines := []string{comment(header)}
	var items []fileItem
	body := strings.Split(strings.TrimSuffix(c.Body, "\n"), "\n")
	for i, ln := range body {
		if !strings.HasPrefix(ln, "%") {
			if fm.tabs {
				ln = strings.ReplaceAll(ln, "    ", "\t")
			}
			lines = append(lines, ln)
			continue
		}
		cellLine := c.Pos + 1 + i
		word, rest, _ := strings.Cut(strings.TrimRight(ln, "\r"), " ")
		rest = strings.TrimSpace(rest)
		switch {
		case word == "%run":
			if rest == "" {
				return "", nil, c.usagef("line %d: %%run needs a command", cellLine)
			}
			items = append(items, fileItem{run: true, text: rest})
		case word == "%MD":
			items = append(items, fileItem{text: rest})
		case strings.HasPrefix(word, "%//") || strings.HasPrefix(word, "%#"):
			// a comment: only written to the file
		case fm.tabs:
			lines = append(lines, strings.ReplaceAll(ln, "    ", "\t")) // a pattern rule such as %.o: %.c
			continue
		default:
			return "", nil, c.usagef("line %d: unknown sub-command %q (want %%run CMD, %%MD TEXT, %%// TEXT or %%# TEXT)", cellLine, ln)
		}
		lines = append(lines, comment(ln))
	}
	if ejudge {
		for i, ln := range lines {
			lines[i] = strings.TrimRight(ln, " \t\r\f\v")
		}
		return strings.Join(lines, "\n") + "\n" + comment(`line without \n`), items, nil
	}
	return strings.Join(lines, "\n") + "\n", items, nil
}

// runItems processes the queued lines of a file magic in order.
func runItems(ctx context.Context, c *Call, st *state, items []fileItem, keepGoing bool, spoiler int) error {
	failed, skipped := false, 0
	for _, it := range items {
		if !it.run {
			showMarkdown(c.Out, it.text, it.text)
			continue
		}
		if failed && !keepGoing {
			skipped++
			continue
		}
		showMarkdown(c.Out, "Run: "+codeSpan(it.text), "Run: "+it.text)
		var status procStatus
		var err error
		if spoiler > 0 {
			var b strings.Builder
			status, err = runPTY(ctx, st.shell(), c.Env.Dir(), it.text, func(s string) { b.WriteString(s) }, c.Out)
			showFolded(c.Out, b.String(), spoiler)
		} else {
			status, err = runPTY(ctx, st.shell(), c.Env.Dir(), it.text, func(s string) { c.Out.Stream("stdout", s) }, c.Out)
		}
		if !status.ok() {
			c.Out.Stream("stderr", status.String()+"\n")
			failed = true
		}
		if err != nil {
			return err
		}
	}
	if skipped > 0 {
		c.Out.Stream("stderr", fmt.Sprintf("skipped %d remaining %%run command%s after the failure (--keep-going runs them all)\n",
			skipped, plural(skipped)))
	}
	return nil
}

// showFolded shows a command's collected output, folded under a summary
// when it has more than threshold lines.
func showFolded(out kernel.Output, text string, threshold int) {
	if text == "" {
		return
	}
	n := strings.Count(strings.TrimSuffix(text, "\n"), "\n") + 1
	pre := "<pre><code>" + html.EscapeString(text) + "</code></pre>"
	if n > threshold {
		pre = fmt.Sprintf("<details><summary>output (%d lines)</summary>%s</details>", n, pre)
	}
	display(out, kernel.Bundle{"text/html": pre, "text/plain": text}, "")
}

// commentStyle chooses a file's line-comment prefix (and suffix, for
// languages with block comments only) from its name.
func commentStyle(file string) (prefix, suffix string) {
	base := filepath.Base(file)
	switch strings.ToLower(base) {
	case "makefile", "gnumakefile", "cmakelists.txt", "dockerfile":
		return "#", ""
	}
	ext := filepath.Ext(base)
	switch ext {
	case ".S": // assembler run through the C preprocessor
		return "//", ""
	case ".s":
		return "#", ""
	}
	switch strings.ToLower(ext) {
	case ".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".go", ".java", ".js", ".mjs",
		".ts", ".rs", ".swift", ".kt", ".scala", ".cs", ".proto", ".zig", ".dart", ".m", ".mm", ".php", ".ld":
		return "//", ""
	case ".sql", ".lua", ".hs", ".adb", ".ads":
		return "--", ""
	case ".asm", ".nasm", ".ini", ".lisp", ".el", ".clj", ".scm":
		return ";", ""
	case ".tex", ".sty", ".erl":
		return "%", ""
	case ".html", ".htm", ".xml", ".svg", ".md":
		return "<!--", "-->"
	case ".css":
		return "/*", "*/"
	}
	return "#", "" // shell, Python, make, CMake, YAML, text...
}

// resolvePath returns name relative to dir, expanding a leading ~/.
func resolvePath(dir, name string) string {
	if name == "~" || strings.HasPrefix(name, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			name = filepath.Join(home, name[1:])
		}
	}
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}
