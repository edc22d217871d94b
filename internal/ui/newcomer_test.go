package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// startForm opens a new landscape, types PRD as the SID and presses enter
// from field to field until the last one named has the focus.
func startForm(h *harness, fields ...string) {
	h.t.Helper()
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("PRD")
	h.enterTo(fields...)
}

// TestShiftTabOnAnInvalidFirstFieldKeepsFocus: huh v2 blurs the field and
// then refuses to leave a page with errors, which left no field focused
// and every key dead. The wizard keeps the focus there and shows why.
func TestShiftTabOnAnInvalidFirstFieldKeepsFocus(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	startForm(h, fieldSource, fieldReplication, fieldOrigBucket)
	p := h.m.wiz.p
	h.clearInput(len(p.OrigBucket))
	h.typeText("ab")
	h.press("shift+tab")
	h.typeText("c")
	if p.OrigBucket != "abc" {
		t.Fatalf("typing after shift+tab on an invalid field did nothing: bucket %q; screen:\n%s", p.OrigBucket, h.screen())
	}
	h.clearInput(3)
	h.typeText("ab")
	h.press("shift+tab")
	if s := h.screen(); !strings.Contains(s, "3 to 63 characters") {
		t.Errorf("shift+tab on an invalid field does not say why it stays:\n%s", s)
	}
	// Once the value is valid, shift+tab goes back a page.
	h.typeText("c-bucket")
	h.press("shift+tab")
	h.waitFocus(fieldReplication)
}

// TestNoColorConfirmMarksTheChosenButton: without colour the buttons
// differ only by their background, which is gone, so the chosen one is
// marked with brackets.
func TestNoColorConfirmMarksTheChosenButton(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1", NoColor: true})
	h.m.land = testLandscape()
	h.m.showPlan(testLandscape(), testPlan(testLandscape()), scrHome)
	h.press("a")
	h.waitScreen("Apply this plan")
	if s := h.screen(); !strings.Contains(s, "[Cancel]") || strings.Contains(s, "[Apply]") {
		t.Errorf("the default (Cancel) is not marked:\n%s", s)
	}
	h.press("left")
	if s := h.screen(); !strings.Contains(s, "[Apply]") || strings.Contains(s, "[Cancel]") {
		t.Errorf("Apply is not marked after ←:\n%s", s)
	}
}

// TestCtrlCInTheFormAsksAndKeepsADraft: ctrl+c in the form asks first;
// leaving keeps the answers, and the next run's New landscape offers them.
func TestCtrlCInTheFormAsksAndKeepsADraft(t *testing.T) {
	state := t.TempDir()
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1", StateDir: state})
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("PRD")
	h.press("ctrl+c")
	if h.interrupt {
		t.Fatal("ctrl+c in the form left at once")
	}
	h.waitScreen("Leave hanavault?")
	h.press("esc") // stay
	if h.interrupt || h.m.screen != scrForm || h.m.dialog != nil {
		t.Fatalf("esc on the question did not stay in the form")
	}
	h.press("ctrl+c")
	h.waitScreen("Leave hanavault?")
	h.press("enter") // Leave is the default
	if !h.interrupt {
		t.Fatal("leaving did not end the wizard")
	}
	if ep := h.m.epilogue(); !strings.Contains(ep, "kept as a draft in "+state) {
		t.Errorf("the epilogue does not say where the draft is:\n%s", ep)
	}

	h = newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1", StateDir: state})
	h.press("n")
	h.waitScreen("You have unfinished answers (PRD, eu-central-1 → eu-west-1)")
	h.press("enter")
	h.waitFocus(fieldSID)
	if h.m.wiz.p.SID != "PRD" {
		t.Errorf("the draft was not resumed: SID %q", h.m.wiz.p.SID)
	}
}

// TestEscInTheFormGoesBackOnePage: esc goes to the previous page, and
// home only from the first.
func TestEscInTheFormGoesBackOnePage(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	startForm(h, fieldSource, fieldReplication, fieldOrigBucket)
	h.press("esc")
	if h.m.screen != scrForm {
		t.Fatalf("esc on the second page left the form")
	}
	h.waitFocus(fieldReplication)
	h.press("shift+tab", "shift+tab")
	h.waitFocus(fieldSID)
	h.press("esc")
	if h.m.screen != scrHome {
		t.Errorf("esc on the first page did not go home")
	}
}

