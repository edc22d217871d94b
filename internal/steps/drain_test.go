package steps_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

func drainDestroy(t *testing.T, e *env, drain bool) (*steps.Result, *recorder) {
	t.Helper()
	rec := &recorder{}
	res, err := e.eng.DestroyWith(context.Background(), e.l, rec, steps.DestroyOptions{Drain: drain})
	if err != nil {
		t.Fatalf("destroy (drain=%v): %v", drain, err)
	}
	return res, rec
}

func hasDrainLifecycle(t *testing.T, s3 cloud.S3, bucket string) bool {
	t.Helper()
	lc, err := s3.GetBucketLifecycleConfiguration(context.Background(), bucket)
	if err != nil {
		t.Fatalf("lifecycle of %s: %v", bucket, err)
	}
	for _, r := range lc.Rules {
		if r.ID == "hanavault-drain" {
			return true
		}
	}
	return false
}

func notes(rec *recorder) string {
	var b strings.Builder
	for _, ev := range rec.kinds(steps.EventNote) {
		b.WriteString(ev.Detail + "\n")
	}
	return b.String()
}

func bucketExists(e *env, region, name string) bool {
	_, err := e.acct.S3(region).HeadBucket(context.Background(), name)
	return err == nil
}

// TestDrainThenDestroyOnceEmpty: destroy --drain puts the expire-everything
// lifecycle on both backup buckets and removes replication, deleting
// nothing; a destroy while objects are left stops without error and says
// how many; once the lifecycle has emptied the buckets, destroy completes.
func TestDrainThenDestroyOnceEmpty(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	src, dst := e.acct.S3(e.l.SourceRegion), e.acct.S3(e.l.ReplicationRegion)
	fillBucket(t, src, e.l.OriginalBucketName, "data/", 30, 2)
	fillBucket(t, dst, e.l.ReplicationBucketName, "data/", 10, 1)
	if _, err := src.PutObject(context.Background(), cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "live", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}

	res, rec := drainDestroy(t, e, true)
	if !res.DrainStarted || len(res.Draining) != 2 {
		t.Fatalf("drain result: %+v", res)
	}
	for _, x := range []struct {
		s3     cloud.S3
		bucket string
	}{{src, e.l.OriginalBucketName}, {dst, e.l.ReplicationBucketName}} {
		if !hasDrainLifecycle(t, x.s3, x.bucket) {
			t.Errorf("%s has no drain lifecycle", x.bucket)
		}
	}
	if _, err := src.GetBucketReplication(context.Background(), e.l.OriginalBucketName); !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
		t.Errorf("replication still configured (err %v)", err)
	}
	recs, _, err := journal.Read(journal.Dir(e.dir, memaws.DefaultAccountID, "PRD"))
	if err != nil {
		t.Fatal(err)
	}
	journaled := map[string][]journal.Kind{}
	for _, r := range recs {
		if r.Op == "s3:PutBucketLifecycleConfiguration" && strings.HasSuffix(r.Step, "/drain") || r.Op == "s3:DeleteBucketReplication" {
			journaled[r.Op+" "+r.Resource] = append(journaled[r.Op+" "+r.Resource], r.Kind)
		}
	}
	for _, k := range []string{"s3:PutBucketLifecycleConfiguration " + e.l.OriginalBucketName, "s3:PutBucketLifecycleConfiguration " + e.l.ReplicationBucketName, "s3:DeleteBucketReplication " + e.l.OriginalBucketName} {
		if got := journaled[k]; len(got) != 2 || got[0] != journal.KindIntent || got[1] != journal.KindDone {
			t.Errorf("journal of %s: %v, want intent then done", k, got)
		}
	}
	if !strings.Contains(notes(rec), "expect the buckets to be empty in about 2–3 days") {
		t.Errorf("no expectation in the notes:\n%s", notes(rec))
	}
	for _, name := range []string{e.l.OriginalBucketName, e.l.ReplicationBucketName, e.l.OriginalLogBucketName} {
		if !bucketExists(e, e.l.SourceRegion, name) {
			t.Errorf("drain deleted bucket %s", name)
		}
	}

	// One lifecycle pass: current versions get delete markers, the older
	// versions go; the markers themselves are left for the next pass.
	if _, err := e.acct.ExpireByLifecycle(); err != nil {
		t.Fatal(err)
	}
	res, rec = drainDestroy(t, e, false)
	if len(res.Draining) == 0 || !strings.Contains(notes(rec), "draining: ") || !strings.Contains(notes(rec), "versions left in "+e.l.OriginalBucketName) {
		t.Fatalf("destroy while draining: %+v\n%s", res, notes(rec))
	}
	if !bucketExists(e, e.l.SourceRegion, e.l.OriginalBucketName) {
		t.Fatal("destroy while draining deleted the bucket")
	}

	if _, err := e.acct.ExpireByLifecycle(); err != nil {
		t.Fatal(err)
	}
	res, _ = drainDestroy(t, e, false)
	if len(res.Draining) != 0 {
		t.Fatalf("still draining after expiry: %+v", res.Draining)
	}
	e.assertNothingLeft()
}

