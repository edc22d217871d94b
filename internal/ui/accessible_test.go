package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// runPlain runs the wizard with piped answers (so in accessible mode) and
// returns what it printed.
func runPlain(t *testing.T, ctx context.Context, eng *fakeEngine, disc *fakeDiscovery, cfg Config, answers ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cfg.Engine, cfg.Discovery = eng, disc
	cfg.In = strings.NewReader(strings.Join(answers, "\n") + "\n")
	cfg.Out = &out
	if cfg.SaveDir == "" {
		cfg.SaveDir = t.TempDir()
	}
	err := Run(ctx, cfg)
	return out.String(), err
}

func TestAccessibleNewLandscapeEndToEnd(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	dir := t.TempDir()
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1", SaveDir: dir},
		"1",    // What next? New landscape
		"PRD",  // SID
		"", "", // regions: defaults (eu-central-1 → eu-west-1)
		"", "", "", "", // names: derived defaults
		"", "", // roles: the discovered ones
		"",  // recovery window: not stated
		"",  // advanced options? no
		"y", // show the documents
		"y", // apply
		"2", // What next? Quit
	)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("accessible output carries escape sequences:\n%q", out)
	}
	for _, w := range []string{
		"Account: 123456789012 (partition aws)", "EC2 backup roles: 1 role trusting EC2",
		"1. New landscape", "SAP system ID (SID)",
		"Saved the answers to " + filepath.Join(dir, "landscape-PRD.yaml"),
		"Plan: 5 to create, 1 to update, 1 in sync.",
		`"Sid": "KeyAdministration"`,
		"Apply complete",
		"/state/123456789012/PRD/journal.ndjson",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if eng.count("Apply") != 1 {
		t.Fatalf("Apply called %d times", eng.count("Apply"))
	}
	l := eng.last("Apply")
	want := testLandscape()
	if l.OriginalBucketName != want.OriginalBucketName || l.ReplicationRegion != "eu-west-1" ||
		l.EC2RoleToRunBackup != want.EC2RoleToRunBackup || l.KMSAdminRole != want.KMSAdminRole {
		t.Errorf("applied %+v", l)
	}
	saved, err := spec.Load(filepath.Join(dir, "landscape-PRD.yaml"))
	if err != nil {
		t.Fatalf("saved file does not load: %v", err)
	}
	if saved.OriginalBucketName != want.OriginalBucketName || saved.KMSAdminRole != want.KMSAdminRole {
		t.Errorf("saved landscape %+v", saved)
	}
}

func TestAccessibleReasksInvalidAnswers(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"},
		"1", "prd", "SAP", "PRD", "", "", "", "", "", "", "", "", "", "",
		"n", // show the documents? no
		"n", // apply? no
		"2")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, w := range []string{"SID is reserved by SAP", "Not applied."} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if got := eng.last("Plan").SID; got != "PRD" {
		t.Errorf("planned SID %q", got)
	}
	if eng.count("Apply") != 0 {
		t.Errorf("applied after no")
	}
}

func TestAccessiblePreflightIssueAsksTheFieldAgain(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	eng.preflight = func(n int, l spec.Landscape) ([]steps.PreflightIssue, error) {
		if n == 1 {
			return []steps.PreflightIssue{{Field: fieldEC2Role, Message: "role hana-ec2 does not exist"}}, nil
		}
		return nil, nil
	}
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"},
		"1", "PRD", "", "", "", "", "", "",
		"2", "hana-ec2", // EC2 role: type one
		"", "", "",
		"1", // EC2 role again: the discovered one
		"n", "n", "2")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "ec2RoleToRunBackup: role hana-ec2 does not exist") {
		t.Errorf("issue not shown:\n%s", out)
	}
	if eng.count("Preflight") != 2 {
		t.Fatalf("preflight ran %d times", eng.count("Preflight"))
	}
	if got := eng.last("Preflight").EC2RoleToRunBackup; got != testLandscape().EC2RoleToRunBackup {
		t.Errorf("second preflight role %q", got)
	}
}

func TestAccessibleInputEndingIsAnError(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"}, "1", "PRD")
	if !errors.Is(err, errInputEnded) {
		t.Fatalf("err = %v, want input ended\n%s", err, out)
	}
	if eng.count("Apply") != 0 || eng.count("Preflight") != 0 {
		t.Errorf("went on after the input ended")
	}
}

func TestAccessibleInvalidLastAnswerIsRefused(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	_, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"}, "1", "prd")
	if !errors.Is(err, errInputEnded) || !strings.Contains(err.Error(), "uppercase") {
		t.Fatalf("err = %v, want the SID rule and input ended", err)
	}
}

