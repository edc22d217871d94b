package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// blockingOpen is a Config.Open that returns s only once release is
// closed; opened is closed when it starts.
func blockingOpen(s Session) (open func(context.Context) (Session, error), opened, release chan struct{}) {
	opened, release = make(chan struct{}), make(chan struct{})
	return func(ctx context.Context) (Session, error) {
		close(opened)
		select {
		case <-release:
			return s, nil
		case <-ctx.Done():
			return Session{}, ctx.Err()
		}
	}, opened, release
}

// The first frame does not wait for the account: the home screen says it
// is checking credentials while Open is still running, and the sandbox
// banner with its reason appears once Open answers.
func TestFirstFrameBeforeAccountIsResolved(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	reason := "No AWS credentials found, so this is the sandbox: an in-memory account kept in /state/sandbox. Use --profile to work with AWS."
	open, opened, release := blockingOpen(Session{Engine: eng, Discovery: goodDiscovery(),
		Region: "eu-central-1", Sandbox: true, SandboxReason: reason, HintFlags: " --sandbox"})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := Config{Open: open, StateDir: "/state", SaveDir: t.TempDir()}.withDefaults()
	opts := append(programOptions(ctx, cfg), tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	tm := watch(t, teatest.NewTestModel(t, newModel(ctx, cfg), teatest.WithInitialTermSize(80, 24), teatest.WithProgramOptions(opts...)))

	waitOut(t, tm, "checking for AWS credentials")
	select {
	case <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("Open was never called")
	}
	keys(tm, "n") // nothing to create a landscape in yet
	close(release)
	waitOut(t, tm, "SANDBOX", "No AWS credentials found", "New landscape", "PRD")
	keys(tm, "q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*model)
	if fm.screen != scrHome {
		t.Errorf("screen = %v, want home: a key pressed while resolving must do nothing", fm.screen)
	}
	if !fm.cfg.Sandbox || fm.cfg.Engine != eng || fm.cfg.HintFlags != " --sandbox" || fm.cfg.Region != "eu-central-1" {
		t.Errorf("the session was not swapped in: %+v", fm.cfg)
	}
	if eng.count("Identity") == 0 || fm.disc.identityState != loaded {
		t.Error("discovery did not start after the session arrived")
	}
}

// An error from Open ends the wizard with that error (the CLI prints it
// with its hint, as before the wizard started).
func TestOpenErrorEndsWizard(t *testing.T) {
	want := errors.New("profile prod: no such profile")
	cfg := Config{Open: func(context.Context) (Session, error) { return Session{}, want }, SaveDir: t.TempDir()}
	h := &harness{t: t, m: newModel(context.Background(), cfg), msgs: make(chan tea.Msg, 16)}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(h.m.Init())
	h.waitFor("quit", func() bool { return h.quit })
	if err := exitError(context.Background(), h.m, nil); !errors.Is(err, want) {
		t.Fatalf("Run's error = %v, want %v", err, want)
	}
}
