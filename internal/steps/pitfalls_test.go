package steps_test

// Tests named after the pitfalls in aws-facts.md ("Top 15 pitfalls"), each
// run through the engine against the in-memory account.

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

// Pitfall 1: an existing bucket in us-east-1 answers CreateBucket with 200;
// hanavault must not take that for "created" (and then delete the user's
// bucket on destroy).
func TestPitfallUSEast1ExistingBucketIsNotTakenForCreated(t *testing.T) {
	e := newEnv(t, "us-east-1", "us-west-2")
	ctx := context.Background()
	s3 := e.acct.S3("us-east-1")
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: e.l.OriginalBucketName}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "mine", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	e.apply()
	res := e.destroy()
	if len(res.Kept) == 0 {
		t.Fatalf("the pre-existing us-east-1 bucket was not kept: %+v", res)
	}
	if _, err := s3.HeadObject(ctx, e.l.OriginalBucketName, "mine", ""); err != nil {
		t.Fatalf("the user's object is gone: %v", err)
	}
}

// Pitfall 4 and 5: the replication rule names the replica key by ARN, with
// SSE-KMS objects selected, and the role's KMS conditions match the bucket
// keys' context: replicas arrive encrypted with the replica key. Pitfall 6:
// access logs are delivered (SSE-S3 log bucket, logging.s3 policy).
func TestPitfallReplicationConfigAndLogDelivery(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	rc, err := e.acct.S3(e.l.SourceRegion).GetBucketReplication(ctx, e.l.OriginalBucketName)
	if err != nil {
		t.Fatal(err)
	}
	r := rc.Rules[0]
	if !r.SseKmsEncryptedObjects || !strings.HasPrefix(r.ReplicaKmsKeyID, "arn:aws:kms:eu-west-1:") || !strings.Contains(r.ReplicaKmsKeyID, ":key/") {
		t.Fatalf("replication rule %+v: SSE-KMS objects must be selected and the replica key named by key ARN", r)
	}
	for _, b := range []string{e.l.OriginalLogBucketName, e.l.ReplicationLogBucketName} {
		region := e.l.SourceRegion
		if b == e.l.ReplicationLogBucketName {
			region = e.l.ReplicationRegion
		}
		enc, err := e.acct.S3(region).GetBucketEncryption(ctx, b)
		if err != nil || enc.SSEAlgorithm != cloud.SSEAES256 {
			t.Fatalf("log bucket %s encryption %+v %v", b, enc, err)
		}
	}
	ec2 := e.acct.As(memaws.SeedBackupRole).S3(e.l.SourceRegion)
	if _, err := ec2.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "k", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	if err := e.acct.ProcessPending(); err != nil {
		t.Fatal(err)
	}
	delivered := 0
	for _, d := range e.acct.LogDeliveries() {
		if d.SourceBucket == e.l.OriginalBucketName && d.TargetBucket == e.l.OriginalLogBucketName && d.Delivered {
			delivered++
			if !strings.HasPrefix(d.Key, "access-logs/"+memaws.DefaultAccountID+"/eu-central-1/"+e.l.OriginalBucketName+"/") {
				t.Errorf("log key %s is not in the partitioned format", d.Key)
			}
		}
	}
	if delivered == 0 {
		t.Fatalf("no access log delivered: %+v", e.acct.LogDeliveries())
	}
}

// Pitfall 7: the strict mode is a real choice with the documented cost:
// multipart parts (no SSE header) are refused.
func TestPitfallStrictModeRefusesUploadPart(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.l.RequireEncryptionHeader = true
	plan, err := e.eng.Plan(context.Background(), e.l)
	if err != nil {
		t.Fatal(err)
	}
	warned := false
	for _, w := range plan.Warnings {
		warned = warned || w.Field == "requireEncryptionHeader" && strings.Contains(w.Message, "multipart")
	}
	if !warned {
		t.Fatalf("strict mode without a multipart warning: %+v", plan.Warnings)
	}
	e.apply()
	ctx := context.Background()
	key := keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias)
	s3 := e.acct.As(memaws.SeedBackupRole).S3(e.l.SourceRegion)
	id, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: e.l.OriginalBucketName, Key: "big", ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.UploadPart(ctx, cloud.UploadPartInput{Bucket: e.l.OriginalBucketName, Key: "big", UploadID: id, PartNumber: 1, Body: []byte("p")}); !cloud.IsCode(err, cloud.CodeAccessDenied) {
		t.Fatalf("UploadPart under the strict policy: %v, want AccessDenied", err)
	}
}