// TestDrainNeverTouchesAPreExistingBucket: a replica bucket the user owned
// before apply is kept by destroy, so drain puts no lifecycle of its own
// on it, and a later destroy does not wait for it.
func TestDrainNeverTouchesAPreExistingBucket(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	userBucket(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationBucketName, "user-object")
	e.apply()
	dst := e.acct.S3(e.l.ReplicationRegion)
	before, err := dst.GetBucketLifecycleConfiguration(context.Background(), e.l.ReplicationBucketName)
	if err != nil {
		t.Fatal(err)
	}

	res, _ := drainDestroy(t, e, true)
	if len(res.Draining) != 1 || res.Draining[0].Bucket != e.l.OriginalBucketName {
		t.Fatalf("drained %+v, want only %s", res.Draining, e.l.OriginalBucketName)
	}
	if !hasDrainLifecycle(t, e.acct.S3(e.l.SourceRegion), e.l.OriginalBucketName) {
		t.Fatal("the created source bucket got no drain lifecycle")
	}
	after, err := dst.GetBucketLifecycleConfiguration(context.Background(), e.l.ReplicationBucketName)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) || hasDrainLifecycle(t, dst, e.l.ReplicationBucketName) {
		t.Fatalf("drain changed the pre-existing bucket's lifecycle:\n%+v\n%+v", before, after)
	}
	res, _ = drainDestroy(t, e, false)
	if len(res.Draining) != 0 {
		t.Fatalf("still draining: %+v", res.Draining)
	}
	mustHaveObject(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationBucketName, "user-object")
	if bucketExists(e, e.l.SourceRegion, e.l.OriginalBucketName) {
		t.Error("the created source bucket was not deleted")
	}
}

// TestPreviewSuggestsDrainForLargeBuckets: a backup bucket the preview
// could not count to the end makes it suggest --drain; small ones do not.
func TestPreviewSuggestsDrainForLargeBuckets(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	fillBucket(t, e.acct.S3(e.l.SourceRegion), e.l.OriginalBucketName, "log/backup_", 1000, 2) // 3,000 entries
	defer func(n int) { *steps.CountPageLimit = n }(*steps.CountPageLimit)
	for _, pages := range []int{2, 50} {
		*steps.CountPageLimit = pages
		p, err := e.eng.PreviewDestroy(context.Background(), e.l)
		if err != nil {
			t.Fatal(err)
		}
		if want := pages == 2; p.SuggestDrain != want {
			t.Errorf("page bound %d: suggestDrain=%v, want %v", pages, p.SuggestDrain, want)
		}
	}
}

// TestStatusShowsDraining: while a drain is under way status says
// "draining" with what is left, and asks for destroy once empty.
func TestStatusShowsDraining(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	if s := e.status(); s.Overall == steps.OverallDraining || len(s.Draining) != 0 {
		t.Fatalf("draining before any drain: %+v", s.Draining)
	}
	fillBucket(t, e.acct.S3(e.l.SourceRegion), e.l.OriginalBucketName, "data/", 5, 1)
	drainDestroy(t, e, true)
	s := e.status()
	if s.Overall != steps.OverallDraining || len(s.Draining) != 2 {
		t.Fatalf("status while draining: %s %+v", s.Overall, s.Draining)
	}
	var left int64
	for _, d := range s.Draining {
		left += d.Versions
	}
	if left != 10 {
		t.Errorf("left %d versions and markers, want 10: %+v", left, s.Draining)
	}
	for range 2 {
		if _, err := e.acct.ExpireByLifecycle(); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.status(); !strings.Contains(s.NextAction, "empty: run hanavault destroy") {
		t.Errorf("next action once empty: %s", s.NextAction)
	}
}
