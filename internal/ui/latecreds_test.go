package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/steps"
)

// The account the credential lookup finds late, and the sandbox's.
var (
	lateIdentity = steps.Identity{Account: "444455556666", Partition: "aws",
		Arn: "arn:aws:sts::444455556666:assumed-role/HanaBackupAdmin/i-0abc1234def567890"}
	sandboxIdentity = steps.Identity{Account: "000011112222", Partition: "aws",
		Arn: "arn:aws:iam::000011112222:user/sandbox"}
)

const stillLooking = "No AWS credentials found yet, so this is the sandbox for now; still looking."

// lateSetup is a wizard whose Open blocks until the test releases it and
// whose Fallback opens a sandbox session at once.
type lateSetup struct {
	cfg       Config
	sandbox   *fakeEngine
	fallbacks *atomic.Int32
	opened    chan struct{}
	release   chan struct{}
}

// newLateSetup: Open answers late with the session late, or the error
// lateErr.
func newLateSetup(t *testing.T, late Session, lateErr error) *lateSetup {
	sb := &fakeEngine{identity: sandboxIdentity}
	ls := &lateSetup{sandbox: sb, fallbacks: &atomic.Int32{}, opened: make(chan struct{}), release: make(chan struct{})}
	sbSession := Session{Engine: sb, Discovery: goodDiscovery(), Region: "eu-central-1", StateDir: t.TempDir(),
		Sandbox: true, SandboxReason: stillLooking, HintFlags: " --sandbox"}
	ls.cfg = Config{
		Open: func(ctx context.Context) (Session, error) {
			close(ls.opened)
			select {
			case <-ls.release:
				return late, lateErr
			case <-ctx.Done():
				return Session{}, ctx.Err()
			}
		},
		Fallback: func(context.Context) (Session, error) {
			ls.fallbacks.Add(1)
			return sbSession, nil
		},
		FallbackAfter: time.Millisecond,
		SaveDir:       t.TempDir(),
	}
	return ls
}

// startLate runs cfg in the harness until the fallback session's home
// screen has discovered its account.
func startLate(t *testing.T, cfg Config) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, m: newModel(ctx, cfg), msgs: make(chan tea.Msg, 256), working: map[int]time.Time{}}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(h.m.Init())
	h.waitFor("the sandbox session", func() bool { return !h.m.resolving && !h.m.disc.loading() })
	return h
}

func awsSession(eng Engine) Session {
	return Session{Engine: eng, Discovery: goodDiscovery(), Profile: "", Region: "eu-west-1", StateDir: "/state"}
}