// Pitfall 8 and 9: destroy removes replication first, then empties both
// buckets completely (versions and delete markers beyond one page of 1000,
// incomplete multipart uploads) before deleting them.
func TestPitfallDestroyEmptiesBothBucketsAfterRemovingReplication(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	for _, b := range []struct{ region, name string }{{e.l.SourceRegion, e.l.OriginalBucketName}, {e.l.ReplicationRegion, e.l.ReplicationBucketName}} {
		s3 := e.acct.S3(b.region)
		for i := 0; i < 700; i++ {
			k := fmt.Sprintf("log/backup_%04d", i)
			if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: b.name, Key: k, Body: []byte("v1")}); err != nil {
				t.Fatal(err)
			}
			if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: b.name, Key: k, Body: []byte("v2")}); err != nil {
				t.Fatal(err)
			}
			if _, err := s3.DeleteObject(ctx, b.name, k, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: b.name, Key: "data/unfinished"}); err != nil {
			t.Fatal(err)
		}
	}
	prev, err := e.eng.PreviewDestroy(ctx, e.l)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range prev.Buckets {
		if b.Bucket == e.l.OriginalBucketName && (b.Versions < 1400 || b.DeleteMarkers != 700 || b.MultipartUploads != 1) {
			t.Fatalf("preview %+v", b)
		}
	}
	e.acct.ResetCounters()
	rec := &recorder{}
	if _, err := e.eng.Destroy(ctx, e.l, rec); err != nil {
		t.Fatal(err)
	}
	e.assertNothingLeft()
	// Order: replication removed before the first object deletion in either
	// bucket; no DeleteObjects batch above 1000 (the account rejects those).
	replicationGone, deletes := -1, -1
	for i, c := range e.acct.Calls() {
		if c.Op == "DeleteBucketReplication" && replicationGone < 0 {
			replicationGone = i
		}
		if c.Op == "DeleteObjects" && deletes < 0 {
			deletes = i
		}
	}
	if replicationGone < 0 || deletes < 0 || replicationGone > deletes {
		t.Fatalf("replication removed at call %d, first DeleteObjects at %d", replicationGone, deletes)
	}
	if len(rec.kinds(steps.EventProgress)) < 4 {
		t.Fatalf("emptying reported no progress")
	}
}

// Pitfall 8: DeleteObjects answers 200 with per-key errors; destroy must
// notice them and say which objects are stuck.
func TestPitfallDeleteObjectsErrorsAreNotIgnored(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	s3 := e.acct.S3(e.l.SourceRegion)
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: e.l.OriginalBucketName, Key: "locked", Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	// Someone adds a statement denying version deletes to everyone.
	pol, err := s3.GetBucketPolicy(ctx, e.l.OriginalBucketName)
	if err != nil {
		t.Fatal(err)
	}
	deny := `{"Sid":"NoVersionDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObjectVersion","Resource":"arn:aws:s3:::` + e.l.OriginalBucketName + `/*"},`
	pol = strings.Replace(pol, `"Statement":[`, `"Statement":[`+deny, 1)
	if err := s3.PutBucketPolicy(ctx, e.l.OriginalBucketName, pol); err != nil {
		t.Fatal(err)
	}
	_, err = e.eng.Destroy(ctx, e.l, &recorder{})
	if err == nil || !strings.Contains(err.Error(), "could not be deleted") || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("destroy with undeletable objects: %v", err)
	}
	if _, err := s3.HeadBucket(ctx, e.l.OriginalBucketName); err != nil {
		t.Fatalf("the bucket must still exist: %v", err)
	}
	// The keys must not be scheduled for deletion while backups remain.
	md, err := e.acct.KMS(e.l.SourceRegion).DescribeKey(ctx, e.l.OriginalCMKAlias)
	if err != nil || md.KeyState != "Enabled" {
		t.Fatalf("source key %+v %v: deleted although backups remain", md, err)
	}
}

