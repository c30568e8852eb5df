package notebooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/beacceaf/gokernel/kernelspec/kernelspectest"
)

// The named-FIFO seminar, in the order its tests run the notebooks. They
// share my_fifo's name and /tmp/seqnum_sv, so they never run at once.
var seminarBooks = []string{"named-fifo.en.ipynb", "named-fifo.ru.ipynb"}

// bound is how long a positive wait may take: 2 s, 5 s under CI (the
// seminar specification's convention).
func bound() time.Duration {
	if os.Getenv("CI") != "" {
		return 5 * time.Second
	}
	return 2 * time.Second
}

// nbString is a notebook's multi-line string: a string or a list of lines.
type nbString string

func (s *nbString) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*s = nbString(one)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(data, &lines); err != nil {
		return err
	}
	*s = nbString(strings.Join(lines, ""))
	return nil
}

type seminarNotebook struct {
	Cells []*seminarCell `json:"cells"`
}

type seminarCell struct {
	ID             string   `json:"id"`
	Type           string   `json:"cell_type"`
	Source         nbString `json:"source"`
	ExecutionCount *int     `json:"execution_count"`
	Metadata       struct {
		Tags      []string          `json:"tags"`
		Execution map[string]string `json:"execution"`
		Jupyter   struct {
			SourceHidden bool `json:"source_hidden"`
		} `json:"jupyter"`
	} `json:"metadata"`
	Outputs []struct {
		Type   string                     `json:"output_type"`
		Name   string                     `json:"name"`
		Text   nbString                   `json:"text"`
		Data   map[string]json.RawMessage `json:"data"`
		EName  string                     `json:"ename"`
		EValue string                     `json:"evalue"`
	} `json:"outputs"`
}

func readSeminar(t *testing.T, path string) *seminarNotebook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb seminarNotebook
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &nb
}

// code returns the code cells.
func (nb *seminarNotebook) code() []*seminarCell {
	var out []*seminarCell
	for _, c := range nb.Cells {
		if c.Type == "code" {
			out = append(out, c)
		}
	}
	return out
}

