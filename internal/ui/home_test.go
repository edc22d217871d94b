package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

func knownPRD() []steps.KnownLandscape {
	l := testLandscape()
	q := spec.Defaults("QAS", testAccount, "eu-central-1", "eu-west-1")
	return []steps.KnownLandscape{
		{SID: "PRD", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Local: true, Tagged: true, Overall: steps.OverallOK, Landscape: &l},
		{SID: "QAS", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Tagged: true, Overall: steps.OverallHalfApplied, Landscape: &q},
	}
}

func TestHomeShowsIdentityLandscapesAndDiscovery(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	h := newHarness(t, eng, goodDiscovery(), Config{
		Profile: "basis", Region: "eu-central-1", Sandbox: true, StateDir: "/home/basis/.local/state/hanavault",
		SandboxReason: "No AWS credentials found, so this is the sandbox.",
	})
	s := h.screen()
	for _, want := range []string{
		"123456789012", "partition aws", "arn:aws:iam::123456789012:user/basis-admin",
		"basis", "eu-central-1", "State     /home/basis/.local/state/hanavault",
		"SANDBOX", "No AWS credentials found",
		"+ New landscape",
		"PRD  eu-central-1 → eu-west-1", "ok", "local state and tags",
		"QAS", "half-applied", "tags only",
		"3 regions enabled, 1 more need opt-in",
		"1 role trusting EC2 (1 with an instance profile)",
		"1 KMS admin role candidate",
		"enter open", "q quit",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("home screen lacks %q:\n%s", want, s)
		}
	}
	if eng.count("Known") != 1 {
		t.Errorf("Known called %d times, want 1", eng.count("Known"))
	}
}

func TestHomeDiscoveryFailuresSayWhatFailedAndHow(t *testing.T) {
	regErr := accessDenied("ec2:DescribeRegions")
	roleErr := accessDenied("iam:ListRoles")
	disc := &fakeDiscovery{regionsErr: regErr, ec2Err: roleErr, admin: testAdminRoles()}
	eng := &fakeEngine{identity: testIdentity, knownErr: accessDenied("tag:GetResources")}
	h := newHarness(t, eng, disc, Config{Region: "eu-central-1"})
	s := h.screen()
	for _, err := range []error{regErr, roleErr} {
		hint := discover.Explain(err)
		if !strings.Contains(s, hint.Problem[:40]) {
			t.Errorf("screen lacks the problem %q:\n%s", hint.Problem, s)
		}
		if hint.Fix != "" && !strings.Contains(s, "Fix:") {
			t.Errorf("screen lacks the fix %q:\n%s", hint.Fix, s)
		}
	}
	for _, want := range []string{"listing regions failed", "looking for EC2 backup roles failed",
		"could not list landscapes", "You can still type regions and role names in the form."} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
}

func TestHomeNeverBlocksOnDiscovery(t *testing.T) {
	disc := goodDiscovery()
	disc.gate = make(chan struct{})
	eng := &fakeEngine{identity: testIdentity}
	h := newHarness(t, eng, disc, Config{Region: "eu-central-1"})
	h.waitScreen("listing regions…")
	// The form opens and takes input while discovery is still loading.
	h.press("n")
	if h.m.screen != scrForm {
		t.Fatalf("n did not open the form while discovery loads")
	}
	h.typeText("PRD")
	if h.m.wiz.p.SID != "PRD" {
		t.Fatalf("SID = %q while discovery loads", h.m.wiz.p.SID)
	}
	if !strings.Contains(h.screen(), "Loading regions from AWS") {
		t.Errorf("region picker does not say it is loading:\n%s", h.screen())
	}
	close(disc.gate)
	h.waitFor("discovery", func() bool { return !h.m.disc.loading() })
	// The pickers reload their options with what discovery found (in a
	// command of their own, so wait for it rather than for quiet).
	h.waitScreen("eu-south-2      Europe (Spain) · not enabled (opt-in)")
	if strings.Contains(h.screen(), "Loading regions from AWS") {
		t.Errorf("region picker still says loading:\n%s", h.screen())
	}
}

