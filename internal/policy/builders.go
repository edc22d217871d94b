package policy

import (
	"slices"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Service principals used in hanavault's documents.
const (
	// S3ServicePrincipal is the principal S3 replication assumes the role as.
	S3ServicePrincipal = "s3.amazonaws.com"
	// LoggingServicePrincipal delivers S3 server access logs.
	LoggingServicePrincipal = "logging.s3.amazonaws.com"
)

// Statement IDs of the documents hanavault writes. Drift reports and the
// plan name statements by these.
const (
	SidEnableIAMPolicies           = "EnableIAMPolicies"
	SidKeyAdministration           = "KeyAdministration"
	SidKeyUsageByBackupRole        = "KeyUsageByBackupRole"
	SidGrantsForAWSResources       = "GrantsForAWSResources"
	SidDenyInsecureTransport       = "DenyInsecureTransport"
	SidDenyNonKMSEncryptionHeader  = "DenyNonKMSEncryptionHeader"
	SidDenySSEC                    = "DenySSEC"
	SidDenyOtherKMSKey             = "DenyOtherKMSKey"
	SidDenyKMSWithoutKeyID         = "DenyKMSWithoutKeyID"
	SidDenyMissingEncryptionHeader = "DenyMissingEncryptionHeader"
	SidAllowBackintRoleObjects     = "AllowBackintRoleObjects"
	SidAllowBackintRoleBucket      = "AllowBackintRoleBucket"
	SidAllowS3ServerAccessLogs     = "AllowS3ServerAccessLogs"
	SidAllowS3Replication          = "AllowS3Replication"
	SidReadSourceBucket            = "ReadSourceBucket"
	SidReadSourceObjectVersions    = "ReadSourceObjectVersions"
	SidReplicateToReplicaBucket    = "ReplicateToReplicaBucket"
	SidDecryptWithSourceKey        = "DecryptWithSourceKey"
	SidEncryptWithReplicaKey       = "EncryptWithReplicaKey"
	SidVerifyReplicaBucketKey      = "VerifyReplicaBucketKey"
)

// S3 request condition keys the bucket policy tests (S3 user guide,
// UsingKMSEncryption and ServerSideEncryptionCustomerKeys).
const (
	KeySSE             = "s3:x-amz-server-side-encryption"
	KeySSEKMSKeyID     = "s3:x-amz-server-side-encryption-aws-kms-key-id"
	KeySSECAlgorithm   = "s3:x-amz-server-side-encryption-customer-algorithm"
	KeySecureTransport = "aws:SecureTransport"
	KeyViaService      = "kms:ViaService"
	KeyS3Context       = "kms:EncryptionContext:aws:s3:arn"
	KeySourceArn       = "aws:SourceArn"
	KeySourceAccount   = "aws:SourceAccount"
	KeyGrantForAWS     = "kms:GrantIsForAWSResource"
)

// keyAdminActions are the key policy's default administrator actions
// (KMS developer guide, key-policy-default, "Allows key administrators to
// administer the KMS key", which now includes kms:RotateKeyOnDemand):
// everything needed to manage the key, and no cryptographic operation.
// As that page warns, a key administrator can still change the key policy
// (kms:PutKeyPolicy) and create grants (kms:CreateGrant), and so give
// itself or anyone the use of the key; status reports grants hanavault did
// not create.
var keyAdminActions = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
	"kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

// keyUserActions are the default key-user actions (key-policy-default).
var keyUserActions = []string{
	"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
}

// keyGrantActions let key users create grants for AWS services.
var keyGrantActions = []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}

// The EC2 backup role's grants follow the permissions the AWS Backint
// Agent documents as prerequisites (SAP HANA on AWS guide,
// aws-backint-agent-prerequisites: s3:GetBucketPolicyStatus,
// GetBucketLocation, ListBucket, GetBucketAcl, GetBucketPolicy on the
// bucket; PutObject, PutObjectTagging, GetObject, DeleteObject on the
// objects; kms:GenerateDataKey and kms:Decrypt on the key), plus what
// multipart uploads need (S3 user guide, mpuoverview: AbortMultipartUpload,
// ListMultipartUploadParts, ListBucketMultipartUploads) and reading object
// versions and tags for restores. hanavault grants them in the bucket and
// key policies because it never changes the EC2 role itself;
// BackintIdentityPolicy is the same grant as an identity policy.