// cell returns the cell with the given id.
func (nb *seminarNotebook) cell(t *testing.T, id string) *seminarCell {
	t.Helper()
	for _, c := range nb.Cells {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no cell with id %q", id)
	return nil
}

// text is everything the cell showed: its streams, the text/plain form of
// its results and displays, and its errors, in order.
func (c *seminarCell) text() string {
	var b strings.Builder
	for _, o := range c.Outputs {
		switch o.Type {
		case "stream":
			b.WriteString(string(o.Text))
		case "display_data", "execute_result":
			var s nbString
			if raw, ok := o.Data["text/plain"]; ok && json.Unmarshal(raw, &s) == nil {
				b.WriteString(string(s))
				if !strings.HasSuffix(string(s), "\n") {
					b.WriteByte('\n')
				}
			}
		case "error":
			fmt.Fprintf(&b, "ERROR %s: %s\n", o.EName, o.EValue)
		}
	}
	return b.String()
}

// stdout is the cell's stdout stream.
func (c *seminarCell) stdout() string {
	var b strings.Builder
	for _, o := range c.Outputs {
		if o.Type == "stream" && o.Name == "stdout" {
			b.WriteString(string(o.Text))
		}
	}
	return b.String()
}

// took is how long the cell ran, from the timestamps nbconvert records.
func (c *seminarCell) took(t *testing.T) time.Duration {
	t.Helper()
	start, err1 := time.Parse(time.RFC3339Nano, c.Metadata.Execution["iopub.execute_input"])
	end, err2 := time.Parse(time.RFC3339Nano, c.Metadata.Execution["shell.execute_reply"])
	if err1 != nil || err2 != nil {
		t.Fatalf("cell %s: no execution times in %v", c.ID, c.Metadata.Execution)
	}
	return end.Sub(start)
}

// A jobView is the final state of a %bash_async display.
type jobView struct {
	Title, RunLog, Stdout, Stderr string
}

// job parses the display of the %bash_async cell with the given id.
func (nb *seminarNotebook) job(t *testing.T, id string) jobView {
	t.Helper()
	c := nb.cell(t, id)
	var disp string
	for _, o := range c.Outputs {
		if o.Type == "display_data" {
			var s nbString
			json.Unmarshal(o.Data["text/plain"], &s)
			disp = string(s)
		}
	}
	const runLog, out, errs = "===== RUN LOG =====\n", "===== STDOUT =====\n", "===== STDERR =====\n"
	i, j, k := strings.Index(disp, runLog), strings.Index(disp, out), strings.Index(disp, errs)
	if i < 0 || j < i || k < j {
		t.Fatalf("cell %s: no job display in its outputs:\n%s", id, c.text())
	}
	return jobView{
		Title:  strings.TrimSpace(disp[:i]),
		RunLog: disp[i+len(runLog) : j],
		Stdout: disp[j+len(out) : k],
		Stderr: disp[k+len(errs):],
	}
}

// finished checks that a job's display shows its end with status, e.g.
// "code=0" or "signal=9 (SIGKILL)".
func (v jobView) finished(t *testing.T, id, status string) {
	t.Helper()
	if !strings.HasPrefix(v.RunLog, "Process started! pid=") || !strings.HasSuffix(v.RunLog, "Process finished! "+status+"\n") {
		t.Errorf("job %s: RUN LOG %q, want it to start the process and end with %q", id, v.RunLog, status)
	}
	if !strings.HasSuffix(v.Title, "(finished, "+status+")") {
		t.Errorf("job %s: title %q, want it to say finished, %s", id, v.Title, status)
	}
}

// seminarNormalizers make a fresh run comparable with the committed one:
// PIDs, durations and column widths change from run to run.
var seminarNormalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	// A status line of a FIFO call that waited, which comes or not with
	// the timing of the run.
	{regexp.MustCompile(`(?m)^(waiting in .*|\S.* waited \d+\.\d s)\n`), ""},
	{regexp.MustCompile(`pid=\d+`), "pid=N"},
	{regexp.MustCompile(`(?m)^\[(\d+( \w+)?)\]\s+\d+`), "[$1] PID"},
	{regexp.MustCompile(`process group \d+`), "process group PID"},
	{regexp.MustCompile(`seqnum_cl\.\d+`), "seqnum_cl.PID"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`), "T"},
	{regexp.MustCompile(`[ \t]+`), " "},
}

func normalizeSeminar(s string) string {
	for _, n := range seminarNormalizers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// TestSeminarCodeCellsIdentical checks that the English and the Russian
// notebook have the same code cells, each with its own prose, and that both
// were committed from a real run.
func TestSeminarCodeCellsIdentical(t *testing.T) {
	en, ru := readSeminar(t, seminarBooks[0]), readSeminar(t, seminarBooks[1])
	if len(en.Cells) != len(ru.Cells) {
		t.Fatalf("%d cells in English, %d in Russian", len(en.Cells), len(ru.Cells))
	}
	code := 0
	for i, e := range en.Cells {
		r := ru.Cells[i]
		if e.Type != r.Type || e.ID != r.ID {
			t.Errorf("cell %d: %s %q in English, %s %q in Russian", i, e.Type, e.ID, r.Type, r.ID)
			continue
		}
		switch e.Type {
		case "code":
			code++
			if e.Source != r.Source {
				t.Errorf("code cell %s differs:\n--- en\n%s\n--- ru\n%s", e.ID, e.Source, r.Source)
			}
			if !slices.Equal(e.Metadata.Tags, r.Metadata.Tags) {
				t.Errorf("code cell %s: tags %v in English, %v in Russian", e.ID, e.Metadata.Tags, r.Metadata.Tags)
			}
			for _, c := range []*seminarCell{e, r} {
				if c.ExecutionCount == nil {
					t.Errorf("code cell %s was not executed: commit the notebooks from a real run (go test ./notebooks -run TestNotebooksRunHeadless -update)", c.ID)
				}
			}
		case "markdown":
			if e.Source == r.Source {
				t.Errorf("markdown cell %s is the same in both languages: %q", e.ID, e.Source)
			}
			if hasCyrillic(string(e.Source)) {
				t.Errorf("English markdown cell %s has Cyrillic: %q", e.ID, e.Source)
			}
			if !hasCyrillic(string(r.Source)) {
				t.Errorf("Russian markdown cell %s has no Cyrillic: %q", r.ID, r.Source)
			}
		}
	}
	if code < 100 {
		t.Errorf("only %d code cells", code)
	}
	for _, nb := range []*seminarNotebook{en, ru} {
		intro := string(nb.Cells[0].Source)
		for _, src := range []string{"https://github.com/yuri-pechatnov/caos", "https://man7.org/tlpi/"} {
			if !strings.Contains(intro, src) {
				t.Errorf("the first cell does not link the source %s", src)
			}
		}
	}
	// The original typed a PID into a cell; ours must come from the job.
	// Jobs are named, never numbered, so that re-running a cell shifts
	// nothing. No magic line comes before Go code (see the README's
	// teaching section: a later Go compile error would find it run).
	literalPID := regexp.MustCompile(`/proc/\d`)
	jobNumber := regexp.MustCompile(`(?m)^%(kill|wait|job_write|job_close)( -\w+)? %?\d|(jobPID|blockedIn|running|stopped|jobs\.PID|jobs\.Lookup)\(\d`)
	for _, c := range en.code() {
		src := string(c.Source)
		if m := literalPID.FindString(src); m != "" {
			t.Errorf("code cell %s has a literal PID: %s", c.ID, m)
		}
		if m := jobNumber.FindString(src); m != "" {
			t.Errorf("code cell %s refers to a job by number: %s", c.ID, m)
		}
		if strings.HasPrefix(src, "%%") {
			continue
		}
		magicSeen := ""
		for _, l := range strings.Split(src, "\n") {
			switch {
			case strings.HasPrefix(l, "%") || strings.HasPrefix(l, "!"):
				magicSeen = l
			case strings.TrimSpace(l) != "" && magicSeen != "":
				t.Errorf("code cell %s has Go code after the magic line %q", c.ID, magicSeen)
			}
		}
	}
}

// A heading is a Markdown heading's level and its section number ("" for
// an unnumbered one).
type heading struct {
	level  int
	number string
}

var headingLine = regexp.MustCompile(`(?m)^(#{1,6}) +(?:(\d+)\. )?`)

// headings lists the Markdown headings of cell c, in order.
func (c *seminarCell) headings() []heading {
	var out []heading
	for _, m := range headingLine.FindAllStringSubmatch(string(c.Source), -1) {
		out = append(out, heading{len(m[1]), m[2]})
	}
	return out
}

// TestSeminarHeadingsMatch checks that the English and the Russian
// notebook have the same headings, level and section number, cell for
// cell; that the sections are numbered 1, 2, … without a gap; and that
// every "section N" / "раздел N" in the prose names a section that exists.
func TestSeminarHeadingsMatch(t *testing.T) {
	en, ru := readSeminar(t, seminarBooks[0]), readSeminar(t, seminarBooks[1])
	if len(en.Cells) != len(ru.Cells) {
		t.Fatalf("%d cells in English, %d in Russian", len(en.Cells), len(ru.Cells))
	}
	sections := map[string]bool{}
	next := 1
	for i, e := range en.Cells {
		eh, rh := e.headings(), ru.Cells[i].headings()
		if !slices.Equal(eh, rh) {
			t.Errorf("cell %d (%s): headings %v in English, %v in Russian", i, e.ID, eh, rh)
		}
		for _, h := range eh {
			if h.level != 2 {
				continue
			}
			if h.number != strconv.Itoa(next) {
				t.Errorf("cell %d (%s): section %q, want %d", i, e.ID, h.number, next)
			}
			sections[h.number] = true
			next++
		}
	}
	if next < 10 {
		t.Errorf("only %d numbered sections", next-1)
	}
	refs := regexp.MustCompile(`(?i)\b(?:sections?|раздел[аеу]?|разделах) (\d+(?:\.\d+)?)`)
	for _, nb := range []*seminarNotebook{en, ru} {
		for _, c := range nb.Cells {
			if c.Type != "markdown" {
				continue
			}
			for _, m := range refs.FindAllStringSubmatch(string(c.Source), -1) {
				if !sections[m[1]] && !strings.Contains(m[1], ".") { // 44.9 is TLPI's
					t.Errorf("cell %s refers to %q, but there is no section %s", c.ID, m[0], m[1])
				}
			}
		}
	}
}

func hasCyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}

// TestSeminarNotebooks executes each seminar notebook headless in a copy of
// its own, checks what every demonstration of the seminar shows, that the
// committed outputs match the fresh ones, and that nothing is left behind.
func TestSeminarNotebooks(t *testing.T) {
	j := kernelspectest.Install(t)
	kernelspectest.RequirePython(t, "nbformat", "nbconvert", "nbclient")
	for _, book := range seminarBooks {
		t.Run(book, func(t *testing.T) {
			src, err := os.ReadFile(book)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			defer checkNothingLeft(t, dir, book, true)
			fresh := executeSeminar(t, j.Env, dir, book, src)
			checkSeminarDemos(t, fresh)
			compareWithCommitted(t, readSeminar(t, book), fresh)
		})
	}
}

// executeSeminar writes the notebook src as dir/name, executes it with
// nbconvert (see executeNotebook) and returns the executed notebook.
func executeSeminar(t *testing.T, env []string, dir, name string, src []byte) *seminarNotebook {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
		t.Fatal(err)
	}
	executeNotebook(t, env, dir, name)
	return readSeminar(t, filepath.Join(dir, "executed.ipynb"))
}

// executeNotebook executes dir/name with nbconvert into dir/executed.ipynb.
// The notebook gets a SEQNUM_DIR of its own, so that runs at the same time
// (other checkouts, other CI jobs) never share /tmp/seqnum_sv; the executed
// notebook shows that directory as /tmp, the notebook's default, and the
// directory must be empty at the end.
func executeNotebook(t *testing.T, env []string, dir, name string) {
	t.Helper()
	seqnum := t.TempDir()
	env = append(slices.Clone(env), "SEQNUM_DIR="+seqnum)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kernelspectest.Python, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", name)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("nbconvert --execute %s took %.1f s", name, time.Since(start).Seconds())
	if err != nil {
		t.Fatalf("nbconvert --execute %s: %v\n%s", name, err, out)
	}
	if left, _ := os.ReadDir(seqnum); len(left) > 0 {
		t.Errorf("left in SEQNUM_DIR: %v", left)
	}
	executed := filepath.Join(dir, "executed.ipynb")
	data, err := os.ReadFile(executed)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(seqnum), []byte("/tmp"))
	if err := os.WriteFile(executed, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sectionNeeds lists, for each section that runs a program an earlier
// section builds, the cells that build it. In class the programs stay on
// disk across a restart; a fresh folder needs their build cells first.
var sectionNeeds = map[int][]string{
	5:  {"d4-build"},
	14: {"d12-protocol", "d12-server", "d12-client"},
	16: {"d12-protocol", "d12-client"},
}

// A rawNotebook keeps a notebook's JSON as it is, so that cells can be
// picked from it and written out again unchanged.
type rawNotebook struct {
	all   map[string]json.RawMessage
	cells []json.RawMessage
	nb    *seminarNotebook // the same cells, parsed
}

func readRawNotebook(t *testing.T, path string) *rawNotebook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw := &rawNotebook{nb: readSeminar(t, path)}
	if err := json.Unmarshal(data, &raw.all); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw.all["cells"], &raw.cells); err != nil {
		t.Fatal(err)
	}
	return raw
}

// sections returns the index of the first cell of each numbered section,
// by section number, and the index of the first section's heading.
func (raw *rawNotebook) sections(t *testing.T) (map[int][2]int, int) {
	t.Helper()
	spans := map[int][2]int{}
	cur, first := 0, -1
	for i, c := range raw.nb.Cells {
		for _, h := range c.headings() {
			if h.level != 2 {
				continue
			}
			k, err := strconv.Atoi(h.number)
			if err != nil {
				t.Fatalf("cell %s: unnumbered section", c.ID)
			}
			if cur > 0 {
				spans[cur] = [2]int{spans[cur][0], i}
			}
			if first < 0 {
				first = i
			}
			cur = k
			spans[k] = [2]int{i, len(raw.nb.Cells)}
		}
	}
	if first < 0 {
		t.Fatal("no numbered sections")
	}
	return spans, first
}

// index returns the index of the cell with the given id.
func (raw *rawNotebook) index(t *testing.T, id string) int {
	t.Helper()
	for i, c := range raw.nb.Cells {
		if c.ID == id {
			return i
		}
	}
	t.Fatalf("no cell %q", id)
	return -1
}

// with returns the notebook's JSON with only the given cells, in order.
func (raw *rawNotebook) with(t *testing.T, cells []json.RawMessage) []byte {
	t.Helper()
	all := maps.Clone(raw.all)
	data, err := json.Marshal(cells)
	if err != nil {
		t.Fatal(err)
	}
	all["cells"] = data
	out, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSeminarSectionsAlone runs, for each section of the English notebook,
// a fresh kernel with the setup cells and that section only (after the
// build cells of the programs it runs, see sectionNeeds), as a teacher who
// restarts mid-class would, and makes the same checks as the full run.
func TestSeminarSectionsAlone(t *testing.T) {
	j := kernelspectest.Install(t)
	kernelspectest.RequirePython(t, "nbformat", "nbconvert", "nbclient")
	raw := readRawNotebook(t, seminarBooks[0])
	spans, first := raw.sections(t)
	if len(spans) != len(seminarChecks) {
		t.Fatalf("%d sections, but %d section checks", len(spans), len(seminarChecks))
	}
	for _, sc := range seminarChecks {
		t.Run(fmt.Sprintf("%d %s", sc.section, sc.name), func(t *testing.T) {
			span, ok := spans[sc.section]
			if !ok {
				t.Fatalf("no section %d", sc.section)
			}
			cells := slices.Clone(raw.cells[:first])
			for _, id := range sectionNeeds[sc.section] {
				cells = append(cells, raw.cells[raw.index(t, id)])
			}
			cells = append(cells, raw.cells[span[0]:span[1]]...)
			dir := t.TempDir()
			name := fmt.Sprintf("section-%d.ipynb", sc.section)
			defer checkNothingLeft(t, dir, name, false)
			nb := executeSeminar(t, j.Env, dir, name, raw.with(t, cells))
			checkNoErrors(t, nb)
			sc.check(t, &checker{nb})
		})
	}
}

// TestSeminarCellsTwice runs the English notebook with the cells that
// teachers re-run most, and that hold descriptors or children, run twice in
// a row: every later check must still hold, and nothing be left behind.
func TestSeminarCellsTwice(t *testing.T) {
	j := kernelspectest.Install(t)
	kernelspectest.RequirePython(t, "nbformat", "nbconvert", "nbclient")
	twice := []string{"d6-open", "d6c-open", "d6c-leak", "d9-explained"}
	raw := readRawNotebook(t, seminarBooks[0])
	var cells []json.RawMessage
	for i, c := range raw.cells {
		cells = append(cells, c)
		if id := raw.nb.Cells[i].ID; slices.Contains(twice, id) {
			var again map[string]any
			if err := json.Unmarshal(c, &again); err != nil {
				t.Fatal(err)
			}
			again["id"] = id + "-again"
			data, err := json.Marshal(again)
			if err != nil {
				t.Fatal(err)
			}
			cells = append(cells, data)
		}
	}
	dir := t.TempDir()
	const name = "twice.ipynb"
	defer checkNothingLeft(t, dir, name, true)
	nb := executeSeminar(t, j.Env, dir, name, raw.with(t, cells))
	checkSeminarDemos(t, nb)
	for _, id := range twice {
		first, again := nb.cell(t, id), nb.cell(t, id+"-again")
		if id == "d9-explained" {
			checkExplained(t, again)
			continue
		}
		if f, a := normalizeSeminar(first.text()), normalizeSeminar(again.text()); f != a {
			t.Errorf("cell %s showed, run again:\n%s\nthe first time:\n%s", id, a, f)
		}
	}
}

// TestSeminarLive drives the kernel as a teacher's browser would, for what
// a headless run cannot show: interrupts (demos 2 and 9), a job's display
// while it is blocked (demos 3 and 4), and jobs ended by a restart or a
// shutdown (demo 14). See testdata/seminar_live.py.
func TestSeminarLive(t *testing.T) {
	j := kernelspectest.Install(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kernelspectest.Python, "-u", filepath.Join("testdata", "seminar_live.py"))
	cmd.Env = j.Env
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("testdata/seminar_live.py: %v\n%s", err, out)
	} else {
		t.Logf("%s", out)
	}
}

// compareWithCommitted compares every code cell's normalised outputs,
// except those tagged volatile, whose text changes from run to run
// (dates, thread IDs).
func compareWithCommitted(t *testing.T, committed, fresh *seminarNotebook) {
	t.Helper()
	want, got := committed.code(), fresh.code()
	if len(want) != len(got) {
		t.Fatalf("%d code cells committed, %d executed", len(want), len(got))
	}
	for i, c := range got {
		if slices.Contains(c.Metadata.Tags, "volatile") {
			continue
		}
		if g, w := normalizeSeminar(c.text()), normalizeSeminar(want[i].text()); g != w {
			t.Errorf("cell %s: the fresh output differs from the committed one (go test ./notebooks -run TestNotebooksRunHeadless -update rewrites it)\n--- fresh\n%s\n--- committed\n%s", c.ID, g, w)
		}
	}
}

// checkNothingLeft checks that no process runs in dir and, with files,
// that the notebook removed every file it made in dir, FIFOs included.
// (executeNotebook checks the notebook's SEQNUM_DIR.)
func checkNothingLeft(t *testing.T, dir, book string, files bool) {
	t.Helper()
	var procs []string
	deadline := time.Now().Add(5 * time.Second) // the kernel ends its jobs on shutdown
	for {
		procs = processesIn(dir)
		if len(procs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(procs) > 0 {
		t.Errorf("processes left running in the notebook's folder:\n%s", strings.Join(procs, "\n"))
		for _, p := range procs {
			pid, _ := strconv.Atoi(strings.Fields(p)[0])
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if !files {
			return filepath.SkipAll
		}
		if err != nil || path == dir {
			return err
		}
		if d.Type()&fs.ModeNamedPipe != 0 {
			t.Errorf("FIFO left behind: %s", path)
		} else if name := d.Name(); name != book && name != "executed.ipynb" {
			t.Errorf("file left behind: %s", path)
		}
		return nil
	})
}

// processesIn lists "PID command line" of the processes whose working
// directory is dir or below.
func processesIn(dir string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil || (cwd != dir && !strings.HasPrefix(cwd, dir+"/")) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			continue // a zombie that its parent has not reaped yet
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, fmt.Sprintf("%d %s", pid, strings.ReplaceAll(string(cmdline), "\x00", " ")))
	}
	return out
}

// durationAfter parses the duration that follows label in s.
func durationAfter(t *testing.T, id, s, label string) time.Duration {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + ` (\S+)`).FindStringSubmatch(s)
	if m == nil {
		t.Errorf("cell %s: no %q duration in %q", id, label, s)
		return 0
	}
	d, err := time.ParseDuration(m[1])
	if err != nil {
		t.Errorf("cell %s: %v", id, err)
	}
	return d
}

