package conformance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/awsapi"
	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/testutil/moto"
	"github.com/hanavault/hanavault/internal/testutil/race"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const (
	src = "eu-central-1"
	dst = "eu-west-1"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func setupRoles(t *testing.T, ctx context.Context, acct *awsapi.Account, prefix string) (string, string) {
	t.Helper()
	ec2, admin := prefix+"hana-backup-ec2", prefix+"kms-admin"
	for _, name := range []string{ec2, admin} {
		if _, err := acct.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: ec2Trust}); err != nil {
			t.Fatalf("create role %s: %v", name, err)
		}
	}
	return ec2, admin
}

func landscape(account, ec2, admin, sid string) spec.Landscape {
	l := spec.Defaults(sid, account, src, dst)
	l.EC2RoleToRunBackup, l.KMSAdminRole = ec2, admin
	return l.Normalized()
}

// motoGap reports whether a drift is exactly one of moto's gaps:
//   - GetBucketReplication drops SourceSelectionCriteria and always reports
//     DeleteMarkerReplication Disabled (moto-notes);
//   - PutBucketLogging ignores TargetObjectKeyFormat (moto 5.2's s3 module
//     has no notion of it), so partitioned prefixes read back as simple.
func motoGap(r steps.ResourceStatus) bool {
	if r.State != steps.StateDrift || len(r.Fields) != 1 {
		return false
	}
	f := r.Fields[0]
	switch {
	case r.ID == "source/bucket/replication":
		return strings.Contains(f.Actual, "SSE-KMS objects skipped")
	case strings.HasSuffix(r.ID, "/bucket/logging"):
		return strings.HasSuffix(f.Desired, "(partitioned by EventTime)") &&
			strings.TrimSuffix(f.Actual, "(simple prefix)") == strings.TrimSuffix(f.Desired, "(partitioned by EventTime)")
	}
	return false
}

func TestEngineApplyStatusDestroyAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ec2, admin := setupRoles(t, ctx, acct, "flow-")
	id, err := acct.STS().GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := landscape(id.Account, ec2, admin, "MTO")
	eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: src})

	issues, err := eng.Preflight(ctx, l)
	if err != nil || len(issues) != 0 {
		t.Fatalf("preflight: %v %+v", err, issues)
	}
	plan, err := eng.Plan(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Counts()[steps.ActionCreate] != len(plan.Changes) {
		t.Fatalf("fresh plan against moto: %+v", plan.Counts())
	}
	res, err := eng.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	if err != nil {
		t.Fatalf("apply against moto: %v", err)
	}
	if res.Failed != 0 || res.Succeeded != len(plan.Changes) {
		t.Fatalf("apply result %+v", res)
	}

	// What AWS would hold now, read back through the SDK.
	s3 := acct.S3(src)
	if v, err := s3.GetBucketVersioning(ctx, l.OriginalBucketName); err != nil || v != cloud.VersioningEnabled {
		t.Fatalf("versioning %q %v", v, err)
	}
	enc, err := s3.GetBucketEncryption(ctx, l.OriginalBucketName)
	if err != nil || enc.SSEAlgorithm != cloud.SSEKMS || !strings.HasPrefix(enc.KMSMasterKeyID, "arn:aws:kms:"+src+":") || !enc.BucketKeyEnabled {
		t.Fatalf("encryption %+v %v", enc, err)
	}
	logEnc, err := s3.GetBucketEncryption(ctx, l.OriginalLogBucketName)
	if err != nil || logEnc.SSEAlgorithm != cloud.SSEAES256 {
		t.Fatalf("log bucket encryption %+v %v (access logs need SSE-S3)", logEnc, err)
	}
	lg, err := s3.GetBucketLogging(ctx, l.OriginalBucketName)
	if err != nil || lg == nil || lg.TargetBucket != l.OriginalLogBucketName {
		t.Fatalf("logging %+v %v", lg, err)
	}
	rc, err := s3.GetBucketReplication(ctx, l.OriginalBucketName)
	if err != nil || len(rc.Rules) != 1 || rc.Rules[0].DestinationBucket != "arn:aws:s3:::"+l.ReplicationBucketName ||
		!strings.HasPrefix(rc.Rules[0].ReplicaKmsKeyID, "arn:aws:kms:"+dst+":") {
		t.Fatalf("replication %+v %v", rc, err)
	}
	if loc, err := acct.S3(dst).GetBucketLocation(ctx, l.ReplicationBucketName); err != nil || loc != dst {
		t.Fatalf("replica bucket location %q %v", loc, err)
	}
	doc, err := acct.IAM().GetRolePolicy(ctx, l.ReplicationRoleName, "hanavault-replication")
	if err != nil || strings.HasPrefix(doc, "{") {
		t.Fatalf("role policy should come back URL-encoded from IAM: %.60q %v", doc, err)
	}

	st, err := eng.Status(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.State != steps.StateOK && !motoGap(r) {
			t.Errorf("status %s: %s %+v", r.ID, r.State, r.Fields)
		}
	}

	// moto applies a conditional Deny (the TLS-only statement) as an
	// unconditional one to DeleteObjects, and writes real access logs into
	// the log buckets; remove the bucket policies first, as drift, so the
	// buckets can be emptied (moto-notes).
	for _, b := range []struct{ region, name string }{{src, l.OriginalBucketName}, {src, l.OriginalLogBucketName}, {dst, l.ReplicationBucketName}, {dst, l.ReplicationLogBucketName}} {
		if err := acct.S3(b.region).DeleteBucketPolicy(ctx, b.name); err != nil {
			t.Fatal(err)
		}
	}
	// A backup in each bucket, so destroy has versions to empty.
	for _, b := range []struct{ region, name string }{{src, l.OriginalBucketName}, {dst, l.ReplicationBucketName}} {
		if _, err := acct.S3(b.region).PutObject(ctx, cloud.PutObjectInput{Bucket: b.name, Key: "data/backup_1", Body: []byte("backup")}); err != nil {
			t.Fatal(err)
		}
		if _, err := acct.S3(b.region).DeleteObject(ctx, b.name, "data/backup_1", ""); err != nil {
			t.Fatal(err)
		}
	}
	prev, err := eng.PreviewDestroy(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range prev.Buckets {
		if b.Bucket == l.OriginalBucketName && (b.Versions != 1 || b.DeleteMarkers != 1) {
			t.Fatalf("destroy preview of %s: %+v", b.Bucket, b)
		}
	}
	res, err = eng.Destroy(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	if err != nil {
		t.Fatalf("destroy against moto: %v", err)
	}
	if len(res.KeyDeletions) != 2 {
		t.Fatalf("key deletions %+v", res.KeyDeletions)
	}
	buckets, err := acct.S3(src).ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets {
		if strings.Contains(b.Name, "hana-backup-mto") {
			t.Errorf("bucket %s left behind", b.Name)
		}
	}
	if _, err := acct.IAM().GetRole(ctx, l.ReplicationRoleName); !cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		t.Errorf("replication role left: %v", err)
	}
	for _, k := range res.KeyDeletions {
		md, err := acct.KMS(k.Region).DescribeKey(ctx, k.KeyID)
		if err != nil || md.KeyState != "PendingDeletion" {
			t.Errorf("key %s in %s: %+v %v", k.KeyID, k.Region, md, err)
		}
		if _, err := acct.KMS(k.Region).DescribeKey(ctx, k.Alias); !cloud.IsCode(err, cloud.CodeNotFoundException) {
			t.Errorf("alias %s left in %s: %v", k.Alias, k.Region, err)
		}
	}
}

// TestUSEast1LocationConstraintAgainstMoto: the engine creates a bucket in
// us-east-1 without a LocationConstraint and elsewhere with its own region,
// which moto checks like AWS.
func TestUSEast1LocationConstraintAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ec2, admin := setupRoles(t, ctx, acct, "use1-")
	id, err := acct.STS().GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := spec.Defaults("QAS", id.Account, "us-east-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = ec2, admin
	eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: "us-east-1"})
	if _, err := eng.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Fatalf("apply with a us-east-1 source: %v", err)
	}
	if loc, err := acct.S3("us-east-1").GetBucketLocation(ctx, l.OriginalBucketName); err != nil || loc != "" {
		t.Fatalf("us-east-1 bucket location %q %v", loc, err)
	}
	// A second apply finds the buckets (HeadBucket), it does not rely on
	// us-east-1's legacy 200 for an existing bucket.
	res, err := eng.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	if err != nil || res.Failed != 0 {
		t.Fatalf("second apply: %+v %v", res, err)
	}
}

