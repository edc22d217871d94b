package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// screen runs a program in a pseudo-terminal and keeps what a person would
// see on it, through a terminal emulator that also answers the program's
// terminal queries.
type screen struct {
	t    *testing.T
	cmd  *exec.Cmd
	pty  *os.File
	emu  *vt.Emulator // guarded by mu: its String is not safe against Write
	done chan struct{}
	err  error
	mu   sync.Mutex
}

const (
	keyEnter = "\r"
	keyEsc   = "\x1b"
)

func startScreen(t *testing.T, bin string, dir string, env []string, args ...string) *screen {
	t.Helper()
	const cols, rows = 100, 30
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		t.Fatalf("start %s in a pty: %v", bin, err)
	}
	s := &screen{t: t, cmd: cmd, pty: f, emu: vt.NewEmulator(cols, rows), done: make(chan struct{})}
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				s.mu.Lock()
				_, _ = s.emu.Write(buf[:n])
				s.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	// The emulator's answers to queries (cursor position, colours, modes)
	// go back to the program as terminal input.
	go func() { _, _ = io.Copy(f, s.emu) }()
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = cmd.Process.Kill()
			<-s.done
		}
		_ = f.Close()
		// The emulator is not closed: vt's Close races with the Read of the
		// answer-copying goroutine; that goroutine ends with the test binary.
	})
	return s
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emu.String()
}

// waitFor waits until every one of wants is on the screen.
func (s *screen) waitFor(wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		txt := s.text()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(txt, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return txt
		}
		select {
		case <-s.done:
			s.t.Fatalf("hanavault exited (%v) while waiting for %q; screen:\n%s", s.err, missing, txt)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %q; screen:\n%s", missing, txt)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// press types keys the way a person does: one at a time.
func (s *screen) press(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if _, err := s.pty.Write([]byte(k)); err != nil {
			s.t.Fatalf("type %q: %v", k, err)
		}
		time.Sleep(60 * time.Millisecond)
	}
}

func (s *screen) typeText(text string) {
	s.t.Helper()
	for _, r := range text {
		s.press(string(r))
	}
}

func (s *screen) wait() error {
	s.t.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(20 * time.Second):
		s.t.Fatalf("hanavault did not exit; screen:\n%s", s.text())
		return nil
	}
}

// buildBinary builds the real hanavault binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hanavault")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is a terminal user's environment without AWS credentials.
func cleanEnv(state string) []string {
	env := []string{"TERM=xterm-256color", "HOME=" + state, "HANAVAULT_STATE_DIR=" + state, "PATH=" + os.Getenv("PATH")}
	return append(env, "AWS_CONFIG_FILE="+filepath.Join(state, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(state, "none"),
		"AWS_EC2_METADATA_DISABLED=true")
}

// ptyBinary builds hanavault for a test that runs it in a pseudo-terminal
// (skipped on Windows, which has none).
func ptyBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminals on Windows")
	}
	return buildBinary(t)
}

// imdsEnv is cleanEnv with the EC2 metadata endpoint at url instead of
// disabled.
func imdsEnv(state, url string) []string {
	env := slices.DeleteFunc(cleanEnv(state), func(v string) bool { return strings.HasPrefix(v, "AWS_EC2_METADATA_DISABLED=") })
	return append(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+url)
}

