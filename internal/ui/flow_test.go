package ui

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// flowProgram is the wizard running in a teatest program, with what a
// person would see: its output goes through a terminal emulator. The
// renderer redraws only the cells that changed, so a word already on the
// screen may never appear whole in the byte stream again; tests read the
// screen, not the stream.
type flowProgram struct {
	*teatest.TestModel
	emu *vt.Emulator // written only by waitOut, on the test goroutine
}

// startProgram runs the wizard in a teatest program at 80x24 without
// colour.
func startProgram(t *testing.T, eng Engine, disc Discovery, cfg Config) *flowProgram {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg.Engine, cfg.Discovery = eng, disc
	if cfg.SaveDir == "" {
		cfg.SaveDir = t.TempDir()
	}
	cfg = cfg.withDefaults()
	opts := append(programOptions(ctx, cfg),
		tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	return watch(t, teatest.NewTestModel(t, newModel(ctx, cfg), teatest.WithInitialTermSize(80, 24), teatest.WithProgramOptions(opts...)))
}

// watch shows an 80x24 teatest program's output on a terminal emulator.
func watch(t *testing.T, tm *teatest.TestModel) *flowProgram {
	t.Helper()
	// A test that stops early leaves the program running. Quit it before
	// its context is cancelled: a program killed by its context makes
	// teatest fail the finished test from its own goroutine, which panics
	// the whole run.
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second),
			teatest.WithTimeoutFn(func(tb testing.TB) { tb.Error("the wizard did not quit") }))
	})
	emu := vt.NewEmulator(80, 24)
	// The emulator's answers to terminal queries are not needed (teatest
	// gives the program its size); read them so that they never block it.
	// The emulator is not closed: vt's Close races with that Read; the
	// goroutine ends with the test binary.
	go func() { _, _ = io.Copy(io.Discard, emu) }()
	return &flowProgram{TestModel: tm, emu: emu}
}

