package moto

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the server in its own process group, so Stop reaches
// any children, and has the kernel kill it if the test binary dies first.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killProcessGroup signals the server's process group: SIGTERM, or SIGKILL
// when hard is set.
func killProcessGroup(cmd *exec.Cmd, hard bool) {
	sig := syscall.SIGTERM
	if hard {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
