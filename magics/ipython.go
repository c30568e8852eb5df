package magics

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/beacceaf/gokernel/kernel"
)

// scriptMagic is %%bash or %%sh: the cell is a script.
func scriptMagic(shell string) *Magic {
	return &Magic{
		Name:  shell,
		Kind:  Cell,
		Usage: "%%" + shell,
		Short: fmt.Sprintf("Run the cell as a %s script; stdout and stderr are shown live, apart.", shell),
		Long: fmt.Sprintf(`Runs %s -c BODY in the Go worker's directory, with pipes rather than a
terminal, so stdout and stderr stay apart. A non-zero exit status is shown;
the cell still succeeds. Interrupting sends SIGINT to the script's process
group, then SIGKILL a second later. For a script that should keep running
in the background, use %%%%bash_async.`, shell),
		Run: func(ctx context.Context, c *Call) error {
			if strings.Contains(c.Line, "--bg") {
				return c.usagef("--bg is not supported; use %%%%bash_async to run a script in the background")
			}
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			status, err := runPiped(ctx, []string{shell, "-c", c.Body}, c.Env.Dir(), c.Out)
			if !status.ok() {
				c.Out.Stream("stderr", status.String()+"\n")
			}
			return err
		},
	}
}

func writefileMagic() *Magic {
	return &Magic{
		Name:    "writefile",
		Aliases: []string{"file"},
		Kind:    Cell,
		Usage:   "%%writefile [-a] FILE",
		Short:   "Write the cell body to FILE as it is (no header line); -a appends.",
		Long: `FILE is relative to the Go worker's directory. The file ends with a newline.
Unlike %%save_file, nothing is added to the file and no %run line is
interpreted.`,
		Run: func(ctx context.Context, c *Call) error {
			fs := flag.NewFlagSet(c.Spelling(), flag.ContinueOnError)
			appendTo := fs.Bool("a", false, "")
			fs.BoolVar(appendTo, "append", false, "")
			pos, err := parseFlags(c, fs, c.Args)
			if err != nil {
				return err
			}
			if len(pos) == 0 {
				return c.usagef("missing file name")
			}
			if err := wantArgs(c, pos, 1, 1); err != nil {
				return err
			}
			path := resolvePath(c.Env.Dir(), pos[0])
			body := c.Body
			if !strings.HasSuffix(body, "\n") {
				body += "\n"
			}
			verb := "Writing"
			if _, err := os.Stat(path); err == nil {
				verb = "Overwriting"
			}
			mode := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			if *appendTo {
				verb, mode = "Appending to", os.O_WRONLY|os.O_CREATE|os.O_APPEND
			}
			f, err := os.OpenFile(path, mode, 0o644)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			_, werr := f.WriteString(body)
			if err := errors.Join(werr, f.Close()); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			c.Out.Stream("stdout", verb+" "+pos[0]+"\n")
			return nil
		},
	}
}

// showMagic is %%html, %%markdown or %%javascript: the cell is shown as
// the given MIME type.
func showMagic(name string, aliases []string, mime, what string) *Magic {
	return &Magic{
		Name:    name,
		Aliases: aliases,
		Kind:    Cell,
		Usage:   "%%" + name,
		Short:   "Show the cell as " + what + ".",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			b := kernel.Bundle{mime: c.Body}
			if mime == "text/markdown" {
				b["text/plain"] = c.Body
			}
			display(c.Out, b, "")
			return nil
		},
	}
}

func cdMagic(st *state) *Magic {
	return &Magic{
		Name:  "cd",
		Kind:  Line,
		Usage: "%cd [DIR]",
		Short: "Change the Go worker's working directory (home without DIR, the previous one with -); commands and file magics follow it.",
		Long: `DIR is relative to the current directory; ~ is the home directory and -
the directory before the last %cd. The Go worker moves (os.Getwd in a cell
sees the change), and shell commands, jobs and file magics run there.`,
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 1); err != nil {
				return err
			}
			old := c.Env.Dir()
			target := "~"
			if len(c.Args) == 1 {
				target = c.Args[0]
			}
			if target == "-" {
				if target = st.previousDir(); target == "" {
					return c.usagef("no previous directory")
				}
			}
			dir := resolvePath(old, target)
			fi, err := os.Stat(dir)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return c.usagef("no such directory: %s", target)
			case err != nil:
				return c.usagef("%v", err)
			case !fi.IsDir():
				return c.usagef("not a directory: %s", target)
			}
			if err := c.Env.Chdir(ctx, dir); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			st.setPreviousDir(old)
			c.Out.Stream("stdout", dir+"\n")
			return nil
		},
	}
}

