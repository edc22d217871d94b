package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

var appliedResult = &steps.Result{Succeeded: 2, MutatingCalls: 3, Elapsed: 2 * time.Second, JournalPath: "/state/111122223333/PRD/journal.jsonl"}

func TestApplyRefusesWithoutConfirmation(t *testing.T) {
	path, _ := landscapeFile(t)
	tests := []struct {
		name string
		tty  bool
		args []string
	}{
		{"no terminal", false, []string{"apply", "-f", path}},
		{"file on stdin", true, []string{"apply", "-f", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.tty {
				h.tty()
			}
			code, _ := h.run(context.Background(), tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want 2", code)
			}
			contains(t, "stderr", h.errOut.String(), "apply changes AWS and needs a confirmation, but there is no terminal to ask on", "rerun with --yes")
			if len(h.opened) != 0 {
				t.Error("the refusal reached AWS")
			}
		})
	}
}

func TestApplyYes(t *testing.T) {
	path, l := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate, steps.ActionInSync)
	h.eng.events = testEvents
	h.eng.result = appliedResult
	code, err := h.run(context.Background(), "apply", "-f", path, "--yes")
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, h.errOut)
	}
	contains(t, "stdout", h.out.String(), "Plan: 1 to create", "Apply complete: 2 steps done in 2.0s, 3 changes sent to AWS.", "Journal: /state/111122223333/PRD/journal.jsonl")
	if got, want := h.errOut.String(), "source/key: creating…\nsource/key: done (1.5s)\n"; got != want {
		t.Errorf("stderr %q, want the event lines %q", got, want)
	}
	if h.eng.got.OriginalBucketName != l.OriginalBucketName {
		t.Errorf("applied landscape has bucket %q", h.eng.got.OriginalBucketName)
	}
}

func TestApplyAsks(t *testing.T) {
	path, _ := landscapeFile(t)
	tests := []struct {
		answer  string
		applied bool
		code    int
	}{
		{"yes\n", true, 0},
		{"y\n", false, 1},
		{"no\n", false, 1},
		{"", false, 1}, // end of input
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.answer), func(t *testing.T) {
			h := newHarness(t).tty()
			h.in.WriteString(tt.answer)
			h.eng.plan = testPlan(steps.ActionCreate)
			h.eng.result = appliedResult
			code, _ := h.run(context.Background(), "apply", "-f", path)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, h.errOut)
			}
			if h.eng.called("Apply") != tt.applied {
				t.Errorf("applied %v, want %v", h.eng.called("Apply"), tt.applied)
			}
			contains(t, "stderr", h.errOut.String(), "Apply these changes to account 111122223333? Type yes to continue: ")
			if !tt.applied {
				contains(t, "stderr", h.errOut.String(), "Apply cancelled: nothing was changed.")
				if strings.Contains(h.errOut.String(), "Error:") {
					t.Error("a cancellation is reported as an error")
				}
			}
		})
	}
}

func TestApplyNothingToDo(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t).tty()
	h.eng.plan = testPlan(steps.ActionInSync, steps.ActionInSync)
	code, err := h.run(context.Background(), "apply", "-f", path)
	if code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	contains(t, "stderr", h.errOut.String(), "Nothing to do: landscape PRD is up to date.")
	if h.eng.called("Apply") || strings.Contains(h.errOut.String(), "Type yes") {
		t.Error("apply asked or ran with nothing to do")
	}
}

