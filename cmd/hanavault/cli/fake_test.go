package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/ui"
)

const testAccount = "111122223333"

var testIdentity = steps.Identity{Account: testAccount, Partition: "aws", Arn: "arn:aws:iam::111122223333:user/basis"}

// fakeEngine scripts the engine's answers and records what the CLI asked.
type fakeEngine struct {
	mu    sync.Mutex
	calls []string

	identityErr error
	loadErr     error // what LoadLandscape fails with, when set
	destroyed   map[string]*steps.DestroyedLandscape
	known       []steps.KnownLandscape
	landscapes  map[string]spec.Landscape
	issues      []steps.PreflightIssue
	plan        *steps.Plan
	status      *steps.Status
	preview     *steps.DestroyPreview
	result      *steps.Result
	runErr      error
	events      []steps.Event
	// during runs inside Apply/Destroy after the events were sent (a
	// signal arriving mid-run, for example).
	during func()
	// got is the landscape the last call received.
	got spec.Landscape
	// destroyOpts are the options of every destroy preview and destroy.
	destroyOpts []steps.DestroyOptions
	// torn is the torn journal line TornJournal reports.
	torn *journal.Torn
}

func (e *fakeEngine) record(name string, l spec.Landscape) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, name)
	e.got = l
}

func (e *fakeEngine) called(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.calls {
		if c == name {
			return true
		}
	}
	return false
}

func (e *fakeEngine) Identity(ctx context.Context) (steps.Identity, error) {
	e.record("Identity", spec.Landscape{})
	if e.identityErr != nil {
		return steps.Identity{}, e.identityErr
	}
	return testIdentity, nil
}

func (e *fakeEngine) Known(ctx context.Context, scanTags bool) ([]steps.KnownLandscape, error) {
	e.record("Known", spec.Landscape{})
	return e.known, nil
}

func (e *fakeEngine) LoadLandscape(ctx context.Context, sid string, fromTags bool) (spec.Landscape, error) {
	e.record("LoadLandscape", spec.Landscape{})
	if e.loadErr != nil {
		return spec.Landscape{}, e.loadErr
	}
	l, ok := e.landscapes[sid]
	if !ok {
		return spec.Landscape{}, fmt.Errorf("%w: no local state for %s", steps.ErrUnknownLandscape, sid)
	}
	return l, nil
}

func (e *fakeEngine) Destroyed(ctx context.Context, sid string) (*steps.DestroyedLandscape, error) {
	e.record("Destroyed", spec.Landscape{})
	return e.destroyed[sid], nil
}

func (e *fakeEngine) Backint(ctx context.Context, l spec.Landscape) (*steps.BackintConfig, error) {
	e.record("Backint", l)
	return &steps.BackintConfig{SID: l.SID, Source: steps.BackintTarget{Region: l.SourceRegion, Bucket: l.OriginalBucketName,
		Folder: l.SID, Account: testAccount, KMSKeyARN: "arn:aws:kms:" + l.SourceRegion + ":" + testAccount + ":key/k1"},
		Replica: steps.BackintTarget{Region: l.ReplicationRegion, Bucket: l.ReplicationBucketName, Folder: l.SID, Account: testAccount,
			KMSKeyARN: "arn:aws:kms:" + l.ReplicationRegion + ":" + testAccount + ":key/k2"}}, nil
}

func (e *fakeEngine) Preflight(ctx context.Context, l spec.Landscape) ([]steps.PreflightIssue, error) {
	e.record("Preflight", l)
	return e.issues, nil
}

func (e *fakeEngine) Plan(ctx context.Context, l spec.Landscape) (*steps.Plan, error) {
	e.record("Plan", l)
	return e.plan, nil
}

func (e *fakeEngine) run(name string, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	e.record(name, l)
	for _, ev := range e.events {
		sink.Emit(ev)
	}
	if e.during != nil {
		e.during()
	}
	return e.result, e.runErr
}

func (e *fakeEngine) Apply(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return e.run("Apply", l, sink)
}

func (e *fakeEngine) RollbackLastRun(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return e.run("RollbackLastRun", l, sink)
}

func (e *fakeEngine) Status(ctx context.Context, l spec.Landscape) (*steps.Status, error) {
	e.record("Status", l)
	return e.status, nil
}

func (e *fakeEngine) PreviewDestroy(ctx context.Context, l spec.Landscape) (*steps.DestroyPreview, error) {
	e.record("PreviewDestroy", l)
	return e.preview, nil
}