func pwdMagic() *Magic {
	return &Magic{
		Name:  "pwd",
		Kind:  Line,
		Usage: "%pwd",
		Short: "Show the Go worker's working directory.",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			c.Out.Stream("stdout", c.Env.Dir()+"\n")
			return nil
		},
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func envMagic(st *state) *Magic {
	return &Magic{
		Name:  "env",
		Kind:  Line,
		Raw:   true,
		Usage: "%env [NAME[=VALUE]] | %env -u NAME",
		Short: "List, show, set (NAME=VALUE or NAME VALUE) or unset (-u NAME) environment variables of the kernel and the worker.",
		Long: `Variables set here are seen by shell commands, jobs and Go code.
%env SHELL=/bin/bash makes !CMD and %run lines use bash instead of /bin/sh;
%env -u SHELL goes back to /bin/sh.`,
		Run: func(ctx context.Context, c *Call) error {
			line := strings.TrimSpace(c.Line)
			if line == "" {
				env := os.Environ()
				sort.Strings(env)
				c.Out.Stream("stdout", strings.Join(env, "\n")+"\n")
				return nil
			}
			if rest, ok := strings.CutPrefix(line, "-u"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
				name := strings.TrimSpace(rest)
				if !envName.MatchString(name) {
					return c.usagef("bad variable name %q", name)
				}
				if err := c.Env.Unsetenv(ctx, name); err != nil {
					return fmt.Errorf("%s: %w", c.Spelling(), err)
				}
				if name == "SHELL" {
					st.setShell("")
				}
				c.Out.Stream("stdout", "env: unset "+name+"\n")
				return nil
			}
			name, value, set := strings.Cut(line, "=")
			if !set {
				if n, v, ok := strings.Cut(line, " "); ok {
					name, value, set = n, strings.TrimSpace(v), true
				}
			}
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
			if !envName.MatchString(name) {
				return c.usagef("bad variable name %q", name)
			}
			if !set {
				v, ok := os.LookupEnv(name)
				if !ok {
					return c.usagef("%s is not set", name)
				}
				c.Out.Stream("stdout", v+"\n")
				return nil
			}
			if err := c.Env.Setenv(ctx, name, value); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			if name == "SHELL" {
				st.setShell(value)
			}
			c.Out.Stream("stdout", "env: "+name+"="+value+"\n")
			return nil
		},
	}
}

func whoMagic() *Magic {
	return &Magic{
		Name:  "who",
		Kind:  Line,
		Usage: "%who",
		Short: "List the names that earlier cells defined.",
		Run: func(ctx context.Context, c *Call) error {
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			names, err := c.Env.Names(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			if len(names) == 0 {
				c.Out.Stream("stdout", "no names defined yet\n")
				return nil
			}
			names = append([]string(nil), names...)
			sort.Strings(names)
			c.Out.Stream("stdout", strings.Join(names, "\t")+"\n")
			return nil
		},
	}
}

func resetMagic(st *state) *Magic {
	return &Magic{
		Name:  "reset",
		Kind:  Line,
		Usage: "%reset [-f]",
		Short: "Restart the Go worker, forgetting every variable; background jobs end too.",
		Long: `There is no confirmation question: -f is accepted for IPython habits and
changes nothing.`,
		Run: func(ctx context.Context, c *Call) error {
			if len(c.Args) == 1 && c.Args[0] == "-f" {
				c.Args = nil
			}
			if err := wantArgs(c, c.Args, 0, 0); err != nil {
				return err
			}
			st.jobs.EndAll()
			if err := c.Env.Reset(ctx); err != nil {
				return fmt.Errorf("%s: %w", c.Spelling(), err)
			}
			c.Out.Stream("stdout", "worker restarted: every variable is gone\n")
			return nil
		},
	}
}