func TestApplyJSONStream(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate)
	h.eng.events = testEvents
	h.eng.result = appliedResult
	if code, err := h.run(context.Background(), "apply", "-f", path, "--yes", "--json"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	lines := strings.Split(strings.TrimSpace(h.out.String()), "\n")
	var kinds []string
	for _, l := range lines {
		var v struct {
			Kind   string        `json:"kind"`
			Plan   *steps.Plan   `json:"plan"`
			Result *steps.Result `json:"result"`
			Op     string        `json:"operation"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		kinds = append(kinds, v.Kind)
		switch v.Kind {
		case "plan":
			if v.Plan == nil || v.Plan.SID != "PRD" {
				t.Errorf("plan line %s", l)
			}
		case "result":
			if v.Op != "apply" || v.Result == nil || v.Result.Succeeded != 2 {
				t.Errorf("result line %s", l)
			}
		}
	}
	if got := strings.Join(kinds, ","); got != "plan,started,done,result" {
		t.Errorf("stream kinds %s", got)
	}
	if h.errOut.Len() != 0 {
		t.Errorf("--json wrote to stderr: %q", h.errOut)
	}
}

func TestApplyInterrupted(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.eng.plan = testPlan(steps.ActionCreate)
	h.eng.events = testEvents
	h.eng.during = cancel // SIGINT while the engine runs
	h.eng.result = &steps.Result{Succeeded: 1, Skipped: 3, JournalPath: "/state/j.jsonl"}
	code, err := h.run(ctx, "apply", "-f", path, "--yes")
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130: %v", code, err)
	}
	contains(t, "stderr", h.errOut.String(),
		"Interrupted: finishing the AWS calls in flight, then stopping.",
		"Interrupted. The journal /state/j.jsonl records what was done; run `hanavault apply -f "+path+"` again to resume.")
	if strings.Contains(h.errOut.String(), "Error:") {
		t.Error("the interruption is also printed as an error")
	}
	contains(t, "stdout", h.out.String(), "Apply did not finish: 1 done, 0 failed, 3 skipped")
}

func TestApplyFailures(t *testing.T) {
	path, _ := landscapeFile(t)
	t.Run("failed steps", func(t *testing.T) {
		h := newHarness(t)
		h.eng.plan = testPlan(steps.ActionCreate)
		h.eng.result = &steps.Result{Succeeded: 1, Failed: 1, Skipped: 2}
		code, _ := h.run(context.Background(), "apply", "-f", path, "--yes")
		if code != ExitError {
			t.Errorf("exit %d, want 1", code)
		}
		contains(t, "stderr", h.errOut.String(), "Error: apply PRD: 1 of 4 steps failed")
	})
	t.Run("engine error", func(t *testing.T) {
		h := newHarness(t)
		h.eng.plan = testPlan(steps.ActionCreate)
		h.eng.runErr = errors.New("journal locked by another hanavault")
		code, _ := h.run(context.Background(), "apply", "-f", path, "--yes")
		if code != ExitError {
			t.Errorf("exit %d, want 1", code)
		}
		contains(t, "stderr", h.errOut.String(), "Error: apply PRD: journal locked by another hanavault")
	})
}

func prdStatus(overall steps.Overall) *steps.Status {
	return &steps.Status{SID: "PRD", Identity: testIdentity, SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1",
		Overall: overall, Summary: map[steps.ResourceState]int{steps.StateOK: 1},
		Resources: []steps.ResourceStatus{{ID: "source/key", Region: "eu-central-1", Component: "backup-key", Resource: "alias/x", Title: "KMS key", State: steps.StateOK}}}
}

func TestStatus(t *testing.T) {
	_, l := landscapeFile(t)
	tests := []struct {
		name    string
		args    []string
		known   []steps.KnownLandscape
		overall steps.Overall
		code    int
		stderr  string
	}{
		{"sid ok", []string{"status", "PRD"}, nil, steps.OverallOK, 0, ""},
		{"lowercase sid", []string{"status", "prd"}, nil, steps.OverallOK, 0, ""},
		{"sid drift", []string{"status", "PRD"}, nil, steps.OverallDrift, 3, ""},
		{"half applied", []string{"status", "PRD"}, nil, steps.OverallHalfApplied, 3, ""},
		{"only one known", []string{"status"}, []steps.KnownLandscape{{SID: "PRD", Local: true, Landscape: &l}}, steps.OverallOK, 0, ""},
		{"none known", []string{"status"}, nil, steps.OverallOK, 2, "no landscape is known in /state"},
		{"several known", []string{"status"}, []steps.KnownLandscape{
			{SID: "QAS", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Local: true, Overall: steps.OverallOK},
			{SID: "PRD", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Local: true, Tagged: true, Overall: steps.OverallDrift},
		}, steps.OverallOK, 2, "Several landscapes are known:\n  PRD  eu-central-1 → eu-west-1  drift  (local state, tags)\n  QAS  eu-central-1 → eu-west-1  ok  (local state)\nError: name the landscape: hanavault status PRD\n"},
		{"unknown sid", []string{"status", "DEV"}, nil, steps.OverallOK, 1, "pass --from-tags to rebuild it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
			h.eng.known = tt.known
			h.eng.status = prdStatus(tt.overall)
			code, err := h.run(context.Background(), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %v\n%s", code, tt.code, err, h.errOut)
			}
			if tt.stderr != "" {
				contains(t, "stderr", h.errOut.String(), tt.stderr)
			}
			if tt.code == 0 || tt.code == 3 {
				contains(t, "stdout", h.out.String(), "Status of PRD in account 111122223333: "+string(tt.overall))
				if h.eng.got.SID != "PRD" {
					t.Errorf("status of %q", h.eng.got.SID)
				}
			}
		})
	}
}

func TestStatusJSON(t *testing.T) {
	_, l := landscapeFile(t)
	h := newHarness(t)
	h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
	h.eng.status = prdStatus(steps.OverallDrift)
	code, _ := h.run(context.Background(), "status", "PRD", "--json")
	if code != ExitUnhealthy {
		t.Errorf("exit %d, want 3", code)
	}
	var got steps.Status
	if err := json.Unmarshal(h.out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, h.out)
	}
	if got.Overall != steps.OverallDrift || got.SID != "PRD" || len(got.Resources) != 1 {
		t.Errorf("status JSON %+v", got)
	}
	if h.errOut.Len() != 0 {
		t.Errorf("unhealthy status wrote to stderr: %q", h.errOut)
	}
}

func prdPreview() *steps.DestroyPreview {
	return &steps.DestroyPreview{SID: "PRD", Identity: testIdentity, KeyDeletionWindow: 7,
		Changes: []steps.Change{{ID: "source/key", Region: "eu-central-1", Component: "backup-key", Resource: "alias/hana-backup-prd", Title: "KMS key", Action: steps.ActionDelete}},
		Keys:    []steps.KeyInfo{{Region: "eu-central-1", Alias: "alias/hana-backup-prd", KeyID: "k-1", State: "Enabled"}}}
}

func TestDestroy(t *testing.T) {
	_, l := landscapeFile(t)
	deletion := &steps.Result{Succeeded: 1, MutatingCalls: 1, KeyDeletions: []steps.KeyDeletion{{
		KeyInfo: steps.KeyInfo{Region: "eu-central-1", Alias: "alias/hana-backup-prd", KeyID: "k-1"}, DeletionDate: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}}}
	tests := []struct {
		name      string
		args      []string
		tty       bool
		answer    string
		code      int
		destroyed bool
		stderr    string
	}{
		{"no terminal, no confirm", []string{"destroy", "PRD"}, false, "", 2, false, "rerun with --confirm PRD"},
		{"wrong confirm", []string{"destroy", "PRD", "--confirm", "QAS"}, false, "", 2, false, "--confirm QAS does not match the landscape's SID PRD"},
		{"confirm", []string{"destroy", "PRD", "--confirm", "PRD"}, false, "", 0, true, ""},
		{"typed SID", []string{"destroy", "PRD"}, true, "PRD\n", 0, true, "Type the SID (PRD) to destroy this landscape in account 111122223333: "},
		{"typed lowercase", []string{"destroy", "PRD"}, true, "prd\n", 1, false, `Destroy cancelled (you typed "prd", not PRD): nothing was changed.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.tty {
				h.tty()
			}
			h.in.WriteString(tt.answer)
			h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
			h.eng.preview = prdPreview()
			h.eng.result = deletion
			code, err := h.run(context.Background(), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %v\n%s", code, tt.code, err, h.errOut)
			}
			if h.eng.called("Destroy") != tt.destroyed {
				t.Errorf("destroyed %v, want %v", h.eng.called("Destroy"), tt.destroyed)
			}
			if tt.stderr != "" {
				contains(t, "stderr", h.errOut.String(), tt.stderr)
			}
			if tt.name != "wrong confirm" {
				contains(t, "stdout", h.out.String(), "Destroy PRD in account 111122223333", "aws kms cancel-key-deletion --region eu-central-1 --key-id k-1")
			}
			if tt.destroyed {
				contains(t, "stdout", h.out.String(), "Destroy complete", "Scheduled for deletion on 2026-07-01 00:00 UTC")
			}
		})
	}
}

