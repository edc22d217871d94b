package steps_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// fillBucket stores keys objects with perKey versions each and a delete
// marker on every key.
func fillBucket(t *testing.T, s3 cloud.S3, bucket, prefix string, keys, perKey int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < keys; i++ {
		k := fmt.Sprintf("%s%05d", prefix, i)
		for v := 0; v < perKey; v++ {
			if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: k, Body: []byte("x")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s3.DeleteObject(ctx, bucket, k, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// destroyOnce runs destroy once and returns its events.
func destroyOnce(t *testing.T, e *env) (*recorder, error) {
	t.Helper()
	rec := &recorder{}
	_, err := e.eng.Destroy(context.Background(), e.l, rec)
	return rec, err
}

// TestEmptyingDoesNotDependOnADeletedVersionMarker reproduces moto's
// ListObjectVersions, which answers an empty, untruncated page when the
// VersionIdMarker names a version just deleted: emptying that continued
// from such a marker removed one page per pass and gave up after five
// passes with "new objects arrived". Destroy must empty the bucket in one
// pass, including a key with more versions than a page holds.
func TestEmptyingDoesNotDependOnADeletedVersionMarker(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	s3 := e.acct.S3(e.l.SourceRegion)
	fillBucket(t, s3, e.l.OriginalBucketName, "log/backup_", 2500, 2) // 7,500 entries
	fillBucket(t, s3, e.l.OriginalBucketName, "data/big_", 1, 2300)   // one key over two pages
	e.acct.EmulateMotoVersionMarker(true)
	rec, err := destroyOnce(t, e)
	if err != nil {
		t.Fatalf("destroy: %v", err)
	}
	for _, ev := range rec.kinds(steps.EventRetrying) {
		if ev.StepID == "source/bucket" {
			t.Errorf("emptying needed another pass: %s", ev.Reason)
		}
	}
	if _, err := s3.HeadBucket(context.Background(), e.l.OriginalBucketName); !cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
		t.Fatalf("source bucket still there: %v", err)
	}
}

// TestEmptyingSaysHowManyPassesItMade: a bucket that keeps receiving
// objects is reported as not empty after the passes made, not as emptied.
func TestEmptyingSaysHowManyPassesItMade(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	// Every DeleteBucket of the source bucket finds a new object first.
	e.eng = steps.New(steps.Options{Account: lateObjects{Account: e.acct, bucket: e.l.OriginalBucketName},
		StateDir: e.dir, HomeRegion: e.l.SourceRegion, Now: e.clock.Now, Sleep: e.clock.Sleep})
	_, err := destroyOnce(t, e)
	if err == nil || !strings.Contains(err.Error(), "not empty after 5 emptying passes") {
		t.Fatalf("destroy error: %v", err)
	}
}

// TestEmptyingBacksOffOnSlowDown: S3 answers 503 SlowDown while more
// DeleteObjects calls are in flight than the prefix sustains (here 2);
// emptying backs off, keeps going with fewer calls in flight, and empties
// the bucket in one run.
func TestEmptyingBacksOffOnSlowDown(t *testing.T) {
	acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
	l := benchLandscape()
	// Back-off pauses at a tenth of their length: the test stays short
	// while the pauses still space the calls out.
	shortSleep := func(ctx context.Context, d time.Duration) error { time.Sleep(d / 10); return ctx.Err() }
	eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "eu-central-1", Sleep: shortSleep})
	if _, err := eng.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Fatal(err)
	}
	s3 := acct.S3(l.SourceRegion)
	fillBucket(t, s3, l.OriginalBucketName, "log/backup_", 2000, 2) // 6 batches
	acct.SetLatency(20*time.Millisecond, 0)
	acct.LimitConcurrentCalls("DeleteObjects", 2)
	rec := &recorder{}
	if _, err := eng.Destroy(context.Background(), l, rec); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	slow := 0
	for _, c := range acct.Calls() {
		if c.Op == "DeleteObjects" && c.Code == cloud.CodeSlowDown && c.Resource == l.OriginalBucketName {
			slow++
		}
	}
	if slow == 0 {
		t.Fatal("emptying never had more than 2 DeleteObjects calls in flight: it is not pipelined")
	}
	backedOff := 0
	for _, ev := range rec.kinds(steps.EventRetrying) {
		if ev.StepID == "source/bucket" && strings.Contains(ev.Reason, "slow down") {
			backedOff++
		}
	}
	if backedOff != slow {
		t.Errorf("%d SlowDown answers, %d back-offs reported", slow, backedOff)
	}
	if slow > 6 {
		t.Errorf("%d SlowDown answers for 6 batches: emptying does not back off", slow)
	}
}

// lateObjects is an account where an object arrives in bucket just before
// every DeleteBucket of it, as late access logs do.
type lateObjects struct {
	cloud.Account
	bucket string
}

func (a lateObjects) S3(region string) cloud.S3 { return lateObjectsS3{a.Account.S3(region), a.bucket} }

type lateObjectsS3 struct {
	cloud.S3
	bucket string
}

func (s lateObjectsS3) DeleteBucket(ctx context.Context, bucket string) error {
	if bucket == s.bucket {
		if _, err := s.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: "late-log", Body: []byte("x")}); err != nil {
			return err
		}
	}
	return s.S3.DeleteBucket(ctx, bucket)
}

// TestPreviewCountsUpToABoundUnlessAskedForAll: past its page bound the
// destroy preview says the bucket holds more than it counted; a full count
// reads every page.
func TestPreviewCountsUpToABoundUnlessAskedForAll(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	fillBucket(t, e.acct.S3(e.l.SourceRegion), e.l.OriginalBucketName, "log/backup_", 1000, 2) // 3,000 entries
	defer func(n int) { *steps.CountPageLimit = n }(*steps.CountPageLimit)
	*steps.CountPageLimit = 2
	for _, full := range []bool{false, true} {
		p, err := e.eng.PreviewDestroyWith(context.Background(), e.l, steps.DestroyOptions{FullCount: full})
		if err != nil {
			t.Fatal(err)
		}
		var src steps.BucketContents
		for _, b := range p.Buckets {
			if b.Bucket == e.l.OriginalBucketName {
				src = b
			}
		}
		counted := src.Versions + src.DeleteMarkers
		switch {
		case !full && (!src.Partial || counted != 2000):
			t.Errorf("bounded count: %+v", src)
		case full && (src.Partial || counted != 3000):
			t.Errorf("full count: %+v", src)
		}
	}
}