// With the credential lookup hanging, the sandbox home screen appears
// before Open returns; the credentials it then finds are offered on the
// home screen, and w switches to them as a normal Open result would.
func TestSandboxWhileCredentialLookupHangs(t *testing.T) {
	aws := &fakeEngine{identity: lateIdentity, known: knownPRD()}
	ls := newLateSetup(t, awsSession(aws), nil)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := ls.cfg.withDefaults()
	opts := append(programOptions(ctx, cfg), tea.WithColorProfile(colorprofile.Ascii),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	tm := watch(t, teatest.NewTestModel(t, newModel(ctx, cfg), teatest.WithInitialTermSize(80, 24), teatest.WithProgramOptions(opts...)))

	// Open is still blocked (the test holds release): the sandbox is on
	// screen, saying why, and takes keys.
	waitOut(t, tm, "SANDBOX", "the sandbox for now", "+ New landscape", "account 000011112222")
	select {
	case <-ls.opened:
	default:
		t.Fatal("Open was not called before the fallback")
	}
	close(ls.release)
	waitOut(t, tm, "AWS credentials found: account", "444455556666", "HanaBackupAdmin", "Press w")
	// At 80 columns the help line names the offer's key and still quit.
	waitOut(t, tm, "w switch to AWS", "q quit")
	keys(tm, "w")
	waitOut(t, tm, "account 444455556666", "PRD", "QAS")
	fm := finalModel(t, tm)
	if fm.cfg.Engine != aws || fm.cfg.Sandbox || fm.cfg.Region != "eu-west-1" || fm.cfg.StateDir != "/state" || fm.cfg.HintFlags != "" {
		t.Errorf("w did not swap in the AWS session: %+v", fm.cfg)
	}
	if fm.disc.identity.Account != "444455556666" {
		t.Errorf("the home screen shows account %q after the switch", fm.disc.identity.Account)
	}
	if ls.fallbacks.Load() != 1 {
		t.Errorf("Fallback ran %d times, want 1", ls.fallbacks.Load())
	}
	if fm.late.offer != nil {
		t.Error("the offer is still pending after the switch")
	}
}

// A lookup that ends without credentials (Open answers with the sandbox)
// offers nothing: the wizard stays in its sandbox session and the banner
// says the search is over.
func TestLateNoCredentialsOffersNothing(t *testing.T) {
	final := "No AWS credentials found, so this is the sandbox: an in-memory account kept in /state/sandbox."
	other := &fakeEngine{identity: sandboxIdentity}
	ls := newLateSetup(t, Session{Engine: other, Discovery: goodDiscovery(), Region: "eu-central-1",
		StateDir: "/state", Sandbox: true, SandboxReason: final, HintFlags: " --sandbox"}, nil)
	h := startLate(t, ls.cfg)
	if !strings.Contains(h.screen(), "still looking") {
		t.Fatalf("the fallback banner does not say the search goes on:\n%s", h.screen())
	}
	close(ls.release)
	h.waitScreen("No AWS credentials found, so this is the sandbox")
	h.press("w")
	if s := h.screen(); strings.Contains(s, "credentials found:") || strings.Contains(s, "still looking") || strings.Contains(s, "switch") {
		t.Errorf("the screen offers something or still says it is looking:\n%s", s)
	}
	if h.m.cfg.Engine != ls.sandbox || !h.m.cfg.Sandbox || h.m.late.offer != nil {
		t.Errorf("the session changed after a lookup that found nothing: %+v", h.m.cfg)
	}
	if other.count("Identity") != 0 {
		t.Error("the second sandbox session was used")
	}
}

// A lookup that fails shows its error on the home screen and leaves the
// user in the sandbox session (the wizard does not end).
func TestLateLookupErrorKeepsSandbox(t *testing.T) {
	ls := newLateSetup(t, Session{}, errors.New("load AWS configuration: failed to parse ~/.aws/config, line 3"))
	h := startLate(t, ls.cfg)
	close(ls.release)
	h.waitScreen("line 3")
	if h.quit || h.m.exitErr != nil {
		t.Fatalf("a failed lookup ended the wizard (%v)", h.m.exitErr)
	}
	if h.m.cfg.Engine != ls.sandbox || !h.m.cfg.Sandbox {
		t.Errorf("a failed lookup changed the session: %+v", h.m.cfg)
	}
	if strings.Contains(h.screen(), "still looking") {
		t.Errorf("the banner still says the search goes on:\n%s", h.screen())
	}
	h.press("n")
	if h.m.screen != scrForm {
		t.Errorf("the sandbox session no longer takes keys: screen %v", h.m.screen)
	}
}

// Credentials whose identity check fails are not offered; the failure is
// shown instead.
func TestLateCredentialsThatFailAreNotOffered(t *testing.T) {
	aws := &fakeEngine{identityErr: errors.New("sts:GetCallerIdentity: ExpiredToken: the security token included in the request is expired")}
	ls := newLateSetup(t, awsSession(aws), nil)
	h := startLate(t, ls.cfg)
	close(ls.release)
	h.waitScreen("AWS credentials were found but do not work")
	h.press("w")
	if h.m.cfg.Engine != ls.sandbox || strings.Contains(h.screen(), "press w") {
		t.Errorf("credentials that do not work were offered or taken:\n%s", h.screen())
	}
}

// The offer never interrupts: found while the user is in the form, it
// waits for the home screen; w in the form is just a letter. Switching
// keeps the sandbox answers as the sandbox's draft.
func TestCredentialsOfferWaitsForHome(t *testing.T) {
	aws := &fakeEngine{identity: lateIdentity}
	ls := newLateSetup(t, awsSession(aws), nil)
	h := startLate(t, ls.cfg)
	sandboxState := h.m.cfg.StateDir
	h.press("n")
	h.waitFocus("sid")
	close(ls.release)
	h.waitFor("the offer", func() bool { return h.m.late.offer != nil })
	h.typeText("w")
	if h.m.screen != scrForm || h.m.cfg.Engine != ls.sandbox {
		t.Fatalf("the offer disturbed the form: screen %v, engine %v", h.m.screen, h.m.cfg.Engine)
	}
	if strings.Contains(h.screen(), "AWS credentials found: account") {
		t.Errorf("the form shows the offer:\n%s", h.screen())
	}
	h.press("esc")
	h.waitFor("home", func() bool { return h.m.screen == scrHome })
	h.waitScreen("AWS credentials found: account")
	h.press("w")
	h.waitFor("the AWS account", func() bool { return h.m.disc.identity.Account == lateIdentity.Account })
	if h.m.cfg.Engine != aws {
		t.Fatal("w on the home screen did not switch")
	}
	if _, err := os.Stat(filepath.Join(sandboxState, "sandbox", "draft-landscape.json")); err != nil {
		t.Errorf("the sandbox answers were not kept as its draft: %v", err)
	}
	if h.m.wiz != nil {
		t.Error("the sandbox form is still open after the switch")
	}
}

// Discovery answers of the sandbox session that arrive after the switch
// are dropped: they are about another account.
func TestStaleDiscoveryDroppedAfterSwitch(t *testing.T) {
	aws := &fakeEngine{identity: lateIdentity}
	ls := newLateSetup(t, awsSession(aws), nil)
	gate := make(chan struct{})
	sb := ls.cfg.Fallback
	ls.cfg.Fallback = func(ctx context.Context) (Session, error) {
		s, err := sb(ctx)
		s.Discovery = &fakeDiscovery{regions: []discover.RegionInfo{{Name: "sa-east-1", Enabled: true}}, gate: gate}
		return s, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, m: newModel(ctx, ls.cfg), msgs: make(chan tea.Msg, 256), working: map[int]time.Time{}}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(h.m.Init())
	h.waitFor("the sandbox identity", func() bool { return h.m.disc.identity.Account == sandboxIdentity.Account })
	close(ls.release)
	h.waitScreen("AWS credentials found: account")
	h.press("w")
	h.waitFor("the AWS discovery", func() bool { return h.m.cfg.Engine == aws && !h.m.disc.loading() })
	close(gate) // the sandbox's regions answer now
	h.settle()
	if _, ok := h.m.disc.cat.region("sa-east-1"); ok {
		t.Error("the sandbox's late answer replaced the AWS account's regions")
	}
	if _, ok := h.m.disc.cat.region("eu-west-1"); !ok {
		t.Error("the AWS account's regions are gone")
	}
}

// When Open answers within the grace period, the fallback never opens.
func TestNoFallbackWhenOpenAnswers(t *testing.T) {
	aws := &fakeEngine{identity: lateIdentity}
	n := 0
	cfg := Config{
		Open:          func(context.Context) (Session, error) { return awsSession(aws), nil },
		Fallback:      func(context.Context) (Session, error) { n++; return Session{}, errors.New("unused") },
		FallbackAfter: time.Hour,
		SaveDir:       t.TempDir(),
	}
	h := startLate(t, cfg)
	h.send(fallbackDueMsg{}) // the grace period ends after Open answered
	h.settle()
	if n != 0 || h.m.cfg.Engine != aws {
		t.Errorf("Fallback ran %d times after Open answered; AWS session in use: %v", n, h.m.cfg.Engine == aws)
	}
}