func TestDestroyInterruptedResumeHint(t *testing.T) {
	_, l := landscapeFile(t)
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
	h.eng.preview = prdPreview()
	h.eng.during = cancel
	h.eng.result = &steps.Result{Skipped: 4}
	code, _ := h.run(ctx, "destroy", "PRD", "--confirm", "PRD", "--from-tags", "--delete-tagged", "buckets,role")
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130", code)
	}
	contains(t, "stderr", h.errOut.String(), "run `hanavault destroy PRD --confirm PRD --from-tags --delete-tagged buckets,role` again to resume.")
}

// TestDestroyFromTagsAsksPerClass: with --from-tags, destroy deletes
// tag-found resources only with consent: on a terminal it asks per class;
// without one it needs --delete-tagged; the consent reaches the engine.
func TestDestroyFromTagsAsksPerClass(t *testing.T) {
	_, l := landscapeFile(t)
	tagged := func() *steps.DestroyPreview {
		p := prdPreview()
		p.Changes = []steps.Change{
			{ID: "source/key", Region: "eu-central-1", Component: steps.CompKey, Resource: "alias/hana-backup-prd", Action: steps.ActionDelete, Owner: steps.OwnerFoundByTags},
			{ID: "source/bucket", Region: "eu-central-1", Component: steps.CompBucket, Resource: "b1", Action: steps.ActionDelete, Owner: steps.OwnerFoundByTags},
			{ID: "global/replication-role", Region: "global", Component: steps.CompRole, Resource: "r1", Action: steps.ActionDelete, Owner: steps.OwnerFoundByTags},
		}
		return p
	}
	tests := []struct {
		name   string
		args   []string
		tty    bool
		answer string
		code   int
		want   steps.TagConsent
		stderr string
	}{
		{name: "no terminal, no flag", args: []string{"--confirm", "PRD"}, code: ExitUsage, stderr: "--delete-tagged"},
		{name: "flag", args: []string{"--confirm", "PRD", "--delete-tagged", "buckets,keys"}, want: steps.TagConsent{Buckets: true, Keys: true}},
		{name: "none", args: []string{"--confirm", "PRD", "--delete-tagged", "none"}},
		{name: "bad class", args: []string{"--confirm", "PRD", "--delete-tagged", "everything"}, code: ExitUsage, stderr: `"everything" is not a class`},
		{name: "asked", args: []string{"--confirm", "PRD"}, tty: true, answer: "yes\nno\nyes\n", want: steps.TagConsent{Buckets: true, Role: true}, stderr: "Delete them?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.tty {
				h.tty()
			}
			h.in.WriteString(tt.answer)
			h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
			h.eng.preview = tagged()
			h.eng.result = &steps.Result{}
			code, _ := h.run(context.Background(), append([]string{"destroy", "PRD", "--from-tags"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, h.errOut.String())
			}
			if tt.stderr != "" {
				contains(t, "stderr", h.errOut.String(), tt.stderr)
			}
			if tt.code != 0 {
				return
			}
			if got := h.eng.destroyOpts[len(h.eng.destroyOpts)-1].FromTags; got != tt.want {
				t.Errorf("consent given to the engine %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDestroyRemoveRenamedReachesTheEngine: --remove-renamed is passed to
// the preview and to destroy; --delete-tagged without --from-tags is a
// usage error.
func TestDestroyRemoveRenamedReachesTheEngine(t *testing.T) {
	_, l := landscapeFile(t)
	h := newHarness(t)
	h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
	h.eng.preview = prdPreview()
	h.eng.result = &steps.Result{}
	if code, _ := h.run(context.Background(), "destroy", "PRD", "--confirm", "PRD", "--remove-renamed"); code != 0 {
		t.Fatalf("exit %d\n%s", code, h.errOut.String())
	}
	if len(h.eng.destroyOpts) != 2 || !h.eng.destroyOpts[0].RemoveRenamed || !h.eng.destroyOpts[1].RemoveRenamed {
		t.Fatalf("options reaching the engine: %+v", h.eng.destroyOpts)
	}
	h = newHarness(t)
	h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
	if code, _ := h.run(context.Background(), "destroy", "PRD", "--delete-tagged", "all"); code != ExitUsage {
		t.Fatalf("--delete-tagged without --from-tags: exit %d", code)
	}
}

func TestDestroyJSONWithoutConfirmPrintsPreviewThenRefuses(t *testing.T) {
	_, l := landscapeFile(t)
	h := newHarness(t)
	h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
	h.eng.preview = prdPreview()
	code, _ := h.run(context.Background(), "destroy", "PRD", "--json")
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	var line struct {
		Kind    string                `json:"kind"`
		Preview *steps.DestroyPreview `json:"preview"`
	}
	if err := json.Unmarshal(h.out.Bytes(), &line); err != nil {
		t.Fatalf("stdout %q: %v", h.out, err)
	}
	if line.Kind != "destroy-preview" || line.Preview == nil || line.Preview.KeyDeletionWindow != 7 {
		t.Errorf("preview line %+v", line)
	}
}

func TestInit(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		identErr error
		openErr  error
		region   string
		code     int
		account  string
		src, dst string
		stderr   []string
	}{
		{"defaults", []string{"init", "--sid", "PRD"}, nil, nil, "eu-central-1", 0, testAccount, "eu-central-1", "eu-west-1",
			[]string{"Fill in ec2RoleToRunBackup, kmsAdminRole before running plan."}},
		{"all flags", []string{"init", "--sid", "QAS", "--source-region", "us-east-2", "--replication-region", "us-west-1", "--ec2-role", "hana-ec2", "--kms-admin-role", "arn:aws:iam::111122223333:role/Admin"},
			nil, nil, "", 0, testAccount, "us-east-2", "us-west-1", nil},
		{"no credentials", []string{"init", "--sid", "PRD", "--source-region", "eu-west-1"}, errors.New("no usable AWS credentials"), nil, "", 0, PlaceholderAccount, "eu-west-1", "eu-central-1",
			[]string{"Could not read the account from AWS (no usable AWS credentials), so the bucket names use the placeholder account 000000000000"}},
		{"no region", []string{"init", "--sid", "PRD"}, nil, nil, "", 2, "", "", "", []string{"--source-region is required"}},
		{"no partner", []string{"init", "--sid", "PRD", "--source-region", "af-south-1"}, nil, nil, "", 2, "", "", "", []string{"--replication-region is required: hanavault proposes no partner region for af-south-1"}},
		{"bad sid", []string{"init", "--sid", "prd1"}, nil, nil, "eu-central-1", 2, "", "", "", []string{"--sid:"}},
		{"same regions", []string{"init", "--sid", "PRD", "--source-region", "eu-west-1", "--replication-region", "eu-west-1"}, nil, nil, "", 2, "", "", "", []string{"--replication-region:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.region = tt.region
			h.eng.identityErr = tt.identErr
			h.openErr = tt.openErr
			code, err := h.run(context.Background(), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %v\n%s", code, tt.code, err, h.errOut)
			}
			for _, s := range tt.stderr {
				contains(t, "stderr", h.errOut.String(), s)
			}
			if tt.code != 0 {
				if h.out.Len() != 0 {
					t.Errorf("a failed init printed a file:\n%s", h.out)
				}
				return
			}
			l, err := spec.Parse(h.out.Bytes(), "init output")
			if err != nil {
				t.Fatalf("init output does not parse: %v\n%s", err, h.out)
			}
			if l.SourceRegion != tt.src || l.ReplicationRegion != tt.dst {
				t.Errorf("regions %s → %s, want %s → %s", l.SourceRegion, l.ReplicationRegion, tt.src, tt.dst)
			}
			if !strings.Contains(l.OriginalBucketName, tt.account) {
				t.Errorf("bucket %q does not carry account %s", l.OriginalBucketName, tt.account)
			}
			if want := spec.Defaults(l.SID, tt.account, tt.src, tt.dst); l.OriginalCMKAlias != want.OriginalCMKAlias || l.ReplicationBucketName != want.ReplicationBucketName {
				t.Errorf("names differ from spec.Defaults: %+v", l)
			}
		})
	}
}

func TestInitRolesFromFlagsValidate(t *testing.T) {
	h := newHarness(t)
	code, _ := h.run(context.Background(), "init", "--sid", "PRD", "--ec2-role", "hana-ec2", "--kms-admin-role", "KMSAdmin")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, h.errOut)
	}
	l, err := spec.Parse(h.out.Bytes(), "init")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Normalized().Validate(); err != nil {
		t.Errorf("init with both roles is not a valid landscape: %v", err)
	}
	if strings.Contains(h.errOut.String(), "Fill in") {
		t.Errorf("nothing is left to fill in, but stderr says %q", h.errOut)
	}
}

func TestWizard(t *testing.T) {
	h := newHarness(t)
	h.sandbox = true
	code, err := h.run(context.Background(), "--accessible", "--no-color", "--region", "eu-west-1")
	if code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	if len(h.opened) != 1 || !h.opened[0].AllowSandboxFallback {
		t.Fatalf("the wizard did not allow the sandbox fallback: %+v", h.opened)
	}
	if len(h.wizards) != 1 {
		t.Fatal("the wizard did not run")
	}
	cfg := h.wizards[0]
	if !cfg.Accessible || !cfg.NoColor || !cfg.Sandbox || cfg.SandboxReason == "" || cfg.Region != "eu-central-1" || cfg.Engine == nil {
		t.Errorf("wizard config %+v", cfg)
	}
	if cfg.Out != h.ios.ErrOut || cfg.In != h.ios.In {
		t.Error("the wizard does not draw on stderr and read stdin")
	}
}

func TestWizardInterrupted(t *testing.T) {
	h := newHarness(t)
	h.wizardErr = fmt.Errorf("hanavault wizard: %w", tea.ErrInterrupted)
	code, _ := h.run(context.Background())
	if code != ExitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	if h.errOut.Len() != 0 {
		t.Errorf("stderr %q after the wizard was interrupted", h.errOut)
	}
}

func TestAccessibleFromEnvironmentReachesWizard(t *testing.T) {
	h := newHarness(t)
	h.ios.Accessible = true // as ACCESSIBLE=1 sets it
	if code, err := h.run(context.Background()); code != 0 {
		t.Fatal(err)
	}
	if !h.wizards[0].Accessible {
		t.Error("ACCESSIBLE did not reach the wizard")
	}
}

func TestSubcommandsNeverAllowSandboxFallback(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionInSync)
	h.run(context.Background(), "plan", "-f", path)
	h.run(context.Background(), "init", "--sid", "PRD")
	for _, o := range h.opened {
		if o.AllowSandboxFallback {
			t.Errorf("a subcommand allowed the sandbox fallback: %+v", o)
		}
	}
}

func TestSandboxNoticeOnStderr(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionInSync)
	if code, err := h.run(context.Background(), "plan", "-f", path, "--sandbox"); code != 0 {
		t.Fatal(err)
	}
	contains(t, "stderr", h.errOut.String(), "This is the sandbox (--sandbox).")
	if strings.Contains(h.out.String(), "sandbox") {
		t.Error("the sandbox notice went to stdout")
	}
}

