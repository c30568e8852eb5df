package worker

import "time"

// Keeping the runtime's monitor within reach of an interrupt.
//
// An interrupt reaches a running cell as a Cancel request on the control
// socket, which a goroutine reads through Go's netpoller. While a cell
// keeps every P busy (a loop on each CPU: `for i := 0; i <
// runtime.NumCPU(); i++ { go spin() }`), no thread waits in the netpoller,
// and only the runtime's monitor (sysmon) polls it and preempts the
// spinning goroutines. But the monitor sleeps while the worker is idle,
// until the next timer is due, and a cell that starts does not wake it:
// the worker's raw system calls leave it asleep on purpose (see package
// kernel/rawio). With no timer pending it slept for up to a minute, the
// Cancel was never read, and after 2 s the kernel replaced the worker and
// the variables were lost.
//
// So a timer is always pending: the monitor never sleeps longer than
// monitorPeriod, and an interrupt of such a cell is read within about
// monitorPeriod plus the 10 ms after which the monitor preempts a
// goroutine. An idle worker pays for it with a wake-up every
// monitorPeriod, a few microseconds each.
const monitorPeriod = 200 * time.Millisecond

// keepMonitorAwake keeps a timer pending until the worker exits: each one,
// when it fires, sets the next. No goroutine waits for them, so the count
// that cells see in runtime.NumGoroutine stays as it was.
func keepMonitorAwake() {
	var rearm func()
	rearm = func() { time.AfterFunc(monitorPeriod, rearm) }
	rearm()
}
