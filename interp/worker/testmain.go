package worker

import (
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
)

// testingOverrides replaces testing.Main, which programs that run their
// own tests call from main (fixedbugs/issue56990.go). Go's ends the
// process with os.Exit; this one runs the tests the same way, then ends
// the cell as the worker's os.Exit does, so that the worker and the
// notebook's variables survive it.
func testingOverrides() interp.Exports {
	return interp.Exports{
		"testing/testing": {
			"Main": reflect.ValueOf(testMain),
		},
	}
}

// testMain is testing.Main for cells: it prints what Go's prints (PASS, or
// each failure and FAIL), then stops the cell with the exit status Go's
// would have exited with.
func testMain(matchString func(pat, str string) (bool, error), tests []testing.InternalTest, benchmarks []testing.InternalBenchmark, examples []testing.InternalExample) {
	code := testing.MainStart(matchOnly(matchString), tests, benchmarks, nil, examples).Run()
	panic(exitCode(code))
}

// errTestMain is what matchOnly's unsupported features return, as the
// testing package's own stand-in for Main does.
var errTestMain = errors.New("testing: unexpected use of func Main")

// matchOnly gives testing.MainStart the only dependency that testing.Main
// has: the function that matches test names. Profiles, fuzzing and
// coverage are not available, as under Go's testing.Main.
type matchOnly func(pat, str string) (bool, error)

// corpusEntry is testing's type of a fuzzing corpus entry.
type corpusEntry = struct {
	Parent     string
	Path       string
	Data       []byte
	Values     []any
	Generation int
	IsSeed     bool
}

func (f matchOnly) MatchString(pat, str string) (bool, error)   { return f(pat, str) }
func (f matchOnly) StartCPUProfile(io.Writer) error             { return errTestMain }
func (f matchOnly) StopCPUProfile()                             {}
func (f matchOnly) WriteProfileTo(string, io.Writer, int) error { return errTestMain }
func (f matchOnly) ModulePath() string                          { return "" }
func (f matchOnly) ImportPath() string                          { return "" }
func (f matchOnly) StartTestLog(io.Writer)                      {}
func (f matchOnly) StopTestLog() error                          { return errTestMain }
func (f matchOnly) SetPanicOnExit0(bool)                        {}
func (f matchOnly) CoordinateFuzzing(time.Duration, int64, time.Duration, int64, int, []corpusEntry, []reflect.Type, string, string) error {
	return errTestMain
}
func (f matchOnly) RunFuzzWorker(func(corpusEntry) error) error { return errTestMain }
func (f matchOnly) ReadCorpus(string, []reflect.Type) ([]corpusEntry, error) {
	return nil, errTestMain
}
func (f matchOnly) CheckCorpus([]any, []reflect.Type) error { return nil }
func (f matchOnly) ResetCoverage()                          {}
func (f matchOnly) SnapshotCoverage()                       {}
func (f matchOnly) InitRuntimeCoverage() (mode string, tearDown func(string, string) (string, error), snapcov func() float64) {
	return "", nil, nil
}