// waitOut waits until the screen shows every token at once.
func waitOut(t *testing.T, p *flowProgram, tokens ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var buf [32 << 10]byte
	for {
		for {
			n, _ := p.Output().Read(buf[:])
			if n == 0 {
				break
			}
			// A terminal's line discipline turns \n into \r\n (ONLCR);
			// the program's output is no terminal, so do it here.
			_, _ = p.emu.Write(bytes.ReplaceAll(buf[:n], []byte("\n"), []byte("\r\n")))
		}
		screen := p.emu.String()
		missing := ""
		for _, tok := range tokens {
			if !strings.Contains(screen, tok) {
				missing = tok
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q on the screen:\n%s", missing, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// keys sends named keys to the program.
func keys(p *flowProgram, names ...string) {
	for _, n := range names {
		p.Send(keyMsg(n))
	}
}

// finalModel quits from the home screen and returns the final model.
func finalModel(t *testing.T, tm *flowProgram) *model {
	t.Helper()
	waitOut(t, tm, "New landscape")
	keys(tm, "q")
	return tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*model)
}

// applyNewLandscape goes from the home screen through the form (PRD, the
// proposed names, the discovered roles, no advanced options), the plan and
// its confirmation, to a finished apply.
func applyNewLandscape(t *testing.T, tm *flowProgram) {
	t.Helper()
	keys(tm, "n")
	waitOut(t, tm, "SAP system ID")
	tm.Type("PRD")
	waitOut(t, tm, "> PRD") // the input, not the hint "e.g. PRD"
	keys(tm, "enter", "enter", "enter")
	waitOut(t, tm, "Buckets and keys", "hana-backup-prd-123456789012-eu-central-1")
	keys(tm, "enter", "enter", "enter", "enter")
	waitOut(t, tm, "instance profile hana-backup-ec2")
	keys(tm, "enter")
	waitOut(t, tm, "AdministratorAccess attached")
	keys(tm, "enter")
	waitOut(t, tm, "Recovery window")
	keys(tm, "enter")
	waitOut(t, tm, "Change advanced options?")
	keys(tm, "enter")
	waitOut(t, tm, "policy documents", "Applying saves the answers to:")
	keys(tm, "a")
	waitOut(t, tm, "Apply this plan")
	keys(tm, "y")
	waitOut(t, tm, "Apply finished.")
}

func TestFlowNewLandscapeEndToEnd(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	dir := t.TempDir()
	tm := startProgram(t, eng, goodDiscovery(), Config{Region: "eu-central-1", SaveDir: dir})
	waitOut(t, tm, "New landscape", "KMS admin role candidate")
	applyNewLandscape(t, tm)
	keys(tm, "esc")
	m := finalModel(t, tm)

	if eng.count("Apply") != 1 {
		t.Fatalf("Apply called %d times", eng.count("Apply"))
	}
	if got := eng.last("Apply"); got.OriginalBucketName != testLandscape().OriginalBucketName || got.SID != "PRD" {
		t.Errorf("applied %s %s", got.SID, got.OriginalBucketName)
	}
	if _, err := os.Stat(filepath.Join(dir, "landscape-PRD.yaml")); err != nil {
		t.Errorf("answers not saved: %v", err)
	}
	if m.exitErr != nil {
		t.Errorf("exit error %v after a normal quit", m.exitErr)
	}
	ep := m.epilogue()
	for _, w := range []string{"Saved the answers to " + filepath.Join(dir, "landscape-PRD.yaml"), "Apply of PRD finished"} {
		if !strings.Contains(ep, w) {
			t.Errorf("epilogue lacks %q: %q", w, ep)
		}
	}
}

func TestFlowStatusWithDrift(t *testing.T) {
	eng := appliedEngine()
	tm := startProgram(t, eng, goodDiscovery(), Config{})
	waitOut(t, tm, "PRD", "local state and tags")
	keys(tm, "down", "s")
	waitOut(t, tm, "drift", "GLACIER after 7 days", "r refresh")
	keys(tm, "esc")
	m := finalModel(t, tm)
	if eng.count("Status") != 1 || eng.last("Status").SID != "PRD" {
		t.Errorf("status calls %d for %q", eng.count("Status"), eng.last("Status").SID)
	}
	if m.status == nil || m.status.status.Overall != "drift" {
		t.Errorf("final model has no drift status")
	}
}

func TestFlowDestroy(t *testing.T) {
	eng := destroyingEngine()
	tm := startProgram(t, eng, goodDiscovery(), Config{})
	waitOut(t, tm, "PRD", "local state and tags")
	keys(tm, "down", "d")
	waitOut(t, tm, "Type PRD to destroy it")
	tm.Type("QAS")
	keys(tm, "enter")
	waitOut(t, tm, "nothing was destroyed")
	keys(tm, "backspace", "backspace", "backspace")
	tm.Type("PRD")
	keys(tm, "enter")
	waitOut(t, tm, "Destroy finished.")
	keys(tm, "esc")
	m := finalModel(t, tm)
	if eng.count("Destroy") != 1 {
		t.Fatalf("Destroy called %d times", eng.count("Destroy"))
	}
	if !strings.Contains(m.epilogue(), "aws kms cancel-key-deletion") {
		t.Errorf("epilogue lacks how to cancel the key deletion: %q", m.epilogue())
	}
}

func TestFlowAgainstTheRealEngine(t *testing.T) {
	acct := memaws.New(memaws.Options{})
	eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir()})
	disc := discover.New(acct, "eu-central-1")
	dir := t.TempDir()
	tm := startProgram(t, eng, disc, Config{Region: "eu-central-1", SaveDir: dir, Sandbox: true})
	waitOut(t, tm, "New landscape", "KMS admin role candidates", "none yet")
	applyNewLandscape(t, tm)
	keys(tm, "s")
	waitOut(t, tm, "status of PRD")
	keys(tm, "esc")
	m := finalModel(t, tm)

	if m.run == nil || m.run.failedRun() || m.run.result == nil || m.run.result.Succeeded == 0 {
		t.Fatalf("apply against the in-memory account did not succeed: %+v %v", m.run.result, m.run.err)
	}
	if m.status == nil || m.status.status.Overall != steps.OverallOK {
		t.Errorf("status after apply: %+v", m.status)
	}
	saved, err := spec.Load(filepath.Join(dir, "landscape-PRD.yaml"))
	if err != nil {
		t.Fatalf("saved landscape: %v", err)
	}
	if saved.EC2RoleToRunBackup != "arn:aws:iam::123456789012:role/hana-backup-ec2" {
		t.Errorf("saved EC2 role %q", saved.EC2RoleToRunBackup)
	}
}
