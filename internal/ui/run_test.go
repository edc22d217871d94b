package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// appliedEngine knows PRD and plans, applies and reports on it.
func appliedEngine() *fakeEngine {
	eng := planningEngine()
	eng.known = knownPRD()[:1]
	eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		return playChanges(testPlan(l), sink, nil), nil
	}
	eng.status = func(l spec.Landscape) (*steps.Status, error) { return testStatus(l), nil }
	eng.preview = func(l spec.Landscape) (*steps.DestroyPreview, error) { return testPreview(l), nil }
	return eng
}

// openPlanOfPRD selects PRD on the home screen and plans it again.
func openPlanOfPRD(h *harness) {
	h.t.Helper()
	h.press("down", "a")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
}

// body is everything in a viewport, unstyled.
func body(s string) string { return ansi.Strip(s) }

func TestPlanDocumentsAndConfirmationDefaultingToNo(t *testing.T) {
	eng := appliedEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("p")
	if h.m.screen != scrDocs {
		t.Fatalf("p did not open the documents")
	}
	s := h.screen()
	if !strings.Contains(s, "Bucket policy: hana-backup-prd") || !strings.Contains(s, "Key policy: alias/hana-backup-prd") {
		t.Errorf("document list lacks the documents:\n%s", s)
	}
	h.press("down", "enter")
	if h.m.screen != scrDoc || !strings.Contains(h.screen(), `"Sid": "KeyAdministration"`) {
		t.Errorf("viewer does not show the key policy:\n%s", h.screen())
	}
	h.press("esc", "esc")
	if h.m.screen != scrPlan {
		t.Fatalf("esc esc did not return to the plan, screen %d", h.m.screen)
	}

	h.press("a")
	if !strings.Contains(h.screen(), "Apply this plan to PRD in account 123456789012?") {
		t.Fatalf("no confirmation:\n%s", h.screen())
	}
	h.press("enter") // the default is No
	if h.m.screen != scrPlan || !strings.Contains(h.screen(), "Not applied.") {
		t.Errorf("enter on the confirmation did not cancel:\n%s", h.screen())
	}
	if eng.count("Apply") != 0 {
		t.Fatalf("applied without a yes")
	}

	h.press("a", "y")
	h.waitFor("apply to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	r := h.m.run
	if tl := r.tally(); tl.total != 6 || tl.done != 6 {
		t.Errorf("rows %d of %d done, want 6 of 6 (in-sync steps have no row)", tl.done, tl.total)
	}
	for _, rw := range r.rows {
		if rw.state != rowDone {
			t.Errorf("row %s ended %d, want done", rw.id, rw.state)
		}
	}
	s = body(r.vp.GetContent())
	for _, w := range []string{"eu-central-1", "eu-west-1", "global", "✓ KMS key · alias/hana-backup-prd", "created 0.4s",
		"Apply finished. 6 of 6 steps done", "/state/123456789012/PRD/journal.ndjson"} {
		if !strings.Contains(s, w) {
			t.Errorf("run screen lacks %q:\n%s", w, s)
		}
	}
	if !strings.Contains(h.screen(), "100%") {
		t.Errorf("progress bar not full:\n%s", h.screen())
	}
	if strings.Index(s, "eu-central-1") > strings.Index(s, "eu-west-1") || strings.Index(s, "eu-west-1") > strings.Index(s, "global") {
		t.Errorf("regions not in source, replica, global order:\n%s", s)
	}
	h.press("s")
	h.waitFor("status after apply", func() bool { return h.m.screen == scrStatus })
}

func TestApplyFailureOffersRetry(t *testing.T) {
	eng := appliedEngine()
	eng.apply = func(n int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		if n == 1 {
			return playChanges(testPlan(l), sink, map[string]string{"source/bucket": "s3:CreateBucket: OperationAborted: a conflicting operation is in progress"}), nil
		}
		return playChanges(testPlan(l), sink, nil), nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("a", "y")
	h.waitFor("apply to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	s := body(h.m.run.vp.GetContent())
	for _, w := range []string{"✗ Backup bucket", "OperationAborted: a conflicting operation is in progress",
		"Apply finished with failures.", "r retries the apply; u rolls back what this run created."} {
		if !strings.Contains(s, w) {
			t.Errorf("failed run lacks %q:\n%s", w, s)
		}
	}
	if !strings.Contains(h.screen(), "r retry") || !strings.Contains(h.screen(), "u roll back this run") {
		t.Errorf("help line lacks retry and roll back:\n%s", h.screen())
	}
	h.press("r")
	h.waitFor("second apply", func() bool { return h.m.run.id == 2 && h.m.run.finished })
	if eng.count("Apply") != 2 {
		t.Fatalf("Apply called %d times, want 2", eng.count("Apply"))
	}
	if h.m.run.failedRun() {
		t.Errorf("second run reported as failed")
	}
}

func TestApplyFailureOffersRollBack(t *testing.T) {
	eng := appliedEngine()
	eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		return playChanges(testPlan(l), sink, map[string]string{"global/replication-role": "iam:CreateRole: AccessDenied"}), nil
	}
	eng.rollback = func(_ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		for _, id := range []string{"source/bucket", "source/key"} {
			sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: id, Region: l.SourceRegion, Title: "Undo " + id, Action: steps.ActionDelete})
			sink.Emit(steps.Event{Kind: steps.EventDone, StepID: id, Region: l.SourceRegion, Elapsed: time.Second})
		}
		return &steps.Result{Succeeded: 2, JournalPath: "/state/j"}, nil
	}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("a", "y")
	h.waitFor("apply to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	h.press("u")
	if !strings.Contains(h.screen(), "Roll back what this run created or changed?") {
		t.Fatalf("no roll back confirmation:\n%s", h.screen())
	}
	h.press("enter") // default No
	if eng.count("RollbackLastRun") != 0 || h.m.run.kind != runApply {
		t.Fatalf("rolled back without a yes")
	}
	h.press("u", "y")
	h.waitFor("roll back to finish", func() bool { return h.m.run.kind == runRollback && h.m.run.finished })
	if eng.count("RollbackLastRun") != 1 {
		t.Fatalf("RollbackLastRun called %d times", eng.count("RollbackLastRun"))
	}
	if got := len(h.m.run.rows); got != 2 {
		t.Errorf("roll back shows %d rows, want 2 (from its events)", got)
	}
	if s := body(h.m.run.vp.GetContent()); !strings.Contains(s, "Roll back finished.") || !strings.Contains(s, "Undo source/key") {
		t.Errorf("roll back summary:\n%s", s)
	}
}

// blockingApply starts the first two steps, finishes one, then waits for
// cancellation; on it, it finishes the call in flight and skips the rest.
type blockingApply struct {
	inFlight  chan struct{}
	cancelled chan struct{}
}

func newBlockingApply() *blockingApply {
	return &blockingApply{inFlight: make(chan struct{}), cancelled: make(chan struct{})}
}

func (b *blockingApply) run(_ int, ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	p := testPlan(l)
	res := &steps.Result{JournalPath: "/state/j"}
	c0, c1 := p.Changes[0], p.Changes[1]
	sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: c0.ID, Region: c0.Region})
	sink.Emit(steps.Event{Kind: steps.EventDone, StepID: c0.ID, Region: c0.Region, Elapsed: time.Second})
	sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: c1.ID, Region: c1.Region})
	sink.Emit(steps.Event{Kind: steps.EventRetrying, StepID: c1.ID, Region: c1.Region, Attempt: 2, Reason: "versioning not yet visible"})
	close(b.inFlight)
	<-ctx.Done()
	close(b.cancelled)
	sink.Emit(steps.Event{Kind: steps.EventDone, StepID: c1.ID, Region: c1.Region, Elapsed: 2 * time.Second})
	res.Succeeded = 2
	for _, c := range p.Changes[2:] {
		if c.Action != steps.ActionInSync {
			sink.Emit(steps.Event{Kind: steps.EventSkipped, StepID: c.ID, Region: c.Region, Reason: "interrupted"})
			res.Skipped++
		}
	}
	return res, ctx.Err()
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestCtrlCDuringApplyAsksThenStops(t *testing.T) {
	eng := appliedEngine()
	b := newBlockingApply()
	eng.apply = b.run
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("a", "y")
	<-b.inFlight
	h.waitScreen("retrying (attempt 2)")
	if !strings.Contains(body(h.m.run.vp.GetContent()), "versioning not yet visible") {
		t.Errorf("retry reason not shown:\n%s", h.screen())
	}

	h.press("ctrl+c")
	if !strings.Contains(h.screen(), "Stop after the calls in flight? y/n") {
		t.Fatalf("ctrl+c did not ask:\n%s", h.screen())
	}
	if h.interrupt || isClosed(b.cancelled) {
		t.Fatalf("ctrl+c stopped without asking")
	}
	h.press("n")
	if h.m.run.asking || isClosed(b.cancelled) {
		t.Fatalf("n did not keep the apply going")
	}
	h.press("q") // q does not leave a running apply
	if h.m.screen != scrRun || h.quit {
		t.Fatalf("q left a running apply")
	}

	h.press("ctrl+c", "y")
	h.waitFor("the run to end", func() bool { return h.m.run.finished })
	if !isClosed(b.cancelled) {
		t.Fatalf("the engine's context was not cancelled")
	}
	for _, rw := range h.m.run.rows {
		if !rw.state.final() {
			t.Errorf("row %s did not end final", rw.id)
		}
	}
	s := body(h.m.run.vp.GetContent())
	for _, w := range []string{"Stopped after the calls in flight.",
		"run hanavault again and choose apply again on PRD"} {
		if !strings.Contains(s, w) {
			t.Errorf("stopped run lacks %q:\n%s", w, s)
		}
	}
	if !errors.Is(h.m.exitErr, tea.ErrInterrupted) {
		t.Errorf("exit error %v does not wrap tea.ErrInterrupted", h.m.exitErr)
	}
	if !strings.Contains(h.m.epilogue(), "choose apply again on PRD") {
		t.Errorf("epilogue lacks the resume hint: %q", h.m.epilogue())
	}
}

