package memaws_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

// BenchmarkConcurrentCallsWithLatency runs batches of 8 concurrent calls
// (the engine's concurrency) with 1ms latency each. The "overlap" metric
// is the summed latency over the wall time: close to 8 when latency is
// applied outside the account's lock, 1 if calls were serialised.
func BenchmarkConcurrentCallsWithLatency(b *testing.B) {
	const workers = 8
	const latency = time.Millisecond
	a := memaws.New(memaws.Options{Latency: latency})
	begin := time.Now()
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := a.S3(src).ListBuckets(ctx); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(workers*b.N)*float64(latency)/float64(time.Since(begin)), "overlap")
}

// BenchmarkPolicyCheckedPutObject measures an SSE-KMS upload as the backup
// role under hanavault's bucket and key policies (two policy evaluations
// per call).
func BenchmarkPolicyCheckedPutObject(b *testing.B) {
	a := memaws.New(memaws.Options{})
	role := roleArn(memaws.SeedBackupRole)
	k, err := a.KMS(src).CreateKey(ctx, cloud.CreateKeyInput{Policy: keyPolicyFor(role)})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "bench", LocationConstraint: src}); err != nil {
		b.Fatal(err)
	}
	if err := a.S3(src).PutBucketPolicy(ctx, "bench", backupBucketPolicy("bench", k.Arn, role, false)); err != nil {
		b.Fatal(err)
	}
	s3 := a.As(role).S3(src)
	body := make([]byte, 1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "bench", Key: fmt.Sprintf("k%d", i%100), Body: body,
			ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k.Arn}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListObjectVersionsPage lists one 1000-entry page of a bucket
// with 3000 versions.
func BenchmarkListObjectVersionsPage(b *testing.B) {
	a := memaws.New(memaws.Options{})
	if err := a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "bench", LocationConstraint: src}); err != nil {
		b.Fatal(err)
	}
	if err := a.S3(src).PutBucketVersioning(ctx, "bench", cloud.VersioningEnabled); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		if _, err := a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "bench", Key: fmt.Sprintf("k%04d", i%1000)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := a.S3(src).ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "bench", KeyMarker: "k0500"})
		if err != nil || len(out.Versions) != 1000 {
			b.Fatalf("%d versions, %v", len(out.Versions), err)
		}
	}
}

// BenchmarkPersistedMutation measures a mutating call on an Open'ed
// account (marshal, write, fsync, rename of account.json).
func BenchmarkPersistedMutation(b *testing.B) {
	a := persistedBench(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.S3(src).PutBucketTagging(ctx, "bench", []cloud.Tag{{Key: "n", Value: fmt.Sprint(i)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersistedRead measures a read on an Open'ed account: the lock
// of account.json.lock and the generation check, no write.
func BenchmarkPersistedRead(b *testing.B) {
	a := persistedBench(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.S3(src).GetBucketVersioning(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// persistedBench opens an account in a temporary directory with one
// bucket, "bench".
func persistedBench(b *testing.B) *memaws.Account {
	b.Helper()
	a, err := memaws.Open(b.TempDir(), memaws.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "bench", LocationConstraint: src}); err != nil {
		b.Fatal(err)
	}
	return a
}
