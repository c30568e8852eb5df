package magics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestShell(t *testing.T) {
	tests := []struct {
		name, cell, stdout, stderr string
	}{
		{"echo", "!echo hello", "hello\n", ""},
		{"lines end in newline", "!printf 'a\\nb\\n'", "a\nb\n", ""},
		{"a terminal", "!test -t 0 && test -t 1 && echo tty", "tty\n", ""},
		{"stderr merged", "!echo out; echo err >&2", "out\nerr\n", ""},
		{"exit status", "!echo before; exit 3", "before\n", "exit status 3\n"},
		{"signal", "!kill -TERM $$", "", "killed by signal 15 (SIGTERM)\n"},
		{"continuation", "!echo one \\\n  two", "one two\n", ""},
		{"sh, not bash", `!echo "[$BASH_VERSION]"`, "[]\n", ""},
		{"cyrillic", "!echo привет, мир", "привет, мир\n", ""},
		{"two commands", "!echo a\n!echo b", "a\nb\n", ""},
		{"and is not background", "!true && echo yes", "yes\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(tc.cell)
			if got := k.rec.Stdout(); got != tc.stdout {
				t.Errorf("stdout %q, want %q", got, tc.stdout)
			}
			if got := k.rec.Stderr(); got != tc.stderr {
				t.Errorf("stderr %q, want %q", got, tc.stderr)
			}
		})
	}
}

func TestShellDir(t *testing.T) {
	k := newKit(t)
	k.mustRun("!pwd")
	if got := strings.TrimSpace(k.rec.Stdout()); got != k.env.Dir() {
		t.Errorf("!pwd printed %q, want %q", got, k.env.Dir())
	}
}

func TestShellSwitch(t *testing.T) {
	t.Setenv("SHELL", "/bin/sh") // restored after the test
	k := newKit(t)
	k.mustRun("%env SHELL=/bin/bash\n" + `!echo "[${BASH_VERSION:+bash}]"`)
	if got := k.rec.Stdout(); !strings.HasSuffix(got, "[bash]\n") {
		t.Errorf("stdout %q, want bash to run the command", got)
	}
	k.rec = newKit(t).rec
	k.mustRun("%env -u SHELL\n" + `!echo "[${BASH_VERSION:+bash}]"`)
	if got := k.rec.Stdout(); !strings.HasSuffix(got, "[]\n") {
		t.Errorf("stdout %q, want /bin/sh again after %%env -u SHELL", got)
	}
}

func TestShellBackgroundRefused(t *testing.T) {
	k := newKit(t)
	k.usageErr("!sleep 10 &", "!: background processes are not supported; use %bash_async sleep 10")
	k.usageErr("!sleep 10&  ", "use %bash_async sleep 10")
	k.usageErr("!", "!: missing command")
}

func TestShellInterrupt(t *testing.T) {
	tests := []struct {
		name, cell string
		output     string // in stdout
	}{
		// ^C is echoed by the terminal; sleep dies of SIGINT.
		{"sleep", "!sleep 100", "^C"},
		// A command that ignores SIGINT is killed a second later.
		{"ignores SIGINT", "!trap '' INT; sleep 100; echo not reached", ""},
		// What a program prints when interrupted is shown.
		{"handler output", "!trap 'echo caught; exit 5' INT; while :; do sleep 0.05; done", "caught\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(300*time.Millisecond, cancel)
			start := time.Now()
			err := k.run(ctx, tc.cell)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("interrupted command took %v, want under 2s", elapsed)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want one matching context.Canceled", err)
			}
			if !strings.Contains(k.rec.Stdout(), tc.output) {
				t.Errorf("stdout %q, want it to contain %q", k.rec.Stdout(), tc.output)
			}
			if strings.Contains(k.rec.Stdout(), "not reached") {
				t.Errorf("the command went on after the interrupt: %q", k.rec.Stdout())
			}
			if k.rec.Stderr() == "" {
				t.Error("no status shown for the interrupted command")
			}
		})
	}
}

func TestShellOutputIsLive(t *testing.T) {
	k := newKit(t)
	done := make(chan error, 1)
	go func() { done <- k.run(context.Background(), "!echo first; sleep 1; echo second") }()
	deadline := time.Now().Add(900 * time.Millisecond)
	for time.Now().Before(deadline) && k.rec.Stdout() == "" {
		time.Sleep(10 * time.Millisecond)
	}
	if got := k.rec.Stdout(); got != "first\n" {
		t.Errorf("stdout while the command runs %q, want %q", got, "first\n")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := k.rec.Stdout(); got != "first\nsecond\n" {
		t.Errorf("stdout %q, want %q", got, "first\nsecond\n")
	}
}

func TestScriptMagics(t *testing.T) {
	tests := []struct {
		name, cell, stdout, stderr string
	}{
		{"bash apart", "%%bash\necho out\necho err >&2\necho \"${BASH_VERSION:+bash}\"\nexit 2\n", "out\nbash\n", "err\nexit status 2\n"},
		{"sh", "%%sh\necho \"[${BASH_VERSION:-}]\"\n", "[]\n", ""},
		{"not a terminal", "%%bash\ntest -t 1 || echo pipe\n", "pipe\n", ""},
		{"cyrillic", "%%bash\necho 'Привет'\n", "Привет\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.mustRun(tc.cell)
			if got := k.rec.Stdout(); got != tc.stdout {
				t.Errorf("stdout %q, want %q", got, tc.stdout)
			}
			if got := k.rec.Stderr(); got != tc.stderr {
				t.Errorf("stderr %q, want %q", got, tc.stderr)
			}
		})
	}
	k := newKit(t)
	k.usageErr("%%bash --bg\nsleep 1", "use %%bash_async")
	k.usageErr("%%bash -x\necho", `%%bash: unexpected argument "-x"`)
}

func TestScriptInterrupt(t *testing.T) {
	k := newKit(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := k.run(ctx, "%%bash\necho started\nsleep 100\necho not reached\n")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("interrupted script took %v, want under 2s", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want one matching the context's", err)
	}
	if got := k.rec.Stdout(); got != "started\n" {
		t.Errorf("stdout %q, want %q", got, "started\n")
	}
}