func TestCtrlCTwiceStopsAndThriceLeaves(t *testing.T) {
	eng := appliedEngine()
	b := newBlockingApply()
	release := make(chan struct{})
	eng.apply = func(n int, ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		// Keep "stopping" until the test lets go.
		res, err := b.run(n, ctx, l, sink)
		<-release
		return res, err
	}
	defer close(release)
	h := newHarness(t, eng, goodDiscovery(), Config{})
	openPlanOfPRD(h)
	h.press("a", "y")
	<-b.inFlight
	h.press("ctrl+c", "ctrl+c")
	<-b.cancelled
	if !h.m.run.stopping || h.interrupt {
		t.Fatalf("second ctrl+c did not stop (stopping=%v interrupt=%v)", h.m.run.stopping, h.interrupt)
	}
	h.waitScreen("Stopping after the calls in flight")
	h.press("ctrl+c")
	if !h.interrupt {
		t.Fatalf("third ctrl+c did not leave")
	}
	if !errors.Is(h.m.exitErr, tea.ErrInterrupted) {
		t.Errorf("exit error %v", h.m.exitErr)
	}
}

func TestStatusWithDrift(t *testing.T) {
	eng := appliedEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "s")
	h.waitFor("status", func() bool { return h.m.screen == scrStatus })
	s := body(h.m.status.vp.GetContent())
	for _, w := range []string{"drift", "transition", "GLACIER after 7 days", "Run apply to put the lifecycle rule back."} {
		if !strings.Contains(s, w) {
			t.Errorf("status lacks %q:\n%s", w, s)
		}
	}
	if !strings.Contains(h.screen(), "a apply") || !strings.Contains(h.screen(), "d destroy") {
		t.Errorf("status help lacks its actions:\n%s", h.screen())
	}
	h.press("a")
	h.waitFor("plan to repair", func() bool { return h.m.screen == scrPlan })
	h.press("esc")
	if h.m.screen != scrStatus {
		t.Fatalf("esc from the repair plan went to %d, want status", h.m.screen)
	}
	h.press("r")
	h.waitFor("status again", func() bool { return h.m.screen == scrStatus && eng.count("Status") == 2 })
	h.press("esc")
	if h.m.screen != scrHome {
		t.Fatalf("esc from status went to %d", h.m.screen)
	}
}