// backintObjectActions are what the EC2 backup role (AWS Backint Agent)
// may do with backup objects. s3:RestoreObject lets `hanavault recall` run
// from the HANA host to thaw archived backups before a recovery.
var backintObjectActions = []string{
	"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject",
	"s3:PutObjectTagging", "s3:GetObjectTagging", "s3:AbortMultipartUpload",
	"s3:ListMultipartUploadParts", "s3:RestoreObject",
}

// backintBucketActions are what the EC2 backup role may do on the bucket.
var backintBucketActions = []string{
	"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads",
	"s3:GetBucketPolicyStatus", "s3:GetBucketAcl", "s3:GetBucketPolicy",
}

// backintKeyActions are the KMS actions the agent's prerequisites name.
var backintKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}

// BackintTarget is one bucket the agent writes to, with its key.
type BackintTarget struct {
	Bucket string
	KeyARN string
}

// BackintIdentityPolicy is an identity policy for the EC2 backup role that
// grants what the bucket and key policies already grant, for accounts that
// prefer identity policies: the bucket and object actions on every target
// and kms:GenerateDataKey and kms:Decrypt on every target's key.
func BackintIdentityPolicy(partition string, targets ...BackintTarget) Document {
	var buckets, objects, keys Values
	for _, t := range targets {
		b := cloud.BucketARN(partition, t.Bucket)
		buckets = append(buckets, b)
		objects = append(objects, b+"/*")
		keys = append(keys, t.KeyARN)
	}
	return Document{Version: Version, Statement: []Statement{
		{Sid: SidAllowBackintRoleBucket, Effect: Allow, Action: slices.Clone(backintBucketActions), Resource: buckets},
		{Sid: SidAllowBackintRoleObjects, Effect: Allow, Action: slices.Clone(backintObjectActions), Resource: objects},
		{Sid: SidKeyUsageByBackupRole, Effect: Allow, Action: slices.Clone(backintKeyActions), Resource: keys},
	}}
}

// KeyPolicyParams describe one region's customer-managed key.
type KeyPolicyParams struct {
	Partition    string
	Account      string
	AdminRoleARN string   // administers the key; no crypto
	UserRoleARNs []string // encrypt/decrypt (the EC2 backup role)
}

// KeyPolicy is the key policy: the account statement that enables IAM
// policies (and prevents lock-out), administration for the admin role
// without cryptographic use, and use plus AWS-resource grants for the user
// roles. A statement whose role list is empty is left out (KMS rejects
// principals that do not exist). User roles are sorted and de-duplicated.
func KeyPolicy(p KeyPolicyParams) Document {
	d := Document{Version: Version, Statement: []Statement{{
		Sid:       SidEnableIAMPolicies,
		Effect:    Allow,
		Principal: AWSPrincipal(cloud.RootARN(p.Partition, p.Account)),
		Action:    Values{"kms:*"},
		Resource:  Values{"*"},
	}}}
	if p.AdminRoleARN != "" {
		d.Statement = append(d.Statement, Statement{
			Sid:       SidKeyAdministration,
			Effect:    Allow,
			Principal: AWSPrincipal(p.AdminRoleARN),
			Action:    slices.Clone(keyAdminActions),
			Resource:  Values{"*"},
		})
	}
	users := slices.Clone(p.UserRoleARNs)
	slices.Sort(users)
	users = slices.Compact(users)
	users = slices.DeleteFunc(users, func(s string) bool { return s == "" })
	if len(users) > 0 {
		d.Statement = append(d.Statement, Statement{
			Sid:       SidKeyUsageByBackupRole,
			Effect:    Allow,
			Principal: AWSPrincipal(users...),
			Action:    slices.Clone(keyUserActions),
			Resource:  Values{"*"},
		}, Statement{
			Sid:       SidGrantsForAWSResources,
			Effect:    Allow,
			Principal: AWSPrincipal(users...),
			Action:    slices.Clone(keyGrantActions),
			Resource:  Values{"*"},
			Condition: Condition{"Bool": {KeyGrantForAWS: Values{"true"}}},
		})
	}
	return d
}

// BucketPolicyParams describe one backup bucket.
type BucketPolicyParams struct {
	Partition     string
	Bucket        string
	KeyARN        string // the only KMS key uploads may name
	BackupRoleARN string // the EC2 role Backint runs as
	// RequireEncryptionHeader also denies uploads without an SSE header
	// (strict mode). It blocks clients that rely on default encryption and,
	// per aws-facts §4, possibly multipart UploadPart requests.
	RequireEncryptionHeader bool
}

