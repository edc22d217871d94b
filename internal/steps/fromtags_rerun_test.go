package steps_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// allTagged is the user's consent to every class of tag-found resources.
var allTagged = steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true, Keys: true, Role: true}}

// stopHalfWay arms the in-memory account so that a destroy of l stops
// after deleting some of what it found, and returns the context to run
// that destroy with.
type stopHalfWay func(t *testing.T, acct *memaws.Account, l spec.Landscape) context.Context

// failOn fails the next mutating call op on resource (its name picked from
// the landscape) in region.
func failOn(op string, resource func(spec.Landscape) string, region func(spec.Landscape) string) stopHalfWay {
	return func(t *testing.T, acct *memaws.Account, l spec.Landscape) context.Context {
		acct.FailCallWhere(1, memaws.FailBefore, func(c memaws.CallRecord) bool {
			return c.Op == op && c.Region == region(l) && (resource == nil || c.Resource == resource(l))
		})
		return context.Background()
	}
}

// both arms two stops.
func both(a, b stopHalfWay) stopHalfWay {
	return func(t *testing.T, acct *memaws.Account, l spec.Landscape) context.Context {
		a(t, acct, l)
		return b(t, acct, l)
	}
}

// interruptAfterFirstBackupBucket cancels the destroy (Ctrl+C) as soon as
// AWS deleted the first of the two backup buckets.
func interruptAfterFirstBackupBucket(t *testing.T, acct *memaws.Account, l spec.Landscape) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	acct.FailCallWhere(1, memaws.FailAfter, func(c memaws.CallRecord) bool {
		if c.Op == "DeleteBucket" && (c.Resource == l.OriginalBucketName || c.Resource == l.ReplicationBucketName) {
			cancel()
		}
		return false
	})
	return ctx
}

// appliedThenStateLost applies e's landscape and returns a maker of
// engines on an empty state directory (the local state is lost), whose
// path the caller may change to lose the state again.
func appliedThenStateLost(t *testing.T, e *env) (*string, func() *steps.Engine) {
	e.apply()
	state := t.TempDir()
	return &state, func() *steps.Engine {
		return steps.New(steps.Options{Account: e.acct, StateDir: state, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	}
}

func src(l spec.Landscape) string { return l.SourceRegion }
func dst(l spec.Landscape) string { return l.ReplicationRegion }

// TestRerunOfAFromTagsDestroyThatDeletedOneBackupBucket: a --from-tags
// destroy (local state lost) with consent stops after deleting one side's
// backup bucket, or after deleting every bucket but before scheduling a
// key's deletion. The rerun with the same consent, from the same state
// directory, rebuilds the landscape from what is still tagged and the
// journal the first run wrote, and finishes: every tagged resource of PRD
// is gone, the keys scheduled for deletion with the window the first run
// used.
// The status of the half-destroyed landscape reads, and says to finish
// the destroy. A third run finds nothing tagged left and says the
// landscape was destroyed.
func TestRerunOfAFromTagsDestroyThatDeletedOneBackupBucket(t *testing.T) {
	backup := func(l spec.Landscape) string { return l.ReplicationBucketName }
	source := func(l spec.Landscape) string { return l.OriginalBucketName }
	sourceLog := func(l spec.Landscape) string { return l.OriginalLogBucketName }
	replicaLog := func(l spec.Landscape) string { return l.ReplicationLogBucketName }
	for _, tt := range []struct {
		name string
		stop stopHalfWay
		// lostAgain reruns from another empty state directory: the rerun
		// has only the tags (the log bucket of the side whose backup
		// bucket is gone names it).
		lostAgain bool
	}{
		{name: "replica bucket not deleted", stop: failOn("DeleteBucket", backup, dst)},
		{name: "source bucket not deleted", stop: failOn("DeleteBucket", source, src)},
		{name: "interrupted", stop: interruptAfterFirstBackupBucket},
		{name: "source log bucket and replica bucket not deleted, state lost again", stop: both(failOn("DeleteBucket", sourceLog, src), failOn("DeleteBucket", backup, dst)), lostAgain: true},
		{name: "replica log bucket and source bucket not deleted, state lost again", stop: both(failOn("DeleteBucket", replicaLog, dst), failOn("DeleteBucket", source, src)), lostAgain: true},
		{name: "source key not scheduled", stop: failOn("ScheduleKeyDeletion", nil, src)},
		{name: "replica key not scheduled", stop: failOn("ScheduleKeyDeletion", nil, dst)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "eu-central-1", "eu-west-1")
			ctx := context.Background()
			state, engine := appliedThenStateLost(t, e)
			eng := engine()
			got, err := eng.LoadLandscape(ctx, "PRD", true)
			if err != nil {
				t.Fatal(err)
			}
			// No tag says the key deletion window: the one the first run
			// used (recorded in its journal) is the landscape's.
			got.KMSDeletionWindowDays = 9
			if _, err := eng.DestroyWith(tt.stop(t, e.acct, e.l), got, &recorder{}, allTagged); err == nil {
				t.Fatal("the first destroy did not stop")
			}
			gone := 0
			for _, x := range []struct{ region, name string }{{e.l.SourceRegion, e.l.OriginalBucketName}, {e.l.ReplicationRegion, e.l.ReplicationBucketName}} {
				if _, err := e.acct.S3(x.region).HeadBucket(ctx, x.name); err != nil {
					gone++
				}
			}
			if gone == 0 {
				t.Fatal("the first destroy deleted no backup bucket: the test stops it too early")
			}

			window := 9
			if tt.lostAgain {
				*state, window = t.TempDir(), 30 // the default: nothing recorded it
			}
			eng = engine()
			got, err = eng.LoadLandscape(ctx, "PRD", true)
			if err != nil {
				t.Fatalf("rebuild for the rerun: %v", err)
			}
			if got.OriginalBucketName != e.l.OriginalBucketName || got.ReplicationBucketName != e.l.ReplicationBucketName ||
				got.SourceRegion != e.l.SourceRegion || got.ReplicationRegion != e.l.ReplicationRegion ||
				got.OriginalCMKAlias != e.l.OriginalCMKAlias || got.ReplicationCMKAlias != e.l.ReplicationCMKAlias ||
				got.ReplicationRoleName != e.l.ReplicationRoleName || got.KMSDeletionWindowDays != window {
				t.Errorf("rebuilt for the rerun: %+v", got)
			}
			st, err := eng.Status(ctx, got)
			if err != nil {
				t.Fatalf("status of the half-destroyed landscape: %v", err)
			}
			if !tt.lostAgain && !strings.Contains(st.NextAction, "destroy PRD --from-tags") {
				t.Errorf("status of the half-destroyed landscape: %s, next: %s", st.Overall, st.NextAction)
			}
			res, err := eng.DestroyWith(ctx, got, &recorder{}, allTagged)
			if err != nil {
				t.Fatalf("rerun of the destroy: %v", err)
			}
			for _, k := range res.KeyDeletions {
				if days := k.DeletionDate.Sub(e.clock.Now()).Hours() / 24; days < float64(window)-0.1 || days > float64(window)+0.1 {
					t.Errorf("key %s scheduled for deletion in %.1f days, want %d", k.KeyID, days, window)
				}
			}
			e.assertNothingLeft()
			assertNoTaggedKeyEnabled(t, e)

			_, err = engine().LoadLandscape(ctx, "PRD", true)
			if !errors.Is(err, steps.ErrAlreadyDestroyed) || !strings.Contains(err.Error(), "nothing tagged hanavault:landscape=PRD is left in this account; the earlier destroy finished") {
				t.Fatalf("a third run: %v", err)
			}
		})
	}
}

