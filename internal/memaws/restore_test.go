package memaws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

func TestArchivedObjectsNeedARestore(t *testing.T) {
	a, clk := newAccount(t, memaws.Options{RestoreDelay: 3 * time.Hour})
	versionedBucket(t, a, src, "arch")
	s3 := a.S3(src)
	put, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "arch", Key: "data/1", Body: []byte("backup"), StorageClass: cloud.StorageClassGlacier})
	must(t, err)
	if put.StorageClass != cloud.StorageClassGlacier {
		t.Fatalf("stored as %q", put.StorageClass)
	}
	_, err = s3.GetObject(ctx, "arch", "data/1", "")
	wantCode(t, err, cloud.CodeInvalidObjectState)
	head, err := s3.HeadObject(ctx, "arch", "data/1", "")
	must(t, err)
	if head.StorageClass != cloud.StorageClassGlacier || head.Restore.Requested() || head.LastModified.IsZero() {
		t.Fatalf("head before restore: %+v", head)
	}

	out, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "data/1", Days: 2, Tier: cloud.TierBulk})
	must(t, err)
	if out.AlreadyRestored {
		t.Fatal("a new restore reported as already restored (S3 answers 202)")
	}
	_, err = s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "data/1", Days: 2})
	wantCode(t, err, cloud.CodeRestoreAlreadyInProgress)
	head, err = s3.HeadObject(ctx, "arch", "data/1", "")
	must(t, err)
	if !head.Restore.InProgress {
		t.Fatalf("head during restore: %+v", head.Restore)
	}
	_, err = s3.GetObject(ctx, "arch", "data/1", "")
	wantCode(t, err, cloud.CodeInvalidObjectState)

	clk.Advance(3 * time.Hour)
	got, err := s3.GetObject(ctx, "arch", "data/1", "")
	must(t, err)
	if string(got.Body) != "backup" || got.StorageClass != cloud.StorageClassGlacier {
		t.Fatalf("restored copy: %q %+v", got.Body, got.ObjectInfo)
	}
	// Restored at 11:00 on 2 June for 2 days: expires at midnight UTC after 4 June 11:00.
	if want := time.Date(2025, 6, 5, 0, 0, 0, 0, time.UTC); !got.Restore.Expiry.Equal(want) || got.Restore.InProgress {
		t.Fatalf("expiry %v, want %v", got.Restore, want)
	}
	page, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "arch", RestoreStatus: true})
	must(t, err)
	if len(page.Versions) != 1 || page.Versions[0].Restore.Expiry.IsZero() {
		t.Fatalf("listing with restore status: %+v", page.Versions)
	}
	page, err = s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "arch"})
	must(t, err)
	if page.Versions[0].Restore.Requested() {
		t.Fatal("restore status listed without being asked for")
	}
	again, err := s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "data/1", Days: 5})
	must(t, err)
	if !again.AlreadyRestored {
		t.Fatal("restore of a restored copy not reported as such (S3 answers 200)")
	}

	clk.Advance(7 * 24 * time.Hour)
	_, err = s3.GetObject(ctx, "arch", "data/1", "")
	wantCode(t, err, cloud.CodeInvalidObjectState)
	head, err = s3.HeadObject(ctx, "arch", "data/1", put.VersionID)
	must(t, err)
	if head.Restore.Requested() {
		t.Fatalf("expired copy still reported: %+v", head.Restore)
	}
}

