package recall_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/recall"
)

// BenchmarkRecall100k restores 100,000 archived objects with every call
// taking 50 ms, as from a HANA host to S3: restore requests per second and
// the recall's own memory (heap growth while it runs, sampled, above the
// account holding the objects).
//
//	go test -run '^$' -bench Recall100k -benchtime 1x ./internal/recall
func BenchmarkRecall100k(b *testing.B) {
	const n = 100_000
	a := memaws.New(memaws.Options{HomeRegion: region, RestoreDelay: time.Hour})
	s3 := a.S3(region)
	if err := s3.CreateBucket(context.Background(), cloud.CreateBucketInput{Bucket: bucket, LocationConstraint: region}); err != nil {
		b.Fatal(err)
	}
	if err := s3.PutBucketVersioning(context.Background(), bucket, cloud.VersioningEnabled); err != nil {
		b.Fatal(err)
	}
	body := make([]byte, 16)
	for i := range n {
		if _, err := s3.PutObject(context.Background(), cloud.PutObjectInput{Bucket: bucket, Key: fmt.Sprintf("PRD/data/%07d", i), Body: body, StorageClass: cloud.StorageClassGlacier}); err != nil {
			b.Fatal(err)
		}
	}
	a.SetLatency(50*time.Millisecond, 0)
	dir := b.TempDir()
	for b.Loop() {
		measure(b, a, n, dir, 200*time.Millisecond)
	}
}

// measure runs one recall of n objects on a, reporting requests per second
// and the heap's growth while it ran (sampled).
func measure(b *testing.B, a cloud.Account, n int, dir string, every time.Duration) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(every):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	t0 := time.Now()
	res, err := recall.Run(context.Background(), recall.Options{Account: a, JournalRoot: dir}, sel(cloud.TierBulk), int64(n), nil)
	el := time.Since(t0)
	close(stop)
	if err != nil || res.Requested != int64(n) {
		b.Fatalf("recall: %d requested, %v", res.Requested, err)
	}
	b.ReportMetric(float64(res.Calls)/el.Seconds(), "requests/s")
	b.ReportMetric(el.Seconds(), "s/recall")
	b.ReportMetric(float64(int64(peak.Load())-int64(base.HeapInuse))/(1<<20), "heap-growth-MiB")
}

// lazyS3 serves n archived objects page by page without holding them,
// each call taking latency: the recall's own memory shows alone.
type lazyS3 struct {
	cloud.S3
	n       int
	latency time.Duration
}

func (s lazyS3) ListObjectVersions(ctx context.Context, in cloud.ListObjectVersionsInput) (cloud.ListObjectVersionsOutput, error) {
	time.Sleep(s.latency)
	start := 0
	if in.KeyMarker != "" {
		fmt.Sscanf(in.KeyMarker[len("PRD/data/"):], "%d", &start)
		start++
	}
	var out cloud.ListObjectVersionsOutput
	for i := start; i < s.n && len(out.Versions) < 1000; i++ {
		out.Versions = append(out.Versions, cloud.ObjectVersion{Key: fmt.Sprintf("PRD/data/%07d", i), VersionID: "v", IsLatest: true,
			Size: 1 << 30, StorageClass: cloud.StorageClassGlacier})
	}
	if last := start + len(out.Versions); last < s.n {
		out.IsTruncated, out.NextKeyMarker, out.NextVersionIDMarker = true, fmt.Sprintf("PRD/data/%07d", last-1), "v"
	}
	return out, nil
}

func (s lazyS3) RestoreObject(ctx context.Context, in cloud.RestoreObjectInput) (cloud.RestoreObjectOutput, error) {
	time.Sleep(s.latency)
	return cloud.RestoreObjectOutput{}, nil
}

type lazySTS struct{}

func (lazySTS) GetCallerIdentity(context.Context) (cloud.CallerIdentity, error) {
	return cloud.CallerIdentity{Account: "123456789012", Arn: "arn:aws:iam::123456789012:root"}, nil
}

type lazyAccount struct {
	cloud.Account
	s3 lazyS3
}

func (a lazyAccount) S3(string) cloud.S3 { return a.s3 }
func (a lazyAccount) STS() cloud.STS     { return lazySTS{} }

// BenchmarkRecall100kOwnMemory is BenchmarkRecall100k against a listing
// generated on the fly, so the heap figure is the recall's alone.
func BenchmarkRecall100kOwnMemory(b *testing.B) {
	const n = 100_000
	a := lazyAccount{s3: lazyS3{n: n, latency: 50 * time.Millisecond}}
	dir := b.TempDir()
	for b.Loop() {
		measure(b, a, n, dir, 100*time.Millisecond)
	}
}