// assertNoTaggedKeyEnabled fails when a key tagged for the landscape is not
// pending deletion (assertNothingLeft finds keys through their aliases
// only when the aliases exist).
func assertNoTaggedKeyEnabled(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	for _, region := range []string{e.l.SourceRegion, e.l.ReplicationRegion} {
		kms := e.acct.KMS(region)
		page, err := kms.ListKeys(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			tags, err := kms.ListResourceTags(ctx, k.KeyID)
			if v, _ := cloud.TagValue(tags, steps.TagLandscape); err != nil || v != "PRD" {
				continue
			}
			if md, err := kms.DescribeKey(ctx, k.KeyID); err != nil || md.KeyState != "PendingDeletion" {
				t.Errorf("key %s in %s tagged for PRD is %s (%v)", k.KeyID, region, md.KeyState, err)
			}
		}
	}
}

// TestFromTagsWithNothingTaggedAndNoJournal: with no tagged resource and
// no journal of an earlier destroy, the rebuild says nothing tagged for the
// SID is in the account (the landscape is unknown, not destroyed).
func TestFromTagsWithNothingTaggedAndNoJournal(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	_, err := e.eng.LoadLandscape(context.Background(), "PRD", true)
	if !errors.Is(err, steps.ErrUnknownLandscape) || errors.Is(err, steps.ErrAlreadyDestroyed) || !strings.Contains(err.Error(), "nothing tagged hanavault:landscape=PRD") {
		t.Fatalf("rebuild with nothing tagged: %v", err)
	}
}

// TestFromTagsDestroyOfBucketsThenKeysAndRole: a --from-tags destroy with
// consent for the buckets only finishes (its journal is archived) and
// leaves the keys and the role. Later --from-tags destroys rebuild the
// landscape from that journal although no tagged bucket is left: without
// consent they keep both, then one removes the keys, and with only the
// role left the next removes it. Then nothing is left.
func TestFromTagsDestroyOfBucketsThenKeysAndRole(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	ctx := context.Background()
	_, engine := appliedThenStateLost(t, e)
	eng := engine()
	got, err := eng.LoadLandscape(ctx, "PRD", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.DestroyWith(ctx, got, &recorder{}, steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName); err != nil {
		t.Fatalf("the role went without consent: %v", err)
	}
	for _, consent := range []steps.TagConsent{{}, {Keys: true}, {Role: true}} {
		eng = engine()
		got, err = eng.LoadLandscape(ctx, "PRD", true)
		if err != nil {
			t.Fatalf("rebuild with the keys and the role left: %v", err)
		}
		if _, err := eng.DestroyWith(ctx, got, &recorder{}, steps.DestroyOptions{FromTags: consent}); err != nil {
			t.Fatalf("destroy of the keys and the role: %v", err)
		}
		_, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias)
		if consent == (steps.TagConsent{}) && err != nil {
			t.Fatalf("the key went without consent: %v", err)
		}
		if _, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName); !consent.Role && err != nil {
			t.Fatalf("the role went without consent: %v", err)
		}
	}
	e.assertNothingLeft()
	if _, err := engine().LoadLandscape(ctx, "PRD", true); !errors.Is(err, steps.ErrAlreadyDestroyed) {
		t.Fatalf("a run after the keys and the role went: %v", err)
	}
}