func TestStatusFailureShowsErrorAndGoesBack(t *testing.T) {
	eng := appliedEngine()
	eng.status = func(spec.Landscape) (*steps.Status, error) {
		return nil, accessDenied("s3:GetBucketLifecycleConfiguration")
	}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "s")
	h.waitScreen("Reading PRD in both regions failed")
	h.press("esc")
	if h.m.screen != scrHome {
		t.Fatalf("esc went to %d", h.m.screen)
	}
}

// destroyingEngine also destroys PRD.
func destroyingEngine() *fakeEngine {
	eng := appliedEngine()
	eng.destroy = func(_ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		p := testPreview(l)
		res := &steps.Result{JournalPath: "/state/destroy.ndjson"}
		for _, c := range p.Changes {
			sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: c.ID, Region: c.Region, Action: c.Action})
			if c.ID == "source/bucket" {
				sink.Emit(steps.Event{Kind: steps.EventProgress, StepID: c.ID, Region: c.Region, Detail: "deleting versions", Done: 600, Total: 1240})
			}
			sink.Emit(steps.Event{Kind: steps.EventDone, StepID: c.ID, Region: c.Region, Elapsed: time.Second})
			res.Succeeded++
		}
		res.KeyDeletions = []steps.KeyDeletion{{
			KeyInfo:      p.Keys[0],
			DeletionDate: time.Date(2026, 12, 27, 10, 0, 0, 0, time.UTC),
			CancelHint:   "aws kms cancel-key-deletion --region eu-central-1 --key-id 1111 && aws kms enable-key --region eu-central-1 --key-id 1111",
		}}
		return res, nil
	}
	return eng
}

