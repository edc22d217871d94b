package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// planningEngine answers preflight with nothing and plans with testPlan.
func planningEngine() *fakeEngine {
	return &fakeEngine{
		identity: testIdentity,
		plan:     func(l spec.Landscape) (*steps.Plan, error) { return testPlan(l), nil },
	}
}

// fillForm answers the form with the defaults after typing sid.
func fillForm(h *harness, sid string) {
	h.t.Helper()
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText(sid)
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole, fieldRecovery)
	h.press("enter")
	h.waitScreen("Change advanced options?")
	h.press("enter")
}

func TestNewLandscapeFormPreflightSaveAndPlan(t *testing.T) {
	eng := planningEngine()
	dir := t.TempDir()
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1", SaveDir: dir})
	fillForm(h, "PRD")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })

	l := eng.last("Preflight")
	want := testLandscape()
	if l.SID != "PRD" || l.SourceRegion != "eu-central-1" || l.ReplicationRegion != "eu-west-1" {
		t.Errorf("preflight got %s %s→%s", l.SID, l.SourceRegion, l.ReplicationRegion)
	}
	for name, pair := range map[string][2]string{
		"original bucket": {l.OriginalBucketName, want.OriginalBucketName},
		"replica bucket":  {l.ReplicationBucketName, want.ReplicationBucketName},
		"original alias":  {l.OriginalCMKAlias, want.OriginalCMKAlias},
		"replica alias":   {l.ReplicationCMKAlias, want.ReplicationCMKAlias},
		"log bucket":      {l.OriginalLogBucketName, want.OriginalBucketName + "-logs"},
		"ec2 role":        {l.EC2RoleToRunBackup, want.EC2RoleToRunBackup},
		"admin role":      {l.KMSAdminRole, want.KMSAdminRole},
		"role name":       {l.ReplicationRoleName, "hanavault-PRD-replication"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %q, want %q", name, pair[0], pair[1])
		}
	}
	if !strings.Contains(l.OriginalBucketName, testAccount) {
		t.Errorf("bucket %q was not derived with the account", l.OriginalBucketName)
	}
	if eng.count("Plan") != 1 || eng.last("Plan").OriginalBucketName != l.OriginalBucketName {
		t.Errorf("plan not called with the form's landscape")
	}
	if _, err := os.Stat(filepath.Join(dir, "landscape-PRD.yaml")); err == nil {
		t.Errorf("the answers were saved at plan time, before any apply was confirmed")
	}
	s := h.screen() + ansi.Strip(h.m.plan.vp.GetContent())
	for _, w := range []string{"Plan for PRD in account 123456789012", "Plan: 5 to create, 1 to update, 1 in sync.",
		"Applying saves the answers to:\n" + dir, "p policy documents"} {
		if !strings.Contains(s, w) {
			t.Errorf("plan screen lacks %q:\n%s", w, s)
		}
	}
}

func TestFormValidatesAfterAPauseOrLeavingTheField(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("sa")
	if s := h.screen(); strings.Contains(s, "✗") {
		t.Errorf("the SID is flagged on the first keystrokes, before the user paused:\n%s", s)
	}
	h.waitScreen("✗ SID is exactly 3 characters") // after a pause
	h.clearInput(2)
	h.typeText("SAP")
	h.waitScreen("✗ SID is reserved by SAP")
	h.press("enter")
	if h.focused() != fieldSID {
		t.Fatalf("enter moved on from an invalid SID to %s", h.focused())
	}
	h.clearInput(3)
	h.typeText("PR1")
	if s := h.screen(); strings.Contains(s, "✗") {
		t.Errorf("valid SID still flagged:\n%s", s)
	}
	h.press("enter")
	h.waitFocus(fieldSource)
}

