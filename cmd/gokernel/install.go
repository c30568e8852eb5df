package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/beacceaf/gokernel/kernelspec"
)

var cmdInstall = &command{
	name:  "install",
	usage: "[--user | --sys-prefix | --prefix DIR] [--name NAME]",
	short: "install the kernelspec, so that Jupyter finds gokernel",
	long: `Install writes the kernelspec, the directory through which Jupyter finds
gokernel, into a Jupyter data directory. It replaces an earlier one of the
same name. The kernelspec starts this binary by its absolute path; the
kernel runs the cells in the gokernel-worker program next to it, which
install checks for ("go install ./cmd/..." builds both).

	--user        for the current user: $JUPYTER_DATA_DIR, else
	              $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter
	              (the default)
	--sys-prefix  for the Python environment that runs Jupyter:
	              SYS_PREFIX/share/jupyter, where SYS_PREFIX is sys.prefix of
	              /usr/bin/python3, or of $JUPYTER_PYTHON when set
	--prefix DIR  in DIR/share/jupyter
	--name NAME   the kernel's name (default "gokernel")`,
	run: func(ctx context.Context, args []string) error {
		opts, err := parseLocation("install", args)
		if err != nil {
			return err
		}
		// A kernel without its worker would fail only when Jupyter starts
		// it; say so now, where the user can act on it.
		if _, err := workerBinary(); err != nil {
			return err
		}
		dir, err := kernelspec.Install(opts)
		if err != nil {
			return err
		}
		fmt.Printf("Installed kernelspec %s in %s\n", opts.Name, dir)
		return nil
	},
}

var cmdUninstall = &command{
	name:  "uninstall",
	usage: "[--user | --sys-prefix | --prefix DIR] [--name NAME]",
	short: "remove the kernelspec",
	long: `Uninstall removes a kernelspec that install wrote. The flags choose the
data directory and the name, as for install (see "gokernel help install").`,
	run: func(ctx context.Context, args []string) error {
		opts, err := parseLocation("uninstall", args)
		if err != nil {
			return err
		}
		dir, err := kernelspec.Uninstall(opts)
		if err != nil {
			return err
		}
		fmt.Printf("Removed kernelspec %s from %s\n", opts.Name, dir)
		return nil
	},
}

// parseLocation parses install's and uninstall's flags.
func parseLocation(cmd string, args []string) (kernelspec.Options, error) {
	var opts kernelspec.Options
	fs := newFlagSet(cmd)
	user := fs.Bool("user", false, "")
	sysPrefix := fs.Bool("sys-prefix", false, "")
	prefix := fs.String("prefix", "", "")
	fs.StringVar(&opts.Name, "name", kernelspec.DefaultName, "")
	args, err := parseFlags(fs, args)
	if err != nil {
		return opts, err
	}
	if len(args) > 0 {
		return opts, usageErrorf("unexpected arguments %q", args)
	}
	prefixSet := false
	fs.Visit(func(f *flag.Flag) { prefixSet = prefixSet || f.Name == "prefix" })
	var chosen []string
	for _, c := range []struct {
		flag string
		set  bool
	}{{"--user", *user}, {"--sys-prefix", *sysPrefix}, {"--prefix", prefixSet}} {
		if c.set {
			chosen = append(chosen, c.flag)
		}
	}
	if len(chosen) > 1 {
		return opts, usageErrorf("%s and %s cannot be used together", chosen[0], chosen[1])
	}
	switch {
	case *sysPrefix:
		opts.Dir, err = kernelspec.SysPrefixDataDir()
	case prefixSet:
		if *prefix == "" {
			return opts, usageErrorf("--prefix needs a directory")
		}
		var abs string
		abs, err = filepath.Abs(*prefix)
		opts.Dir = kernelspec.PrefixDataDir(abs)
	default:
		opts.Dir, err = kernelspec.UserDataDir()
	}
	return opts, err
}
