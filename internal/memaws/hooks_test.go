package memaws_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

func TestFailMutatingCall(t *testing.T) {
	for _, mode := range []memaws.FailMode{memaws.FailBefore, memaws.FailAfter} {
		t.Run(mode.String(), func(t *testing.T) {
			a, _ := newAccount(t, memaws.Options{})
			s3 := a.S3(src)
			a.FailMutatingCall(2, mode)
			createBucket(t, a, src, "first-ok")
			// Reads do not count.
			_, err := s3.HeadBucket(ctx, "first-ok")
			must(t, err)
			_, err = s3.GetBucketVersioning(ctx, "first-ok")
			must(t, err)
			err = s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "second-fails", LocationConstraint: src})
			var ce *cloud.Error
			if !errors.As(err, &ce) || ce.Code != cloud.CodeInternalError || ce.HTTPStatus != 500 {
				t.Fatalf("second mutating call: %v", err)
			}
			_, err = s3.HeadBucket(ctx, "second-fails")
			if mode == memaws.FailBefore {
				wantCode(t, err, cloud.CodeNotFound)
			} else {
				must(t, err) // the change happened, its answer was lost
			}
			must(t, s3.PutBucketVersioning(ctx, "first-ok", cloud.VersioningEnabled))
			if n := a.MutatingCalls(); n != 3 {
				t.Fatalf("MutatingCalls = %d, want 3", n)
			}
			calls := a.Calls()
			if len(calls) != 6 {
				t.Fatalf("calls %+v", calls)
			}
			failed := calls[3]
			if failed.Op != "CreateBucket" || !failed.Mutating || failed.Code != cloud.CodeInternalError ||
				failed.Region != src || failed.Resource != "second-fails" || calls[1].Mutating {
				t.Fatalf("call log %+v", calls)
			}
			a.ResetCounters()
			if a.MutatingCalls() != 0 || len(a.Calls()) != 0 {
				t.Fatal("ResetCounters left counts")
			}
		})
	}
}

func TestFaultsCountFromArming(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "one")
	createBucket(t, a, src, "two")
	a.FailMutatingCall(1, memaws.FailBefore)
	wantCode(t, a.S3(src).PutBucketVersioning(ctx, "one", cloud.VersioningEnabled), cloud.CodeInternalError)
	must(t, a.S3(src).PutBucketVersioning(ctx, "one", cloud.VersioningEnabled))
	// Faults of IAM and KMS count the same way.
	a.FailMutatingCall(1, memaws.FailAfter)
	_, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "lost-answer", AssumeRolePolicyDocument: ec2Trust})
	wantCode(t, err, cloud.CodeInternalError)
	_, err = a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "lost-answer", AssumeRolePolicyDocument: ec2Trust})
	wantCode(t, err, cloud.CodeEntityAlreadyExists)
}

// TestFailCallWhereSelectsByWhatTheCallIs: a fault armed for one operation
// on one resource lets every other mutating call through, whatever their
// order, fails the n-th matching one, and fires once.
func TestFailCallWhereSelectsByWhatTheCallIs(t *testing.T) {
	for _, mode := range []memaws.FailMode{memaws.FailBefore, memaws.FailAfter} {
		t.Run(mode.String(), func(t *testing.T) {
			a, _ := newAccount(t, memaws.Options{})
			s3 := a.S3(src)
			var seen []memaws.CallRecord
			a.FailCallWhere(2, mode, func(c memaws.CallRecord) bool {
				seen = append(seen, c)
				return c.Op == "PutBucketVersioning" && c.Resource == "two" && c.Region == src
			})
			createBucket(t, a, src, "one")
			createBucket(t, a, src, "two")
			must(t, s3.PutBucketVersioning(ctx, "one", cloud.VersioningEnabled))
			must(t, s3.PutBucketVersioning(ctx, "two", cloud.VersioningSuspended)) // first match
			_, err := s3.GetBucketVersioning(ctx, "two")                           // reads are never selected
			must(t, err)
			wantCode(t, s3.PutBucketVersioning(ctx, "two", cloud.VersioningEnabled), cloud.CodeInternalError)
			got, err := s3.GetBucketVersioning(ctx, "two")
			must(t, err)
			if want := map[memaws.FailMode]string{memaws.FailBefore: cloud.VersioningSuspended, memaws.FailAfter: cloud.VersioningEnabled}[mode]; got != want {
				t.Fatalf("versioning after the failed call = %q, want %q", got, want)
			}
			must(t, s3.PutBucketVersioning(ctx, "two", cloud.VersioningEnabled)) // fired once
			if len(seen) != 5 {
				t.Fatalf("match saw %d calls, want the 5 mutating calls up to the one that fired: %+v", len(seen), seen)
			}
			for _, c := range seen {
				if !c.Mutating || c.Service != "s3" || c.Code != "" {
					t.Fatalf("match saw %+v", c)
				}
			}
			var failed []string
			for _, c := range a.Calls() {
				if c.Code == cloud.CodeInternalError {
					failed = append(failed, c.Op+" "+c.Resource)
				}
			}
			if len(failed) != 1 || failed[0] != "PutBucketVersioning two" {
				t.Fatalf("failed calls %v", failed)
			}
		})
	}
}

