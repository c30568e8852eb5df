package magics

import "sync"

// Builtin returns the registry of gokernel's magics, in the order that
// %lsmagic and the README show them. This list is the only place where
// magics are registered. jobs is the job table that %bash_async and its
// companions use; the caller owns it and closes it on shutdown.
//
// Each call returns magics with state of their own: the shell chosen by
// %env SHELL=... and the directory %cd - returns to.
func Builtin(jobs *Jobs) *Registry {
	if jobs == nil {
		panic("magics: Builtin needs a job table")
	}
	st := &state{jobs: jobs}
	ms := []*Magic{shellMagic(st)}
	for _, fm := range fileMagics {
		ms = append(ms, fm.magic(st))
	}
	ms = append(ms,
		printMagic(),
		bashAsyncMagic(st),
		jobsMagic(st),
		killMagic(st),
		waitMagic(st),
		jobWriteMagic(st),
		jobCloseMagic(st),
		scriptMagic("bash"),
		scriptMagic("sh"),
		writefileMagic(),
		showMagic("html", nil, "text/html", "HTML"),
		showMagic("markdown", nil, "text/markdown", "Markdown"),
		showMagic("javascript", []string{"js"}, "application/javascript", "JavaScript, run by the front end"),
		cdMagic(st),
		pwdMagic(),
		envMagic(st),
		timeMagic(),
		timeitMagic(),
		whoMagic(),
		resetMagic(st),
		lsmagicMagic(),
		helpMagic(),
	)
	return NewRegistry(ms...)
}

// state is what the built-in magics of one registry share.
type state struct {
	jobs *Jobs

	mu      sync.Mutex
	shellAt string // set by %env SHELL=...; "" means DefaultShell
	prevDir string // the directory before the last %cd
}

// shell returns the shell that runs !CMD lines and %run commands.
func (s *state) shell() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shellAt == "" {
		return DefaultShell
	}
	return s.shellAt
}

func (s *state) setShell(path string) {
	s.mu.Lock()
	s.shellAt = path
	s.mu.Unlock()
}

func (s *state) previousDir() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prevDir
}

func (s *state) setPreviousDir(dir string) {
	s.mu.Lock()
	s.prevDir = dir
	s.mu.Unlock()
}
