package jobs_test

import (
	"fmt"

	"github.com/beacceaf/gokernel/interp/jobs"
)

// fakeTable stands in for the kernel's job table.
type fakeTable []jobs.Job

func (f fakeTable) Jobs() ([]jobs.Job, error) { return f, nil }

func ExamplePID() {
	jobs.SetSource(fakeTable{{N: 1, PID: 4242, Cmd: "cat my_fifo", Running: true}})
	defer jobs.SetSource(nil)
	pid, err := jobs.PID(1)
	fmt.Println(pid, err)
	_, err = jobs.PID(2)
	fmt.Println(err)
	// Output:
	// 4242 <nil>
	// jobs: no job 2 (%jobs lists them)
}

func ExampleLookup() {
	jobs.SetSource(fakeTable{
		{N: 1, Name: "reader", PID: 10, Cmd: "cat my_fifo", Code: 0},
		{N: 2, Name: "reader", PID: 11, Cmd: "cat my_fifo", Running: true},
		{N: 3, PID: 12, Cmd: "sleep 100", Running: true},
	})
	defer jobs.SetSource(nil)
	for _, ref := range []string{"reader", "%reader", "1", "%+", "%last", "writer"} {
		j, err := jobs.Lookup(ref)
		fmt.Println(ref, j.N, j.PID, err)
	}
	pid, err := jobs.PID("reader")
	fmt.Println(pid, err)
	_, err = jobs.PID(2.5)
	fmt.Println(err)
	// Output:
	// reader 2 11 <nil>
	// %reader 2 11 <nil>
	// 1 1 10 <nil>
	// %+ 3 12 <nil>
	// %last 3 12 <nil>
	// writer 0 0 jobs: no job named "writer" (%bash_async --name writer CMD starts one; %jobs lists them)
	// 11 <nil>
	// jobs: PID takes a job number (int) or a name (string), not float64
}

func ExampleList() {
	jobs.SetSource(fakeTable{{N: 1, PID: 10, Cmd: "sleep 1"}, {N: 2, PID: 11, Cmd: "yes", Signal: 9}})
	defer jobs.SetSource(nil)
	all, _ := jobs.List()
	for _, j := range all {
		fmt.Println(j.N, j.PID, j.State(), j.Cmd)
	}
	// Output:
	// 1 10 exited sleep 1
	// 2 11 killed yes
}

func ExampleList_outsideGokernel() {
	_, err := jobs.List()
	fmt.Println(err)
	// Output: jobs: not running in gokernel, so there are no jobs
}