// TestDestroyFullCount: the preview counts large buckets up to a bound
// unless --full-count asks for every version.
func TestDestroyFullCount(t *testing.T) {
	_, l := landscapeFile(t)
	for _, full := range []bool{false, true} {
		h := newHarness(t)
		h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
		h.eng.preview = prdPreview()
		args := []string{"destroy", "PRD"}
		if full {
			args = append(args, "--full-count")
		}
		if code, err := h.run(context.Background(), args...); code != 2 {
			t.Fatalf("exit %d: %v", code, err)
		}
		if len(h.eng.destroyOpts) != 1 || h.eng.destroyOpts[0].FullCount != full {
			t.Errorf("%v: the preview's options were %+v", args, h.eng.destroyOpts)
		}
	}
}

// TestDestroyDrain: --drain reaches the engine, and a preview of a backup
// bucket too large to count suggests it (only when not already given).
func TestDestroyDrain(t *testing.T) {
	_, l := landscapeFile(t)
	for _, drain := range []bool{false, true} {
		h := newHarness(t)
		h.eng.landscapes = map[string]spec.Landscape{"PRD": l}
		h.eng.preview = prdPreview()
		h.eng.preview.SuggestDrain = true
		args := []string{"destroy", "PRD", "--confirm", "PRD"}
		if drain {
			args = append(args, "--drain")
		}
		if code, err := h.run(context.Background(), args...); code != 0 {
			t.Fatalf("exit %d: %v", code, err)
		}
		if n := len(h.eng.destroyOpts); n != 2 || h.eng.destroyOpts[1].Drain != drain {
			t.Errorf("%v: the destroy's options were %+v", args, h.eng.destroyOpts)
		}
		if got := strings.Contains(h.errOut.String(), "hanavault destroy PRD --drain"); got == drain {
			t.Errorf("%v: suggestion shown=%v:\n%s", args, got, h.errOut.String())
		}
	}
}
