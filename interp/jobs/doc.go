// Package jobs lets Go cells see the background jobs that the kernel runs
// for %bash_async, such as the PID of the job named reader, or of job 1:
//
//	%bash_async --name reader cat my_fifo
//	pid, err := jobs.PID("reader")
//	pid, err = jobs.PID(1)
//
// The kernel owns the job table; in a cell, this package asks it. Outside
// gokernel (a program built with go build) there are no jobs, and every
// function says so.
package jobs
