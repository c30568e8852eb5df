package magics_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beacceaf/gokernel/kernel"
	"github.com/beacceaf/gokernel/kernel/kerneltest"
	"github.com/beacceaf/gokernel/magics"
)

// jobView is what a Recorder saw of one job: its display id, its first
// display and its updates, in order.
type jobView struct {
	id      string
	first   string   // text/plain of the display
	updates []string // text/plain of each update
}

// last returns the newest text of the job's display.
func (v jobView) last() string {
	if len(v.updates) > 0 {
		return v.updates[len(v.updates)-1]
	}
	return v.first
}

// viewJob collects the display events of the job whose display id is id
// (or of the only displayed job, when id is "").
func viewJob(t *testing.T, recs []*kerneltest.Recorder, id string) jobView {
	t.Helper()
	v := jobView{id: id}
	for _, rec := range recs {
		for _, e := range rec.Events() {
			if e.Kind != "display" && e.Kind != "update" {
				continue
			}
			if v.id == "" && e.Kind == "display" {
				v.id = e.DisplayID
			}
			if e.DisplayID != v.id {
				continue
			}
			text, _ := e.Bundle["text/plain"].(string)
			if _, ok := e.Bundle["text/html"].(string); !ok {
				t.Errorf("job display without text/html: %+v", e.Bundle)
			}
			if e.Kind == "display" {
				v.first = text
			} else {
				v.updates = append(v.updates, text)
			}
		}
	}
	if v.id == "" {
		t.Fatal("no job display with an id")
	}
	return v
}

// section returns the text of one section (RUN LOG, STDOUT, STDERR) of a
// job's text/plain display.
func section(text, name string) string {
	_, after, ok := strings.Cut(text, "===== "+name+" =====\n")
	if !ok {
		return "<no " + name + " section>"
	}
	if i := strings.Index(after, "===== "); i >= 0 {
		after = after[:i]
	}
	return after
}

var startedLine = regexp.MustCompile(`^\[(\d+)\] (\d+) (.*)\n$`)

func TestBashAsync(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async echo hello; echo oops >&2; sleep 0.3; echo пока")
	m := startedLine.FindStringSubmatch(k.rec.Stdout())
	if m == nil || m[1] != "1" || m[3] != "echo hello; echo oops >&2; sleep 0.3; echo пока" {
		t.Fatalf("printed %q, want [1] PID CMD", k.rec.Stdout())
	}
	pid, _ := strconv.Atoi(m[2])
	if ds := displays(k.rec); len(ds) != 1 || ds[0].DisplayID == "" {
		t.Fatalf("displays %+v, want one with a display id", ds)
	}
	first := viewJob(t, []*kerneltest.Recorder{k.rec}, "").first
	if got := section(first, "RUN LOG"); got != fmt.Sprintf("Process started! pid=%d\n", pid) {
		t.Errorf("first RUN LOG %q, want the start", got)
	}

	k.mustRun("%wait 1")
	v := viewJob(t, []*kerneltest.Recorder{k.rec}, "")
	if len(v.updates) == 0 {
		t.Fatal("no display update")
	}
	final := v.last()
	checks := []struct{ section, want string }{
		{"RUN LOG", fmt.Sprintf("Process started! pid=%d\nProcess finished! code=0\n", pid)},
		{"STDOUT", "hello\nпока\n"},
		{"STDERR", "oops\n"},
	}
	for _, c := range checks {
		if got := section(final, c.section); got != c.want {
			t.Errorf("final %s %q, want %q\n%s", c.section, got, c.want, final)
		}
	}
	if !strings.HasSuffix(k.rec.Stdout(), "[1] finished: code=0\n") {
		t.Errorf("%%wait printed %q", k.rec.Stdout())
	}
	// One display id for the job: every display and update carries it.
	for _, e := range k.rec.Events() {
		if (e.Kind == "display" || e.Kind == "update") && e.DisplayID != v.id {
			t.Errorf("event %s with display id %q, want %q", e.Kind, e.DisplayID, v.id)
		}
	}
	// Only the display and its updates carry the job's output: no stream.
	if strings.Contains(k.rec.Stdout(), "\nhello\n") || strings.Contains(k.rec.Stderr(), "oops") {
		t.Errorf("job output leaked into the stream: %q", k.rec.Stdout())
	}
}

