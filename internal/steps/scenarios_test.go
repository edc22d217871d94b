package steps_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/policy/eval"
	"github.com/hanavault/hanavault/internal/testutil/scenarios"
)

// TestScenariosOnTheDataPlane runs the policy scenario table (the one
// internal/policy judges with hanavault's evaluator and with
// @cloud-copilot/iam-simulate) against the in-memory account after an
// engine apply: every request the in-memory data plane can make is made,
// as the scenario's principal, with its headers and transport, on the
// documents the engine wrote. The sandbox and the oracle cannot drift
// apart, and an engine that passed a builder the wrong input (say the
// source key for the replica bucket) is caught here. Scenarios the data
// plane has no request for (KMS calls, which S3 makes inside these
// requests; replication and log delivery, which have their own tests;
// service principals; anonymous callers; bucket reads outside
// cloud.S3) are counted, and the test asserts how many ran.
func TestScenariosOnTheDataPlane(t *testing.T) {
	ran := 0
	for _, strict := range []bool{false, true} {
		e := newEnv(t, "eu-central-1", "eu-west-1")
		e.l.RequireEncryptionHeader = strict
		e.apply()
		ctx := context.Background()
		role, err := e.acct.IAM().GetRole(ctx, e.l.ReplicationRoleName)
		if err != nil {
			t.Fatal(err)
		}
		n := scenarios.Names{
			Partition: "aws", Account: memaws.DefaultAccountID, SrcRegion: e.l.SourceRegion, DstRegion: e.l.ReplicationRegion,
			SrcBucket: e.l.OriginalBucketName, DstBucket: e.l.ReplicationBucketName,
			LogBucket: e.l.OriginalLogBucketName, LogPrefix: "access-logs/",
			EC2Role: memaws.SeedBackupRole, AdminRole: memaws.SeedKMSAdminRole, OtherRole: memaws.SeedAppServerRole,
			ReplRoleARN: role.Arn,
			SrcKey:      keyARN(t, e.acct, e.l.SourceRegion, e.l.OriginalCMKAlias),
			DstKey:      keyARN(t, e.acct, e.l.ReplicationRegion, e.l.ReplicationCMKAlias),
			SrcAlias:    e.l.OriginalCMKAlias,
		}
		for _, sc := range n.Scenarios() {
			if sc.Strict != strict {
				continue
			}
			req, ok := dataPlaneRequest(t, e, n, sc)
			if !ok {
				continue
			}
			ran++
			t.Run(fmt.Sprintf("strict=%v/%s", strict, sc.Name), func(t *testing.T) {
				err := req(t)
				switch {
				case sc.Want == eval.Allow && err != nil:
					t.Fatalf("%s %s: %v, want allowed (per %s)", sc.Action, sc.Resource, err, sc.Group)
				case sc.Want != eval.Allow && !cloud.IsCode(err, cloud.CodeAccessDenied):
					t.Fatalf("%s %s: %v, want AccessDenied (%s, per %s)", sc.Action, sc.Resource, err, sc.Want, sc.Group)
				case sc.Want == eval.ExplicitDeny && !strings.Contains(cloud.ErrorMessage(err), "explicit deny"):
					t.Fatalf("%s %s: %v, want an explicit deny", sc.Action, sc.Resource, err)
				}
			})
		}
	}
	if ran < 40 {
		t.Fatalf("only %d scenarios ran on the in-memory data plane", ran)
	}
	t.Logf("%d scenarios ran on the in-memory data plane", ran)
}