func TestAccessibleDestroyRefusesTheWrongSID(t *testing.T) {
	eng := destroyingEngine()
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{},
		"4",   // Destroy PRD
		"QAS", // wrong SID
		"5")   // Quit
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "That is not PRD: nothing was destroyed.") {
		t.Errorf("refusal not said:\n%s", out)
	}
	if eng.count("Destroy") != 0 {
		t.Fatalf("destroyed after the wrong SID")
	}
	out, err = runPlain(t, context.Background(), eng, goodDiscovery(), Config{}, "4", "PRD", "5")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, w := range []string{"source/bucket", "aws kms cancel-key-deletion --region eu-central-1 --key-id 1111"} {
		if !strings.Contains(out, w) {
			t.Errorf("destroy output lacks %q:\n%s", w, out)
		}
	}
}

func TestAccessibleStatusThenBack(t *testing.T) {
	eng := appliedEngine()
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{}, "2", "3", "5")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, w := range []string{"drift", "Run apply to put the lifecycle rule back.", "Apply PRD to repair it"} {
		if !strings.Contains(out, w) {
			t.Errorf("status output lacks %q:\n%s", w, out)
		}
	}
}

func TestAccessibleDiscoveryFailureSaysHowToFix(t *testing.T) {
	eng := appliedEngine()
	disc := &fakeDiscovery{regions: testRegions(), ec2Err: accessDenied("iam:ListRoles"), admin: testAdminRoles()}
	out, err := runPlain(t, context.Background(), eng, disc, Config{}, "5")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "EC2 backup roles: failed:") || !strings.Contains(out, "You can still type it by hand.") {
		t.Errorf("failure not explained:\n%s", out)
	}
}

func TestAccessibleInterruptedApplySaysHowToResume(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	b := newBlockingApply()
	eng.apply = b.run
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-b.inFlight; cancel() }()
	dir := t.TempDir()
	out, err := runPlain(t, ctx, eng, goodDiscovery(), Config{Region: "eu-central-1", SaveDir: dir},
		"1", "PRD", "", "", "", "", "", "", "", "", "", "", "n", "y", "2")
	if !errors.Is(err, tea.ErrInterrupted) {
		t.Fatalf("err = %v, want interrupted\n%s", err, out)
	}
	if !strings.Contains(out, "hanavault apply -f "+filepath.Join(dir, "landscape-PRD.yaml")) {
		t.Errorf("no resume hint:\n%s", out)
	}
	if !strings.Contains(out, "skipped") {
		t.Errorf("skipped steps not reported:\n%s", out)
	}
}

func TestByteReaderReadsOneByteAndSeesEOF(t *testing.T) {
	r := &byteReader{r: strings.NewReader("ab")}
	buf := make([]byte, 8)
	for i, want := range []string{"a", "b"} {
		n, err := r.Read(buf)
		if n != 1 || err != nil || string(buf[:n]) != want {
			t.Fatalf("read %d: %d %v %q", i, n, err, buf[:n])
		}
	}
	if n, err := r.Read(buf); n != 0 || err == nil || !r.eof {
		t.Fatalf("at the end: %d %v eof=%v", n, err, r.eof)
	}
	if r.n != 2 {
		t.Errorf("counted %d bytes", r.n)
	}
}

func TestRunNeedsEngineAndDiscovery(t *testing.T) {
	if err := Run(context.Background(), Config{In: strings.NewReader(""), Out: os.Stderr}); err == nil {
		t.Fatal("Run without an engine succeeded")
	}
}

func TestAccessibleOutOfRangeLastAnswerIsAnErrorNotACrash(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	_, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{}, "7")
	if !errors.Is(err, errInputEnded) {
		t.Fatalf("err = %v, want input ended", err)
	}
}

func TestAccessibleMenuListsTheLandscapeJustApplied(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	applied := false
	apply := eng.apply
	eng.apply = func(n int, ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		applied = true
		eng.known = knownPRD()[:1]
		return apply(n, ctx, l, sink)
	}
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"},
		"1", "PRD", "", "", "", "", "", "", "", "", "", "", "n", "y",
		"5") // Quit is 5th once PRD is listed
	if err != nil || !applied {
		t.Fatalf("Run: %v (applied %v)\n%s", err, applied, out)
	}
	if !strings.Contains(out, "4. Destroy PRD") {
		t.Errorf("menu does not offer the new landscape:\n%s", out)
	}
}
