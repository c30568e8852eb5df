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
		Usage: "%bash_async [--name NAME [--replace]] CMD, or %%bash_async [--name NAME [--replace]] with the command in the cell",
		Short: "Start bash -c CMD as background job N (or NAME), its stdout and stderr shown live in this cell while other cells run.",
		Long: `Starts bash -c CMD in the Go worker's directory, in a process group of its
own, with a stdin pipe that the kernel holds, and prints "[N] PID CMD".
Job numbers start at 1 and are never reused while the kernel runs.

--name NAME names the job, and prints "[N NAME] PID CMD". The other job
magics, and jobs.PID("NAME") and jobs.Lookup("NAME") in Go cells, accept
NAME wherever they accept N, so re-running a cell does not shift the
numbers that later cells use. NAME starts with a letter or '_', then
letters, digits, '_', '.' or '-'. A name may be reused once its job has
ended; while it still runs, starting another job of that name fails,
unless --replace is given: it ends the old job's process group (SIGTERM,
then SIGKILL after a second) and starts the new one.

The cell gets one display area for the job: RUN LOG ("Process started!
pid=N", what was written to stdin, and at the end "Process finished!
code=N" or "signal=9 (SIGKILL)"), then STDOUT and STDERR, kept apart. It is
updated at most 10 times a second and shows the last 64 KiB. When the job
stays blocked 2 s in an open, read or write of a named FIFO, the RUN LOG
ends with a status line, 'waiting in open("my_fifo", O_WRONLY): no reader
has opened it yet', which becomes 'open("my_fifo", O_WRONLY) waited 3.1 s'
when the call returns.

Control the job with %jobs, %kill, %wait, %job_write and %job_close. Every
job ends when the kernel shuts down or restarts and when the worker is
replaced.`,
		Run: func(ctx context.Context, c *Call) error {
			spec, cmd, err := jobOptions(c, c.Line)
			if err != nil {
				return err
			}
			if c.Kind == Cell {
				if cmd != "" {
					return c.usagef("unexpected arguments %q: the command is the cell body", cmd)
				}
				cmd = strings.TrimSpace(c.Body)
			}
			if strings.TrimSpace(cmd) == "" {
				return c.usagef("missing command")
			}
			spec.Dir, spec.Command = c.Env.Dir(), cmd
			if _, err := st.jobs.Start(spec, c.Out); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			return nil
		},
	}
}

// jobOptions parses the options at the start of a %bash_async line
// (--name NAME, --name=NAME, --replace) and returns them with the rest of
// the line, the command, as typed.
func jobOptions(c *Call, line string) (JobSpec, string, error) {
	var spec JobSpec
	rest := strings.TrimSpace(line)
	for strings.HasPrefix(rest, "--") {
		word, after, _ := strings.Cut(rest, " ")
		after = strings.TrimSpace(after)
		switch {
		case word == "--replace":
			spec.Replace = true
		case word == "--name":
			word, after, _ = strings.Cut(after, " ")
			if word == "" {
				return spec, "", c.usagef("--name needs a NAME")
			}
			spec.Name, after = word, strings.TrimSpace(after)
		case strings.HasPrefix(word, "--name="):
			spec.Name = strings.TrimPrefix(word, "--name=")
		default:
			return spec, "", c.usagef("unknown option %q (the options are --name NAME and --replace)", word)
		}
		rest = after
	}
	if spec.Replace && spec.Name == "" {
		return spec, "", c.usagef("--replace needs --name NAME: it replaces the running job of that name")
	}
	if spec.Name != "" {
		if err := checkJobName(spec.Name); err != nil {
			return spec, "", c.usagef("%v", err)
		}
	}
	return spec, rest, nil
}

// jobArgs parses arguments that are a job reference (3, %3, NAME, %NAME,
// %+ or %last) followed by up to more others, which it returns.
func jobArgs(c *Call, args []string, more int) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, c.usagef("missing job number or name")
	}
	if err := wantArgs(c, args, 1, 1+more); err != nil {
		return "", nil, err
	}
	if err := checkJobRef(args[0]); err != nil {
		return "", nil, c.usagef("%v", err)
	}
	return args[0], args[1:], nil
}

// jobRefHelp explains N|NAME|%+ in the job magics' help.
const jobRefHelp = `The job is given by its number, as %jobs shows it (3 or %3), by its name
(NAME or %NAME: the newest job of that name, see %bash_async --name), or as
%+ or %last: the most recent job.`

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
		Short: "List the background jobs: number and name, PID, state, exit status and command.",
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
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", j.Label(), j.PID, j.State(), j.Status(), firstLine(j.Cmd))
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
		Usage: "%kill [-SIGNAL] N|NAME|%+",
		Short: "Send a signal (SIGTERM by default) to a job's whole process group.",
		Long: `SIGNAL is a number or a name, with or without SIG, in any case: -9, -KILL,
-SIGUSR1, -int. ` + jobRefHelp,
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
			ref, _, err := jobArgs(c, args, 0)
			if err != nil {
				return err
			}
			info, err := st.jobs.Signal(ref, sig)
			if err != nil {
				return jobErr(c, err)
			}
			c.Out.Stream("stdout", fmt.Sprintf("sent %s to job %s (process group %d)\n", signalName(sig), info.Label(), info.PID))
			return nil
		},
	}
}

func waitMagic(st *state) *Magic {
	return &Magic{
		Name:  "wait",
		Kind:  Line,
		Usage: "%wait N|NAME|%+ [SECONDS]",
		Short: "Wait for a job to end (10 s at most by default), so that runs without a person are deterministic.",
		Long: `Returns once the job has ended and its display shows it. When the job is
still running after SECONDS, the cell fails with an error naming the job;
the job goes on running. ` + jobRefHelp,
		Run: func(ctx context.Context, c *Call) error {
			ref, rest, err := jobArgs(c, c.Args, 1)
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
			info, err := st.jobs.Wait(ctx, ref, timeout)
			if err != nil {
				return jobErr(c, err)
			}
			c.Out.Stream("stdout", fmt.Sprintf("%s finished: %s\n", info.Label(), info.Status()))
			return nil
		},
	}
}

func jobWriteMagic(st *state) *Magic {
	return &Magic{
		Name:  "job_write",
		Kind:  Line,
		Raw:   true,
		Usage: "%job_write N|NAME|%+ TEXT",
		Short: "Write TEXT and a newline to a job's stdin.",
		Long:  "TEXT is the rest of the line, as typed (no quotes needed). " + jobRefHelp,
		Run: func(ctx context.Context, c *Call) error {
			first, text, _ := strings.Cut(c.Line, " ")
			ref, _, err := jobArgs(c, strings.Fields(first), 0)
			if err != nil {
				return err
			}
			if err := st.jobs.Write(ref, text); err != nil {
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
		Usage: "%job_close N|NAME|%+",
		Short: "Close a job's stdin, wait 3 s for it to end, then kill its process group.",
		Long:  jobRefHelp,
		Run: func(ctx context.Context, c *Call) error {
			ref, _, err := jobArgs(c, c.Args, 0)
			if err != nil {
				return err
			}
			info, err := st.jobs.CloseStdin(ctx, ref, closeGrace)
			if err != nil {
				return jobErr(c, err)
			}
			c.Out.Stream("stdout", fmt.Sprintf("%s stdin closed; finished: %s\n", info.Label(), info.Status()))
			return nil
		},
	}
}
