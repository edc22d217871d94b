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
				case <-time.After(200 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		t0 := time.Now()
		res, err := recall.Run(context.Background(), recall.Options{Account: a, JournalRoot: dir}, sel(cloud.TierBulk), n, nil)
		el := time.Since(t0)
		close(stop)
		if err != nil || res.Requested != n {
			b.Fatalf("recall: %d requested, %v", res.Requested, err)
		}
		b.ReportMetric(float64(res.Calls)/el.Seconds(), "requests/s")
		b.ReportMetric(el.Seconds(), "s/recall")
		if p := peak.Load(); p > base.HeapInuse {
			b.ReportMetric(float64(p-base.HeapInuse)/(1<<20), "heap-growth-MiB")
		}
	}
}
