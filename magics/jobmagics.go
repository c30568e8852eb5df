package magics

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// Defaults of the job magics.
const (
	defaultWait  = 10 * time.Second // %wait JOB
	closeGrace   = 3 * time.Second  // %job_close JOB: from closing stdin to SIGKILL
	defaultKill  = syscall.SIGTERM  // %kill JOB
	maxSignalNum = 64
)

func bashAsyncMagic(st *state) *Magic {
	return &Magic{
		Name:  "bash_async",
		Kind:  LineCell,
		Raw:   true,
		Usage: "%bash_async CMD, or %%bash_async with the command in the cell",
		Short: "Start bash -c CMD as background job N, its stdout and stderr shown live in this cell while other cells run.",
		Long: `Starts bash -c CMD in the Go worker's directory, in a process group of its
own, with a stdin pipe that the kernel holds, and prints "[N] PID CMD".
Job numbers start at 1 and are never reused while the kernel runs.

The cell gets one display area for the job: RUN LOG ("Process started!
pid=N", what was written to stdin, and at the end "Process finished!
code=N" or "signal=9 (SIGKILL)"), then STDOUT and STDERR, kept apart. It is
updated at most 10 times a second and shows the last 64 KiB.

Control the job with %jobs, %kill, %wait, %job_write and %job_close. Every
job ends when the kernel shuts down or restarts and when the worker is
replaced.`,
		Run: func(ctx context.Context, c *Call) error {
			cmd := c.Line
			if c.Kind == Cell {
				if c.Line != "" {
					return c.usagef("unexpected arguments %q: the command is the cell body", c.Line)
				}
				cmd = strings.TrimSpace(c.Body)
			}
			if strings.TrimSpace(cmd) == "" {
				return c.usagef("missing command")
			}
			if _, err := st.jobs.Start(c.Env.Dir(), cmd, c.Out); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			return nil
		},
	}
}

// jobArgs parses arguments that are a job number ("3" or "%3") followed by
// up to more others, which it returns.
func jobArgs(c *Call, args []string, more int) (int, []string, error) {
	if len(args) == 0 {
		return 0, nil, c.usagef("missing job number")
	}
	if err := wantArgs(c, args, 1, 1+more); err != nil {
		return 0, nil, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(args[0], "%"))
	if err != nil || n < 1 {
		return 0, nil, c.usagef("bad job number %q (job numbers are 1, 2, ...; %%jobs lists them)", args[0])
	}
	return n, args[1:], nil
}

// jobErr makes an unknown job a usage error.
func jobErr(c *Call, err error) error {
	if errors.Is(err, ErrNoSuchJob) {
		return &UsageError{Usage: c.Magic.Usage, Err: fmt.Errorf("%s: %w", c.Spelling(), err)}
	}
	return fmt.Errorf("%s: %w", c.Spelling(), err)
}

// parseSignal parses a signal given as a number or a name, with or without
// SIG, in any case: "9", "KILL", "sigusr1".
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > maxSignalNum {
			return 0, fmt.Errorf("unknown signal %q", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

func jobsMagic(st *state) *Magic {
	return &Magic{
		Name:  "jobs",
		Kind:  Line,
		Usage: "%jobs",
		Short: "List the background jobs: number, PID, state, exit status and command.",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			list := st.jobs.List()
			if len(list) == 0 {
				c.Out.Stream("stdout", "no jobs\n")
				return nil
			}
			var b strings.Builder
			tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "JOB\tPID\tSTATE\tSTATUS\tCOMMAND")
			for _, j := range list {
				fmt.Fprintf(tw, "[%d]\t%d\t%s\t%s\t%s\n", j.N, j.PID, j.State(), j.Status(), firstLine(j.Cmd))
			}
			tw.Flush()
			c.Out.Stream("stdout", b.String())
			return nil
		},
	}
}

func killMagic(st *state) *Magic {
	return &Magic{
		Name:  "kill",
		Kind:  Line,
		Usage: "%kill [-SIGNAL] JOB",
		Short: "Send a signal (SIGTERM by default) to a job's whole process group.",
		Long: `SIGNAL is a number or a name, with or without SIG, in any case: -9, -KILL,
-SIGUSR1, -int. JOB is the job's number, as %jobs shows it (3 or %3).`,
		Run: func(ctx context.Context, c *Call) error {
			args := c.Args
			sig := defaultKill
			if len(args) > 0 && strings.HasPrefix(args[0], "-") {
				var err error
				if sig, err = parseSignal(args[0][1:]); err != nil {
					return c.usagef("%v", err)
				}
				args = args[1:]
			}
			n, _, err := jobArgs(c, args, 0)
			if err != nil {
				return err
			}
			if err := st.jobs.Signal(n, sig); err != nil {
				return jobErr(c, err)
			}
			pid, _ := st.jobs.PID(n)
			c.Out.Stream("stdout", fmt.Sprintf("sent %s to job [%d] (process group %d)\n", signalName(sig), n, pid))
			return nil
		},
	}
}

func waitMagic(st *state) *Magic {
	return &Magic{
		Name:  "wait",
		Kind:  Line,
		Usage: "%wait JOB [SECONDS]",
		Short: "Wait for a job to end (10 s at most by default), so that runs without a person are deterministic.",
		Long: `Returns once the job has ended and its display shows it. When the job is
still running after SECONDS, the cell fails with an error naming the job;
the job goes on running.`,
		Run: func(ctx context.Context, c *Call) error {
			n, rest, err := jobArgs(c, c.Args, 1)
			if err != nil {
				return err
			}
			timeout := defaultWait
			if len(rest) == 1 {
				secs, err := strconv.ParseFloat(rest[0], 64)
				if err != nil || secs < 0 {
					return c.usagef("bad number of seconds %q", rest[0])
				}
				timeout = time.Duration(secs * float64(time.Second))
			}
			info, err := st.jobs.Wait(ctx, n, timeout)
			if err != nil {
				return jobErr(c, err)
			}
			c.Out.Stream("stdout", fmt.Sprintf("[%d] finished: %s\n", info.N, info.Status()))
			return nil
		},
	}
}

func jobWriteMagic(st *state) *Magic {
	return &Magic{
		Name:  "job_write",
		Kind:  Line,
		Raw:   true,
		Usage: "%job_write JOB TEXT",
		Short: "Write TEXT and a newline to a job's stdin.",
		Long:  `TEXT is the rest of the line, as typed (no quotes needed).`,
		Run: func(ctx context.Context, c *Call) error {
			num, text, _ := strings.Cut(c.Line, " ")
			n, _, err := jobArgs(c, strings.Fields(num), 0)
			if err != nil {
				return err
			}
			if err := st.jobs.Write(n, text); err != nil {
				return jobErr(c, err)
			}
			return nil
		},
	}
}

func jobCloseMagic(st *state) *Magic {
	return &Magic{
		Name:  "job_close",
		Kind:  Line,
		Usage: "%job_close JOB",
		Short: "Close a job's stdin, wait 3 s for it to end, then kill its process group.",
		Run: func(ctx context.Context, c *Call) error {
			n, _, err := jobArgs(c, c.Args, 0)
			if err != nil {
				return err
			}
			info, err := st.jobs.CloseStdin(ctx, n, closeGrace)
			if err != nil {
				return jobErr(c, err)
			}
			c.Out.Stream("stdout", fmt.Sprintf("[%d] stdin closed; finished: %s\n", info.N, info.Status()))
			return nil
		},
	}
}