// TestWizardEndToEndInAPseudoTerminal builds hanavault, runs it in a
// pseudo-terminal against the sandbox, and goes through the journey a
// Basis admin takes: a new landscape through the form, the plan, the apply
// with its progress, the status on the way back, and destroy.
func TestWizardEndToEndInAPseudoTerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no pseudo-terminals on Windows")
	}
	bin := buildBinary(t)
	state, work := t.TempDir(), t.TempDir()
	s := startScreen(t, bin, work, cleanEnv(state), "--sandbox")

	// Home: the sandbox banner, the account, discovery results.
	s.waitFor("SANDBOX", "account 123456789012", "+ New landscape", "roles trusting EC2")

	// Form: SID, regions, names derived from the SID, roles, no advanced options.
	s.press(keyEnter)
	s.waitFor("SAP system ID")
	s.typeText("prd")
	s.waitFor("uppercase")
	s.press("\x7f", "\x7f", "\x7f")
	s.typeText("PRD")
	s.press(keyEnter, keyEnter, keyEnter)
	form := s.waitFor("Buckets and keys")
	if !strings.Contains(form, "hana-backup-prd-123456789012-eu-central-1") || !strings.Contains(form, "alias/hana-backup-prd") {
		t.Fatalf("bucket and alias not derived from the SID:\n%s", form)
	}
	s.press(keyEnter, keyEnter, keyEnter, keyEnter)
	s.waitFor("EC2 backup role", "hana-backup-ec2")
	s.press(keyEnter)
	s.waitFor("KMS admin role")
	s.press(keyEnter)
	s.waitFor("Recovery window")
	s.press(keyEnter)
	s.waitFor("Change advanced options?")
	s.press("n")

	// Plan: the totals and warnings first; G shows the per-setting list
	// with the key creation; then the confirmation.
	s.waitFor("Plan for PRD", "Plan: 43 to create", "Warnings", "policy documents")
	s.press("G")
	if plan := s.waitFor("Global (IAM)"); !strings.Contains(plan, "+ Replication role") {
		t.Fatalf("plan does not list the creations:\n%s", plan)
	}
	saved := filepath.Join(state, "sandbox", "landscapes", "landscape-PRD.yaml")
	if _, err := os.Stat(saved); err == nil {
		t.Fatalf("the answers were saved before the apply was confirmed")
	}
	s.press("a")
	s.waitFor("Apply this plan", "43 to create")
	s.press("y")

	// Apply: every step done, the journal named.
	done := s.waitFor("Apply finished.", "43 of 43 steps")
	if _, err := os.Stat(saved); err != nil {
		t.Fatalf("the answers were not saved when the apply was confirmed: %v", err)
	}
	if !strings.Contains(done, "journal") {
		t.Fatalf("apply screen does not name the journal:\n%s", done)
	}

	// Status: healthy.
	s.press("s")
	s.waitFor("Status of PRD", ": ok")

	// Destroy: a wrong SID is refused, the right one destroys.
	s.press("d")
	s.waitFor("Type PRD to destroy it")
	s.typeText("QAS")
	s.press(keyEnter)
	s.waitFor("that is not PRD: nothing was destroyed")
	s.press("\x7f", "\x7f", "\x7f")
	s.typeText("PRD")
	s.press(keyEnter)
	summary := s.waitFor("Destroy finished.", "scheduled for deletion: 2 KMS keys")
	if !strings.Contains(summary, "cancel-key-deletion") {
		t.Fatalf("destroy summary does not say how to cancel the key deletion:\n%s", summary)
	}

	// Back home and quit.
	s.press(keyEsc)
	s.waitFor("+ New landscape")
	s.press("q")
	if err := s.wait(); err != nil {
		t.Fatalf("hanavault exited with %v after q", err)
	}
}

// TestWizardDrawsBeforeCredentialsAreResolved runs the bare wizard without
// credentials behind an EC2 metadata endpoint that holds every request: the
// sandbox banner appears while the lookup still waits on the endpoint,
// saying the search goes on; once the endpoint gives up, the banner says
// no credentials were found, and nothing is offered.
func TestWizardDrawsBeforeCredentialsAreResolved(t *testing.T) {
	bin := ptyBinary(t)
	imds := heldEndpoint(t)
	s := startScreen(t, bin, t.TempDir(), imdsEnv(t.TempDir(), imds.url))
	s.waitFor("SANDBOX", "this is the sandbox for now", "+ New landscape")
	if imds.held() == 0 {
		t.Fatalf("the sandbox banner is up, but the lookup no longer waits on the metadata endpoint (%d requests seen); screen:\n%s",
			imds.seen(), s.text())
	}
	imds.release()
	txt := s.waitFor("No AWS credentials found, so this is the sandbox", "+ New landscape")
	if strings.Contains(txt, "credentials found:") || strings.Contains(txt, "for now") {
		t.Errorf("after a lookup that found nothing the screen offers credentials or still looks:\n%s", txt)
	}
	s.press("q")
	if err := s.wait(); err != nil {
		t.Fatalf("hanavault exited with %v after q", err)
	}
}