func TestLatencyOverlapsConcurrentCalls(t *testing.T) {
	const calls = 8
	var mu sync.Mutex
	var slept []time.Duration
	release := make(chan struct{})
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept = append(slept, d)
		if len(slept) == calls {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("calls did not overlap: latency is applied under the lock")
		}
	}
	a, _ := newAccount(t, memaws.Options{Latency: 10 * time.Millisecond, CrossRegionLatency: 30 * time.Millisecond, Sleep: sleep})
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			switch {
			case i < 4:
				_, err = a.S3(src).ListBuckets(ctx)
			case i < 6:
				_, err = a.KMS(dst).ListKeys(ctx, "")
			default:
				_, err = a.IAM().ListRoles(ctx, cloud.ListRolesInput{})
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	sort.Slice(slept, func(i, j int) bool { return slept[i] < slept[j] })
	want := []time.Duration{10, 10, 10, 10, 10, 10, 40, 40}
	for i := range want {
		if slept[i] != want[i]*time.Millisecond {
			t.Fatalf("latencies %v", slept)
		}
	}
	a.SetLatency(0, 0)
	_, err := a.S3(dst).ListBuckets(ctx)
	must(t, err)
	if len(slept) != calls {
		t.Fatal("slept after SetLatency(0, 0)")
	}
}