func TestHomeKeys(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("s")
	if !strings.Contains(h.screen(), "Select a landscape first") {
		t.Errorf("s with no landscape selected gives no hint:\n%s", h.screen())
	}
	h.press("down", "down")
	if k, ok := h.m.selected(); !ok || k.SID != "QAS" {
		t.Fatalf("selected %v %v, want QAS", k.SID, ok)
	}
	h.press("down") // stays on the last row
	if k, _ := h.m.selected(); k.SID != "QAS" {
		t.Fatalf("cursor moved past the last row to %q", k.SID)
	}
	h.press("r")
	h.waitFor("rediscovery", func() bool { return eng.count("Known") == 2 && !h.m.disc.loading() })
	h.press("q")
	if !h.quit {
		t.Fatalf("q on home did not quit")
	}
}

func TestCtrlCOnHomeInterrupts(t *testing.T) {
	h := newHarness(t, &fakeEngine{identity: testIdentity}, goodDiscovery(), Config{})
	h.press("ctrl+c")
	if !h.interrupt {
		t.Fatalf("ctrl+c on home did not interrupt")
	}
}

func TestEscOnHomeQuits(t *testing.T) {
	h := newHarness(t, &fakeEngine{identity: testIdentity}, goodDiscovery(), Config{})
	h.press("esc")
	if !h.quit {
		t.Fatalf("esc on home did not quit")
	}
}

func TestKnownLandscapeWithoutSpecUsesTheEngineLoader(t *testing.T) {
	l := testLandscape()
	eng := &loaderEngine{fakeEngine: &fakeEngine{identity: testIdentity, status: func(l spec.Landscape) (*steps.Status, error) {
		return testStatus(l), nil
	}}, land: l}
	eng.known = []steps.KnownLandscape{{SID: "PRD", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Tagged: true, Overall: steps.OverallOK}}
	h := newHarness(t, eng.fakeEngine, goodDiscovery(), Config{})
	h.m.cfg.Engine = eng
	h.press("down", "enter")
	h.waitFor("status", func() bool { return h.m.screen == scrStatus })
	if !eng.fromTags {
		t.Errorf("a landscape found only by tags was not loaded from tags")
	}
	if got := eng.last("Status"); got.OriginalBucketName != l.OriginalBucketName {
		t.Errorf("status of %q, want the loaded landscape", got.OriginalBucketName)
	}
}

// loaderEngine adds LoadLandscape to the fake, as *steps.Engine has it.
type loaderEngine struct {
	*fakeEngine
	land     spec.Landscape
	fromTags bool
}

func (e *loaderEngine) LoadLandscape(_ context.Context, sid string, fromTags bool) (spec.Landscape, error) {
	e.fromTags = fromTags
	return e.land, nil
}

// TestFixesNameTheProfileInUse: the fix for an expired SSO session names
// the profile the wizard runs with (--profile), else $AWS_PROFILE.
func TestFixesNameTheProfileInUse(t *testing.T) {
	expired := errors.New("get caller identity: refresh cached sso token failed: the SSO session has expired")
	for _, c := range []struct {
		name, profile, env, want string
	}{
		{"flag", "prod", "", "aws sso login --profile prod"},
		{"flag over environment", "prod", "dev", "aws sso login --profile prod"},
		{"environment", "", "dev", "aws sso login --profile dev"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", c.env)
			eng := &fakeEngine{identityErr: expired}
			h := newHarness(t, eng, goodDiscovery(), Config{Profile: c.profile, Region: "eu-central-1"})
			if s := h.screen(); !strings.Contains(s, c.want) {
				t.Errorf("home screen lacks %q:\n%s", c.want, s)
			}
		})
	}
}

// TestHomeAndStatusShowATornJournal: a landscape whose journal's last line
// a crash tore says so on the home screen and on its status screen.
func TestHomeAndStatusShowATornJournal(t *testing.T) {
	known := knownPRD()
	known[0].TornJournalLine = 7
	eng := &fakeEngine{identity: testIdentity, known: known, status: func(l spec.Landscape) (*steps.Status, error) {
		return testStatus(l), nil
	}}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	if s := h.screen(); !strings.Contains(s, "journal line 7 torn") {
		t.Errorf("home screen does not show the torn journal:\n%s", s)
	}
	h.press("down", "enter")
	h.waitFor("status", func() bool { return h.m.screen == scrStatus })
	if s := h.screen(); !strings.Contains(s, "line 7") || !strings.Contains(s, "torn by a crash") {
		t.Errorf("status screen does not show the torn journal:\n%s", s)
	}
}
