package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// devVersion is the version of a build from source. Releases set version
// with -ldflags "-X main.version=1.2.3".
const devVersion = "0.1.0-dev"

var version = devVersion

// A command is one "gokernel NAME" subcommand.
type command struct {
	name  string
	usage string // the arguments after "gokernel NAME", for the usage line
	short string // one line for the command list
	long  string // the rest of "gokernel help NAME": arguments and flags
	run   func(ctx context.Context, args []string) error
}

// commands returns every command, in the order help lists them.
func commands() []*command {
	return []*command{
		cmdInstall,
		cmdUninstall,
		{
			name:  "kernel",
			usage: "-f CONNECTION_FILE",
			short: "run the kernel (Jupyter starts it)",
			long: `Kernel runs the kernel for the Jupyter client that wrote CONNECTION_FILE.
The kernelspec's argv makes Jupyter start it this way. SIGTERM ends it
cleanly. The kernel runs the cells in a gokernel-worker process, which it
starts from the directory that holds this binary.`,
			run: runKernelCommand,
		},
		{
			name:  "version",
			short: "print gokernel's version",
			long:  "Version prints gokernel's version, and the Go version and platform it was built with.",
			run: func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				fmt.Printf("gokernel %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return nil
			},
		},
		{
			name:  "help",
			usage: "[COMMAND]",
			short: "show help for a command",
			long:  "Help lists the commands, or describes COMMAND.",
			run:   runHelp,
		},
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:]))
}

// run runs the command that args name and returns the exit status: 0 on
// success, 1 on failure, and 2 on bad usage.
func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		printUsage(os.Stderr)
		return 2
	}
	name, args := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		printUsage(os.Stdout)
		return 0
	}
	cmd := lookup(name)
	if cmd == nil {
		if strings.HasPrefix(name, "-") {
			fmt.Fprintf(os.Stderr, "gokernel: flag provided but not defined: %s\n", name)
		} else {
			fmt.Fprintf(os.Stderr, "gokernel: unknown command %q\n", name)
		}
		printUsage(os.Stderr)
		return 2
	}
	err := cmd.run(ctx, args)
	var usageErr *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		printHelp(os.Stdout, cmd)
		return 0
	case errors.As(err, &usageErr):
		fmt.Fprintf(os.Stderr, "gokernel %s: %s\n", cmd.name, usageErr.msg)
		fmt.Fprintf(os.Stderr, "usage: %s\nRun 'gokernel help %s' for details.\n", cmd.usageLine(), cmd.name)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "gokernel: %v\n", err)
		return 1
	}
}

func lookup(name string) *command {
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// usageError is a mistake in the command line, reported with exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// newFlagSet returns a flag set for cmd that reports errors to the caller
// instead of printing them, so that run reports every usage error alike.
func newFlagSet(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args with fs, turning errors into usage errors, and
// returns the remaining arguments. With -h it returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{msg: err.Error()}
	}
	return fs.Args(), nil
}

func (c *command) usageLine() string {
	if c.usage == "" {
		return "gokernel " + c.name
	}
	return "gokernel " + c.name + " " + c.usage
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "Gokernel is a Jupyter kernel for Go.\n\nUsage:\n\n\tgokernel <command> [arguments]\n\nThe commands are:\n\n")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "\t%-10s  %s\n", cmd.name, cmd.short)
	}
	fmt.Fprint(w, "\nUse \"gokernel help <command>\" for more information about a command.\n")
}

func printHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", cmd.usageLine(), cmd.long)
}

func runHelp(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		printUsage(os.Stdout)
		return nil
	case 1:
		cmd := lookup(args[0])
		if cmd == nil {
			return usageErrorf("unknown command %q", args[0])
		}
		printHelp(os.Stdout, cmd)
		return nil
	default:
		return usageErrorf("too many arguments")
	}
}

func runKernelCommand(ctx context.Context, args []string) error {
	fs := newFlagSet("kernel")
	connFile := fs.String("f", "", "")
	args, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usageErrorf("unexpected arguments %q", args)
	}
	if *connFile == "" {
		return usageErrorf("missing -f CONNECTION_FILE")
	}
	return runKernel(ctx, *connFile)
}

// versionString returns gokernel's version: the one set with -ldflags, else
// the main module's version when the go command recorded one, else
// devVersion.
func versionString() string {
	if version != devVersion {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			return strings.TrimPrefix(v, "v")
		}
	}
	return devVersion
}