// Pitfall 10: both backup buckets get their own lifecycle with a filter for
// the whole bucket, noncurrent-version expiry, and expired delete markers in
// a rule of their own.
func TestPitfallLifecycleOnBothBuckets(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	for _, b := range []struct{ region, name string }{{e.l.SourceRegion, e.l.OriginalBucketName}, {e.l.ReplicationRegion, e.l.ReplicationBucketName}} {
		lc, err := e.acct.S3(b.region).GetBucketLifecycleConfiguration(context.Background(), b.name)
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		var archive, markers bool
		for _, r := range lc.Rules {
			if r.Prefix != "" {
				t.Errorf("%s rule %s is limited to %q", b.name, r.ID, r.Prefix)
			}
			if r.ExpiredObjectDeleteMarker && r.ExpirationDays > 0 {
				t.Errorf("%s rule %s mixes ExpiredObjectDeleteMarker with Days", b.name, r.ID)
			}
			archive = archive || (len(r.Transitions) == 1 && r.Transitions[0].Days == 7 && r.Transitions[0].StorageClass == "GLACIER" &&
				r.ExpirationDays == 372 && r.NoncurrentVersionExpirationDays == 30 && r.AbortIncompleteMultipartUploadDays == 7)
			markers = markers || r.ExpiredObjectDeleteMarker
		}
		if !archive || !markers {
			t.Errorf("%s lifecycle %+v", b.name, lc)
		}
	}
}

// Pitfall 13: a replication role someone attached things to is still
// deleted, in the order IAM requires.
func TestPitfallRoleDeletionOrder(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.apply()
	ctx := context.Background()
	if err := e.acct.IAM().PutRolePolicy(ctx, e.l.ReplicationRoleName, "added-by-someone", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	e.destroy()
	e.assertNothingLeft()
}

// Pitfall 14: nothing assumes the aws partition.
func TestPitfallChinaPartition(t *testing.T) {
	e := newEnv(t, "cn-north-1", "cn-northwest-1", func(o *memaws.Options) {
		o.Partition = "aws-cn"
		o.CallerArn = "arn:aws-cn:sts::" + memaws.DefaultAccountID + ":assumed-role/Admin/me"
	})
	e.apply()
	ctx := context.Background()
	enc, err := e.acct.S3("cn-north-1").GetBucketEncryption(ctx, e.l.OriginalBucketName)
	if err != nil || !strings.HasPrefix(enc.KMSMasterKeyID, "arn:aws-cn:kms:cn-north-1:") {
		t.Fatalf("encryption key %q %v", enc.KMSMasterKeyID, err)
	}
	pol, err := e.acct.S3("cn-north-1").GetBucketPolicy(ctx, e.l.OriginalBucketName)
	if err != nil || strings.Contains(pol, "arn:aws:") {
		t.Fatalf("bucket policy names the aws partition: %s %v", pol, err)
	}
	if st := e.status(); st.Overall != steps.OverallOK {
		t.Fatalf("status %s %+v", st.Overall, notOK(st))
	}
	e.destroy()
}

// Pitfall 15: keys wait the configured window, and the cancel command is
// given.
func TestPitfallKeyDeletionWindow(t *testing.T) {
	e := newEnv(t, "eu-central-1", "eu-west-1")
	e.l.KMSDeletionWindowDays = 7
	e.apply()
	res := e.destroy()
	for _, kd := range res.KeyDeletions {
		if got := kd.DeletionDate.Sub(e.clock.Now()); got < 7*24*time.Hour-time.Minute || got > 7*24*time.Hour+time.Hour {
			t.Fatalf("key %s deleted in %s, want 7 days", kd.KeyID, got)
		}
		if !strings.Contains(kd.CancelHint, "enable-key") {
			t.Fatalf("cancel hint %q must re-enable the key (CancelKeyDeletion leaves it Disabled)", kd.CancelHint)
		}
	}
}