func TestRestoreObjectRefusals(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	versionedBucket(t, a, src, "arch")
	s3 := a.S3(src)
	_, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "arch", Key: "std", Body: []byte("x")})
	must(t, err)
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "arch", Key: "deep", Body: []byte("x"), StorageClass: cloud.StorageClassDeepArchive})
	must(t, err)
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "arch", Key: "bad", Body: []byte("x"), StorageClass: "COLD"})
	wantCode(t, err, "InvalidStorageClass")
	_, err = s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "std", Days: 1})
	wantCode(t, err, cloud.CodeInvalidObjectState)
	_, err = s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "deep", Days: 1, Tier: cloud.TierExpedited})
	wantCode(t, err, cloud.CodeInvalidArgument)
	_, err = s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "deep", Days: 0})
	wantCode(t, err, cloud.CodeInvalidArgument)
	_, err = s3.RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "missing", Days: 1})
	wantCode(t, err, cloud.CodeNoSuchKey)
	// The backup role has no s3:RestoreObject unless a policy grants it.
	_, err = a.As(memaws.SeedBackupRole).S3(src).RestoreObject(ctx, cloud.RestoreObjectInput{Bucket: "arch", Key: "deep", Days: 1})
	wantCode(t, err, cloud.CodeAccessDenied)
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	role := roleArn(memaws.SeedBackupRole)
	bucket := "arn:aws:s3:::hana-backup-hdb"
	policy := backupBucketPolicy("hana-backup-hdb", "arn:aws:kms:eu-central-1:123456789012:key/k", role, false)
	sim := func(actions ...string) map[string]cloud.EvaluationResult {
		t.Helper()
		out, err := a.IAM().SimulatePrincipalPolicy(ctx, cloud.SimulatePrincipalPolicyInput{
			PolicySourceArn: role, ActionNames: actions, ResourceArns: []string{bucket + "/PRD/x"}, ResourcePolicy: policy,
			ContextEntries: []cloud.ContextEntry{{Key: "aws:SecureTransport", Type: "boolean", Values: []string{"true"}}},
		})
		must(t, err)
		res := map[string]cloud.EvaluationResult{}
		for _, r := range out.Results {
			res[r.Action] = r
		}
		return res
	}
	r := sim("s3:PutObject", "s3:RestoreObject")
	if r["s3:PutObject"].Decision != cloud.DecisionAllowed || r["s3:PutObject"].MatchedStatements[0] != "ResourcePolicy" {
		t.Fatalf("PutObject: %+v", r["s3:PutObject"])
	}
	if r["s3:RestoreObject"].Decision != cloud.DecisionImplicitDeny {
		t.Fatalf("RestoreObject: %+v", r["s3:RestoreObject"])
	}

	// An explicit deny in the role's own policy shows up, named.
	must(t, a.IAM().PutRolePolicy(ctx, memaws.SeedBackupRole, "no-deletes",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`))
	r = sim("s3:PutObject")
	if r["s3:PutObject"].Decision != cloud.DecisionExplicitDeny || r["s3:PutObject"].MatchedStatements[0] != "no-deletes" {
		t.Fatalf("identity deny: %+v", r["s3:PutObject"])
	}
	must(t, a.IAM().DeleteRolePolicy(ctx, memaws.SeedBackupRole, "no-deletes"))

	// A permissions boundary that does not allow an action limits identity
	// grants and the bucket policy's grant to the role's ARN alike.
	must(t, a.IAM().PutRolePolicy(ctx, memaws.SeedBackupRole, "restore",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:RestoreObject","Resource":"*"}]}`))
	if r = sim("s3:RestoreObject"); r["s3:RestoreObject"].Decision != cloud.DecisionAllowed {
		t.Fatalf("identity grant: %+v", r["s3:RestoreObject"])
	}
	boundary, err := a.AddManagedPolicy("only-put", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	must(t, err)
	must(t, a.SetPermissionsBoundary(memaws.SeedBackupRole, boundary))
	r = sim("s3:RestoreObject", "s3:PutObject", "s3:GetObject")
	if got := r["s3:RestoreObject"]; got.Decision != cloud.DecisionImplicitDeny || !got.DeniedByBoundary {
		t.Fatalf("boundary: %+v", got)
	}
	if got := r["s3:GetObject"]; got.Decision != cloud.DecisionImplicitDeny || !got.DeniedByBoundary {
		t.Fatalf("boundary over the bucket policy's grant to the role ARN: %+v", got)
	}
	if got := r["s3:PutObject"]; got.Decision != cloud.DecisionAllowed {
		t.Fatalf("boundary allows PutObject: %+v", got)
	}
	gr, err := a.IAM().GetRole(ctx, memaws.SeedBackupRole)
	must(t, err)
	if gr.PermissionsBoundary != boundary {
		t.Fatalf("GetRole boundary %q", gr.PermissionsBoundary)
	}
	v, err := a.IAM().GetPolicyDefaultVersion(ctx, boundary)
	must(t, err)
	doc, err := a.IAM().GetPolicyVersion(ctx, boundary, v)
	must(t, err)
	if plain, _ := cloud.DecodePolicyDocument(doc); !strings.Contains(plain, `"s3:PutObject"`) || plain == doc {
		t.Fatalf("policy version %q (want URL-encoded)", doc)
	}
}