func TestBashAsyncCellForm(t *testing.T) {
	k := newKit(t)
	k.mustRun("%%bash_async\necho one\necho two >&2\nexit 4\n")
	k.mustRun("%wait 1 5")
	final := viewJob(t, []*kerneltest.Recorder{k.rec}, "").last()
	if got := section(final, "STDOUT"); got != "one\n" {
		t.Errorf("STDOUT %q", got)
	}
	if got := section(final, "STDERR"); got != "two\n" {
		t.Errorf("STDERR %q", got)
	}
	if !strings.Contains(section(final, "RUN LOG"), "Process finished! code=4\n") {
		t.Errorf("RUN LOG %q, want code=4", section(final, "RUN LOG"))
	}
	k.usageErr("%bash_async", "%bash_async: missing command")
	k.usageErr("%%bash_async now\nsleep 1", "%%bash_async: unexpected arguments")
}

func TestBashAsyncRunsInDir(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async pwd")
	k.mustRun("%wait 1")
	if got := section(viewJob(t, []*kerneltest.Recorder{k.rec}, "").last(), "STDOUT"); got != k.env.Dir()+"\n" {
		t.Errorf("job printed %q, want %q", got, k.env.Dir()+"\n")
	}
}

func TestJobUpdatesGoThroughCurrentOutput(t *testing.T) {
	k := newKit(t)
	own := k.rec
	k.mustRun("%bash_async sleep 0.3; echo later")
	id := displays(own)[0].DisplayID

	running := &kerneltest.Recorder{} // a later cell, running while the job prints
	k.jobs.SetOutput(running)
	info, err := k.jobs.Wait(context.Background(), "1", 5*time.Second)
	k.jobs.SetOutput(nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Running || info.Code != 0 {
		t.Errorf("job info %+v, want exited with code 0", info)
	}
	v := viewJob(t, []*kerneltest.Recorder{running}, id)
	if len(v.updates) == 0 || !strings.Contains(v.last(), "later") || !strings.Contains(v.last(), "Process finished! code=0") {
		t.Errorf("updates through the running cell's output: %q", v.updates)
	}
	for _, e := range running.Events() {
		if e.Kind != "update" || e.DisplayID != id {
			t.Errorf("the running cell got %+v, want only updates of display %s", e, id)
		}
	}
}

// endingCell is a cell's Output whose cell ends while the job's final
// update goes through it: that Update calls SetOutput(nil) before
// recording, as when the interpreter ends the cell while the job's
// publisher is sending.
type endingCell struct {
	*kerneltest.Recorder
	jobs *magics.Jobs
	once sync.Once
}

func (c *endingCell) Update(b kernel.Bundle, md map[string]any, id string) {
	if text, _ := b["text/plain"].(string); strings.Contains(text, "Process finished!") {
		c.once.Do(func() { c.jobs.SetOutput(nil) })
	}
	c.Recorder.Update(b, md, id)
}

// TestJobUpdateRacingCellEnd: an update that went through a cell which
// ended meanwhile may have followed that cell's idle status, which nbclient
// ignores; the next cell must carry the job's final state again.
func TestJobUpdateRacingCellEnd(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async --name s sleep 0.3; echo done")
	id := displays(k.rec)[0].DisplayID

	ending := &endingCell{Recorder: &kerneltest.Recorder{}, jobs: k.jobs}
	k.jobs.SetOutput(ending)
	if _, err := k.jobs.Wait(context.Background(), "s", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	k.jobs.SetOutput(nil)
	next := &kerneltest.Recorder{}
	k.jobs.SetOutput(next)
	k.jobs.SetOutput(nil)
	if v := viewJob(t, []*kerneltest.Recorder{next}, id); !strings.Contains(v.last(), "Process finished! code=0") {
		t.Errorf("the cell after the race got updates %q, want the job's final state", v.updates)
	}
}

func TestJobUpdatesThrottled(t *testing.T) {
	k := newKit(t)
	start := time.Now()
	k.mustRun("%bash_async for i in $(seq 1 300); do echo line $i; sleep 0.002; done")
	k.mustRun("%wait 1 20")
	elapsed := time.Since(start)
	v := viewJob(t, []*kerneltest.Recorder{k.rec}, "")
	if !strings.Contains(v.last(), "line 300\n") {
		t.Errorf("final display lacks the last line:\n%s", v.last())
	}
	if max := int(elapsed/(100*time.Millisecond)) + 2; len(v.updates) > max {
		t.Errorf("%d updates in %v, want at most %d (10 a second)", len(v.updates), elapsed, max)
	}
	if len(v.updates) < 2 {
		t.Errorf("%d updates in %v: output was not shown live", len(v.updates), elapsed)
	}
}

func TestJobDisplayCapped(t *testing.T) {
	k := newKit(t)
	// 200 KiB of stdout, then a last line.
	k.mustRun("%bash_async head -c 204800 /dev/zero | tr '\\0' x | fold -w 99; echo; echo THE END")
	k.mustRun("%wait 1 20")
	final := viewJob(t, []*kerneltest.Recorder{k.rec}, "").last()
	if len(final) > 64<<10+512 {
		t.Errorf("display is %d bytes, want it capped near 64 KiB", len(final))
	}
	out := section(final, "STDOUT")
	if !strings.HasSuffix(out, "THE END\n") || !strings.Contains(out, "earlier bytes not shown") {
		t.Errorf("capped STDOUT starts %q and ends %q", out[:min(len(out), 80)], out[max(0, len(out)-40):])
	}
	if !strings.Contains(final, "Process finished! code=0") {
		t.Error("the RUN LOG was cut from the capped display")
	}
}

func TestJobNumbers(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async true\n%bash_async true")
	k.mustRun("%wait 2")
	k.jobs.EndAll()
	k.mustRun("%bash_async true")
	var nums []string
	for _, line := range strings.Split(strings.TrimSpace(k.rec.Stdout()), "\n") {
		if m := startedLine.FindStringSubmatch(line + "\n"); m != nil {
			nums = append(nums, m[1])
		}
	}
	if strings.Join(nums, " ") != "1 2 3" {
		t.Errorf("job numbers %v, want 1 2 3", nums)
	}
	ids := map[string]bool{}
	for _, d := range displays(k.rec) {
		ids[d.DisplayID] = true
	}
	if len(ids) != 3 {
		t.Errorf("display ids %v, want 3 different ones", ids)
	}
}

func TestJobsList(t *testing.T) {
	k := newKit(t)
	k.mustRun("%jobs")
	if got := k.rec.Stdout(); got != "no jobs\n" {
		t.Errorf("%%jobs with no jobs printed %q", got)
	}
	k.mustRun("%bash_async exit 7\n%bash_async sleep 100")
	k.mustRun("%wait 1")
	k.rec = &kerneltest.Recorder{}
	k.mustRun("%jobs")
	pid2, _ := k.jobs.PID("2")
	want := regexp.MustCompile(`(?m)^JOB +PID +STATE +STATUS +COMMAND\n` +
		`\[1\] +\d+ +exited +code=7 +exit 7\n` +
		`\[2\] +` + strconv.Itoa(pid2) + ` +running +sleep 100\n$`)
	if got := k.rec.Stdout(); !want.MatchString(got) {
		t.Errorf("%%jobs printed\n%s", got)
	}
	list := k.jobs.List()
	if len(list) != 2 || list[0].State() != "exited" || list[0].Status() != "code=7" || list[1].PID != pid2 || !list[1].Running {
		t.Errorf("List() = %+v", list)
	}
}

func TestKill(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async sleep 100")
	k.mustRun("%kill -KILL 1")
	k.mustRun("%wait 1")
	pid, _ := k.jobs.PID("1")
	if !strings.Contains(k.rec.Stdout(), fmt.Sprintf("sent SIGKILL to job [1] (process group %d)\n", pid)) {
		t.Errorf("%%kill printed %q", k.rec.Stdout())
	}
	final := viewJob(t, []*kerneltest.Recorder{k.rec}, "").last()
	if !strings.Contains(section(final, "RUN LOG"), "Process finished! signal=9 (SIGKILL)\n") {
		t.Errorf("final RUN LOG %q", section(final, "RUN LOG"))
	}
	k.plainErr("%kill 1", "%kill: job [1] has finished")
}

func TestKillSignalSpellings(t *testing.T) {
	for _, spelling := range []string{"-10", "-USR1", "-SIGUSR1", "-usr1", "-SigUsr1"} {
		t.Run(spelling, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(`%bash_async trap 'echo got usr1; exit 0' USR1; echo ready; while :; do sleep 0.05; done`)
			waitFor(t, func() bool { return section(k.lastJobText(), "STDOUT") == "ready\n" })
			k.mustRun("%kill " + spelling + " %1")
			k.mustRun("%wait 1")
			final := k.lastJobText()
			if section(final, "STDOUT") != "ready\ngot usr1\n" || !strings.Contains(final, "code=0") {
				t.Errorf("after %%kill %s the job shows\n%s", spelling, final)
			}
		})
	}
}

func (k *kit) lastJobText() string { return viewJob(k.t, []*kerneltest.Recorder{k.rec}, "").last() }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

func TestJobMagicErrors(t *testing.T) {
	k := newKit(t)
	k.usageErr("%kill 3", "%kill: no job [3]: there are no jobs")
	k.mustRun("%bash_async sleep 100")
	k.usageErr("%kill 3", "%kill: no job [3]: jobs are numbered 1 to 1")
	k.usageErr("%kill -FOO 1", `%kill: unknown signal "FOO"`)
	k.usageErr("%kill -99 1", `%kill: unknown signal "99"`)
	k.usageErr("%kill -9", "%kill: missing job number")
	k.usageErr("%kill 0", `%kill: bad job number "0"`)
	k.usageErr("%kill 1x", `%kill: bad job "1x": give its number`)
	k.usageErr("%kill x", `%kill: no job named "x" (start one with %bash_async --name x CMD`)
	k.usageErr("%wait", "%wait: missing job number")
	k.usageErr("%wait 1 soon", `%wait: bad number of seconds "soon"`)
	k.usageErr("%job_write 7 hi", "%job_write: no job [7]")
	k.usageErr("%job_close", "%job_close: missing job number")

	k.plainErr("%wait 1 0.2", "%wait: job [1] (sleep 100) is still running after 200ms")
	if !errors.Is(k.run(context.Background(), "%kill 9"), magics.ErrNoSuchJob) {
		t.Error("unknown job error does not match ErrNoSuchJob")
	}
}

func TestJobWriteAndClose(t *testing.T) {
	k := newKit(t)
	k.mustRun(`%bash_async while read -r line; do echo "got $line"; done; echo "eof"`)
	k.mustRun("%job_write 1 hello  world")
	k.mustRun("%job_write 1 привет")
	k.mustRun("%job_close 1")
	if !strings.HasSuffix(k.rec.Stdout(), "[1] stdin closed; finished: code=0\n") {
		t.Errorf("%%job_close printed %q", k.rec.Stdout())
	}
	final := k.lastJobText()
	if got := section(final, "STDOUT"); got != "got hello  world\ngot привет\neof\n" {
		t.Errorf("STDOUT %q", got)
	}
	if got := section(final, "RUN LOG"); !strings.Contains(got, "Wrote to stdin: hello  world\nWrote to stdin: привет\nStdin closed\nProcess finished! code=0\n") {
		t.Errorf("RUN LOG %q", got)
	}
	k.plainErr("%job_write 1 again", "%job_write: stdin of job [1] is closed")
}

func TestJobCloseKillsAfterGrace(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async trap '' TERM; sleep 100") // ignores stdin
	start := time.Now()
	k.mustRun("%job_close 1")
	if elapsed := time.Since(start); elapsed < 3*time.Second || elapsed > 5*time.Second {
		t.Errorf("%%job_close took %v, want about 3s", elapsed)
	}
	if !strings.HasSuffix(k.rec.Stdout(), "finished: signal=9 (SIGKILL)\n") {
		t.Errorf("%%job_close printed %q", k.rec.Stdout())
	}
}

// liveInGroup lists the processes of process group pgid that are not
// zombies, from /proc. (A zombie has ended; only its parent's wait is
// missing, and orphans are reaped by init, which the test does not own.)
func liveInGroup(t *testing.T, pgid int) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		rest := stat[bytes.LastIndexByte(stat, ')')+2:]
		f := strings.Fields(string(rest))
		if f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			live = append(live, e.Name()+" "+string(stat[:bytes.LastIndexByte(stat, ')')+1]))
		}
	}
	return live
}