// TestNewLandscapeAfterAnApplyStartsEmpty: the answers of a landscape that
// was applied are not a draft; the next New landscape starts empty.
func TestNewLandscapeAfterAnApplyStartsEmpty(t *testing.T) {
	eng := planningEngine()
	eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		return playChanges(testPlan(l), sink, nil), nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	fillForm(h, "PRD")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
	h.press("a")
	h.waitScreen("Apply this plan")
	h.press("y")
	h.waitScreen("Apply finished")
	h.press("esc")
	h.press("n")
	h.waitFocus(fieldSID)
	if s := h.screen(); h.m.wiz.p.SID != "" || strings.Contains(s, "unfinished") {
		t.Errorf("New landscape after an apply did not start empty (SID %q):\n%s", h.m.wiz.p.SID, s)
	}
}

// TestExistingSIDOffersThatLandscape: a SID that already exists is not
// planned as a new landscape; the form offers its status or an apply.
func TestExistingSIDOffersThatLandscape(t *testing.T) {
	eng := planningEngine()
	l := testLandscape()
	eng.known = []steps.KnownLandscape{{SID: "PRD", SourceRegion: l.SourceRegion, ReplicationRegion: l.ReplicationRegion, Local: true, Landscape: &l}}
	eng.status = func(l spec.Landscape) (*steps.Status, error) { return testStatus(l), nil }
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("PRD")
	h.press("enter")
	h.waitScreen("PRD already exists in this account")
	h.press("enter") // Show its status
	h.waitFor("status screen", func() bool { return h.m.screen == scrStatus })
	if eng.count("Preflight") != 0 {
		t.Errorf("an existing SID went on to preflight as a new landscape")
	}
}

