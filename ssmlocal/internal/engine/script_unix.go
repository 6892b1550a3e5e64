//go:build unix

package engine

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the script in its own process group, so the
// processes it starts end with it; where the system can, the script is
// also killed if the endpoint dies without stopping it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
}

// killProcessGroup kills the script and every process of its group.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
