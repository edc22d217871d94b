//go:build !unix

package moto

import "os/exec"

// setProcessGroup has nothing to set where process groups do not exist.
func setProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the server process.
func killProcessGroup(cmd *exec.Cmd, _ bool) {
	_ = cmd.Process.Kill()
}