// wchanOpen lists the names that Linux versions give the wait of a FIFO
// open for its partner.
var wchanOpen = []string{"wait_for_partner", "fifo_open", "pipe_wait"}

// jobLabel matches a named job's label, "[12 cat_go]". Checks compare
// labels without their numbers, which depend on what ran before.
var jobLabel = regexp.MustCompile(`\[\d+ (\w+)\]`)

func withoutJobNumbers(s string) string { return jobLabel.ReplaceAllString(s, "[N $1]") }

// A seminarCheck checks what the cells of one notebook section showed.
type seminarCheck struct {
	section int // the notebook's "## N." heading
	name    string
	check   func(t *testing.T, c *checker)
}

// checker checks the cells of an executed notebook.
type checker struct{ nb *seminarNotebook }

// exact checks that cell id showed exactly want.
func (c *checker) exact(t *testing.T, id, want string) {
	t.Helper()
	if got := withoutJobNumbers(c.nb.cell(t, id).text()); got != withoutJobNumbers(want) {
		t.Errorf("cell %s showed:\n%s\nwant:\n%s", id, got, want)
	}
}

// lines checks that cell id showed these lines, in this order, among others.
func (c *checker) lines(t *testing.T, id string, want ...string) {
	t.Helper()
	got := strings.Split(withoutJobNumbers(c.nb.cell(t, id).text()), "\n")
	i := 0
	for _, l := range got {
		if i < len(want) && l == withoutJobNumbers(want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("cell %s showed:\n%s\nwant these lines in order:\n%s\n(missing from %q on)", id, strings.Join(got, "\n"), strings.Join(want, "\n"), want[i])
	}
}

// jobOut checks a job's final display: its status, stdout and stderr.
func (c *checker) jobOut(t *testing.T, id, status, stdout, stderr string) {
	t.Helper()
	v := c.nb.job(t, id)
	v.finished(t, id, status)
	if v.Stdout != stdout || v.Stderr != stderr {
		t.Errorf("job %s: STDOUT %q, STDERR %q; want %q, %q", id, v.Stdout, v.Stderr, stdout, stderr)
	}
}

// quick checks that the %bash_async cells returned at once.
func (c *checker) quick(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if d := c.nb.cell(t, id).took(t); d > bound() {
			t.Errorf("cell %s took %v, want the job started at once (≤ %v)", id, d, bound())
		}
	}
}