// TestConcurrentCreateBucketIsNotTakenForOursAgainstMoto (issue 6.3):
// another landscape creates the bucket between this landscape's lookup and
// its CreateBucket; S3 (moto) answers BucketAlreadyOwnedByYou, which is no
// proof of a create of ours whose answer was lost. Apply stops with an
// error naming the bucket, and destroy leaves the other landscape's bucket.
func TestConcurrentCreateBucketIsNotTakenForOursAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ec2, admin := setupRoles(t, ctx, acct, "race-")
	id, err := acct.STS().GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := landscape(id.Account, ec2, admin, "RCE")
	theirs := []cloud.Tag{{Key: steps.TagLandscape, Value: "QAS"}}
	racing := &race.BucketName{Account: acct, Bucket: l.OriginalBucketName, Other: func() {
		if err := acct.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: l.OriginalBucketName, LocationConstraint: src}); err != nil {
			t.Errorf("the other landscape's CreateBucket: %v", err)
		}
		if err := acct.S3(src).PutBucketTagging(ctx, l.OriginalBucketName, theirs); err != nil {
			t.Error(err)
		}
	}}
	eng := steps.New(steps.Options{Account: racing, StateDir: t.TempDir(), HomeRegion: src})
	_, err = eng.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	if err == nil || !strings.Contains(err.Error(), l.OriginalBucketName) || !strings.Contains(err.Error(), "someone else") {
		t.Fatalf("apply after another landscape took the bucket name: %v", err)
	}
	if _, err := eng.Destroy(ctx, l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Logf("destroy: %v", err)
	}
	if _, err := acct.S3(src).HeadBucket(ctx, l.OriginalBucketName); err != nil {
		t.Fatalf("destroy deleted the other landscape's bucket: %v", err)
	}
	if tags, err := acct.S3(src).GetBucketTagging(ctx, l.OriginalBucketName); err != nil || len(tags) != 1 || tags[0] != theirs[0] {
		t.Fatalf("the other landscape's bucket tags: %+v (%v)", tags, err)
	}
}

// TestEmptyingManyVersionsAgainstMoto: moto answers ListObjectVersions
// with an empty, untruncated page when the VersionIdMarker names a version
// just deleted (moto-notes), which made destroy remove one page per pass
// and stop after five. Destroy must empty a bucket of several thousand
// versions and delete markers, and a key with more versions than a page,
// in one run.
func TestEmptyingManyVersionsAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ec2, admin := setupRoles(t, ctx, acct, "empty-")
	id, err := acct.STS().GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := landscape(id.Account, ec2, admin, "EMP")
	eng := steps.New(steps.Options{Account: acct, StateDir: t.TempDir(), HomeRegion: src})
	if _, err := eng.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {})); err != nil {
		t.Fatalf("apply against moto: %v", err)
	}
	// As in the flow test: moto applies the TLS-only Deny to DeleteObjects
	// unconditionally, so the bucket policies go first.
	for _, b := range []struct{ region, name string }{{src, l.OriginalBucketName}, {src, l.OriginalLogBucketName}, {dst, l.ReplicationBucketName}, {dst, l.ReplicationLogBucketName}} {
		if err := acct.S3(b.region).DeleteBucketPolicy(ctx, b.name); err != nil {
			t.Fatal(err)
		}
	}
	s3 := acct.S3(src)
	put := func(key string) {
		if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: l.OriginalBucketName, Key: key, Body: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 1200; i++ {
		k := fmt.Sprintf("log/backup_%05d", i)
		put(k)
		put(k)
		if _, err := s3.DeleteObject(ctx, l.OriginalBucketName, k, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 1100; i++ {
		put("data/big")
	}
	var retries []string
	_, err = eng.Destroy(ctx, l, steps.SinkFunc(func(e steps.Event) {
		if e.Kind == steps.EventRetrying && e.StepID == "source/bucket" {
			retries = append(retries, e.Reason)
		}
	}))
	if err != nil {
		t.Fatalf("destroy against moto: %v", err)
	}
	if len(retries) > 0 {
		t.Errorf("emptying needed more passes: %q", retries)
	}
	if _, err := s3.HeadBucket(ctx, l.OriginalBucketName); !cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
		t.Errorf("source bucket left: %v", err)
	}
}

// TestServerClockAgainstMoto: ServerClock reads the Date header of a real
// S3 answer through the SDK, to the second (moto runs on this machine's
// clock, so the two agree within the call).
func TestServerClockAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now().Truncate(time.Second)
	got, err := acct.S3(src).ServerClock(ctx)
	t1 := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(t0) || got.After(t1) || got.Nanosecond() != 0 {
		t.Errorf("ServerClock %s, want a whole second between %s and %s", got, t0, t1)
	}
}