func (e *fakeEngine) Destroy(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	return e.run("Destroy", l, sink)
}

// PreviewDestroyWith and DestroyWith record under the names of the calls
// without options, and keep the options destroy passed.
func (e *fakeEngine) PreviewDestroyWith(ctx context.Context, l spec.Landscape, o steps.DestroyOptions) (*steps.DestroyPreview, error) {
	e.destroyOpts = append(e.destroyOpts, o)
	return e.PreviewDestroy(ctx, l)
}

func (e *fakeEngine) DestroyWith(ctx context.Context, l spec.Landscape, sink steps.Sink, o steps.DestroyOptions) (*steps.Result, error) {
	e.destroyOpts = append(e.destroyOpts, o)
	return e.Destroy(ctx, l, sink)
}

func (e *fakeEngine) TornJournal(ctx context.Context, sid string) (*journal.Torn, error) {
	return e.torn, nil
}

var _ Engine = (*fakeEngine)(nil)

// harness runs the CLI against test streams and a fake engine.
type harness struct {
	t       *testing.T
	ios     *iostreams.IOStreams
	in      *bytes.Buffer
	out     *bytes.Buffer
	errOut  *bytes.Buffer
	eng     *fakeEngine
	env     map[string]string
	openErr error
	sandbox bool
	region  string

	opened  []app.Options
	wizards []ui.Config
	// wizardErr is what the fake wizard returns.
	wizardErr error
}

func newHarness(t *testing.T) *harness {
	ios, in, out, errOut := iostreams.Test()
	return &harness{t: t, ios: ios, in: in, out: out, errOut: errOut, eng: &fakeEngine{}, env: map[string]string{}, region: "eu-central-1"}
}

// tty makes stdin and stderr terminals, so the CLI may ask.
func (h *harness) tty() *harness {
	h.ios.SetStdinTTY(true)
	h.ios.SetStderrTTY(true)
	return h
}

func (h *harness) factory() *Factory {
	return &Factory{
		IO: h.ios,
		Open: func(ctx context.Context, o app.Options) (*Session, error) {
			h.opened = append(h.opened, o)
			if h.openErr != nil {
				return nil, h.openErr
			}
			s := &Session{Engine: h.eng, Region: h.region, Profile: o.Profile, StateDir: "/state"}
			if h.sandbox || o.Sandbox {
				s.Sandbox, s.SandboxReason = true, "This is the sandbox (--sandbox)."
			}
			return s, nil
		},
		Wizard: func(ctx context.Context, cfg ui.Config) error {
			if cfg.Open != nil { // as ui.Run does, after its first frame
				s, err := cfg.Open(ctx)
				if err != nil {
					return err
				}
				cfg = cfg.WithSession(s)
			}
			h.wizards = append(h.wizards, cfg)
			return h.wizardErr
		},
		Getenv: func(k string) string { return h.env[k] },
		Build:  BuildInfo{Version: "1.2.3", Commit: "abc1234", Date: "2026-06-01"},
	}
}

// run runs hanavault with args and returns the exit code and the error.
func (h *harness) run(ctx context.Context, args ...string) (int, error) {
	err := Run(ctx, h.factory(), args)
	return ExitCode(err), err
}

// landscapeFile writes a valid landscape.yaml and returns its path.
func landscapeFile(t *testing.T) (string, spec.Landscape) {
	t.Helper()
	l := spec.Defaults("PRD", testAccount, "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup = "hana-prd-ec2"
	l.KMSAdminRole = "KMSAdmin"
	path := filepath.Join(t.TempDir(), "landscape.yaml")
	if err := os.WriteFile(path, spec.Marshal(l), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, l.Normalized()
}

func testPlan(actions ...steps.Action) *steps.Plan {
	p := &steps.Plan{SID: "PRD", Identity: testIdentity, SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1"}
	for i, a := range actions {
		p.Changes = append(p.Changes, steps.Change{
			ID: []string{"source/key", "source/bucket", "source/bucket/versioning"}[i%3], Region: "eu-central-1",
			Component: "backup-bucket", Resource: "hana-backup-prd", Title: "Step " + string(a), Action: a,
		})
	}
	return p
}

var testEvents = []steps.Event{
	{Kind: steps.EventStarted, StepID: "source/key", Action: steps.ActionCreate},
	{Kind: steps.EventDone, StepID: "source/key", Elapsed: 1500 * time.Millisecond},
}

func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, s)
		}
	}
}
