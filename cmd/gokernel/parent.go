package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// parentEnv names the process that launched the kernel. jupyter_client sets
// it to its own PID in every kernel's environment.
const parentEnv = "JPY_PARENT_PID"

// watchParent calls gone, once, when the process that started the kernel
// ends, so that a kernel whose front end crashed does not run on forever.
// Like ipykernel, it watches only when JPY_PARENT_PID is set, that is
// when a Jupyter client launched us: a kernel run by hand from a terminal
// ends on SIGHUP instead.
//
// It watches two processes through pidfds, without polling: our parent,
// which ipykernel watches too, and the process JPY_PARENT_PID names, in
// case a wrapper stands between it and us. It does not use
// PR_SET_PDEATHSIG: that fires when the thread that forked us ends, and a
// client may well launch kernels from a short-lived thread.
//
// The watch ends when ctx ends; it holds one goroutine and a few file
// descriptors until then.
func watchParent(ctx context.Context, gone func(why string)) error {
	env := os.Getenv(parentEnv)
	if env == "" {
		return nil
	}
	launcher, err := strconv.Atoi(env)
	if err != nil || launcher <= 0 {
		return fmt.Errorf("%s=%q is not a process id", parentEnv, env)
	}
	var fds []int
	var names []string
	closeAll := func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	watch := func(pid int, name string) error {
		if pid <= 1 {
			return nil // init never ends; with ppid 1 we were orphaned already
		}
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			return fmt.Errorf("watch %s (pid %d): %w", name, pid, err)
		}
		fds = append(fds, fd)
		names = append(names, fmt.Sprintf("%s (pid %d)", name, pid))
		return nil
	}
	ppid := os.Getppid()
	if err := watch(ppid, "the parent process"); err != nil {
		closeAll()
		return err
	}
	// The parent may have died before its pidfd was opened, and its pid
	// been reused: then our parent is no longer ppid.
	if os.Getppid() != ppid {
		closeAll()
		gone("the parent process ended before the kernel started watching it")
		return nil
	}
	if launcher != ppid {
		// A stale or foreign JPY_PARENT_PID (another pid namespace) is
		// not fatal: the parent is still watched.
		if err := watch(launcher, parentEnv); err != nil {
			closeAll()
			return err
		}
	}
	var wake [2]int
	if err := unix.Pipe2(wake[:], unix.O_CLOEXEC); err != nil {
		closeAll()
		return fmt.Errorf("watch the parent process: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { unix.Write(wake[1], []byte{0}) })
	go func() {
		defer stop()
		defer unix.Close(wake[0])
		defer unix.Close(wake[1])
		defer closeAll()
		polls := []unix.PollFd{{Fd: int32(wake[0]), Events: unix.POLLIN}}
		for _, fd := range fds {
			polls = append(polls, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
		}
		for {
			_, err := unix.Poll(polls, -1)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil {
				gone(fmt.Sprintf("watching the parent process failed: %v", err))
				return
			}
			if polls[0].Revents != 0 {
				return // ctx ended
			}
			for k, p := range polls[1:] {
				if p.Revents != 0 {
					gone(names[k] + " ended")
					return
				}
			}
		}
	}()
	return nil
}
