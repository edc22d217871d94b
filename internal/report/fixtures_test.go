package report

import (
	"time"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

const (
	acct   = "111122223333"
	src    = "eu-central-1"
	dst    = "eu-west-1"
	srcB   = "hana-backup-prd-111122223333-eu-central-1"
	dstB   = "hana-backup-prd-111122223333-eu-west-1"
	srcLog = srcB + "-logs"
	dstLog = dstB + "-logs"
	srcKey = "alias/hana-backup-prd"
	dstKey = "alias/hana-backup-prd-replica"
	role   = "hanavault-PRD-replication"
)

var ident = steps.Identity{Account: acct, Partition: "aws", Arn: "arn:aws:iam::111122223333:user/basis-admin"}

// landscape is a landscape with every default filled in.
func landscape() spec.Landscape {
	return spec.Landscape{
		SID: "PRD", SourceRegion: src, ReplicationRegion: dst,
		OriginalBucketName: srcB, OriginalCMKAlias: srcKey,
		ReplicationBucketName: dstB, ReplicationCMKAlias: dstKey,
		EC2RoleToRunBackup: "hana-prd-ec2", KMSAdminRole: "arn:aws:iam::111122223333:role/KMSAdmin",
		OriginalLogBucketName: srcLog, ReplicationLogBucketName: dstLog, ReplicationRoleName: role,
		Lifecycle: spec.Lifecycle{
			TransitionDays: 7, StorageClass: "GLACIER", ArchiveDays: 365,
			NoncurrentExpirationDays: 30, AbortIncompleteMultipartDays: 7,
		},
		LogRetentionDays: 365, KMSDeletionWindowDays: 30,
	}
}

// sideChanges returns the steps of one side with the given action.
func sideChanges(sideName, region, bucket, logBucket, alias string, a steps.Action) []steps.Change {
	ch := func(id, comp, res, title string) steps.Change {
		return steps.Change{ID: sideName + "/" + id, Region: region, Component: comp, Resource: res, Title: title, Action: a}
	}
	return []steps.Change{
		ch("key", "backup-key", alias, "KMS key (symmetric, customer managed)"),
		ch("key/policy", "backup-key", alias, "Key policy (admin role administers, EC2 role encrypts/decrypts)"),
		ch("key/rotation", "backup-key", alias, "Automatic key rotation"),
		ch("key/alias", "backup-key", alias, "Key alias"),
		ch("log-bucket", "log-bucket", logBucket, "Bucket"),
		ch("log-bucket/encryption", "log-bucket", logBucket, "Default encryption (SSE-S3)"),
		ch("log-bucket/policy", "log-bucket", logBucket, "Bucket policy (log delivery only, TLS only)"),
		ch("bucket", "backup-bucket", bucket, "Bucket"),
		ch("bucket/versioning", "backup-bucket", bucket, "Versioning"),
		ch("bucket/encryption", "backup-bucket", bucket, "Default encryption (SSE-KMS, bucket key)"),
		ch("bucket/public-access-block", "backup-bucket", bucket, "Block Public Access (all four settings)"),
		ch("bucket/policy", "backup-bucket", bucket, "Bucket policy (deny non-TLS, deny other encryption)"),
		ch("bucket/lifecycle", "backup-bucket", bucket, "Lifecycle (archive, expiry, noncurrent versions, delete markers, incomplete uploads)"),
		ch("bucket/logging", "backup-bucket", bucket, "Server access logging to the log bucket"),
	}
}

// freshPlan is the plan of a landscape where nothing exists yet except a
// pre-existing source bucket with versioning suspended and no encryption.
func freshPlan() *steps.Plan {
	var cs []steps.Change
	cs = append(cs, sideChanges("source", src, srcB, srcLog, srcKey, steps.ActionCreate)...)
	for i := range cs {
		switch cs[i].ID {
		case "source/bucket":
			cs[i].Action = steps.ActionInSync
			cs[i].Owner = "pre-existing, kept"
		case "source/bucket/versioning":
			cs[i].Action = steps.ActionUpdate
			cs[i].Fields = []steps.FieldDiff{{Name: "versioning", Desired: "Enabled", Actual: "Suspended"}}
		case "source/bucket/encryption":
			cs[i].Action = steps.ActionUpdate
			cs[i].Fields = []steps.FieldDiff{{
				Name:    "default encryption",
				Desired: "aws:kms (key known after apply), bucket key on",
				Actual:  "AES256, bucket key off",
			}}
		case "source/bucket/public-access-block":
			cs[i].Action = steps.ActionInSync
		}
	}
	cs = append(cs, sideChanges("replica", dst, dstB, dstLog, dstKey, steps.ActionCreate)...)
	cs = append(cs,
		steps.Change{ID: "global/replication-role", Region: "global", Component: "replication-role", Resource: role,
			Title: "Replication role (trusted by s3.amazonaws.com only)", Action: steps.ActionCreate},
		steps.Change{ID: "global/replication-role/policy", Region: "global", Component: "replication-role", Resource: role,
			Title: "Replication role policy (replication actions; KMS via S3 with the buckets' encryption context)", Action: steps.ActionCreate},
		steps.Change{ID: "source/bucket/replication", Region: src, Component: "replication", Resource: srcB,
			Title: "Cross-region replication of SSE-KMS backups, re-encrypted with the replica key", Action: steps.ActionCreate},
	)
	return &steps.Plan{
		SID: "PRD", Identity: ident, SourceRegion: src, ReplicationRegion: dst,
		Changes: cs,
		Warnings: []steps.Warning{
			{Field: "originalBucketName", Message: "the bucket already exists and holds objects; hanavault adopts it and keeps it on destroy. Objects already in it are not replicated."},
			{Field: "lifecycle.transitionDays", Message: "backups move to GLACIER after 7 days, inside your 14-day recovery window: a point-in-time recovery older than 7 days needs a restore first."},
		},
	}
}

func driftStatus() *steps.Status {
	var rs []steps.ResourceStatus
	for _, c := range append(sideChanges("source", src, srcB, srcLog, srcKey, ""), sideChanges("replica", dst, dstB, dstLog, dstKey, "")...) {
		rs = append(rs, steps.ResourceStatus{ID: c.ID, Region: c.Region, Component: c.Component, Resource: c.Resource, Title: c.Title, State: steps.StateOK})
	}
	for i := range rs {
		switch rs[i].ID {
		case "source/bucket/versioning":
			rs[i].State = steps.StateDrift
			rs[i].Fields = []steps.FieldDiff{{Name: "versioning", Desired: "Enabled", Actual: "Suspended"}}
		case "replica/bucket/policy":
			rs[i].State = steps.StateDrift
			rs[i].Fields = []steps.FieldDiff{{Name: "bucket policy", Desired: "4 statements (sha256 5f2c9a1e)", Actual: "statement DenyNonTLS missing; statement AllowAuditRead added (Principal arn:aws:iam::444455556666:root, Action s3:GetObject)"}}
		case "replica/bucket/logging":
			rs[i].State = steps.StateMissing
		}
	}
	rs = append(rs,
		steps.ResourceStatus{ID: "global/replication-role", Region: "global", Component: "replication-role", Resource: role, Title: "Replication role (trusted by s3.amazonaws.com only)", State: steps.StateOK},
		steps.ResourceStatus{ID: "source/bucket/replication", Region: src, Component: "replication", Resource: srcB, Title: "Cross-region replication of SSE-KMS backups, re-encrypted with the replica key", State: steps.StateOK},
	)
	sum := map[steps.ResourceState]int{}
	for _, r := range rs {
		sum[r.State]++
	}
	return &steps.Status{
		SID: "PRD", Identity: ident, SourceRegion: src, ReplicationRegion: dst,
		Overall: steps.OverallDrift, Resources: rs,
		Replication: steps.ReplicationHealth{Configured: true, Sampled: 20, Completed: 17, Pending: 2, Failed: 1,
			Detail: "Newest failed object: PRD/log_backup_0_0_0_0.1718000000 (2026-06-10 06:13 UTC)."},
		Grants: []steps.KeyGrant{{Region: dst, KeyARN: "arn:aws:kms:" + dst + ":123456789012:key/0987dcba-09fe-87dc-65ba-ab0987654321",
			GrantID: "6f1e0c3b9a2d4e5f", Grantee: "arn:aws:iam::123456789012:role/sap-app-server-ec2", Operations: []string{"Decrypt", "GenerateDataKey"}}},
		NextAction: "Run hanavault apply -f landscape.yaml to put the 2 drifted settings back and create the missing one.",
		Summary:    sum,
	}
}

func preview() *steps.DestroyPreview {
	var cs []steps.Change
	for _, c := range append(sideChanges("source", src, srcB, srcLog, srcKey, steps.ActionKeep), sideChanges("replica", dst, dstB, dstLog, dstKey, steps.ActionKeep)...) {
		switch c.ID {
		case "source/key", "source/key/alias", "source/log-bucket", "replica/key", "replica/key/alias", "replica/bucket", "replica/log-bucket":
			c.Action = steps.ActionDelete
		case "source/bucket/versioning", "source/bucket/encryption", "source/bucket/policy", "source/bucket/lifecycle", "source/bucket/logging":
			c.Action = steps.ActionRestore
		}
		switch c.ID {
		case "source/bucket":
			c.Owner = "pre-existing, kept"
		case "source/key", "source/key/alias", "source/log-bucket", "replica/key", "replica/key/alias", "replica/bucket", "replica/log-bucket":
			c.Owner = "created by this landscape on 2026-06-01"
		}
		cs = append(cs, c)
	}
	cs = append(cs,
		steps.Change{ID: "global/replication-role", Region: "global", Component: "replication-role", Resource: role, Title: "Replication role (trusted by s3.amazonaws.com only)", Action: steps.ActionDelete,
			Owner: "created by this landscape on 2026-06-01"},
		steps.Change{ID: "source/bucket/replication", Region: src, Component: "replication", Resource: srcB, Title: "Cross-region replication of SSE-KMS backups, re-encrypted with the replica key", Action: steps.ActionRestore},
	)
	return &steps.DestroyPreview{
		SID: "PRD", Identity: ident, Changes: cs,
		Buckets: []steps.BucketContents{
			{Bucket: srcB, Region: src, Exists: true, PreExisting: true, Versions: 48213, DeleteMarkers: 311, Bytes: 5_368_709_120_000},
			{Bucket: srcLog, Region: src, Exists: true, Versions: 1, Bytes: 300},
			{Bucket: dstB, Region: dst, Exists: true, Versions: 49_900, DeleteMarkers: 100, Bytes: 5_300_000_000_000, MultipartUploads: 2, Partial: true},
			{Bucket: dstLog, Region: dst, Exists: false},
		},
		KeyDeletionWindow: 30,
		Renamed: []steps.RenamedResource{{
			Kind: "bucket", Region: src, Name: "hana-backup-prd-old", CreatedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Exists: true,
			Contents: &steps.BucketContents{Bucket: "hana-backup-prd-old", Region: src, Exists: true, Versions: 12, Bytes: 1_073_741_824},
			Action:   steps.ActionKeep,
		}, {
			Kind: "bucket", Region: src, Name: "basis-hana-backups", Exists: true, PreExisting: true,
			Contents: &steps.BucketContents{Bucket: "basis-hana-backups", Region: src, Exists: true, Versions: 3, Bytes: 4096},
			Action:   steps.ActionKeep,
		}},
		Keys: []steps.KeyInfo{
			{Region: src, Alias: srcKey, KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", Arn: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", State: "Enabled"},
			{Region: dst, Alias: dstKey, KeyID: "0987dcba-09fe-87dc-65ba-ab0987654321", Arn: "arn:aws:kms:eu-west-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321", State: "Disabled"},
		},
	}
}

var deletionDate = time.Date(2026, 7, 12, 9, 30, 0, 0, time.UTC)

func destroyResult() *steps.Result {
	return &steps.Result{
		Succeeded: 31, MutatingCalls: 24, Elapsed: 83*time.Second + 400*time.Millisecond,
		JournalPath: "/home/basis/.local/state/hanavault/111122223333/PRD/journal.jsonl",
		KeyDeletions: []steps.KeyDeletion{{
			KeyInfo:      steps.KeyInfo{Region: src, Alias: srcKey, KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", State: "PendingDeletion"},
			DeletionDate: deletionDate,
			CancelHint:   "aws kms cancel-key-deletion --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab && aws kms enable-key --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab",
		}},
		Kept: []string{"Bucket " + srcB + " in eu-central-1: it existed before hanavault; its settings were restored and its objects were not touched."},
	}
}