// BucketPolicy is the backup bucket's policy: TLS only; uploads that send
// an SSE header must ask for aws:kms naming the bucket's key (header-less
// uploads fall through to default encryption unless
// RequireEncryptionHeader); no SSE-C; and the Backint role's object and
// bucket permissions.
func BucketPolicy(p BucketPolicyParams) Document {
	bucket := cloud.BucketARN(p.Partition, p.Bucket)
	objects := bucket + "/*"
	deny := func(sid string, cond Condition) Statement {
		return Statement{Sid: sid, Effect: Deny, Principal: AnyPrincipal(),
			Action: Values{"s3:PutObject"}, Resource: Values{objects}, Condition: cond}
	}
	d := Document{Version: Version, Statement: []Statement{
		denyInsecureTransport(bucket),
		// StringNotEquals alone would be true for a missing header and deny
		// header-less uploads; the Null guard limits the deny to uploads that
		// send a header other than aws:kms.
		deny(SidDenyNonKMSEncryptionHeader, Condition{
			"StringNotEquals": {KeySSE: Values{"aws:kms"}},
			"Null":            {KeySSE: Values{"false"}},
		}),
		deny(SidDenySSEC, Condition{"Null": {KeySSECAlgorithm: Values{"false"}}}),
		deny(SidDenyOtherKMSKey, Condition{
			"StringNotEquals": {KeySSEKMSKeyID: Values{p.KeyARN}},
			"Null":            {KeySSEKMSKeyID: Values{"false"}},
		}),
		// aws:kms without a key id makes S3 use the AWS managed key aws/s3
		// (PutObject reference), not the landscape key: such backups would
		// not replicate (the replication role may only decrypt with the
		// landscape key). Header-less uploads still get the bucket default.
		deny(SidDenyKMSWithoutKeyID, Condition{
			"StringEquals": {KeySSE: Values{"aws:kms"}},
			"Null":         {KeySSEKMSKeyID: Values{"true"}},
		}),
	}}
	if p.RequireEncryptionHeader {
		d.Statement = append(d.Statement, deny(SidDenyMissingEncryptionHeader,
			Condition{"Null": {KeySSE: Values{"true"}}}))
	}
	if p.BackupRoleARN != "" {
		d.Statement = append(d.Statement, Statement{
			Sid:       SidAllowBackintRoleObjects,
			Effect:    Allow,
			Principal: AWSPrincipal(p.BackupRoleARN),
			Action:    slices.Clone(backintObjectActions),
			Resource:  Values{objects},
		}, Statement{
			Sid:       SidAllowBackintRoleBucket,
			Effect:    Allow,
			Principal: AWSPrincipal(p.BackupRoleARN),
			Action:    slices.Clone(backintBucketActions),
			Resource:  Values{bucket},
		})
	}
	return d
}

// LogBucketPolicyParams describe one region's access-log bucket.
type LogBucketPolicyParams struct {
	Partition    string
	Account      string
	LogBucket    string
	SourceBucket string // the backup bucket whose access is logged
	Prefix       string // TargetPrefix of the logging configuration
}

// LogBucketPolicy lets S3 server access logging write under Prefix for the
// source bucket of this account only (S3 user guide,
// enable-server-access-logging), and denies non-TLS access. It has no SSE
// deny statements: log delivery sends no SSE header and the log bucket uses
// SSE-S3 default encryption.
func LogBucketPolicy(p LogBucketPolicyParams) Document {
	logBucket := cloud.BucketARN(p.Partition, p.LogBucket)
	return Document{Version: Version, Statement: []Statement{
		{
			Sid:       SidAllowS3ServerAccessLogs,
			Effect:    Allow,
			Principal: ServicePrincipal(LoggingServicePrincipal),
			Action:    Values{"s3:PutObject"},
			Resource:  Values{logBucket + "/" + p.Prefix + "*"},
			Condition: Condition{
				"ArnLike":      {KeySourceArn: Values{cloud.BucketARN(p.Partition, p.SourceBucket)}},
				"StringEquals": {KeySourceAccount: Values{p.Account}},
			},
		},
		denyInsecureTransport(logBucket),
	}}
}

