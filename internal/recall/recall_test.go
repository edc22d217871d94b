package recall_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/recall"
	"github.com/hanavault/hanavault/internal/steps"
)

const (
	region = "eu-central-1"
	bucket = "hana-backup-prd"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// archive is a bucket with archived backups: glacier objects in GLACIER,
// deep in DEEP_ARCHIVE, standard in STANDARD under PRD/, and one GLACIER
// object outside the folder.
func archive(t *testing.T, glacier, deep, standard int) (*memaws.Account, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	a := memaws.New(memaws.Options{Now: clk.Now, RestoreDelay: 4 * time.Hour, HomeRegion: region})
	s3 := a.S3(region)
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: bucket, LocationConstraint: region}); err != nil {
		t.Fatal(err)
	}
	if err := s3.PutBucketVersioning(ctx, bucket, cloud.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put := func(key, class string, size int) {
		if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: key, Body: make([]byte, size), StorageClass: class}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range glacier {
		put(fmt.Sprintf("PRD/data/g%05d", i), cloud.StorageClassGlacier, 1024)
	}
	for i := range deep {
		put(fmt.Sprintf("PRD/data/d%05d", i), cloud.StorageClassDeepArchive, 2048)
	}
	for i := range standard {
		put(fmt.Sprintf("PRD/log/s%05d", i), "", 10)
	}
	put("QAS/data/other", cloud.StorageClassGlacier, 1)
	return a, clk
}

func sel(tier string) recall.Selection {
	return recall.Selection{SID: "PRD", Side: "source", Region: region, Bucket: bucket, Prefix: "PRD/", Tier: tier, Days: 3}
}

func restoreCalls(a *memaws.Account) (ok, other int) {
	for _, c := range a.Calls() {
		if c.Op == "RestoreObject" {
			if c.Code == "" {
				ok++
			} else {
				other++
			}
		}
	}
	return
}

func TestSurveyCountsClassesAndRestoreStates(t *testing.T) {
	a, clk := archive(t, 30, 5, 4)
	s3 := a.S3(region)
	for i := range 6 { // six restored copies ...
		if _, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: fmt.Sprintf("PRD/data/g%05d", i), Days: 1}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(5 * time.Hour)
	for i := 6; i < 10; i++ { // ... and four restores in progress
		if _, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: fmt.Sprintf("PRD/data/g%05d", i), Days: 1}); err != nil {
			t.Fatal(err)
		}
	}
	o := recall.Options{Account: a, JournalRoot: t.TempDir(), Now: clk.Now}
	sum, err := recall.Survey(ctx, o, sel(cloud.TierStandard))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Readable != 6 || sum.InProgress != 4 || sum.NotRequested != 25 || sum.NotArchived != 4 {
		t.Fatalf("survey %+v", sum)
	}
	if len(sum.Archived) != 2 || sum.Archived[0].StorageClass != "DEEP_ARCHIVE" || sum.Archived[0].Objects != 5 || sum.Archived[0].Bytes != 5*2048 ||
		sum.Archived[1].Objects != 30 {
		t.Fatalf("classes %+v", sum.Archived)
	}
	if !strings.Contains(sum.Typical, "GLACIER 3–5 hours") || !strings.Contains(sum.Estimate.Note, "estimate") || sum.Estimate.RequestsUSD <= 0 {
		t.Fatalf("typical %q estimate %+v", sum.Typical, sum.Estimate)
	}
	exp, err := recall.Survey(ctx, o, sel(cloud.TierExpedited))
	if err != nil {
		t.Fatal(err)
	}
	if exp.Unrestorable != 5 || exp.Estimate.TotalUSD <= sum.Estimate.TotalUSD {
		t.Fatalf("expedited: %+v", exp)
	}
}

