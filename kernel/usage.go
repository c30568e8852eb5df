package kernel

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of the CPU times in /proc.
const clockTicks = 100

// A usageMeter answers usage_request, the message that the
// jupyter-resource-usage extension sends on control. The reply has the
// shape of ipykernel's: the host name, the kernel's pid, kernel_cpu and
// kernel_memory summed over the kernel process and every process below it
// (the worker and what its cells started), cpu_count, host_virtual_memory,
// and host_cpu_percent from the second request on. CPU percentages cover
// the time since the previous request; a process seen for the first time
// is measured since it started. Memory is proportional set size where
// /proc/PID/smaps_rollup is readable, else resident set size.
type usageMeter struct {
	mu    sync.Mutex
	last  time.Time
	procs map[procKey]float64 // CPU seconds of each process at the last request
	host  hostCPU
}

// procKey tells processes apart across pid reuse.
type procKey struct {
	pid   int
	start uint64 // start time, in clock ticks after boot
}

type hostCPU struct{ busy, total uint64 }

func newUsageMeter() *usageMeter { return &usageMeter{procs: map[procKey]float64{}} }

// usage returns the content of a usage_reply.
func (u *usageMeter) usage() map[string]any {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := time.Now()
	hostname, _ := os.Hostname()
	stats := procStats()
	tree := descendants(stats, os.Getpid())
	uptime := systemUptime()

	var cpuPercent float64
	var memory uint64
	seen := map[procKey]float64{}
	for _, pid := range tree {
		st := stats[pid]
		key := procKey{pid, st.start}
		seen[key] = st.cpu
		if prev, ok := u.procs[key]; ok && !u.last.IsZero() {
			if d := now.Sub(u.last).Seconds(); d > 0 {
				cpuPercent += 100 * (st.cpu - prev) / d
			}
		} else if life := uptime - float64(st.start)/clockTicks; life > 0 {
			cpuPercent += 100 * st.cpu / life
		}
		memory += processMemory(pid)
	}
	u.procs, u.last = seen, now

	reply := map[string]any{
		"hostname":            hostname,
		"pid":                 os.Getpid(),
		"kernel_cpu":          cpuPercent,
		"kernel_memory":       memory,
		"cpu_count":           runtime.NumCPU(),
		"host_virtual_memory": virtualMemory(),
	}
	if h, ok := readHostCPU(); ok {
		if u.host.total > 0 && h.total > u.host.total {
			reply["host_cpu_percent"] = 100 * float64(h.busy-u.host.busy) / float64(h.total-u.host.total)
		}
		u.host = h
	}
	return reply
}

type procStat struct {
	ppid  int
	start uint64
	cpu   float64 // user and system CPU seconds
}

// procStats reads /proc/PID/stat of every process.
func procStats() map[int]procStat {
	out := map[int]procStat{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses and
		// may hold both.
		f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(f) < 20 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		utime, _ := strconv.ParseUint(f[11], 10, 64)
		stime, _ := strconv.ParseUint(f[12], 10, 64)
		start, _ := strconv.ParseUint(f[19], 10, 64)
		out[pid] = procStat{ppid: ppid, start: start, cpu: float64(utime+stime) / clockTicks}
	}
	return out
}

// descendants returns root and every process below it.
func descendants(stats map[int]procStat, root int) []int {
	children := map[int][]int{}
	for pid, st := range stats {
		children[st.ppid] = append(children[st.ppid], pid)
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// processMemory is pid's proportional set size in bytes, or its resident
// set size when smaps_rollup cannot be read.
func processMemory(pid int) uint64 {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	if kb, ok := meminfoField(filepath.Join(dir, "smaps_rollup"), "Pss"); ok {
		return kb * 1024
	}
	if data, err := os.ReadFile(filepath.Join(dir, "statm")); err == nil {
		if f := strings.Fields(string(data)); len(f) > 1 {
			pages, _ := strconv.ParseUint(f[1], 10, 64)
			return pages * uint64(os.Getpagesize())
		}
	}
	return 0
}

// virtualMemory is the host's memory as psutil.virtual_memory reports it,
// in bytes.
func virtualMemory() map[string]any {
	m := map[string]uint64{}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return map[string]any{}
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if kb, err := strconv.ParseUint(strings.Fields(rest + " 0")[0], 10, 64); err == nil {
			m[name] = kb * 1024
		}
	}
	total, avail := m["MemTotal"], m["MemAvailable"]
	cached := m["Cached"] + m["SReclaimable"]
	used := total - min(total, m["MemFree"]+m["Buffers"]+cached)
	percent := 0.0
	if total > 0 {
		percent = 100 * float64(total-min(total, avail)) / float64(total)
	}
	return map[string]any{
		"total": total, "available": avail, "percent": percent, "used": used,
		"free": m["MemFree"], "active": m["Active"], "inactive": m["Inactive"],
		"buffers": m["Buffers"], "cached": cached, "shared": m["Shmem"], "slab": m["Slab"],
	}
}

// meminfoField reads one "Name: N kB" line of a /proc file.
func meminfoField(file, name string) (uint64, bool) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0, false
			}
			kb, err := strconv.ParseUint(f[0], 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// systemUptime is the seconds since boot.
func systemUptime() float64 {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	s, _ := strconv.ParseFloat(f[0], 64)
	return s
}

// readHostCPU reads the host's busy and total CPU ticks from /proc/stat.
func readHostCPU() (hostCPU, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return hostCPU{}, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return hostCPU{}, false
	}
	var h hostCPU
	for i, s := range f[1:] {
		n, _ := strconv.ParseUint(s, 10, 64)
		h.total += n
		if i != 3 && i != 4 { // idle and iowait
			h.busy += n
		}
	}
	return h, true
}