// ReplicationTrustPolicy lets S3 assume the replication role.
//
// It has no confused-deputy conditions (aws:SourceAccount, aws:SourceArn).
// The S3 user guide's replication role (setting-repl-config-perm-overview,
// "Creating an IAM role") trusts s3.amazonaws.com without them, and the
// guide does not say that replication sends those keys when it assumes the
// role; a condition on a key the request lacks does not match, so adding
// them could stop replication on AWS. The deputy cannot be confused from
// outside anyway: only a principal of this account with iam:PassRole on
// the role can name it in a replication configuration (IAM user guide,
// id_roles_use_passrole), and the role's policy reaches only this
// landscape's two buckets and keys.
func ReplicationTrustPolicy() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       SidAllowS3Replication,
		Effect:    Allow,
		Principal: ServicePrincipal(S3ServicePrincipal),
		Action:    Values{"sts:AssumeRole"},
	}}}
}

// ReplicationPolicyParams describe one replication direction.
type ReplicationPolicyParams struct {
	Partition     string
	SourceBucket  string
	ReplicaBucket string
	SourceKeyARN  string
	ReplicaKeyARN string
	SourceRegion  string
	ReplicaRegion string
}

// ReplicationRolePolicy is the replication role's least-privilege inline
// policy (S3 user guide, replication-config-for-kms-objects): read the
// source configuration and object versions, replicate into the replica
// bucket, decrypt with the source key, encrypt with the replica key and
// decrypt with it to verify the replica's bucket key —
// each KMS grant only through S3 in that key's region and only for the
// bucket's objects. The encryption-context condition lists both the object
// ARN form and the bare bucket ARN that S3 Bucket Keys put in the context.
// No statement uses Resource "*" (Security Hub KMS.1/KMS.2).
func ReplicationRolePolicy(p ReplicationPolicyParams) Document {
	src := cloud.BucketARN(p.Partition, p.SourceBucket)
	dst := cloud.BucketARN(p.Partition, p.ReplicaBucket)
	via := func(region string) string { return "s3." + region + "." + cloud.DNSSuffix(p.Partition) }
	replicaKeyCondition := func() Condition {
		return Condition{
			"StringEquals": {KeyViaService: Values{via(p.ReplicaRegion)}},
			"StringLike":   {KeyS3Context: Values{dst, dst + "/*"}},
		}
	}
	return Document{Version: Version, Statement: []Statement{
		{
			Sid:      SidReadSourceBucket,
			Effect:   Allow,
			Action:   Values{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			Resource: Values{src},
		},
		{
			Sid:      SidReadSourceObjectVersions,
			Effect:   Allow,
			Action:   Values{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			Resource: Values{src + "/*"},
		},
		{
			Sid:      SidReplicateToReplicaBucket,
			Effect:   Allow,
			Action:   Values{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"},
			Resource: Values{dst + "/*"},
		},
		{
			Sid:      SidDecryptWithSourceKey,
			Effect:   Allow,
			Action:   Values{"kms:Decrypt"},
			Resource: Values{p.SourceKeyARN},
			Condition: Condition{
				"StringEquals": {KeyViaService: Values{via(p.SourceRegion)}},
				"StringLike":   {KeyS3Context: Values{src, src + "/*"}},
			},
		},
		{
			Sid:       SidEncryptWithReplicaKey,
			Effect:    Allow,
			Action:    Values{"kms:Encrypt", "kms:GenerateDataKey"},
			Resource:  Values{p.ReplicaKeyARN},
			Condition: replicaKeyCondition(),
		},
		// S3 user guide, replication-config-for-kms-objects, "Using S3
		// Bucket Keys with replication": the key that encrypts the replica
		// must allow the replication role kms:Decrypt, which S3 calls to
		// verify the bucket key before using it. Both buckets use bucket
		// keys and a replica keeps the source object's setting (user
		// guide, bucket-key), so without this every replication fails.
		{
			Sid:       SidVerifyReplicaBucketKey,
			Effect:    Allow,
			Action:    Values{"kms:Decrypt"},
			Resource:  Values{p.ReplicaKeyARN},
			Condition: replicaKeyCondition(),
		},
	}}
}

func denyInsecureTransport(bucket string) Statement {
	return Statement{
		Sid:       SidDenyInsecureTransport,
		Effect:    Deny,
		Principal: AnyPrincipal(),
		Action:    Values{"s3:*"},
		Resource:  Values{bucket, bucket + "/*"},
		Condition: Condition{"Bool": {KeySecureTransport: Values{"false"}}},
	}
}
