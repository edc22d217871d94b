package steps_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// benchLandscape is the landscape every speed benchmark uses.
func benchLandscape() spec.Landscape {
	l := spec.Defaults("PRD", memaws.DefaultAccountID, "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = memaws.SeedBackupRole, "kms-admin"
	return l
}

// appliedAccount returns an account (no latency yet) with the landscape
// applied and versions object versions in the source bucket, and an
// engine on it.
func appliedAccount(b *testing.B, versions int) (*memaws.Account, *steps.Engine, spec.Landscape) {
	b.Helper()
	// Replication is processed at each next call, so the backups are
	// replicated (as in a landscape in use) before the benchmark times
	// anything.
	acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1", ReplicationDelay: -1})
	eng := steps.New(steps.Options{Account: acct, StateDir: b.TempDir(), HomeRegion: "eu-central-1"})
	l := benchLandscape()
	if _, err := eng.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		b.Fatal(err)
	}
	putVersions(b, acct.S3(l.SourceRegion), l.OriginalBucketName, backintPrefix(l), versions)
	if _, err := acct.S3(l.SourceRegion).HeadBucket(context.Background(), l.OriginalBucketName); err != nil {
		b.Fatal(err)
	}
	if n := acct.PendingReplications(); n != 0 {
		b.Fatalf("%d replications still pending", n)
	}
	runtime.GC() // the set-up's garbage is not the measured run's
	return acct, eng, l
}

// backintPrefix is where the AWS Backint agent writes a landscape's
// backups: under the SID, as hanavault's backint configuration sets it, so
// status's recovery-point reads list them.
func backintPrefix(l spec.Landscape) string {
	return fmt.Sprintf("%s/usr/sap/%s/SYS/global/hdb/backint/DB_%s/", l.SID, l.SID, l.SID)
}

// putVersions stores n versions under prefix in bucket: n/2 keys with two
// versions each.
func putVersions(b *testing.B, s3 cloud.S3, bucket, prefix string, n int) {
	b.Helper()
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("%sdata_backup_%07d", prefix, i/2)
		if _, err := s3.PutObject(context.Background(), cloud.PutObjectInput{Bucket: bucket, Key: k, Body: []byte("x")}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatus50ms measures status at 50 ms per AWS call, in round
// trips: wall time over the latency (goal: ≤ 4 on an empty landscape,
// ≤ 6 with 100,000 backup versions).
//
//	go test -run '^$' -bench 'Status50ms' -benchtime 3x ./internal/steps
func BenchmarkStatus50ms(b *testing.B) {
	const latency = 50 * time.Millisecond
	for _, n := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("versions-%d", n), func(b *testing.B) {
			acct, eng, l := appliedAccount(b, n)
			acct.SetLatency(latency, 0)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := eng.Status(context.Background(), l); err != nil {
					b.Fatal(err)
				}
			}
			per := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(per.Milliseconds()), "ms/status")
			b.ReportMetric(float64(per)/float64(latency), "rtt")
		})
	}
}

// BenchmarkSecondApply50ms measures an apply with nothing to change at 50
// ms per call, in round trips (goal ≤ 4).
//
//	go test -run '^$' -bench 'SecondApply50ms' -benchtime 3x ./internal/steps
func BenchmarkSecondApply50ms(b *testing.B) {
	const latency = 50 * time.Millisecond
	acct, eng, l := appliedAccount(b, 0)
	acct.SetLatency(latency, 0)
	b.ResetTimer()
	start := time.Now()
	var res *steps.Result
	for i := 0; i < b.N; i++ {
		var err error
		if res, err = eng.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/apply")
	b.ReportMetric(float64(per)/float64(latency), "rtt")
	b.ReportMetric(float64(res.CriticalPathCalls), "depth-calls")
}

// bucketStepElapsed runs destroy and returns how long the source bucket's
// step took (emptying it and deleting it).
func bucketStepElapsed(b *testing.B, eng *steps.Engine, l spec.Landscape) time.Duration {
	b.Helper()
	var mu sync.Mutex
	var elapsed time.Duration
	_, err := eng.Destroy(context.Background(), l, steps.SinkFunc(func(e steps.Event) {
		if e.StepID == "source/bucket" && e.Kind == steps.EventDone {
			mu.Lock()
			elapsed = e.Elapsed
			mu.Unlock()
		}
	}))
	if err != nil {
		b.Fatal(err)
	}
	return elapsed
}

// BenchmarkEmptyBucket200ms measures how fast destroy empties a bucket of
// 20,000 versions when every call takes 200 ms (goal ≥ 3,500 versions/s).
//
//	go test -run '^$' -bench 'EmptyBucket200ms' -benchtime 1x ./internal/steps
func BenchmarkEmptyBucket200ms(b *testing.B) {
	const latency, versions = 200 * time.Millisecond, 20_000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		acct, eng, l := appliedAccount(b, versions)
		acct.SetLatency(latency, 0)
		b.StartTimer()
		total += bucketStepElapsed(b, eng, l)
	}
	per := total / time.Duration(b.N)
	b.ReportMetric(versions/per.Seconds(), "versions/s")
}

// syntheticAccount stands in for an account whose source bucket holds n
// single-version objects without storing them: listing generates the
// pages, deleting marks a bit. It measures the engine's own memory.
type syntheticAccount struct {
	cloud.Account
	bucket string
	s3     *syntheticS3
}

