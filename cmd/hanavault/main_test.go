package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
)

// The test binary doubles as hanavault: with HANAVAULT_TEST_MAIN set it
// runs main with the arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("HANAVAULT_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"hanavault"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// hanavault returns a command running main in a child process.
func hanavault(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "HANAVAULT_TEST_MAIN=1", "NO_COLOR=1", "AWS_ENDPOINT_URL=")
	return cmd
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("run hanavault: %v", err)
	}
	return 0
}

func TestExitCodesFromMain(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--version"}, 0, "hanavault dev\n"},
		{[]string{"frobnicate"}, 2, ""},
		{[]string{"plan", "-f", filepath.Join(t.TempDir(), "missing.yaml")}, 1, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			cmd := hanavault(t, tt.args...)
			cmd.Stdout = &out
			if code := exitCode(t, cmd.Run()); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if tt.out != "" && out.String() != tt.out {
				t.Errorf("stdout %q, want %q", out.String(), tt.out)
			}
		})
	}
}

// TestSIGINTAtConfirmationExits130 runs apply on a terminal against the
// sandbox, waits for the confirmation question and interrupts it.
func TestSIGINTAtConfirmationExits130(t *testing.T) {
	state := t.TempDir()
	l := spec.Defaults("PRD", "123456789012", "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = memaws.SeedBackupRole, memaws.SeedKMSAdminRole
	file := filepath.Join(t.TempDir(), "landscape.yaml")
	if err := os.WriteFile(file, spec.Marshal(l), 0o600); err != nil {
		t.Fatal(err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	cmd := hanavault(t, "apply", "-f", file, "--sandbox", "--state-dir", state)
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()

	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	seen := func(s string) bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(screen.String(), s)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !seen("Type yes to continue") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no confirmation question; terminal:\n%s", screen.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if code := exitCode(t, err); code != 130 {
			t.Errorf("exit %d after SIGINT, want 130; terminal:\n%s", code, screen.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("hanavault did not stop after SIGINT")
	}
	if !strings.Contains(stdout.String(), "Plan: ") {
		t.Errorf("the plan was not printed to stdout:\n%s", stdout.String())
	}
	for !seen("Interrupted.") {
		if time.Now().After(deadline) {
			t.Fatalf("no interruption message; terminal:\n%s", screen.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