func TestJobsCloseLeavesNoProcess(t *testing.T) {
	k := newKit(t)
	// A job with children, one that ignores SIGTERM, and a finished job
	// whose background child lives on.
	k.mustRun("%bash_async sleep 1000 & sleep 1000 & wait")
	k.mustRun("%bash_async trap '' TERM; sleep 1000")
	k.mustRun("%bash_async sleep 1000 & exit 0")
	k.mustRun("%wait 3")
	var pgids []int
	for _, j := range k.jobs.List() {
		pgids = append(pgids, j.PID)
	}
	waitFor(t, func() bool { return len(liveInGroup(t, pgids[0])) == 3 })
	if live := liveInGroup(t, pgids[2]); len(live) != 1 {
		t.Errorf("finished job's group holds %v, want its background sleep", live)
	}

	start := time.Now()
	if err := k.jobs.Close(); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("Close took %v", elapsed)
	}
	for _, pgid := range pgids {
		if live := liveInGroup(t, pgid); len(live) > 0 {
			t.Errorf("process group %d still has %v after Close", pgid, live)
		}
	}
	for _, j := range k.jobs.List() {
		if j.Running {
			t.Errorf("job %+v still running after Close", j)
		}
	}
	if _, err := k.jobs.Start(magics.JobSpec{Dir: k.env.Dir(), Command: "true"}, k.rec); !errors.Is(err, magics.ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
}

