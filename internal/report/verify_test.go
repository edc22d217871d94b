package report

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hanavault/hanavault/internal/verify"
)

func verifyFixture() *verify.Report {
	return &verify.Report{
		SID: "PRD", Time: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Account: "123456789012",
		Caller:     "arn:aws:sts::123456789012:assumed-role/Admin/basis.admin",
		BackupRole: "arn:aws:iam::123456789012:role/hana-backup-ec2", ReplicationRole: "arn:aws:iam::123456789012:role/hanavault-PRD-replication",
		Source:  verify.Target{Region: "eu-central-1", Bucket: "hana-backup-prd", KeyARN: "arn:aws:kms:eu-central-1:123456789012:key/1"},
		Replica: verify.Target{Region: "eu-west-1", Bucket: "hana-backup-prd-dr", KeyARN: "arn:aws:kms:eu-west-1:123456789012:key/2"},
		Checks: []verify.Check{
			{ID: "upload/single", Title: "A Backint-style upload is stored encrypted with the landscape key", Region: "eu-central-1", Result: verify.Pass, Detail: "version v1 stored with aws:kms key arn:aws:kms:eu-central-1:123456789012:key/1 (bucket key)"},
			{ID: "guard/aes256", Title: "An upload asking for SSE-S3 (AES256) is denied", Region: "eu-central-1", Result: verify.Fail,
				Detail: "accepted: version v2 stored with AES256", Cause: "the bucket policy lacks statement DenyNonKMSEncryptionHeader | changed"},
		},
		Canaries:           []verify.Canary{{Key: "PRD/hanavault-verify/r/single", VersionID: "v1", Upload: "single"}},
		ReplicationLatency: 14 * time.Second, CanariesRemoved: 4,
	}
}

func TestRenderVerifyMarkdown(t *testing.T) {
	golden.RequireEqual(t, []byte(RenderVerifyMarkdown(verifyFixture())))
}

func TestRenderVerify(t *testing.T) {
	golden.RequireEqual(t, []byte(RenderVerify(verifyFixture(), PlainTheme(), 80)))
}