// checkSeminarDemos checks what each demonstration of the seminar
// specification (§5) shows in an executed notebook that ran every section.
func checkSeminarDemos(t *testing.T, nb *seminarNotebook) {
	checkNoErrors(t, nb)
	for _, sc := range seminarChecks {
		t.Run(fmt.Sprintf("%d %s", sc.section, sc.name), func(t *testing.T) { sc.check(t, &checker{nb}) })
	}
}

// checkNoErrors checks that no cell of nb failed.
func checkNoErrors(t *testing.T, nb *seminarNotebook) {
	t.Helper()
	for _, c := range nb.code() {
		for _, o := range c.Outputs {
			if o.Type == "error" {
				t.Errorf("cell %s failed: %s: %s", c.ID, o.EName, o.EValue)
			}
		}
	}
}

// seminarChecks are the checks of the notebook's sections, in order.
var seminarChecks = []seminarCheck{
	{1, "a FIFO is a file", func(t *testing.T, c *checker) {
		c.exact(t, "d1-stat", "prw-r--r--  size 0  fifo  my_fifo\n")
		c.exact(t, "d1-go", "Recreate: <nil>  mode: prw-r--r--  named pipe: true\n"+
			"Is: true <nil>\n"+
			"Make over the existing FIFO: <nil>\n"+
			"Make over a regular file: fifo: make plain.txt: not a fifo but a regular file\n")
	}},
	{2, "the writer blocks", func(t *testing.T, c *checker) {
		c.exact(t, "d2-timeout", "exit code 124\n")
		if d := c.nb.cell(t, "d2-timeout").took(t); d < 800*time.Millisecond || d > 3*time.Second {
			t.Errorf("timeout 1 took %v, want 0.8 s to 3 s", d)
		}
	}},
	{3, "the writer in the background", func(t *testing.T, c *checker) {
		c.quick(t, "job-echo1")
		c.exact(t, "d3-blocked", "job echo1: bash blocked in open\n")
		c.exact(t, "d3-cat", "Hello\n")
		c.exact(t, "d3-wait", "[1 echo1] finished: code=0\n")
		c.jobOut(t, "job-echo1", "code=0", "After writing to my_fifo\n", "")
	}},
	{4, "a Go writer program", func(t *testing.T, c *checker) {
		c.exact(t, "d4-build", "Run: go build -o write_fifo.exe write_fifo.go\n")
		c.exact(t, "d4-head", "// %%go write_fifo.go\n// %run go build -o write_fifo.exe write_fifo.go\npackage main\n")
		c.quick(t, "job-writer1")
		c.exact(t, "d4-blocked", "job writer1: write_fifo.exe blocked in open\n")
		c.exact(t, "d4-cat", "Hello from Go!\n")
		c.jobOut(t, "job-writer1", "code=0", "", "Started\nOpened\nWritten\nClosed\n")
		c.exact(t, "d4c-build", "Run: gcc -Wall -Werror -o write_fifo_c.exe write_fifo.c\n")
		c.exact(t, "d4c-cat", "Hello from C!\n[3 writer_c] finished: code=0\n") // no NUL byte
		c.jobOut(t, "job-writer_c", "code=0", "", "Started\nOpened\nWritten\nClosed\n")
	}},
	{5, "/proc of the blocked writer", func(t *testing.T, c *checker) {
		c.exact(t, "d5-status", "job writer2: write_fifo.exe blocked in open\n"+
			"Pgrep finds the job's own process: true\n"+
			"write_fifo.exe | S (sleeping) | <nil>\n")
		text := c.nb.cell(t, "d5-tasks").text()
		m := regexp.MustCompile(`^threads: true <nil>\none thread is in openat\("my_fifo", O_WRONLY\|O_CLOEXEC\) \| wchan: (\w+) \| blocked in open\n$`).FindStringSubmatch(text)
		if m == nil || !slices.Contains(wchanOpen, m[1]) {
			t.Errorf("d5-tasks showed %q, want one thread in openat with a wchan among %v", text, wchanOpen)
		}
		c.exact(t, "d5-nofd", "descriptors on my_fifo while in open: []\n")
		c.exact(t, "d5-grep", "Name:\twrite_fifo.exe\nState:\tS (sleeping)\n")
		wchans := c.nb.cell(t, "d5-wchan").text()
		found := false
		for _, w := range wchanOpen {
			found = found || strings.Contains(wchans, "/wchan:"+w+"\n")
		}
		if !found || strings.Count(wchans, "/wchan:") < 2 {
			t.Errorf("d5-wchan showed %q, want several threads, one waiting for its partner", wchans)
		}
		c.exact(t, "d5-cat", "Hello from Go!\n[4 writer2] finished: code=0\n")
		c.jobOut(t, "job-writer2", "code=0", "", "Started\nOpened\nWritten\nClosed\n")
		c.exact(t, "d5-gone", "Pgrep: [] <nil>\nProcStatus of the old PID: not exist: true\n")
	}},
	{6, "a control channel", func(t *testing.T, c *checker) {
		c.exact(t, "d15-mk", "<nil>\n")
		c.exact(t, "d15-orders", "<nil> <nil> <nil>\n")
		c.exact(t, "d15-wait", "[5 service] finished: code=0\n")
		c.jobOut(t, "job-service", "code=0", "order 1: status: all good\norder 2: unknown order 'dance'\norder 3: quit, bye\n", "")
		c.exact(t, "d15-rm", "<nil>\n")
	}},
	{7, "the O_RDWR pitfall and inherited descriptors", func(t *testing.T, c *checker) {
		open := c.nb.cell(t, "d6-open").text()
		if !strings.HasPrefix(open, "O_RDWR open: <nil> after ") {
			t.Errorf("d6-open showed %q", open)
		}
		if d := durationAfter(t, "d6-open", open, "after"); d > bound() {
			t.Errorf("the O_RDWR open took %v, want it at once", d)
		}
		c.quick(t, "job-cat_rdwr")
		c.exact(t, "d6-echoes", "")
		if d := c.nb.cell(t, "d6-echoes").took(t); d > 3*bound() {
			t.Errorf("three echoes took %v, want each at once", d)
		}
		c.exact(t, "d6-openers", "still running: true | cat blocked in read\n"+
			"my_fifo is open 2 time(s)\n"+
			"  cat              read\n"+
			"  gokernel-worker  read-write\n")
		c.exact(t, "d6-fd", "cat's descriptors on my_fifo: [3]\n")
		c.exact(t, "d6-close", "<nil>\n")
		c.exact(t, "d6-wait", "[6 cat_rdwr] finished: code=0\n")
		c.jobOut(t, "job-cat_rdwr", "code=0", "Hello 1\nHello 2\nHello 3\n", "")

		c.exact(t, "d6c-open", "raw descriptor: true <nil>\n")
		// The job was started by the kernel process: it did not inherit the
		// worker's raw descriptor, and ends once the worker closes it.
		c.exact(t, "d6c-write", "my_fifo is open 2 time(s)\n"+
			"  cat              read\n"+
			"  gokernel-worker  read-write\n"+
			"close: <nil>\n")
		c.exact(t, "d6c-wait", "[7 cat_raw] finished: code=0\n")
		if d := c.nb.cell(t, "d6c-wait").took(t); d > bound() {
			t.Errorf("cat took %v to end after the close, want ≤ %v", d, bound())
		}
		c.jobOut(t, "job-cat_raw", "code=0", "Hello through a raw descriptor\n", "")
		c.exact(t, "d6c-leak", "raw descriptor: true <nil>\n"+
			"start: <nil>\n"+
			"my_fifo is open 3 time(s)\n"+
			"  cat              read\n"+
			"  cat              read-write\n"+
			"  gokernel-worker  read-write\n")
		c.exact(t, "d6c-kill", "close: <nil>\n"+
			"leaky cat still running: true\n"+
			"my_fifo is open 2 time(s)\n"+
			"  cat              read\n"+
			"  cat              read-write\n"+
			"leaky cat: signal: killed\n")
	}},
	{8, "without the extra descriptor", func(t *testing.T, c *checker) {
		c.exact(t, "d7-echo1", "[8 cat_plain] finished: code=0\n")
		c.jobOut(t, "job-cat_plain", "code=0", "Hello 1\n", "")
		c.exact(t, "d7-blocked", "job echo2: bash blocked in open\nstill running 300 ms later: true\n")
		c.lines(t, "d7-kill", "sent SIGKILL to job [9 echo2] (process group "+strconv.Itoa(jobPIDShown(t, c.nb, "job-echo2"))+")")
		c.exact(t, "d7-wait", "[9 echo2] finished: signal=9 (SIGKILL)\n")
		if d := c.nb.cell(t, "d7-wait").took(t); d > bound() {
			t.Errorf("the killed job took %v to end, want ≤ %v", d, bound())
		}
		c.jobOut(t, "job-echo2", "signal=9 (SIGKILL)", "", "")
		c.exact(t, "d7-group", "processes left in the job's group: no such process\n")
	}},
	{9, "O_NONBLOCK", func(t *testing.T, c *checker) {
		c.exact(t, "d8-read", "open for reading: <nil>\nread with no writer: 0 EOF\n")
		c.exact(t, "d8-enxio", "open for writing with no reader: fifo: open my_fifo for writing (O_NONBLOCK): no such device or address\n"+
			"ErrNoReader: true  ENXIO: true\n")
		text := c.nb.cell(t, "d8-deadline").text()
		if !strings.HasPrefix(text, "open for writing with a reader: <nil>\nread, writer attached, no data: 0 read my_fifo: i/o timeout | deadline: true after ") {
			t.Errorf("d8-deadline showed %q", text)
		}
		if d := durationAfter(t, "d8-deadline", text, "after"); d < 160*time.Millisecond || d > bound() {
			t.Errorf("the 200 ms read deadline fired after %v", d)
		}
		c.exact(t, "d8-eof", "read: \"ping\\n\" <nil>\nread after the writer closed: 0 EOF\n")
	}},
	{10, "timed opens from Go; the kernel explains a waiting cell", func(t *testing.T, c *checker) {
		text := c.nb.cell(t, "d9-timeout").text()
		m := regexp.MustCompile(`^fifo: open my_fifo for writing: context deadline exceeded \| deadline exceeded: true \| after (\S+)\n` +
			`fifo: open my_fifo for reading: context deadline exceeded \| deadline exceeded: true \| after (\S+)\n` +
			`descriptors left behind: 0 \| goroutines left behind: 0\n$`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("d9-timeout showed %q", text)
		}
		for _, s := range m[1:] {
			if d, err := time.ParseDuration(s); err != nil || d < 400*time.Millisecond || d > 3*500*time.Millisecond {
				t.Errorf("a 500 ms timeout fired after %s, want 0.4 s to 1.5 s", s)
			}
		}
		c.exact(t, "d9-write", "open: <nil>\nclose: <nil>\n")
		c.jobOut(t, "job-cat_go", "code=0", "Hello from a Go cell\n", "")
		c.exact(t, "d9-read", "open: <nil>\nread: \"Hello from bash\\n\" <nil>\n")
		c.jobOut(t, "job-echo_go", "code=0", "", "")
		checkExplained(t, c.nb.cell(t, "d9-explained"))
	}},
	{11, "EPIPE and SIGPIPE", func(t *testing.T, c *checker) {
		c.exact(t, "d10-write1", "open: <nil>\nfirst write: 13 <nil>\n")
		c.jobOut(t, "job-head6", "code=0", "Hello,\n", "")
		c.exact(t, "d10-epipe", "second write: write my_fifo: broken pipe | EPIPE: true\n")
		c.exact(t, "d10-head", "y\ny\n[13 yes_pipe] finished: code=0\n")
		c.jobOut(t, "job-yes_pipe", "code=0", "yes ended: code=141\n", "")
		// Go's rule: SIGPIPE kills for stdout, EPIPE for a FIFO it opened.
		c.exact(t, "d10-build", "Run: go build -o sigpipe.exe sigpipe.go\n")
		c.exact(t, "d10-stdout", "line 1\n[14 to_stdout] finished: code=0\n")
		c.jobOut(t, "job-to_stdout", "code=0", "exit code 141\n", "")
		c.exact(t, "d10-own", "line 1\n[15 to_own] finished: code=0\n")
		c.jobOut(t, "job-to_own", "code=0", "exit code 1\n", "sigpipe.exe: write my_fifo: broken pipe\n")
	}},
	{12, "two readers; tee and a FIFO", func(t *testing.T, c *checker) {
		c.exact(t, "d11-split-blocked", "reader_a: bash blocked in open | reader_b: bash blocked in open\n")
		c.exact(t, "d11-split", "[16 reader_a] finished: code=0\n[17 reader_b] finished: code=0\n")
		c.exact(t, "d11-split-sum", "together: 100 lines; both got some: yes\n")
		listing := strings.Split(strings.TrimSuffix(c.nb.cell(t, "d11-tee").text(), "\n"), "\n")
		var names []string
		for _, l := range listing {
			f := strings.Fields(l)
			names = append(names, f[len(f)-1])
		}
		if len(listing) != 5 || !strings.HasPrefix(listing[0], "total ") || !slices.Equal(names[1:], []string{"f1", "f22", "f333", "f4444"}) {
			t.Errorf("the sorted listing is %q, want total, then f1, f22, f333, f4444", listing)
		}
		c.exact(t, "d11-wait", "[14 wc_l] finished: code=0\n5\n")
		c.jobOut(t, "job-wc_l", "code=0", "5\n", "")
		c.exact(t, "d11-go", "open: <nil>\na FIFO is one more io.Writer\n")
		c.jobOut(t, "job-wc_c", "code=0", fmt.Sprintf("%d\n", len("a FIFO is one more io.Writer\n")), "")
	}},
	{13, "the sequence-number server", func(t *testing.T, c *checker) {
		c.exact(t, "d12-protocol", "")
		c.exact(t, "d12-server", "Run: go build -o seqnum_server.exe seqnum_server.go seqnum_protocol.go\n")
		c.exact(t, "d12-client", "Run: go build -o seqnum_client.exe seqnum_client.go seqnum_protocol.go\n")
		c.exact(t, "d12-nofifo", "client: open /tmp/seqnum_sv: no such file or directory\nexit code 1\n")
		c.exact(t, "d12-early-blocked", "job early: seqnum_client.e blocked in open\n")
		c.exact(t, "d12-comm", "comm: \"seqnum_client.e\\n\"\ncmdline: \"./seqnum_client.exe\\x003\\x00\"\n")
		c.exact(t, "d12-early-wait", "[16 early] finished: code=0\n")
		c.jobOut(t, "job-early", "code=0", "0\n", "")
		c.exact(t, "d12-clients", "3\n5\n")
		want := make([]string, 0, 20)
		for n := 6; n <= 25; n++ {
			want = append(want, strconv.Itoa(n))
		}
		c.exact(t, "d12-twenty", strings.Join(want, " ")+"\n")
		c.exact(t, "d12-openers", "/tmp/seqnum_sv is open 2 time(s)\n"+
			"  seqnum_server.e  read\n"+
			"  seqnum_server.e  write\n"+
			"0\n")
		c.exact(t, "d12-done", "[17 server] finished: signal=15 (SIGTERM)\n")
		c.jobOut(t, "job-server", "signal=15 (SIGTERM)", "", "server: serving /tmp/seqnum_sv\n")
	}},
	{14, "the rogue client", func(t *testing.T, c *checker) {
		c.exact(t, "d12b-naive", "server: seqnum_server.e blocked in open\n")
		text := c.nb.cell(t, "d12b-stopped").text()
		m := regexp.MustCompile(`^rogue: T \(stopped\)\nserver: seqnum_server.e blocked in open\na server thread is in openat \| wchan: (\w+)\n$`).FindStringSubmatch(text)
		if m == nil || !slices.Contains(wchanOpen, m[1]) {
			t.Errorf("d12b-stopped showed %q", text)
		}
		c.exact(t, "d12b-timeout", "exit code 124\n2\n")
		c.exact(t, "d12b-wait", "[18 naive] finished: signal=15 (SIGTERM)\n[19 rogue1] finished: signal=9 (SIGKILL)\n")
		c.jobOut(t, "job-naive", "signal=15 (SIGTERM)", "", "server: serving /tmp/seqnum_sv\n")
		c.jobOut(t, "job-rogue1", "signal=9 (SIGKILL)", "", "")
		// The fixed server has made its FIFO before the second rogue starts:
		// a client that finds no FIFO fails at once instead of stopping.
		c.exact(t, "d12b-fixed-ready", "server: seqnum_server.e blocked in open\n")
		honest := c.nb.cell(t, "d12b-honest").text()
		if !strings.HasPrefix(honest, "rogue: T (stopped)\nhonest client: 0\nerror: <nil> | answered after ") {
			t.Errorf("d12b-honest showed %q", honest)
		}
		if d := durationAfter(t, "d12b-honest", honest, "answered after"); d > 3*time.Second {
			t.Errorf("the honest client waited %v, want ≤ 3 s", d)
		}
		c.exact(t, "d12b-wait2", "[21 rogue2] finished: signal=9 (SIGKILL)\n[20 fixed] finished: signal=15 (SIGTERM)\n")
		c.jobOut(t, "job-fixed", "signal=15 (SIGTERM)", "", "server: serving /tmp/seqnum_sv\nserver: client skipped: no such device or address\n")
		c.jobOut(t, "job-rogue2", "signal=9 (SIGKILL)", "", "")
	}},
	{15, "two unrelated processes", func(t *testing.T, c *checker) {
		c.exact(t, "d13-build", "Run: go build -o unrelated.exe unrelated.go\n")
		c.exact(t, "d13-writer", "")
		c.exact(t, "d13-wait", "[22 reader] finished: code=0\n")
		c.jobOut(t, "job-reader", "code=0", "no FIFO yet: trying again every 10 ms\nWorld is just world\nread returned 0 after 20 bytes: end of file\n", "")
	}},
	{16, "exercises", func(t *testing.T, c *checker) {
		for _, cell := range c.nb.code() {
			if strings.HasPrefix(cell.ID, "d16-") || cell.ID == "job-guard" || cell.ID == "job-per_client" || cell.ID == "job-rogue3" {
				if !cell.Metadata.Jupyter.SourceHidden {
					t.Errorf("solution cell %s is not collapsed", cell.ID)
				}
			}
		}
		c.exact(t, "d16-guard", "Run: go build -o guard.exe guard.go\n")
		c.exact(t, "d16-guard-blocked", "guard: guard.exe blocked in open\n")
		c.lines(t, "d16-guard-kill", "[N guard] finished: code=1")
		c.jobOut(t, "job-guard", "code=1", "", "terminated: removed guard_fifo\n")
		c.exact(t, "d16-guard-gone", "guard_fifo removed: true\n")
		c.exact(t, "d16-persist", "first start: 0 <nil>\nsave 26: <nil>\nafter a restart: 26 <nil>\n<nil>\n")
		c.exact(t, "d16-server", "Run: go build -o seqnum_server_go.exe seqnum_server_go.go seqnum_protocol.go\n")
		c.exact(t, "d16-server-ready", "server: seqnum_server_g blocked in open\n")
		c.exact(t, "d16-rogue", "rogue: T (stopped)\n")
		c.exact(t, "d16-honest", "1\nexit code 0\n")
		c.lines(t, "d16-server-kill", "[N rogue3] finished: signal=9 (SIGKILL)", "[N per_client] finished: signal=15 (SIGTERM)")
		c.jobOut(t, "job-per_client", "signal=15 (SIGTERM)", "", "server: serving /tmp/seqnum_sv\n")
		c.exact(t, "d16-eagain", "read(2): resource temporarily unavailable | EAGAIN: true | SyscallConn: <nil>\n")
		c.exact(t, "d16-pipebuf", "blocks of 4096 bytes, pieces of split blocks: 0\n")
		large := c.nb.cell(t, "d16-pipebuf-large").text()
		if !regexp.MustCompile(`^blocks of 128 KiB, pieces of split blocks: \d+\n$`).MatchString(large) {
			t.Errorf("d16-pipebuf-large showed %q", large)
		}
	}},
	{17, "housekeeping", func(t *testing.T, c *checker) {
		jobsTable := c.nb.cell(t, "d14-jobs").text()
		for _, s := range regexp.MustCompile(`(?m)^\[\d+[^\]]*\]\s+\d+\s+(\w+)`).FindAllStringSubmatch(jobsTable, -1) {
			if s[1] == "running" {
				t.Errorf("%%jobs showed a running job:\n%s", jobsTable)
			}
		}
		c.exact(t, "d14-count", "jobs still running: 0\n")
		c.exact(t, "d14-clean", "0\n")
		c.exact(t, "d14-frozen", "job frozen: bash blocked in open\nremove the name: <nil>\n"+
			"job frozen: bash blocked in open | still running: true\n")
		frozen := c.nb.job(t, "job-frozen")
		if !strings.HasSuffix(frozen.Title, "(running)") || frozen.Stdout != "" ||
			!strings.HasSuffix(frozen.RunLog, "\nwaiting in open(\"frozen_fifo\", O_WRONLY): no reader has opened it yet\n") {
			t.Errorf("the frozen job's box is %+v, want it running, with no output, and the status line of its open", frozen)
		}
		v := c.nb.job(t, "job-sleeper")
		if !strings.HasSuffix(v.Title, "(running)") {
			t.Errorf("the last job's title is %q, want it running when the notebook ends", v.Title)
		}
		// checkNothingLeft then checks that the kernel's shutdown ended it.
	}},
}