func TestResetEndsJobs(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async sleep 1000")
	pid, _ := k.jobs.PID("1")
	k.mustRun("%reset -f")
	if k.env.resets != 1 {
		t.Errorf("Env.Reset called %d times, want 1", k.env.resets)
	}
	if live := liveInGroup(t, pid); len(live) > 0 {
		t.Errorf("job still alive after %%reset: %v", live)
	}
	if !strings.Contains(k.lastJobText(), "Process finished! signal=15 (SIGTERM)") {
		t.Errorf("job display after %%reset:\n%s", k.lastJobText())
	}
	k.mustRun("%bash_async true") // the table is still usable
	if n := len(k.jobs.List()); n != 2 {
		t.Errorf("%d jobs, want 2", n)
	}
}

// TestJobsByName checks that a named job is found by its name, by its
// number and as the most recent job, by every job magic.
func TestJobsByName(t *testing.T) {
	k := newKit(t)
	k.mustRun(`%bash_async --name reader while read -r line; do echo "got $line"; done; echo eof`)
	m := regexp.MustCompile(`^\[1 reader\] (\d+) while read`).FindStringSubmatch(k.rec.Stdout())
	if m == nil {
		t.Fatalf("printed %q, want [1 reader] PID CMD", k.rec.Stdout())
	}
	pid, _ := strconv.Atoi(m[1])
	for _, ref := range []string{"reader", "%reader", "1", "%1", "%+", "%last", "last"} {
		if got, err := k.jobs.PID(ref); got != pid || err != nil {
			t.Errorf("PID(%q) = %d, %v; want %d", ref, got, err, pid)
		}
	}
	if !strings.HasPrefix(k.lastJobText(), "[1 reader] while read") {
		t.Errorf("the display's title is %q", strings.SplitN(k.lastJobText(), "\n", 2)[0])
	}
	k.mustRun("%job_write reader one")
	k.mustRun("%job_write %+ two")
	k.mustRun("%jobs")
	if !regexp.MustCompile(`(?m)^\[1 reader\]\s+` + m[1] + `\s+running\s`).MatchString(k.rec.Stdout()) {
		t.Errorf("%%jobs printed %q", k.rec.Stdout())
	}
	k.mustRun("%job_close %reader")
	if !strings.HasSuffix(k.rec.Stdout(), "[1 reader] stdin closed; finished: code=0\n") {
		t.Errorf("%%job_close printed %q", k.rec.Stdout())
	}
	if got := section(k.lastJobText(), "STDOUT"); got != "got one\ngot two\neof\n" {
		t.Errorf("STDOUT %q", got)
	}

	// The name is free again once its job has ended; it then means the
	// newest job.
	k.mustRun("%bash_async --name reader sleep 100")
	k.mustRun("%bash_async sleep 100")
	k.mustRun("%kill -KILL reader")
	if !strings.Contains(k.rec.Stdout(), "sent SIGKILL to job [2 reader] (process group ") {
		t.Errorf("%%kill printed %q", k.rec.Stdout())
	}
	k.mustRun("%wait reader")
	if !strings.HasSuffix(k.rec.Stdout(), "[2 reader] finished: signal=9 (SIGKILL)\n") {
		t.Errorf("%%wait printed %q", k.rec.Stdout())
	}
	k.mustRun("%kill %last")
	k.mustRun("%wait %+")
	if !strings.HasSuffix(k.rec.Stdout(), "[3] finished: signal=15 (SIGTERM)\n") {
		t.Errorf("%%wait %%+ printed %q", k.rec.Stdout())
	}
}

