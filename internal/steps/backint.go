package steps

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/spec"
)

// BackintTarget is what AWS Backint Agent needs to write backups to one of
// the landscape's buckets: the bucket, its region, its owner and the key
// ARN to name in S3SseKmsArn (the bucket policy refuses aws:kms uploads
// that name no key or another key).
type BackintTarget struct {
	Region    string `json:"region"`
	Bucket    string `json:"bucket"`
	Folder    string `json:"folder"`
	Account   string `json:"account"`
	KMSKeyARN string `json:"kmsKeyArn"`
}

// BackintConfig is the agent configuration for a landscape: the source
// bucket for backups, and the replica for restores in the other region.
type BackintConfig struct {
	SID     string        `json:"sid"`
	Source  BackintTarget `json:"source"`
	Replica BackintTarget `json:"replica"`
	// IdentityPolicy is an IAM identity policy for the EC2 backup role that
	// grants what the bucket and key policies already grant it on both
	// buckets and keys, for accounts that prefer identity policies.
	IdentityPolicy json.RawMessage `json:"identityPolicy"`
}

// Backint returns the AWS Backint Agent settings of an applied landscape,
// with the key ARNs read from AWS.
func (e *Engine) Backint(ctx context.Context, l spec.Landscape) (*BackintConfig, error) {
	r, err := e.newRun(ctx, l, readOnly, nil, func(r *run) { r.ahead.keysAndBackupBuckets = true })
	if err != nil {
		return nil, err
	}
	defer r.close()
	out := &BackintConfig{SID: r.l.SID}
	for i, sd := range sides(r.l) {
		lk, err := r.findKey(&step{id: stepID(sd.name, "key"), region: sd.region}, sd)
		if err != nil {
			return nil, asFieldError(err)
		}
		if !lk.found {
			return nil, fmt.Errorf("the %s key %s does not exist in %s: run apply first", sd.name, sd.alias, sd.region)
		}
		bl, err := r.findBucket(&step{id: stepID(sd.name, "bucket"), region: sd.region}, sd, backupBucket)
		if err != nil {
			return nil, asFieldError(err)
		}
		if !bl.exists {
			return nil, fmt.Errorf("the %s bucket %s does not exist: run apply first", sd.name, sd.bucket)
		}
		t := BackintTarget{Region: sd.region, Bucket: sd.bucket, Folder: r.l.SID, Account: r.id.Account, KMSKeyARN: lk.meta.Arn}
		if i == 0 {
			out.Source = t
		} else {
			out.Replica = t
		}
	}
	out.IdentityPolicy = json.RawMessage(policy.BackintIdentityPolicy(r.partition(),
		policy.BackintTarget{Bucket: out.Source.Bucket, KeyARN: out.Source.KMSKeyARN},
		policy.BackintTarget{Bucket: out.Replica.Bucket, KeyARN: out.Replica.KMSKeyARN}).JSON())
	return out, nil
}
