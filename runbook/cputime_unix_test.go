//go:build unix

package runbook

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, GC included. On a
// shared machine it measures the work more steadily than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
