package conformance

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/testutil/moto"
)

// TestDRDataPlaneAgainstMoto checks the object calls verify and recall
// make, with the headers they send, against moto: SSE-KMS uploads naming
// a key, header-less uploads under SSE-KMS default encryption, multipart
// uploads with the headers only on CreateMultipartUpload, reads, archived
// objects and RestoreObject. What moto cannot confirm is named in each
// t.Log (moto-notes: bucket-policy conditions, replication and KMS are not
// modelled there, so the guard rails and replica checks belong to the
// in-memory account).
func TestDRDataPlaneAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	k, err := acct.KMS(src).CreateKey(ctx, cloud.CreateKeyInput{Description: "dr conformance"})
	if err != nil {
		t.Fatal(err)
	}
	s3 := acct.S3(src)
	const bucket = "hanavault-dr-conformance"
	if err := s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: bucket, LocationConstraint: src}); err != nil {
		t.Fatal(err)
	}
	if err := s3.PutBucketVersioning(ctx, bucket, cloud.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if err := s3.PutBucketEncryption(ctx, bucket, cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: k.Arn, BucketKeyEnabled: true}); err != nil {
		t.Fatal(err)
	}

	// A Backint-style upload: aws:kms naming the key.
	body := []byte("hanavault verify canary")
	put, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/single", Body: body,
		ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k.Arn})
	if err != nil {
		t.Fatal(err)
	}
	if put.VersionID == "" || put.ServerSideEncryption != cloud.SSEKMS || put.SSEKMSKeyID != k.Arn {
		t.Fatalf("SSE-KMS upload: %+v", put)
	}
	head, err := s3.HeadObject(ctx, bucket, "PRD/hanavault-verify/r/single", put.VersionID)
	if err != nil || head.ServerSideEncryption != cloud.SSEKMS || head.SSEKMSKeyID != k.Arn || head.LastModified.IsZero() {
		t.Fatalf("head: %+v %v", head, err)
	}
	got, err := s3.GetObject(ctx, bucket, "PRD/hanavault-verify/r/single", put.VersionID)
	if err != nil || !bytes.Equal(got.Body, body) {
		t.Fatalf("get: %v %q", err, got.Body)
	}

	// A header-less upload gets the bucket default.
	plain, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/no-header", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if plain.ServerSideEncryption != cloud.SSEKMS || plain.SSEKMSKeyID != k.Arn {
		t.Logf("moto gap: a header-less upload under SSE-KMS default encryption reports %q %q", plain.ServerSideEncryption, plain.SSEKMSKeyID)
	}

	// Multipart: headers on CreateMultipartUpload, none on the part.
	id, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/multipart",
		ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k.Arn})
	if err != nil {
		t.Fatal(err)
	}
	etag, err := s3.UploadPart(ctx, cloud.UploadPartInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/multipart", UploadID: id, PartNumber: 1, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := s3.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/multipart", UploadID: id,
		Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: etag}}})
	if err != nil {
		t.Fatal(err)
	}
	if mp.ServerSideEncryption != cloud.SSEKMS || mp.SSEKMSKeyID != k.Arn {
		t.Fatalf("multipart: %+v", mp)
	}

	// An archived object: GET refused until restored; RestoreObject.
	if _, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: "PRD/data/old", Body: body, StorageClass: cloud.StorageClassGlacier}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.GetObject(ctx, bucket, "PRD/data/old", ""); !cloud.IsCode(err, cloud.CodeInvalidObjectState) {
		t.Fatalf("GET of an archived object: %v, want InvalidObjectState", err)
	}
	arch, err := s3.HeadObject(ctx, bucket, "PRD/data/old", "")
	if err != nil || arch.StorageClass != cloud.StorageClassGlacier || arch.Restore.Requested() {
		t.Fatalf("head of an archived object: %+v %v", arch, err)
	}
	if _, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: "PRD/data/standard-missing", Days: 1}); !cloud.IsCode(err, cloud.CodeNoSuchKey) {
		t.Fatalf("restore of a missing key: %v, want NoSuchKey", err)
	}
	out, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: "PRD/data/old", Days: 2, Tier: cloud.TierBulk})
	if err != nil || out.AlreadyRestored {
		t.Fatalf("first restore: %+v %v (want 202)", out, err)
	}
	after, err := s3.HeadObject(ctx, bucket, "PRD/data/old", "")
	if err != nil || !after.Restore.Requested() {
		t.Fatalf("head after restore: %+v %v", after.Restore, err)
	}
	if after.Restore.InProgress {
		t.Log("moto: the restore is still in progress")
	} else {
		t.Log("moto gap: restores complete at once (AWS takes minutes to hours)")
	}
	again, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: "PRD/data/old", Days: 2})
	switch {
	case cloud.IsCode(err, cloud.CodeRestoreAlreadyInProgress):
		t.Log("moto: second restore answers RestoreAlreadyInProgress")
	case err == nil && again.AlreadyRestored:
		t.Log("moto: second restore of a restored copy answers 200")
	default:
		t.Fatalf("second restore: %+v %v", again, err)
	}
	if _, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: bucket, Key: "PRD/hanavault-verify/r/single", Days: 1}); !cloud.IsCode(err, cloud.CodeInvalidObjectState) {
		t.Logf("moto gap: restore of a STANDARD object answers %v (AWS: InvalidObjectState)", err)
	}
	page, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: bucket, Prefix: "PRD/data/", RestoreStatus: true})
	if err != nil || len(page.Versions) != 1 {
		t.Fatalf("list with restore status: %+v %v", page, err)
	}
	if !page.Versions[0].Restore.Requested() {
		t.Log("moto gap: ListObjectVersions ignores OptionalObjectAttributes=RestoreStatus (recall falls back on RestoreAlreadyInProgress / 200 answers)")
	}
}

// TestSimulatePrincipalPolicyAgainstMoto records whether moto implements
// the IAM policy simulator verify uses for the EC2 backup role.
func TestSimulatePrincipalPolicyAgainstMoto(t *testing.T) {
	s := moto.Shared(t)
	acct := moto.Account(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ec2, _ := setupRoles(t, ctx, acct, "sim-")
	r, err := acct.IAM().GetRole(ctx, ec2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = acct.IAM().SimulatePrincipalPolicy(ctx, cloud.SimulatePrincipalPolicyInput{PolicySourceArn: r.Arn,
		ActionNames: []string{"s3:PutObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}})
	if err != nil {
		t.Skipf("moto does not implement iam:SimulatePrincipalPolicy (%v); the in-memory account models it", err)
	}
}