func TestLatencyHonoursCancellation(t *testing.T) {
	a := memaws.New(memaws.Options{Latency: time.Hour})
	c, cancel := context.WithCancel(ctx)
	cancel()
	_, err := a.S3(src).ListBuckets(c)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestAccessLogDelivery(t *testing.T) {
	a, clk := newAccount(t, memaws.Options{})
	s3 := a.S3(src)
	createBucket(t, a, src, "app-data")
	createBucket(t, a, src, "app-data-logs")
	must(t, s3.PutBucketPolicy(ctx, "app-data-logs", logTargetPolicy("app-data-logs", "s3/", "app-data")))
	must(t, s3.PutBucketLogging(ctx, "app-data", &cloud.LoggingEnabled{TargetBucket: "app-data-logs", TargetPrefix: "s3/", PartitionedPrefix: true}))
	for _, k := range []string{"a", "b", "c"} {
		_, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "app-data", Key: k, Body: []byte(k)})
		must(t, err)
	}
	_, err := a.As(roleArn(memaws.SeedAppServerRole)).S3(src).GetObject(ctx, "app-data", "a", "")
	wantCode(t, err, cloud.CodeAccessDenied)
	must(t, a.ProcessPending())
	if n := len(a.LogDeliveries()); n != 0 {
		t.Fatalf("%d deliveries before the delivery delay", n)
	}
	clk.Advance(time.Minute)
	must(t, a.ProcessPending())
	ds := a.LogDeliveries()
	if len(ds) != 1 || !ds[0].Delivered || ds[0].Records < 4 {
		t.Fatalf("deliveries %+v", ds)
	}
	keyRE := regexp.MustCompile(`^s3/123456789012/eu-central-1/app-data/2025/06/02/2025-06-02-08-01-00-[0-9A-F]{16}$`)
	list, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "app-data-logs"})
	must(t, err)
	if len(list.Versions) != 1 || !keyRE.MatchString(list.Versions[0].Key) || list.Versions[0].Key != ds[0].Key {
		t.Fatalf("log objects %+v", list.Versions)
	}
	obj, err := s3.GetObject(ctx, "app-data-logs", list.Versions[0].Key, "")
	must(t, err)
	body := string(obj.Body)
	if obj.ServerSideEncryption != cloud.SSEAES256 || strings.Count(body, "REST.PUT.OBJECT") != 3 ||
		!strings.Contains(body, "AccessDenied") || !strings.Contains(body, roleArn(memaws.SeedAppServerRole)) {
		t.Fatalf("log object (%s):\n%s", obj.ServerSideEncryption, body)
	}

	// SSE-KMS default encryption on the target: nothing is delivered.
	k := newKey(t, a, src, "")
	must(t, s3.PutBucketEncryption(ctx, "app-data-logs", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: k.Arn}))
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "app-data", Key: "d", Body: []byte("d")})
	must(t, err)
	clk.Advance(time.Minute)
	must(t, a.ProcessPending())
	ds = a.LogDeliveries()
	if len(ds) != 2 || ds[1].Delivered || !strings.Contains(ds[1].Reason, "SSE-S3") {
		t.Fatalf("deliveries %+v", ds)
	}
	// A target policy that no longer allows the logging service: nothing either.
	must(t, s3.DeleteBucketEncryption(ctx, "app-data-logs"))
	must(t, s3.DeleteBucketPolicy(ctx, "app-data-logs"))
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "app-data", Key: "e", Body: []byte("e")})
	must(t, err)
	clk.Advance(time.Minute)
	must(t, a.ProcessPending())
	ds = a.LogDeliveries()
	if len(ds) != 3 || ds[2].Delivered || !strings.Contains(ds[2].Reason, "policy") {
		t.Fatalf("deliveries %+v", ds)
	}
	for _, b := range a.Buckets() {
		if b.Name == "app-data-logs" && b.Versions != 1 {
			t.Fatalf("log bucket holds %d objects, want 1", b.Versions)
		}
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	clk := newClock(t)
	a, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	s := newReplSetupOn(t, a, clk, replOptions{bucketKeys: true, deleteMarkers: true})
	info := s.upload(t, "data/backup_1")
	must(t, a.KMS(src).CreateAlias(ctx, "alias/hana-backup-hdb", s.srcKey.KeyID))
	must(t, a.KMS(src).TagResource(ctx, s.srcKey.KeyID, []cloud.Tag{{Key: "hanavault:sid", Value: "HDB"}}))
	spare := newKey(t, a, dst, "")
	when, err := a.KMS(dst).ScheduleKeyDeletion(ctx, spare.KeyID, 7)
	must(t, err)
	lc := cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{{ID: "glacier", Status: "Enabled", Transitions: []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}}, ExpirationDays: 372}}}
	must(t, a.S3(src).PutBucketLifecycleConfiguration(ctx, replSrc, lc))
	createBucket(t, a, src, "hdb-src-logs")
	must(t, a.S3(src).PutBucketPolicy(ctx, "hdb-src-logs", logTargetPolicy("hdb-src-logs", "", replSrc)))
	must(t, a.S3(src).PutBucketLogging(ctx, replSrc, &cloud.LoggingEnabled{TargetBucket: "hdb-src-logs"}))
	up, err := a.S3(src).CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: replSrc, Key: "data/big"})
	must(t, err)
	a.FailMutatingCall(1, memaws.FailBefore) // hooks are not persisted

	b, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	if st := statusOf(t, b, "data/backup_1", info.VersionID); st != "PENDING" {
		t.Fatalf("status after reopen %q", st)
	}
	m, err := b.KMS(dst).DescribeKey(ctx, spare.Arn)
	must(t, err)
	if m.KeyState != "PendingDeletion" || !m.DeletionDate.Equal(when) {
		t.Fatalf("key after reopen %+v", m)
	}
	got, err := b.KMS(src).DescribeKey(ctx, "alias/hana-backup-hdb")
	must(t, err)
	tags, err := b.KMS(src).ListResourceTags(ctx, got.KeyID)
	must(t, err)
	if got.KeyID != s.srcKey.KeyID || len(tags) != 1 {
		t.Fatalf("alias %+v, tags %+v", got, tags)
	}
	gotLC, err := b.S3(src).GetBucketLifecycleConfiguration(ctx, replSrc)
	must(t, err)
	if gotLC.Rules[0].ExpirationDays != 372 || gotLC.Rules[0].Transitions[0].StorageClass != "GLACIER" {
		t.Fatalf("lifecycle %+v", gotLC)
	}
	rc, err := b.S3(src).GetBucketReplication(ctx, replSrc)
	must(t, err)
	if rc.Role != s.cfg.Role || rc.Rules[0] != s.cfg.Rules[0] {
		t.Fatalf("replication %+v", rc)
	}
	role, err := b.IAM().GetRole(ctx, replRole)
	must(t, err)
	if role.CreateDate.IsZero() {
		t.Fatalf("role %+v", role)
	}
	ups, err := b.S3(src).ListMultipartUploads(ctx, cloud.ListMultipartUploadsInput{Bucket: replSrc})
	must(t, err)
	if len(ups.Uploads) != 1 || ups.Uploads[0].UploadID != up {
		t.Fatalf("uploads %+v", ups)
	}
	// The fault armed on the first instance did not travel.
	createBucket(t, b, src, "after-reopen")

	clk.Advance(2 * time.Minute)
	must(t, b.ProcessPending())
	if st := statusOf(t, b, "data/backup_1", info.VersionID); st != "COMPLETED" {
		t.Fatalf("status after processing %q", st)
	}
	replica, err := b.S3(dst).GetObject(ctx, replDst, "data/backup_1", info.VersionID)
	must(t, err)
	if string(replica.Body) != "backup of data/backup_1" || !replica.BucketKeyEnabled {
		t.Fatalf("replica %+v", replica)
	}
	if ds := b.LogDeliveries(); len(ds) != 1 || !ds[0].Delivered {
		t.Fatalf("buffered logs after reopen: %+v", ds)
	}

	// A third instance sees what the second one did.
	c, err := memaws.Open(dir, memaws.Options{Now: clk.Now})
	must(t, err)
	if st := statusOf(t, c, "data/backup_1", info.VersionID); st != "COMPLETED" {
		t.Fatalf("status in a third instance %q", st)
	}
	must(t, c.Save())
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 2 || entries[0].Name() != "account.json" || entries[1].Name() != "account.json.lock" {
		t.Fatalf("directory holds %v", entries)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "account.json"))
	must(t, err)
	var probe struct {
		Schema int `json:"schema"`
	}
	must(t, json.Unmarshal(raw, &probe))
	if probe.Schema != 1 {
		t.Fatalf("schema %d", probe.Schema)
	}
	must(t, os.WriteFile(filepath.Join(dir, "account.json"), []byte(`{"schema":99}`), 0o600))
	if _, err := memaws.Open(dir, memaws.Options{}); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

func statusOf(t *testing.T, a *memaws.Account, key, version string) string {
	t.Helper()
	h, err := a.S3(src).HeadObject(ctx, replSrc, key, version)
	must(t, err)
	return h.ReplicationStatus
}

func TestOpenSeedsAFreshDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	a, err := memaws.Open(dir, memaws.Options{})
	must(t, err)
	if _, err := a.IAM().GetRole(ctx, memaws.SeedBackupRole); err != nil {
		t.Fatalf("fresh sandbox not seeded: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "account.json")); err != nil {
		t.Fatalf("account.json not written: %v", err)
	}
	empty, err := memaws.Open(t.TempDir(), memaws.Options{NoSeed: true})
	must(t, err)
	if len(empty.Roles()) != 0 || len(empty.Buckets()) != 0 {
		t.Fatalf("NoSeed account has %d roles, %d buckets", len(empty.Roles()), len(empty.Buckets()))
	}
}