// checkExplained checks the output of a d9-explained cell: the status line
// was shown while the open waited, then updated in place (same display
// id) with how long it waited below it.
func checkExplained(t *testing.T, c *seminarCell) {
	t.Helper()
	text := c.text()
	m := regexp.MustCompile(`^waiting in open\("my_fifo", O_WRONLY\): no reader has opened it yet\nopen\("my_fifo", O_WRONLY\) waited (\d+\.\d) s\nopen: <nil>\n$`).FindStringSubmatch(text)
	if m == nil {
		t.Errorf("%s showed %q", c.ID, text)
		return
	}
	if s, _ := strconv.ParseFloat(m[1], 64); s < 5 || s > 12 {
		t.Errorf("%s: the open waited %s s, want about 6", c.ID, m[1])
	}
}

// jobPIDShown returns the PID that the %bash_async cell printed ("[N] PID
// CMD" or "[N NAME] PID CMD").
func jobPIDShown(t *testing.T, nb *seminarNotebook, id string) int {
	t.Helper()
	m := regexp.MustCompile(`^\[\d+[^\]]*\] (\d+) `).FindStringSubmatch(nb.cell(t, id).stdout())
	if m == nil {
		t.Fatalf("cell %s: no [N] PID line in %q", id, nb.cell(t, id).stdout())
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}