// dataPlaneRequest returns the in-memory request a scenario stands for,
// or false when the data plane has none.
func dataPlaneRequest(t *testing.T, e *env, n scenarios.Names, sc scenarios.Scenario) (func(t *testing.T) error, bool) {
	if sc.Who.AWS == "" || sc.Kind() != "s3" {
		return nil, false // service principals, anonymous; KMS and STS
	}
	a, err := cloud.ParseARN(sc.Resource)
	if err != nil {
		t.Fatal(err)
	}
	bucket, key, isObject := strings.Cut(a.Resource, "/")
	region := n.SrcRegion
	if bucket == n.DstBucket {
		region = n.DstRegion
	}
	ctx := context.Background()
	caller := e.acct.As(sc.Who.AWS)
	if v := sc.Ctx[policy.KeySecureTransport]; len(v) == 1 && v[0] == "false" {
		caller = caller.Insecure()
	}
	s3 := caller.S3(region)
	admin := e.acct.S3(region)
	first := func(k string) string {
		if v := sc.Ctx[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	// existing puts an object there as the administrator, for requests
	// that need one.
	sse, bucketKey := "", ""
	switch bucket {
	case n.SrcBucket:
		sse, bucketKey = cloud.SSEKMS, n.SrcKey
	case n.DstBucket:
		sse, bucketKey = cloud.SSEKMS, n.DstKey
	}
	existing := func(t *testing.T) cloud.ObjectInfo {
		t.Helper()
		info, err := admin.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: key, Body: []byte("backup"),
			ServerSideEncryption: sse, SSEKMSKeyID: bucketKey})
		if err != nil {
			t.Fatalf("prepare %s/%s: %v", bucket, key, err)
		}
		return info
	}
	upload := func(t *testing.T) string {
		t.Helper()
		id, err := admin.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: bucket, Key: key,
			ServerSideEncryption: sse, SSEKMSKeyID: bucketKey})
		if err != nil {
			t.Fatalf("prepare an upload of %s/%s: %v", bucket, key, err)
		}
		return id
	}
	switch {
	case sc.Action == "s3:PutObject" && strings.Contains(sc.Name, "UploadPart"):
		return func(t *testing.T) error {
			id := upload(t)
			_, err := s3.UploadPart(ctx, cloud.UploadPartInput{Bucket: bucket, Key: key, UploadID: id, PartNumber: 1, Body: []byte("part")})
			return err
		}, true
	case sc.Action == "s3:PutObject" && strings.Contains(sc.Name, "CreateMultipartUpload"):
		return func(t *testing.T) error {
			_, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: bucket, Key: key,
				ServerSideEncryption: first(policy.KeySSE), SSEKMSKeyID: first(policy.KeySSEKMSKeyID)})
			return err
		}, true
	case sc.Action == "s3:PutObject":
		return func(t *testing.T) error {
			_, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: bucket, Key: key, Body: []byte("backup"),
				ServerSideEncryption: first(policy.KeySSE), SSEKMSKeyID: first(policy.KeySSEKMSKeyID),
				SSECustomerAlgorithm: first(policy.KeySSECAlgorithm)})
			return err
		}, true
	case sc.Action == "s3:GetObject" && isObject:
		return func(t *testing.T) error {
			existing(t)
			_, err := s3.GetObject(ctx, bucket, key, "")
			return err
		}, true
	case sc.Action == "s3:GetObjectVersion":
		return func(t *testing.T) error {
			v := existing(t)
			_, err := s3.GetObject(ctx, bucket, key, v.VersionID)
			return err
		}, true
	case sc.Action == "s3:DeleteObject":
		return func(t *testing.T) error {
			existing(t)
			_, err := s3.DeleteObject(ctx, bucket, key, "")
			return err
		}, true
	case sc.Action == "s3:DeleteObjectVersion":
		return func(t *testing.T) error {
			v := existing(t)
			_, err := s3.DeleteObject(ctx, bucket, key, v.VersionID)
			return err
		}, true
	case sc.Action == "s3:AbortMultipartUpload":
		return func(t *testing.T) error { return s3.AbortMultipartUpload(ctx, bucket, key, upload(t)) }, true
	case sc.Action == "s3:ListBucketVersions" && !isObject:
		return func(t *testing.T) error {
			_, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: bucket})
			return err
		}, true
	case sc.Action == "s3:ListBucketMultipartUploads" && !isObject:
		return func(t *testing.T) error {
			_, err := s3.ListMultipartUploads(ctx, cloud.ListMultipartUploadsInput{Bucket: bucket})
			return err
		}, true
	}
	return nil, false
}