func TestDestroyRefusesTheWrongSID(t *testing.T) {
	eng := destroyingEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "d")
	h.waitFor("destroy preview", func() bool { return h.m.screen == scrDestroy })
	preview := body(h.m.destroy.vp.GetContent())
	for _, w := range []string{"hana-backup-prd-123456789012-eu-central-1", "5.0 GiB", "30 days"} {
		if !strings.Contains(preview, w) {
			t.Errorf("preview lacks %q:\n%s", w, preview)
		}
	}
	if !strings.Contains(h.screen(), "Type PRD to destroy it in both regions") {
		t.Fatalf("no SID prompt:\n%s", h.screen())
	}
	h.typeText("QAS")
	h.press("enter")
	if h.m.screen != scrDestroy || h.m.dialog == nil {
		t.Fatalf("wrong SID left the destroy screen")
	}
	if !strings.Contains(h.screen(), "that is not PRD: nothing was destroyed") {
		t.Errorf("wrong SID not explained:\n%s", h.screen())
	}
	h.press("pgdown") // scrolls the preview, not the prompt
	h.settle()
	if eng.count("Destroy") != 0 {
		t.Fatalf("destroyed after the wrong SID")
	}
	h.clearInput(3)
	h.typeText("PRD")
	h.press("enter")
	h.waitFor("destroy to finish", func() bool { return h.m.run != nil && h.m.run.kind == runDestroy && h.m.run.finished })
	s := oneLine(body(h.m.run.vp.GetContent()))
	for _, w := range []string{"Destroy finished. 3 of 3 steps done", "Removed: 2 resources; scheduled for deletion: 1 KMS key",
		"2026-12-27", "aws kms cancel-key-deletion --region eu-central-1 --key-id 1111"} {
		if !strings.Contains(s, w) {
			t.Errorf("destroy summary lacks %q:\n%s", w, s)
		}
	}
	if eng.count("Known") < 2 {
		t.Errorf("known landscapes not refreshed after destroy")
	}
}

func TestDestroyEscCancels(t *testing.T) {
	eng := destroyingEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "d")
	h.waitFor("destroy preview", func() bool { return h.m.screen == scrDestroy })
	h.press("esc")
	if h.m.screen != scrHome || h.m.dialog != nil {
		t.Fatalf("esc did not cancel the destroy")
	}
	if eng.count("Destroy") != 0 {
		t.Fatalf("destroyed")
	}
}

func TestDestroyProgressShowsCounts(t *testing.T) {
	r := &runState{index: map[string]*row{}, land: testLandscape()}
	r.event(steps.Event{Kind: steps.EventStarted, StepID: "source/bucket", Region: "eu-central-1", Title: "Backup bucket"})
	r.event(steps.Event{Kind: steps.EventProgress, StepID: "source/bucket", Detail: "deleting versions", Done: 600, Total: 1240})
	h := newHarness(t, appliedEngine(), goodDiscovery(), Config{})
	lines := h.m.rowLines(r.rows[0])
	got := ansi.Strip(strings.Join(lines, "\n"))
	if !strings.Contains(got, "running 600/1240") || !strings.Contains(got, "deleting versions") {
		t.Errorf("progress row = %q", got)
	}
}