func (a syntheticAccount) S3(region string) cloud.S3 {
	return syntheticBucketS3{S3: a.Account.S3(region), fake: a.s3, bucket: a.bucket}
}

type syntheticS3 struct {
	mu      sync.Mutex
	n       int
	deleted []uint64 // bitmap
	left    int
}

func newSyntheticS3(n int) *syntheticS3 {
	return &syntheticS3{n: n, deleted: make([]uint64, n/64+1), left: n}
}

type syntheticBucketS3 struct {
	cloud.S3
	fake   *syntheticS3
	bucket string
}

func synthKey(i int) string { return fmt.Sprintf("data/backup_%08d", i) }

func (s syntheticBucketS3) ListObjectVersions(ctx context.Context, in cloud.ListObjectVersionsInput) (cloud.ListObjectVersionsOutput, error) {
	if in.Bucket != s.bucket {
		return s.S3.ListObjectVersions(ctx, in)
	}
	f := s.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	i := 0
	if in.KeyMarker != "" {
		n, _ := strconv.Atoi(strings.TrimPrefix(in.KeyMarker, "data/backup_"))
		i = n + 1
	}
	limit := int(in.MaxKeys)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out cloud.ListObjectVersionsOutput
	for ; i < f.n; i++ {
		if f.deleted[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		if len(out.Versions) == limit {
			out.IsTruncated = true
			break
		}
		out.Versions = append(out.Versions, cloud.ObjectVersion{Key: synthKey(i), VersionID: "v1", IsLatest: true, Size: 1 << 20})
	}
	if out.IsTruncated {
		last := out.Versions[len(out.Versions)-1]
		out.NextKeyMarker, out.NextVersionIDMarker = last.Key, last.VersionID
	}
	return out, nil
}

func (s syntheticBucketS3) DeleteObjects(ctx context.Context, bucket string, objs []cloud.ObjectIdentifier) (cloud.DeleteObjectsOutput, error) {
	if bucket != s.bucket {
		return s.S3.DeleteObjects(ctx, bucket, objs)
	}
	f := s.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range objs {
		i, _ := strconv.Atoi(strings.TrimPrefix(o.Key, "data/backup_"))
		if f.deleted[i/64]&(1<<(i%64)) == 0 {
			f.deleted[i/64] |= 1 << (i % 64)
			f.left--
		}
	}
	return cloud.DeleteObjectsOutput{Deleted: objs}, nil
}

func (s syntheticBucketS3) DeleteBucket(ctx context.Context, bucket string) error {
	if bucket == s.bucket {
		s.fake.mu.Lock()
		left := s.fake.left
		s.fake.mu.Unlock()
		if left > 0 {
			return &cloud.Error{Code: cloud.CodeBucketNotEmpty, Message: "The bucket you tried to delete is not empty"}
		}
	}
	return s.S3.DeleteBucket(ctx, bucket)
}

// peakRSS returns the process's peak resident set size (VmHWM) in MB.
func peakRSS(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	b.Skip("no VmHWM")
	return 0
}

// BenchmarkEmptyMillionVersions destroys a landscape whose source bucket
// holds 1,000,000 (simulated) versions and reports the process's peak RSS
// and the peak Go heap (goal: < 100 MB RSS).
//
//	go test -run '^$' -bench 'EmptyMillionVersions' -benchtime 1x ./internal/steps
func BenchmarkEmptyMillionVersions(b *testing.B) {
	const versions = 1_000_000
	for i := 0; i < b.N; i++ {
		acct := memaws.New(memaws.Options{HomeRegion: "eu-central-1"})
		l := benchLandscape()
		dir := b.TempDir()
		eng := steps.New(steps.Options{Account: acct, StateDir: dir, HomeRegion: "eu-central-1"})
		if _, err := eng.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
			b.Fatal(err)
		}
		fake := newSyntheticS3(versions)
		synth := syntheticAccount{Account: acct, bucket: l.OriginalBucketName, s3: fake}
		eng = steps.New(steps.Options{Account: synth, StateDir: dir, HomeRegion: "eu-central-1"})
		var peakHeap uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		b.ReportMetric(peakRSS(b), "peak-RSS-before-MB")
		start := time.Now()
		if _, err := eng.Destroy(context.Background(), l, steps.SinkFunc(func(steps.Event) {})); err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		close(stop)
		<-done
		if fake.left != 0 {
			b.Fatalf("%d versions left", fake.left)
		}
		b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		b.ReportMetric(peakRSS(b), "peak-RSS-MB")
		b.ReportMetric(versions/el.Seconds(), "versions/s")
	}
}

// BenchmarkPreviewDestroy50ms measures the destroy preview of a landscape
// whose buckets hold versions, at 50 ms per call.
//
//	go test -run '^$' -bench 'PreviewDestroy50ms' -benchtime 1x ./internal/steps
func BenchmarkPreviewDestroy50ms(b *testing.B) {
	const latency, versions = 50 * time.Millisecond, 20_000
	acct, eng, l := appliedAccount(b, versions)
	putVersions(b, acct.S3(l.ReplicationRegion), l.ReplicationBucketName, backintPrefix(l), versions)
	acct.SetLatency(latency, 0)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := eng.PreviewDestroy(context.Background(), l); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "ms/preview")
	b.ReportMetric(float64(per)/float64(latency), "rtt")
}