func TestRecallDoesNotRequestRestoredOrRestoringObjectsAgain(t *testing.T) {
	a, clk := archive(t, 40, 0, 0)
	o := recall.Options{Account: a, JournalRoot: t.TempDir(), Now: clk.Now, Sleep: clk.Sleep}
	res, err := recall.Run(ctx, o, sel(cloud.TierBulk), 0, nil)
	if err != nil || res.Requested != 40 {
		t.Fatalf("first recall: %+v %v", res, err)
	}
	clk.Advance(5 * time.Hour) // restored now
	a.ResetCounters()
	res, err = recall.Run(ctx, o, sel(cloud.TierBulk), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, other := restoreCalls(a); ok+other != 0 || res.AlreadyRestored != 40 || res.Requested != 0 {
		t.Fatalf("recall of restored objects sent %d+%d requests: %+v", ok, other, res)
	}
	sum, err := recall.Survey(ctx, o, sel(cloud.TierBulk))
	if err != nil || sum.Readable != 40 {
		t.Fatalf("check after restore: %+v %v", sum, err)
	}
}

func TestRecallResumesAfterAnInterruptWithoutRepeatingRequests(t *testing.T) {
	a, clk := archive(t, 2500, 0, 0) // three pages
	dir := t.TempDir()
	cctx, cancel := context.WithCancel(ctx)
	sink := steps.SinkFunc(func(ev steps.Event) {
		if ev.Kind == steps.EventProgress {
			cancel() // killed after the first page was journaled
		}
	})
	o := recall.Options{Account: a, JournalRoot: dir, Now: clk.Now, Sleep: clk.Sleep}
	res, err := recall.Run(cctx, o, sel(cloud.TierStandard), 2500, sink)
	if !errors.Is(err, context.Canceled) || res.Requested == 0 || res.Requested >= 2500 {
		t.Fatalf("interrupted run: %+v %v", res, err)
	}
	first := res.Requested
	// Without the journal the second run would list from the start; make
	// the listing's restore status useless for that by checking calls.
	res, err = recall.Run(ctx, o, sel(cloud.TierStandard), 2500, nil)
	if err != nil || !res.Resumed || res.HandledBefore != 1000 {
		t.Fatalf("resumed run: %+v %v", res, err)
	}
	ok, other := restoreCalls(a)
	if ok != 2500 || other != 0 || first+res.Requested != 2500 {
		t.Fatalf("%d accepted and %d refused restore calls for 2500 objects (first %d, then %d)", ok, other, first, res.Requested)
	}
	// A third run of the same selection starts over (the last completed)
	// and finds everything in progress.
	a.ResetCounters()
	res, err = recall.Run(ctx, o, sel(cloud.TierStandard), 0, nil)
	if err != nil || res.Resumed || res.AlreadyInProgress != 2500 {
		t.Fatalf("third run: %+v %v", res, err)
	}
	if ok, other := restoreCalls(a); ok+other != 0 {
		t.Fatalf("third run sent %d requests", ok+other)
	}
}

func TestRecallBacksOffOnSlowDown(t *testing.T) {
	a, clk := archive(t, 20, 0, 0)
	a.SlowDown("RestoreObject", 7)
	o := recall.Options{Account: a, JournalRoot: t.TempDir(), Now: clk.Now, Sleep: clk.Sleep, Concurrency: 4}
	res, err := recall.Run(ctx, o, sel(cloud.TierStandard), 0, nil)
	if err != nil || res.Requested != 20 || res.Retries != 7 || res.Calls != 27 {
		t.Fatalf("recall under SlowDown: %+v %v", res, err)
	}
	a.SlowDown("RestoreObject", 100)
	o.MaxAttempts = 3
	_, err = recall.Run(ctx, o, recall.Selection{SID: "PRD", Side: "source", Region: region, Bucket: bucket, Prefix: "QAS/", Tier: cloud.TierStandard, Days: 1}, 0, nil)
	if err == nil || !strings.Contains(err.Error(), "SlowDown") {
		t.Fatalf("persistent SlowDown: %v", err)
	}
}

func TestRecallSelectsByTime(t *testing.T) {
	a, clk := archive(t, 3, 0, 0)
	clk.Advance(48 * time.Hour)
	if _, err := a.S3(region).PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: "PRD/data/new", Body: []byte("x"), StorageClass: cloud.StorageClassGlacier}); err != nil {
		t.Fatal(err)
	}
	s := sel(cloud.TierBulk)
	s.Since = clk.Now().Add(-time.Hour)
	s.Until = clk.Now().Add(time.Hour)
	sum, err := recall.Survey(ctx, recall.Options{Account: a, Now: clk.Now}, s)
	if err != nil || sum.NotRequested != 1 {
		t.Fatalf("time window: %+v %v", sum, err)
	}
}