// TestJobNameInUse checks that a name whose job still runs is refused
// with a hint, and that --replace ends the old job and starts the new one.
func TestJobNameInUse(t *testing.T) {
	k := newKit(t)
	k.mustRun("%bash_async --name srv sleep 100")
	old, _ := k.jobs.PID("srv")
	k.plainErr("%bash_async --name srv sleep 200", "%bash_async: job [1 srv] is still running (pid ")
	k.plainErr("%bash_async --name srv sleep 200", "%kill srv first, or start the new one with --replace")
	if n := len(k.jobs.List()); n != 1 {
		t.Fatalf("%d jobs after the refused start, want 1", n)
	}
	start := time.Now()
	k.mustRun("%bash_async --name=srv --replace sleep 200")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("--replace took %v", d)
	}
	list := k.jobs.List()
	if len(list) != 2 || list[0].Running || list[0].Status() != "signal=15 (SIGTERM)" || !list[1].Running || list[1].Name != "srv" {
		t.Fatalf("after --replace the jobs are %+v, want [1 srv] ended by SIGTERM and [2 srv] running", list)
	}
	if err := syscall.Kill(old, 0); err == nil {
		t.Errorf("the replaced job's process %d is still there", old)
	}
	if pid, _ := k.jobs.PID("srv"); pid != list[1].PID {
		t.Errorf("srv is PID %d, want the new job's %d", pid, list[1].PID)
	}
	k.mustRun("%kill -9 srv")
}

