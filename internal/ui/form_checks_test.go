package ui

import (
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/spec"
)

// reachBucketField opens the form with SID PRD and moves the focus to a
// bucket field, through the advanced options for the log buckets.
func reachBucketField(h *harness, field string) {
	h.t.Helper()
	h.press("n")
	h.waitFocus(fieldSID)
	h.typeText("PRD")
	switch field {
	case fieldOrigBucket:
		h.enterTo(fieldSource, fieldReplication, fieldOrigBucket)
	case fieldReplBucket:
		h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket)
	case fieldOrigLog, fieldReplLog:
		h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
			fieldEC2Role, fieldAdminRole, fieldRecovery)
		h.press("enter")
		h.waitScreen("Change advanced options?")
		h.press("y")
		h.waitFocus(fieldTransition)
		h.enterTo(fieldStorageClass, fieldArchive, fieldNoncurrent, fieldOrigLog)
		if field == fieldReplLog {
			h.enterTo(fieldReplLog)
		}
	default:
		h.t.Fatalf("no way to %s", field)
	}
}

// TestFormChecksBucketNamesAsYouType: every bucket input says what is
// wrong with a name while it is typed, and enter does not move on from a
// bad name; a good name clears the mark and moves on.
func TestFormChecksBucketNamesAsYouType(t *testing.T) {
	const bad = "Backups_PRD"
	rule := spec.ValidateBucketName(bad).Error()
	for _, field := range []string{fieldOrigBucket, fieldReplBucket, fieldOrigLog, fieldReplLog} {
		t.Run(field, func(t *testing.T) {
			eng := planningEngine()
			h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
			reachBucketField(h, field)
			in := h.m.wiz.inputs[field]
			h.clearInput(len(in.GetValue().(string)))
			h.typeText(bad)
			// The check shows once typing pauses.
			h.waitFor("✗ "+rule, func() bool { return strings.Contains(oneLine(h.screen()), "✗ "+rule) })
			h.press("enter")
			if h.focused() != field {
				t.Fatalf("enter moved on from bucket name %q to %s", bad, h.focused())
			}
			h.clearInput(len(bad))
			h.typeText("backups-prd")
			h.waitFor("the mark to go", func() bool { return !strings.Contains(h.screen(), "✗") })
			h.press("enter")
			h.waitFor("focus to leave "+field, func() bool { return h.focused() != field })
			if eng.count("Preflight") != 0 {
				t.Errorf("preflight ran while the form was being filled")
			}
		})
	}
}

// TestFormChecksTheWholeLandscape: answers that are each valid but not
// together (the replica bucket named like the backup bucket) are sent back
// to the field concerned, with the rule, before AWS is asked anything.
func TestFormChecksTheWholeLandscape(t *testing.T) {
	eng := planningEngine()
	h := newHarness(t, eng, goodDiscovery(), Config{Region: "eu-central-1"})
	reachBucketField(h, fieldReplBucket)
	p := h.m.wiz.p
	same := p.OrigBucket
	h.clearInput(len(p.ReplBucket))
	h.typeText(same)
	if s := h.screen(); strings.Contains(s, "✗") {
		t.Fatalf("the name alone is valid, yet flagged:\n%s", s)
	}
	h.enterTo(fieldReplAlias, fieldEC2Role, fieldAdminRole, fieldRecovery)
	h.press("enter")
	h.waitScreen("Change advanced options?")
	h.press("enter")
	h.waitFor("the form to come back", func() bool { return h.m.screen == scrForm && h.m.wiz.fix != nil || h.m.screen == scrPlan })
	if h.m.screen == scrPlan {
		t.Fatalf("two buckets named %s went on to the plan (preflight ran %d times)", same, eng.count("Preflight"))
	}
	s := oneLine(h.screen())
	for _, w := range []string{"Some answers need another look", "✗ the four bucket names must be distinct (same as originalBucketName)"} {
		if !strings.Contains(s, w) {
			t.Errorf("form sent back without %q:\n%s", w, h.screen())
		}
	}
	if n := eng.count("Preflight"); n != 0 {
		t.Fatalf("preflight asked AWS about a landscape that is not valid (%d calls)", n)
	}
	// Fixed, the answers go on to preflight and the plan.
	h.waitFocus(fieldOrigBucket) // the group of the field concerned
	h.enterTo(fieldOrigAlias, fieldReplBucket)
	h.clearInput(len(same))
	h.typeText("backups-prd-replica")
	// Its log bucket, derived from it, had the same problem and now
	// follows the new name.
	h.enterTo(fieldReplAlias, fieldOrigLog, fieldReplLog, fieldDeletionWindow)
	h.press("enter")
	h.waitFor("plan screen", func() bool { return h.m.screen == scrPlan })
	if l := eng.last("Preflight"); eng.count("Preflight") != 1 || l.ReplicationBucketName != "backups-prd-replica" {
		t.Errorf("preflight ran %d times, last with replica bucket %q", eng.count("Preflight"), l.ReplicationBucketName)
	}
}
