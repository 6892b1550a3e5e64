//go:build linux

package engine

import "syscall"

// dieWithParent has Linux kill the script when the endpoint's process ends.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