// rejoin reads a command laid out by report.CommandLines back: the lines
// from the one holding start, while they end in a continuation.
func rejoin(s, start string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if !strings.Contains(l, start) {
			continue
		}
		var words []string
		for j := i; j < len(lines); j++ {
			l := strings.TrimSpace(lines[j])
			words = append(words, strings.Fields(strings.TrimSuffix(l, `\`))...)
			if !strings.HasSuffix(l, `\`) {
				break
			}
		}
		return strings.Join(words, " ")
	}
	return ""
}

// TestCopyableTextIsWholeAfterADestroy: key IDs, the journal path and
// the cancel commands are never wrapped or cut, on the screen and in the
// epilogue, at 60 and 80 columns.
func TestCopyableTextIsWholeAfterADestroy(t *testing.T) {
	const keyID = "40198de4-951b-4c1e-9e0b-5f3a1c2d7e88"
	journal := "/home/basis.administrator/.local/state/hanavault/123456789012/PRD/archive/20261206T033330.136Z"
	cancel := "aws kms cancel-key-deletion --region eu-central-1 --key-id " + keyID + " && aws kms enable-key --region eu-central-1 --key-id " + keyID
	for _, width := range []int{60, 80} {
		eng := destroyingEngine()
		inner := eng.destroy
		eng.destroy = func(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
			res, err := inner(ctx, l, sink)
			res.JournalPath = journal
			res.KeyDeletions[0].KeyID, res.KeyDeletions[0].CancelHint = keyID, cancel
			return res, err
		}
		h := newHarness(t, eng, goodDiscovery(), Config{Sandbox: true, HintFlags: " --sandbox"})
		h.send(tea.WindowSizeMsg{Width: width, Height: 24})
		h.press("down", "d")
		h.waitFor("destroy preview", func() bool { return h.m.screen == scrDestroy })
		h.typeText("PRD")
		h.press("enter")
		h.waitFor("destroy to finish", func() bool { return h.m.run != nil && h.m.run.finished })
		for where, s := range map[string]string{"screen": body(h.m.run.vp.GetContent()), "epilogue": h.m.epilogue()} {
			for _, whole := range []string{keyID, journal} {
				if !strings.Contains(s, whole) {
					t.Errorf("%d columns, %s: %q is cut:\n%s", width, where, whole, s)
				}
			}
			if got := rejoin(s, "aws kms cancel-key-deletion"); got != cancel {
				t.Errorf("%d columns, %s: the cancel command reads %q:\n%s", width, where, got, s)
			}
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, "aws kms") && lipgloss.Width(l) > width {
					t.Errorf("%d columns, %s: command line runs off the screen: %q", width, where, l)
				}
			}
		}
	}
}

// TestDestroyNumbersAgree: the preview's count of what goes, the progress
// counter and the summary say the same numbers; steps with nothing to do
// are one line, and a KMS key is scheduled for deletion, not deleted.
func TestDestroyNumbersAgree(t *testing.T) {
	eng := appliedEngine()
	nothing := []string{"source/key/rotation", "source/bucket/versioning", "source/bucket/policy", "replica/key/rotation", "replica/bucket/tags"}
	eng.destroy = func(_ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		res := &steps.Result{JournalPath: "/state/j"}
		for _, c := range testPreview(l).Changes {
			sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: c.ID, Region: c.Region, Action: c.Action})
			sink.Emit(steps.Event{Kind: steps.EventDone, StepID: c.ID, Region: c.Region, Action: c.Action})
			res.Succeeded++
		}
		for _, id := range nothing {
			region := l.SourceRegion
			if strings.HasPrefix(id, "replica/") {
				region = l.ReplicationRegion
			}
			sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: id, Region: region, Title: "Setting " + id, Action: steps.ActionKeep})
			sink.Emit(steps.Event{Kind: steps.EventDone, StepID: id, Region: region, Action: steps.ActionKeep})
			res.Succeeded++
		}
		return res, nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "d")
	h.waitFor("destroy preview", func() bool { return h.m.screen == scrDestroy })
	h.typeText("PRD")
	h.press("enter")
	h.waitFor("destroy to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	s := oneLine(body(h.m.run.vp.GetContent()))
	head := h.screen()
	// testPreview deletes two buckets and a key.
	for _, w := range []string{"3 of 3 steps done", "Removed: 2 resources; scheduled for deletion: 1 KMS key",
		"5 steps with nothing to do", "KMS key · alias/hana-backup-prd scheduled for deletion"} {
		if !strings.Contains(s+head, w) {
			t.Errorf("destroy lacks %q:\n%s\n%s", w, head, s)
		}
	}
	for _, id := range nothing {
		if strings.Contains(s, "Setting "+id) {
			t.Errorf("the no-op step %s has a row of its own:\n%s", id, s)
		}
	}
	if strings.Contains(s, "8 steps") || strings.Contains(head, "of 8") {
		t.Errorf("no-op steps are counted with the ones that act:\n%s\n%s", head, s)
	}
}

// TestInterruptedApplySaysWhereItStopped: the bar is not full, the counts
// say what was done, failed and not started, and one way to resume is
// given once.
func TestInterruptedApplySaysWhereItStopped(t *testing.T) {
	eng := appliedEngine()
	b := newBlockingApply()
	inner := b.run
	eng.apply = func(n int, ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		sink.Emit(steps.Event{Kind: steps.EventNote, Detail: "undo journal: /state/j"})
		res, err := inner(n, ctx, l, sink)
		sink.Emit(steps.Event{Kind: steps.EventNote, Detail: "rerun apply to continue: every step re-reads AWS and does only what is missing"})
		return res, err
	}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("a", "y")
	<-b.inFlight
	h.press("ctrl+c", "y")
	h.waitFor("the run to end", func() bool { return h.m.run.finished })
	screen := h.screen()
	all := oneLine(body(h.m.run.vp.GetContent()))
	if strings.Contains(screen, "100%") {
		t.Errorf("an interrupted apply shows a full bar:\n%s", screen)
	}
	if !strings.Contains(screen+all, "2 done, 0 failed, 4 not started") {
		t.Errorf("the counts of the stopped apply are missing:\n%s\n%s", screen, all)
	}
	for w, want := range map[string]int{"To resume": 1, "rerun apply": 0, "Journal": 1, "undo journal": 0, "interrupted": 0} {
		if n := strings.Count(all, w); n != want {
			t.Errorf("%q shows %d times, want %d:\n%s", w, n, want, all)
		}
	}
}

// TestHomeListsRecentlyDestroyedLandscapes: a destroyed landscape whose
// keys wait for deletion is on the home screen with the date, and enter
// shows how to cancel.
func TestHomeListsRecentlyDestroyedLandscapes(t *testing.T) {
	eng := appliedEngine()
	when := time.Date(2026, 12, 6, 5, 6, 0, 0, time.UTC)
	eng.gone = []steps.DestroyedLandscape{{SID: "QAS", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", DestroyedAt: when,
		Archive: "/state/123456789012/QAS/archive/20261206T050600.000Z",
		Keys: []steps.KeyDeletion{{KeyInfo: steps.KeyInfo{Region: "eu-central-1", Alias: "alias/hana-backup-qas",
			KeyID: "40198de4-951b-4c1e-9e0b-5f3a1c2d7e88", State: "PendingDeletion"}, DeletionDate: when.AddDate(0, 0, 30)}}}}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	if s := h.screen(); !strings.Contains(s, "QAS") || !strings.Contains(s, "destroyed 2026-12-06, keys go 2027-01-05") {
		t.Fatalf("home does not list the destroyed landscape:\n%s", s)
	}
	h.press("down", "down", "enter")
	h.waitFor("destroyed screen", func() bool { return h.m.screen == scrStatus })
	s := oneLine(body(h.m.status.vp.GetContent()))
	for _, w := range []string{"QAS was destroyed on 2026-12-06", "40198de4-951b-4c1e-9e0b-5f3a1c2d7e88", "aws kms cancel-key-deletion"} {
		if !strings.Contains(s, w) {
			t.Errorf("destroyed screen lacks %q:\n%s", w, s)
		}
	}
}

// TestBucketFieldChecksRoomForTheLogBucket: the backup bucket field itself
// refuses a name the "-logs" bucket cannot be derived from, in words.
func TestBucketFieldChecksRoomForTheLogBucket(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1"})
	startForm(h, fieldSource, fieldReplication, fieldOrigBucket)
	p := h.m.wiz.p
	h.clearInput(len(p.OrigBucket))
	long := "hana-backup-prd-123456789012-eu-central-1-with-a-long-suffix" // 60 characters
	h.typeText(long)
	h.press("enter")
	s := h.screen()
	if h.focused() != fieldOrigBucket {
		t.Fatalf("a %d-character bucket was accepted:\n%s", len(long), s)
	}
	if !strings.Contains(oneLine(s), "at most 58 characters (this one has 60)") {
		t.Errorf("the bucket field does not say why:\n%s", s)
	}
	if strings.Contains(s, "originalBucketName") || strings.Contains(s, "LogBucketName") {
		t.Errorf("the message names YAML keys:\n%s", s)
	}
}

// TestPlanOpensAtItsSummaryAndWarningsNameFormQuestions: the plan's first
// screen holds the totals and the warnings; the warnings name questions
// the wizard asks (the recovery window is one); g/G/home/end jump.
func TestPlanOpensAtItsSummaryAndWarningsNameFormQuestions(t *testing.T) {
	eng := planningEngine()
	eng.plan = func(l spec.Landscape) (*steps.Plan, error) {
		p := testPlan(l)
		p.Warnings = []steps.Warning{{Field: "recoveryWindowDays", Message: "not stated: backups move to GLACIER after 7 days; set recoveryWindowDays to check the lifecycle against your recovery needs"}}
		return p, nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	startForm(h, fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole, fieldRecovery)
	h.clearInput(1)
	h.typeText("14")
	h.press("enter")
	h.waitScreen("Change advanced options?")
	h.press("enter")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
	if got := eng.last("Plan").RecoveryWindowDays; got != 14 {
		t.Errorf("recovery window %d reached the plan, want 14", got)
	}
	s := h.screen()
	for _, w := range []string{"Plan: 5 to create, 1 to update, 1 in sync.", "Warnings", "Recovery window"} {
		if !strings.Contains(s, w) {
			t.Errorf("the plan's first screen lacks %q:\n%s", w, s)
		}
	}
	if all := body(h.m.plan.vp.GetContent()); strings.Contains(all, "recoveryWindowDays") {
		t.Errorf("a warning names a YAML key the wizard does not ask:\n%s", all)
	}
	h.press("G")
	if h.m.plan.vp.YOffset() == 0 {
		t.Errorf("G did not go to the end")
	}
	h.press("g")
	if h.m.plan.vp.YOffset() != 0 {
		t.Errorf("g did not go to the top")
	}
	h.press("end")
	h.press("home")
	if h.m.plan.vp.YOffset() != 0 {
		t.Errorf("home did not go to the top")
	}
}

// TestKMSAdminDefaultPrefersAKeyAdminRole: the admin picker starts on a
// role named for key administration and lists Identity Center roles last,
// warning when one is chosen.
func TestKMSAdminDefaultPrefersAKeyAdminRole(t *testing.T) {
	disc := goodDiscovery()
	disc.admin = []discover.RoleInfo{
		{Name: "AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41", Arn: "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41", Reasons: []string{"AdministratorAccess attached"}},
		{Name: "OrganizationAccountAccessRole", Arn: "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole", Reasons: []string{"AdministratorAccess attached"}},
		{Name: "kms-admin", Arn: "arn:aws:iam::123456789012:role/kms-admin", Reasons: []string{"name suggests an administrator"}},
	}
	h := newHarness(t, planningEngine(), disc, Config{Region: "eu-central-1"})
	startForm(h, fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole)
	if got := h.m.wiz.p.AdminChoice; got != "arn:aws:iam::123456789012:role/kms-admin" {
		t.Errorf("the admin role defaults to %q, want kms-admin", got)
	}
	h.press("down", "down")
	if got := h.m.wiz.p.AdminChoice; !isSSORole(got) {
		t.Fatalf("the Identity Center role is not last: the cursor is on %q\n%s", got, h.screen())
	}
	if s := oneLine(h.screen()); !strings.Contains(s, "Identity Center can delete and recreate this role") {
		t.Errorf("no warning on the Identity Center role:\n%s", h.screen())
	}
}

// TestRolePagesUseTheWidthAndSayWhereYouAre: role descriptions use a wide
// window instead of stopping at 72 columns, the admin page names the EC2
// role already chosen, and the title says which step of how many.
func TestRolePagesUseTheWidthAndSayWhereYouAre(t *testing.T) {
	disc := goodDiscovery()
	disc.admin = []discover.RoleInfo{{Name: "OrganizationAccountAccessRole", Arn: "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
		Reasons: []string{"AdministratorAccess attached", "AWS Organizations access role", "name suggests an administrator"}}}
	h := newHarness(t, planningEngine(), disc, Config{Region: "eu-central-1"})
	h.send(tea.WindowSizeMsg{Width: 140, Height: 40})
	h.press("n")
	h.waitFocus(fieldSID)
	if s := h.screen(); !strings.Contains(s, "step 1 of 6") {
		t.Errorf("the first page does not say step 1 of 6:\n%s", s)
	}
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole)
	s := h.screen()
	for _, w := range []string{"name suggests an administrator", "EC2 backup role: arn:aws:iam::123456789012:role/hana-backup-ec2", "step 4 of 6"} {
		if !strings.Contains(s, w) {
			t.Errorf("the admin page lacks %q:\n%s", w, s)
		}
	}
}

// TestRegionFilterShowsEveryMatch: with the list scrolled down to the
// preselected region, filtering keeps every match in view.
func TestRegionFilterShowsEveryMatch(t *testing.T) {
	disc := goodDiscovery()
	disc.regions = nil
	for _, r := range []string{"ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
		"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "sa-east-1", "us-east-1", "us-east-2", "us-west-2"} {
		disc.regions = append(disc.regions, discover.RegionInfo{Name: r, Description: "Region " + r, Enabled: true})
	}
	h := newHarness(t, planningEngine(), disc, Config{Region: "eu-central-1"})
	startForm(h, fieldSource)
	h.press("/")
	h.typeText("us-e")
	s := h.screen()
	for _, w := range []string{"us-east-1", "us-east-2"} {
		if !strings.Contains(s, w) {
			t.Errorf("filtering /us-e hides %s:\n%s", w, s)
		}
	}
	// In a taller window the pickers show more regions.
	h.press("esc", "esc")
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.settle()
	if n := strings.Count(h.screen(), "Region "); n < 2*10 {
		t.Errorf("at 40 rows the two region pickers show %d regions, want at least 10 each:\n%s", n, h.screen())
	}
}

// TestWording: no profile in the sandbox, and an ok status has no "Next:"
// that says there is nothing to do.
func TestWording(t *testing.T) {
	h := newHarness(t, appliedEngine(), goodDiscovery(), Config{Sandbox: true, Region: "eu-central-1"})
	if s := h.screen(); strings.Contains(s, "Profile") {
		t.Errorf("the sandbox home names a profile:\n%s", s)
	}
	l := testLandscape()
	st := testStatus(l)
	st.Overall, st.NextAction = steps.OverallOK, "Nothing to do: the landscape matches its definition."
	if s := statusBody(st, look{noColor: true}, 80); strings.Contains(s, "Next: Nothing to do") || !strings.Contains(s, "Nothing to do") {
		t.Errorf("status of an ok landscape:\n%s", s)
	}
}

// TestAnswersAreSavedWhenTheApplyIsConfirmed: the landscape file is
// written when the user confirms the apply, in the state directory's
// landscapes folder by default, and the wizard says where first.
func TestAnswersAreSavedWhenTheApplyIsConfirmed(t *testing.T) {
	state := t.TempDir()
	t.Chdir(t.TempDir()) // no landscape files here
	eng := planningEngine()
	eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		return playChanges(testPlan(l), sink, nil), nil
	}
	cfg := Config{Region: "eu-central-1", StateDir: state, Sandbox: true}
	h := newHarness(t, eng, goodDiscovery(), cfg)
	h.m.cfg = cfg.withDefaults() // the harness's own SaveDir aside
	h.m.cfg.Engine, h.m.cfg.Discovery = eng, h.disc
	want := filepath.Join(state, "sandbox", "landscapes", "landscape-PRD.yaml")
	fillForm(h, "PRD")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
	if _, err := os.Stat(want); err == nil {
		t.Fatal("the answers were saved before the apply was confirmed")
	}
	if s := h.screen(); !strings.Contains(s, "Applying saves the answers to:\n"+want) {
		t.Errorf("the plan does not say where the answers go:\n%s", s)
	}
	h.press("a")
	h.press("left", "enter")
	h.waitFor("apply to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	if _, err := os.Stat(want); err != nil {
		t.Errorf("the answers were not saved to %s on apply: %v", want, err)
	}
	if !strings.Contains(h.m.epilogue(), "Saved the answers to "+want) {
		t.Errorf("the epilogue does not say where the answers are:\n%s", h.m.epilogue())
	}
}

// TestProgressRowsAndHomeAtSmallSizes: at 80 columns a log bucket's step
// is told from the backup bucket's, the states line up, the region
// heading stays in sight when scrolled, and at 60x20 the home screen
// says how many landscapes it cannot show.
func TestProgressRowsAndHomeAtSmallSizes(t *testing.T) {
	h := newHarness(t, appliedEngine(), goodDiscovery(), Config{})
	r := &runState{index: map[string]*row{}, land: testLandscape(), vp: newViewport(), follow: true}
	h.m.run = r
	long := "hana-backup-prd-123456789012-eu-central-1"
	for i, c := range []struct{ id, comp, res, title, region string }{
		{"source/log-bucket/tags", "log-bucket", long + "-logs", "Tags", "eu-central-1"},
		{"source/bucket/tags", "bucket", long, "Tags", "eu-central-1"},
		{"source/bucket/lifecycle", "bucket", long, "Lifecycle (archive, expiry, noncurrent versions)", "eu-central-1"},
	} {
		r.add(c.id, c.region, c.comp, c.res, c.title, steps.ActionCreate)
		r.event(steps.Event{Kind: steps.EventDone, StepID: c.id, Action: []steps.Action{steps.ActionCreate, steps.ActionUpdate}[i%2]})
	}
	for i := range 30 {
		id := fmt.Sprintf("replica/bucket/s%d", i)
		r.add(id, "eu-west-1", "bucket", "hana-backup-prd-123456789012-eu-west-1", fmt.Sprintf("Setting %d", i), steps.ActionCreate)
		r.event(steps.Event{Kind: steps.EventDone, StepID: id, Action: steps.ActionUpdate})
	}
	r.layout(h.m)
	content := body(r.vp.GetContent())
	for _, w := range []string{"log bucket: Tags", "backup bucket: Tags"} {
		if !strings.Contains(content, w) {
			t.Errorf("rows lack %q:\n%s", w, content)
		}
	}
	col := -1
	for _, l := range strings.Split(content, "\n") {
		i := strings.LastIndex(l, "created")
		if j := strings.LastIndex(l, "updated"); j > i {
			i = j
		}
		if i < 0 {
			continue
		}
		if c := ansi.StringWidth(l[:i]); col >= 0 && c != col {
			t.Errorf("the state column moves: %q at %d, earlier %d", l, c, col)
		} else {
			col = c
		}
	}
	r.vp.SetYOffset(10)
	if top := strings.Split(body(h.m.runView()), "\n")[2]; !strings.HasPrefix(top, "eu-west-1") {
		t.Errorf("scrolled into eu-west-1, the top line is %q, not its heading", top)
	}

	eng := appliedEngine()
	eng.known = nil
	for _, sid := range []string{"AB1", "AB2", "AB3", "AB4", "AB5", "AB6", "AB7", "AB8", "AB9"} {
		eng.known = append(eng.known, steps.KnownLandscape{SID: sid, SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", Local: true, Overall: steps.OverallOK})
	}
	h = newHarness(t, eng, goodDiscovery(), Config{})
	h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	if s := h.screen(); !strings.Contains(s, "more") || strings.Contains(s, "AB9") {
		t.Errorf("at 60x20 the home screen does not say landscapes are hidden:\n%s", s)
	}
}

// TestAccessibleModeSaysDefaultsAndSpeaksInSentences: each choice says
// what Enter keeps, and progress reads as sentences about resources.
func TestAccessibleModeSaysDefaultsAndSpeaksInSentences(t *testing.T) {
	eng := appliedEngine()
	eng.known = nil
	eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: "source/bucket/versioning", Region: l.SourceRegion, Component: "bucket",
			Resource: l.OriginalBucketName, Title: "Versioning", Action: steps.ActionCreate})
		sink.Emit(steps.Event{Kind: steps.EventDone, StepID: "source/bucket/versioning", Region: l.SourceRegion, Component: "bucket",
			Resource: l.OriginalBucketName, Title: "Versioning", Action: steps.ActionCreate, Elapsed: 300 * time.Millisecond})
		return &steps.Result{Succeeded: 1}, nil
	}
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{Region: "eu-central-1"},
		"1", "PRD", "", "", "", "", "", "", "", "", "", "", "n", "y", "2")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, w := range []string{"Enter for eu-central-1", "Enter for eu-west-1", "Enter keeps no.",
		"Versioning of backup bucket hana-backup-prd-123456789012-eu-central-1 in eu-central-1: created (0.3s)."} {
		if !strings.Contains(out, w) {
			t.Errorf("accessible output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "source/bucket/versioning") {
		t.Errorf("accessible progress names a step ID:\n%s", out)
	}
}

// TestConfirmButtonsStayInViewWhenNarrow: at 58 columns the apply
// question's description wraps; its buttons must still show.
func TestConfirmButtonsStayInViewWhenNarrow(t *testing.T) {
	h := newHarness(t, planningEngine(), goodDiscovery(), Config{Region: "eu-central-1", NoColor: true})
	h.send(tea.WindowSizeMsg{Width: 58, Height: 20})
	h.m.showPlan(testLandscape(), testPlan(testLandscape()), scrHome)
	h.press("a")
	h.waitScreen("Apply this plan")
	if s := h.screen(); !strings.Contains(s, "[Cancel]") {
		t.Errorf("the buttons are cut at 58 columns:\n%s", s)
	}
}
