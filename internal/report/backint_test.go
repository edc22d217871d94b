package report

import (
	"encoding/json"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/steps"
)

func TestRenderBackint(t *testing.T) {
	b := &steps.BackintConfig{SID: "PRD",
		Source: steps.BackintTarget{Region: "eu-central-1", Bucket: "hana-backup-prd-123456789012-eu-central-1", Folder: "PRD",
			Account: "012345678901", KMSKeyARN: "arn:aws:kms:eu-central-1:012345678901:key/1111"},
		Replica: steps.BackintTarget{Region: "eu-west-1", Bucket: "hana-backup-prd-123456789012-eu-west-1", Folder: "PRD",
			Account: "012345678901", KMSKeyARN: "arn:aws:kms:eu-west-1:012345678901:key/2222"},
		IdentityPolicy: json.RawMessage(policy.BackintIdentityPolicy("aws",
			policy.BackintTarget{Bucket: "hana-backup-prd-123456789012-eu-central-1", KeyARN: "arn:aws:kms:eu-central-1:012345678901:key/1111"},
			policy.BackintTarget{Bucket: "hana-backup-prd-123456789012-eu-west-1", KeyARN: "arn:aws:kms:eu-west-1:012345678901:key/2222"}).JSON()),
	}
	golden.RequireEqual(t, []byte(RenderBackint(b)))
}

func TestRenderBackintGlobalINI(t *testing.T) {
	golden.RequireEqual(t, []byte(RenderBackintGlobalINI("PRD")))
}
