package ui

import (
	"errors"

	tea "charm.land/bubbletea/v2"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// fakeDR scripts verify and recall.
type fakeDR struct {
	mu      sync.Mutex
	verify  []string // SIDs verified
	recalls []RecallRequest
	preview int64
}

func (f *fakeDR) Verify(ctx context.Context, l spec.Landscape, sink steps.Sink) (string, error) {
	f.mu.Lock()
	f.verify = append(f.verify, l.SID)
	f.mu.Unlock()
	sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: "verify/upload/single", Region: l.SourceRegion, Title: "A Backint-style upload"})
	sink.Emit(steps.Event{Kind: steps.EventProgress, StepID: "verify/replication", Region: l.SourceRegion, Detail: "waiting for replication: single PENDING"})
	sink.Emit(steps.Event{Kind: steps.EventDone, StepID: "verify/upload/single", Region: l.SourceRegion})
	sink.Emit(steps.Event{Kind: steps.EventDone, StepID: "verify/replication", Region: l.SourceRegion})
	return "Verify of " + l.SID + ": 2 of 2 checks passed. Evidence: /tmp/e.md", nil
}

func (f *fakeDR) RecallPreview(ctx context.Context, l spec.Landscape, r RecallRequest) (string, int64, error) {
	return "GLACIER 12 objects, 3.0 GiB. This is an estimate.", f.preview, nil
}

func (f *fakeDR) Recall(ctx context.Context, l spec.Landscape, r RecallRequest, sink steps.Sink) (string, error) {
	f.mu.Lock()
	f.recalls = append(f.recalls, r)
	f.mu.Unlock()
	sink.Emit(steps.Event{Kind: steps.EventDone, StepID: "recall/" + r.Side, Region: l.ReplicationRegion, Detail: "12 restore requests sent"})
	return "Recall of " + l.SID + ": 12 restore requests sent.", nil
}

func TestHomeVerifyAndRecallActions(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	dr := &fakeDR{preview: 12}
	h := newHarness(t, eng, goodDiscovery(), Config{DR: dr})
	h.press("down")
	var help []string
	for _, b := range h.m.homeBindings() {
		help = append(help, b.Help().Key+" "+b.Help().Desc)
	}
	if got := strings.Join(help, ", "); !strings.Contains(got, "v verify DR") || !strings.Contains(got, "c recall archived") {
		t.Fatalf("home keys lack the DR actions: %s", got)
	}
	h.press("v")
	h.waitFor("verify finished", func() bool { return h.m.run != nil && h.m.run.finished })
	if h.m.run.kind != runVerify || len(dr.verify) != 1 || dr.verify[0] != "PRD" {
		t.Fatalf("verify ran %v (kind %v)", dr.verify, h.m.run.kind)
	}
	if !strings.Contains(h.screen(), "verify/replication") || !strings.Contains(h.m.epilogue(), "2 of 2 checks passed") {
		t.Fatalf("run screen / epilogue:\n%s\n%s", h.screen(), h.m.epilogue())
	}
	h.press("esc")
	h.waitFor("home", func() bool { return h.m.screen == scrHome })

	h.press("c")
	if h.m.dialog == nil {
		t.Fatal("c opened no recall dialog")
	}
	h.press("enter", "enter", "enter") // replica, 7 days, Standard
	h.waitFor("confirmation", func() bool { return h.m.dialog != nil && strings.Contains(h.screen(), "Send 12 restore requests?") })
	h.press("left", "enter")
	h.waitFor("recall finished", func() bool { return h.m.run != nil && h.m.run.kind == runRecall && h.m.run.finished })
	if len(dr.recalls) != 1 || dr.recalls[0] != (RecallRequest{Side: "replica", DaysBack: 7, Tier: "Standard"}) {
		t.Fatalf("recall %+v", dr.recalls)
	}
}

func TestNoDRActionsWithoutDR(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	h := newHarness(t, eng, goodDiscovery(), Config{})
	h.press("down", "v")
	if h.m.screen != scrHome || h.m.run != nil {
		t.Fatalf("verify offered without DR:\n%s", h.screen())
	}
}

func TestAccessibleVerifyAndRecall(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()[:1]}
	dr := &fakeDR{preview: 12}
	// Menu: 1 new, 2 status, 3 apply, 4 destroy, 5 verify, 6 recall, 7 quit.
	out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{DR: dr},
		"5",
		"6", "1", "3", "2", "y",
		"7")
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out)
	}
	for _, w := range []string{"Verify PRD end to end", "verify/replication in eu-central-1: passed", "2 of 2 checks passed",
		"GLACIER 12 objects", "Send 12 restore requests?", "recall/replica in eu-west-1: done (0.0s): 12 restore requests sent"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if len(dr.verify) != 1 || len(dr.recalls) != 1 || dr.recalls[0] != (RecallRequest{Side: "replica", DaysBack: 3, Tier: "Bulk"}) {
		t.Fatalf("verify %v recalls %+v", dr.verify, dr.recalls)
	}
}