func TestFormNamesFollowSIDAndRegionsUntilEdited(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	p := h.m.wiz.p
	if p.OrigBucket != "hana-backup-prd-123456789012-eu-central-1" || p.ReplAlias != "alias/hana-backup-prd-replica" {
		t.Fatalf("names not derived from the SID: %q %q", p.OrigBucket, p.ReplAlias)
	}
	// Moving the replication picker re-derives the replica bucket.
	h.press("enter", "down")
	h.waitFocus(fieldSource)
	if p.Source != "eu-west-1" {
		t.Fatalf("source = %q after down", p.Source)
	}
	if p.OrigBucket != "hana-backup-prd-123456789012-eu-west-1" {
		t.Errorf("bucket did not follow the source region: %q", p.OrigBucket)
	}
	h.press("up")
	h.enterTo(fieldReplication, fieldOrigBucket)
	// Editing the replica bucket stops it following; its log bucket follows it.
	h.enterTo(fieldOrigAlias, fieldReplBucket)
	h.clearInput(len(p.ReplBucket))
	h.typeText("my-replica-bucket")
	for _, f := range []string{fieldOrigAlias, fieldOrigBucket, fieldReplication, fieldSource, fieldSID} {
		h.press("shift+tab")
		h.waitFocus(f)
	}
	h.clearInput(3)
	h.typeText("QAS")
	if p.OrigBucket != "hana-backup-qas-123456789012-eu-central-1" {
		t.Errorf("untouched bucket did not follow the SID: %q", p.OrigBucket)
	}
	if p.ReplBucket != "my-replica-bucket" {
		t.Errorf("edited bucket changed to %q", p.ReplBucket)
	}
	if p.ReplLog != "my-replica-bucket-logs" {
		t.Errorf("log bucket did not follow its edited bucket: %q", p.ReplLog)
	}
	if p.OrigAlias != "alias/hana-backup-qas" {
		t.Errorf("alias did not follow the SID: %q", p.OrigAlias)
	}
	// The edited input shows the new value, not a stale one.
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket)
	if !strings.Contains(h.screen(), "hana-backup-qas-123456789012-eu-central-1") {
		t.Errorf("bucket input does not show the derived name:\n%s", h.screen())
	}
}

