package recovery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/recovery"
)

var ctx = context.Background()

const (
	src = "eu-central-1"
	dst = "eu-west-1"
)

// versions fills a bucket with n backup versions under PRD/, one second
// apart, plus canaries that are no backups.
func versions(b testing.TB, a *memaws.Account, region, bucket string, n int, start time.Time, clk *time.Time) {
	b.Helper()
	s3 := a.S3(region)
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: bucket, LocationConstraint: region}); err != nil {
		b.Fatal(err)
	}
	if err := s3.PutBucketVersioning(ctx, bucket, cloud.VersioningEnabled); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		*clk = start.Add(time.Duration(i) * time.Second)
		if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: fmt.Sprintf("PRD/log/%07d", (i*7919)%n), Body: []byte("b")}); err != nil {
			b.Fatal(err)
		}
	}
}

func measureCalls(a *memaws.Account) int {
	n := 0
	for _, c := range a.Calls() {
		if c.Op == "ListObjectVersions" || c.Op == "HeadObject" {
			n++
		}
	}
	return n
}

// TestRecoveryPointCostIsBounded: a folder of 100,000 versions costs at
// most MaxPages listing calls per region plus Sample HeadObject calls.
func TestRecoveryPointCostIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("fills 100,000 versions")
	}
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now := start
	a := memaws.New(memaws.Options{Now: func() time.Time { return now }, HomeRegion: src})
	versions(t, a, src, "prd-src", 100_000, start, &now)
	versions(t, a, dst, "prd-dst", 10, start, &now)
	a.ResetCounters()
	p := recovery.Measure(ctx, a, recovery.Target{Region: src, Bucket: "prd-src", Prefix: "PRD/"},
		recovery.Target{Region: dst, Bucket: "prd-dst", Prefix: "PRD/"}, now, recovery.Options{MaxLagMinutes: 60})
	calls := measureCalls(a)
	if want := recovery.DefaultMaxPages + recovery.DefaultSample + 1; calls > want || p.Calls != calls {
		t.Fatalf("%d calls (point says %d), want at most %d", calls, p.Calls, want)
	}
	if !p.Source.Partial || p.Source.Scanned != recovery.DefaultMaxPages*1000 || p.Source.Newest == nil {
		t.Fatalf("source %+v", p.Source)
	}
	t.Logf("recovery point of a 100,000-version folder: %d calls", calls)
}

func TestRecoveryPointNewestAndLag(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now := start
	a := memaws.New(memaws.Options{Now: func() time.Time { return now }, HomeRegion: src})
	versions(t, a, src, "prd-src", 250, start, &now)
	if _, err := a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "prd-src", Key: "PRD/hanavault-verify/x", Body: []byte("c")}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	p := recovery.Measure(ctx, a, recovery.Target{Region: src, Bucket: "prd-src", Prefix: "PRD/", Exclude: "PRD/hanavault-verify/"},
		recovery.Target{Region: dst, Bucket: "missing", Prefix: "PRD/"}, now, recovery.Options{Sample: 5, MaxLagMinutes: 30})
	if p.Source.Newest == nil || p.Source.Newest.Age != time.Hour || p.Source.Partial || p.Source.Scanned != 251 {
		t.Fatalf("newest %+v", p.Source)
	}
	if p.OK || len(p.Problems) != 1 { // the replica bucket cannot be listed
		t.Fatalf("point %+v", p)
	}
}

// BenchmarkRecoveryPoint100k measures what status pays for the recovery
// point of a Backint folder of 100,000 versions: AWS calls (bounded) and
// time at 50 ms per call.
//
//	go test -run '^$' -bench RecoveryPoint -benchtime 1x ./internal/recovery
func BenchmarkRecoveryPoint100k(b *testing.B) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	now := start
	a := memaws.New(memaws.Options{Now: func() time.Time { return now }, HomeRegion: src})
	versions(b, a, src, "prd-src", 100_000, start, &now)
	versions(b, a, dst, "prd-dst", 100_000, start, &now)
	a.SetLatency(50*time.Millisecond, 0)
	for b.Loop() {
		a.ResetCounters()
		p := recovery.Measure(ctx, a, recovery.Target{Region: src, Bucket: "prd-src", Prefix: "PRD/"},
			recovery.Target{Region: dst, Bucket: "prd-dst", Prefix: "PRD/"}, now, recovery.Options{MaxLagMinutes: 60})
		b.ReportMetric(float64(measureCalls(a)), "calls")
		b.ReportMetric(float64(p.Calls), "calls-counted")
	}
}