func TestJobNameErrors(t *testing.T) {
	k := newKit(t)
	for _, c := range []struct{ cell, want string }{
		{"%bash_async --name 3x sleep 1", `%bash_async: bad job name "3x"`},
		{"%bash_async --name last sleep 1", `%bash_async: bad job name "last"`},
		{"%bash_async --name a/b sleep 1", `%bash_async: bad job name "a/b"`},
		{"%bash_async --name", "%bash_async: --name needs a NAME"},
		{"%bash_async --name x", "%bash_async: missing command"},
		{"%bash_async --replace sleep 1", "%bash_async: --replace needs --name NAME"},
		{"%bash_async --nmae x sleep 1", `%bash_async: unknown option "--nmae"`},
		{"%%bash_async --name x extra\nsleep 1", `%%bash_async: unexpected arguments "extra"`},
		{"%wait %+", "%wait: no job %+: there are no jobs"},
		{"%wait nobody", `%wait: no job named "nobody"`},
		{"%kill -9 a/b", `%kill: bad job "a/b"`},
	} {
		k.usageErr(c.cell, c.want)
	}
	if n := len(k.jobs.List()); n != 0 {
		t.Errorf("%d jobs started by bad cells", n)
	}
	k.mustRun("%%bash_async --name cellform\necho from the cell")
	k.mustRun("%wait cellform")
	if !strings.HasSuffix(k.rec.Stdout(), "[1 cellform] finished: code=0\n") {
		t.Errorf("printed %q", k.rec.Stdout())
	}
}