func TestPreflightIssueSendsBackToTheField(t *testing.T) {
	eng := planningEngine()
	eng.preflight = func(n int, l spec.Landscape) ([]steps.PreflightIssue, error) {
		if n == 1 {
			return []steps.PreflightIssue{{Field: fieldOrigBucket, Message: "bucket " + l.OriginalBucketName + " is owned by another account"}}, nil
		}
		return nil, nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	fillForm(h, "PRD")
	h.waitFor("the form again", func() bool { return h.m.screen == scrForm && h.m.wiz.fix != nil })
	h.waitFocus(fieldOrigBucket)
	s := h.screen()
	for _, w := range []string{"AWS says", "✗ bucket hana-backup-prd-123456789012-eu-central-1 is owned by another"} {
		if !strings.Contains(s, w) {
			t.Errorf("form lacks %q:\n%s", w, s)
		}
	}
	if strings.Contains(s, "SAP system ID") {
		t.Errorf("fix form shows unrelated fields:\n%s", s)
	}
	h.clearInput(len(h.m.wiz.p.OrigBucket))
	h.typeText("prd-backup-acme-eu-central-1")
	if strings.Contains(h.screen(), "owned by another account") {
		t.Errorf("message still shown after the value changed:\n%s", h.screen())
	}
	h.enterTo(fieldOrigAlias, fieldReplBucket, fieldReplAlias)
	h.press("enter")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
	if eng.count("Preflight") != 2 {
		t.Fatalf("preflight ran %d times, want 2", eng.count("Preflight"))
	}
	l := eng.last("Preflight")
	if l.OriginalBucketName != "prd-backup-acme-eu-central-1" || l.OriginalLogBucketName != "prd-backup-acme-eu-central-1-logs" {
		t.Errorf("second preflight got %q / %q", l.OriginalBucketName, l.OriginalLogBucketName)
	}
	if l.ReplicationBucketName != testLandscape().ReplicationBucketName {
		t.Errorf("replica bucket changed to %q", l.ReplicationBucketName)
	}
}

func TestPreflightFailureCanBeRetried(t *testing.T) {
	eng := planningEngine()
	eng.preflight = func(n int, l spec.Landscape) ([]steps.PreflightIssue, error) {
		if n == 1 {
			return nil, accessDenied("s3:HeadBucket")
		}
		return nil, nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	fillForm(h, "PRD")
	h.waitScreen("Checking names and roles in AWS failed")
	if hint := discover.Explain(accessDenied("s3:HeadBucket")); !strings.Contains(oneLine(h.screen()), oneLine(hint.Problem)) {
		t.Errorf("failure does not say why (%q):\n%s", hint.Problem, h.screen())
	}
	h.press("r")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
}

func TestDiscoveryFailureStillLetsYouTypeRoles(t *testing.T) {
	disc := &fakeDiscovery{regions: testRegions(), ec2Err: accessDenied("iam:ListRoles"), adminErr: accessDenied("iam:ListRoles")}
	eng := planningEngine()
	h := newHarness(t, eng, disc, Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias, fieldEC2Role)
	s := h.screen()
	for _, w := range []string{"Could not list roles", "iam:ListRoles", "Type a name or ARN…"} {
		if !strings.Contains(s, w) {
			t.Errorf("role picker lacks %q:\n%s", w, s)
		}
	}
	h.enterTo(fieldEC2Role + "/typed")
	h.typeText("bad role!")
	h.waitScreen("✗ ") // once typing pauses
	h.clearInput(len("bad role!"))
	h.typeText("hana-ec2")
	h.enterTo(fieldAdminRole, fieldAdminRole+"/typed")
	h.typeText("arn:aws:iam::123456789012:role/ops/KeyAdmin")
	h.enterTo(fieldRecovery)
	h.press("enter")
	h.waitScreen("Change advanced options?")
	h.press("enter")
	h.waitFor("plan", func() bool { return h.m.screen == scrPlan })
	l := eng.last("Plan")
	if l.EC2RoleToRunBackup != "hana-ec2" || l.KMSAdminRole != "arn:aws:iam::123456789012:role/ops/KeyAdmin" {
		t.Errorf("typed roles = %q, %q", l.EC2RoleToRunBackup, l.KMSAdminRole)
	}
}

func TestAdvancedOptions(t *testing.T) {
	eng := planningEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole, fieldRecovery)
	h.press("enter")
	h.waitScreen("Change advanced options?")
	if s := oneLine(h.screen()); !strings.Contains(s, "GLACIER after 7 days") ||
		!strings.Contains(s, "logs to hana-backup-prd-123456789012-eu-central-1-logs") {
		t.Errorf("advanced question does not say what the options are now:\n%s", h.screen())
	}
	h.press("y")
	h.waitFocus(fieldTransition)
	h.clearInput(1)
	h.typeText("x")
	h.press("enter")
	if h.focused() != fieldTransition || !strings.Contains(h.screen(), "✗ enter a whole number of days") {
		t.Fatalf("transition of x days accepted:\n%s", h.screen())
	}
	h.clearInput(1)
	h.typeText("0")
	h.enterTo(fieldStorageClass)
	h.press("down")
	h.enterTo(fieldArchive, fieldNoncurrent, fieldOrigLog, fieldReplLog, fieldDeletionWindow)
	h.clearInput(2)
	h.typeText("7")
	h.press("enter")
	h.waitScreen("Replication Time Control?")
	h.press("y")
	h.waitScreen("Replicate delete markers?")
	h.press("n")
	h.waitScreen("Deny uploads without an encryption header?")
	h.press("enter")
	h.waitFor("plan", func() bool { return h.m.screen == scrPlan })
	l := eng.last("Plan")
	if l.Lifecycle.TransitionDays != 0 || l.Lifecycle.StorageClass != "DEEP_ARCHIVE" || l.KMSDeletionWindowDays != 7 ||
		!l.ReplicationTimeControl || l.DeleteMarkerReplication || l.RequireEncryptionHeader {
		t.Errorf("advanced answers not in the landscape: %+v rtc=%v dm=%v strict=%v window=%d",
			l.Lifecycle, l.ReplicationTimeControl, l.DeleteMarkerReplication, l.RequireEncryptionHeader, l.KMSDeletionWindowDays)
	}
}

func TestEscLeavesTheFormKeepingTheDraft(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	h.press("esc")
	if h.m.screen != scrHome {
		t.Fatalf("esc in the form did not go home")
	}
	h.press("n")
	h.waitScreen("You have unfinished answers (PRD")
	h.press("enter") // Resume them
	if h.m.screen != scrForm || h.m.wiz.p.SID != "PRD" || !strings.Contains(h.screen(), "> PRD") {
		t.Errorf("draft lost: SID %q; screen:\n%s", h.m.wiz.p.SID, h.screen())
	}
}

func TestEscClearsAPickerFilterFirst(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	h.press("enter")
	h.waitFocus(fieldSource)
	h.press("/")
	h.typeText("us")
	h.press("esc")
	if h.m.screen != scrForm {
		t.Fatalf("esc while filtering left the form")
	}
}

func TestInvalidRegionChoiceIsRefused(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication)
	h.press("up", "enter") // eu-central-1 again
	if h.focused() != fieldReplication {
		t.Fatalf("replication region equal to the source accepted")
	}
	if !strings.Contains(h.screen(), "must differ from the source region") {
		t.Errorf("no reason shown:\n%s", h.screen())
	}
	h.press("down", "down", "enter") // eu-south-2, not enabled
	if h.focused() != fieldReplication || !strings.Contains(h.screen(), "not enabled for this account") {
		t.Errorf("region that is not enabled accepted:\n%s", h.screen())
	}
}

// oneLine joins wrapped lines and squeezes spaces, to find a sentence on a
// screen whatever its wrapping.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