func TestVerifyAfterAFinishedApply(t *testing.T) {
	eng := appliedEngine()
	dr := &fakeDR{}
	h := newHarness(t, eng, goodDiscovery(), Config{DR: dr})
	openPlanOfPRD(h)
	h.press("a", "y")
	h.waitFor("apply to finish", func() bool { return h.m.run != nil && h.m.run.finished })
	var keys []string
	for _, b := range h.m.runBindings() {
		keys = append(keys, b.Help().Key)
	}
	if !strings.Contains(strings.Join(keys, " "), "v") {
		t.Fatalf("a finished apply does not offer verify: %v", keys)
	}
	h.press("v")
	h.waitFor("verify to finish", func() bool { return h.m.run != nil && h.m.run.kind == runVerify && h.m.run.finished })
	if len(dr.verify) != 1 || dr.verify[0] != "PRD" {
		t.Fatalf("verify ran for %v", dr.verify)
	}
}

// verifyLikeDR emits the events internal/verify emits: each check starts
// with ActionInSync and ends done (with what it found) or failed; the
// cleanup starts and reports what it removed as progress, without a done.
type verifyLikeDR struct {
	fakeDR
	fail bool
}

func (f *verifyLikeDR) Verify(ctx context.Context, l spec.Landscape, sink steps.Sink) (string, error) {
	check := func(id, region, title, detail string, fail bool) {
		sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: "verify/" + id, Region: region, Title: title, Action: steps.ActionInSync})
		if fail {
			sink.Emit(steps.Event{Kind: steps.EventFailed, StepID: "verify/" + id, Region: region, Title: title, Error: title + ": " + detail})
			return
		}
		sink.Emit(steps.Event{Kind: steps.EventDone, StepID: "verify/" + id, Region: region, Title: title, Detail: detail})
	}
	check("upload/single", l.SourceRegion, "A Backint-style upload", "stored SSE-KMS with the landscape's key", false)
	check("replication", l.SourceRegion, "The canary is replicated", "COMPLETED after 2s", f.fail)
	check("role/kms", "", "The backup role may use the key", "kms:GenerateDataKey allowed", false)
	sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: "verify/cleanup", Title: "Remove the canaries of this run from both buckets", Action: steps.ActionInSync})
	sink.Emit(steps.Event{Kind: steps.EventProgress, StepID: "verify/cleanup", Detail: "6 canary versions removed under PRD/hanavault-verify/"})
	if f.fail {
		return "Verify of " + l.SID + ": 2 of 3 checks passed. Evidence: /tmp/e.md", errors.New("verify of PRD failed: 1 check failed")
	}
	return "Verify of " + l.SID + ": 3 of 3 checks passed. Evidence: /tmp/e.md", nil
}

func TestVerifyRunScreenShowsEachCheck(t *testing.T) {
	for _, fail := range []bool{false, true} {
		eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
		h := newHarness(t, eng, goodDiscovery(), Config{DR: &verifyLikeDR{fail: fail}})
		h.send(tea.WindowSizeMsg{Width: 100, Height: 40})
		h.press("down", "v")
		h.waitFor("verify finished", func() bool { return h.m.run != nil && h.m.run.finished })
		scr := h.screen()
		want := []string{"A Backint-style upload", "stored SSE-KMS with the landscape's key", "The backup role may use the key",
			"Remove the canaries", "6 canary versions removed", "Evidence: /tmp/e.md"}
		if fail {
			want = append(want, "2 of 3 checks passed", "1 failed", "Verify failed", "COMPLETED after 2s")
		} else {
			want = append(want, "3 of 3 checks passed", "Verify passed", "COMPLETED after 2s")
		}
		for _, w := range want {
			if !strings.Contains(scr, w) {
				t.Errorf("fail=%v: run screen lacks %q:\n%s", fail, w, scr)
			}
		}
		for _, bad := range []string{"nothing to do", "not started", "0 of 0"} {
			if strings.Contains(scr, bad) {
				t.Errorf("fail=%v: run screen says %q:\n%s", fail, bad, scr)
			}
		}
	}
}

func TestRecallRunScreenShowsItsResult(t *testing.T) {
	eng := &fakeEngine{identity: testIdentity, known: knownPRD()}
	h := newHarness(t, eng, goodDiscovery(), Config{DR: &fakeDR{preview: 12}})
	h.press("down", "c")
	h.press("enter", "enter", "enter")
	h.waitFor("confirmation", func() bool { return h.m.dialog != nil && strings.Contains(h.screen(), "Send 12 restore requests?") })
	h.press("left", "enter")
	h.waitFor("recall finished", func() bool { return h.m.run != nil && h.m.run.kind == runRecall && h.m.run.finished })
	scr := h.screen()
	for _, w := range []string{"12 restore requests sent", "1 of 1 step done", "Recall finished"} {
		if !strings.Contains(scr, w) {
			t.Errorf("run screen lacks %q:\n%s", w, scr)
		}
	}
}
