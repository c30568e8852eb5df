package magics

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// groupPoll is how often a job's process group is checked after its
// leader has exited while other members live on.
const groupPoll = 500 * time.Millisecond

// watchGroup waits until no process of the job's process group is left,
// polling /proc, and records it.
func (j *job) watchGroup() {
	for groupAlive(j.pid) {
		time.Sleep(groupPoll)
	}
	j.mu.Lock()
	j.groupGone = true
	j.mu.Unlock()
}

// groupAlive reports whether a process that is not a zombie is in
// process group pgid, by reading /proc.
func groupAlive(pgid int) bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // it just ended
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(data, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(data[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, err := strconv.Atoi(f[2]); err == nil && g == pgid {
			return true
		}
	}
	return false
}
