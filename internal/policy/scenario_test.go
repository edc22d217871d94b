package policy_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// The scenario landscape: SID PRD, source eu-central-1, replica eu-west-1.
const (
	partition = "aws"
	account   = "123456789012"
	srcRegion = "eu-central-1"
	dstRegion = "eu-west-1"
	srcBucket = "hana-backup-prd-123456789012-eu-central-1"
	dstBucket = "hana-backup-prd-123456789012-eu-west-1"
	logBucket = "hana-backup-prd-logs-123456789012-eu-central-1"
	logPrefix = "s3-access/"
)

var (
	ec2Role   = cloud.RoleARN(partition, account, "/", "hana-backup-ec2")
	adminRole = cloud.RoleARN(partition, account, "/", "kms-admin")
	replRole  = cloud.RoleARN(partition, account, "/service-role/", "hanavault-replication-prd")
	otherRole = cloud.RoleARN(partition, account, "/", "sap-app-server-ec2")
	srcKey    = cloud.KeyARN(partition, srcRegion, account, "1234abcd-12ab-34cd-56ef-1234567890ab")
	dstKey    = cloud.KeyARN(partition, dstRegion, account, "0987dcba-09fe-87dc-65ba-ab0987654321")
	foreignK  = cloud.KeyARN(partition, srcRegion, "444455556666", "ffffffff-0000-1111-2222-333333333333")
	srcARN    = cloud.BucketARN(partition, srcBucket)
	dstARN    = cloud.BucketARN(partition, dstBucket)
	srcObj    = srcARN + "/PRD/data/COMPLETE_DATA_BACKUP_databackup_0_1"
	dstObj    = dstARN + "/PRD/data/COMPLETE_DATA_BACKUP_databackup_0_1"
	logObj    = cloud.BucketARN(partition, logBucket) + "/" + logPrefix + "123456789012/eu-central-1/" + srcBucket + "/2026/01/02/x"
)

// Principals of the scenario.
var (
	ec2      = eval.Principal{AWS: ec2Role}
	admin    = eval.Principal{AWS: adminRole}
	repl     = eval.Principal{AWS: replRole}
	other    = eval.Principal{AWS: otherRole}
	s3svc    = eval.Principal{Service: policy.S3ServicePrincipal}
	logsvc   = eval.Principal{Service: policy.LoggingServicePrincipal}
	anon     = eval.Principal{}
	stranger = eval.Principal{AWS: "arn:aws:iam::444455556666:role/hana-backup-ec2"}
)

// ctx is a request context fragment; merge combines fragments.
type ctx = map[string][]string

func merge(parts ...ctx) ctx {
	out := ctx{}
	for _, p := range parts {
		maps.Copy(out, p)
	}
	return out
}

var (
	tls   = ctx{"aws:SecureTransport": {"true"}}
	plain = ctx{"aws:SecureTransport": {"false"}}
	aes   = ctx{policy.KeySSE: {"AES256"}}
	ssec  = ctx{policy.KeySSECAlgorithm: {"AES256"}}
)

func sseKMS(key string) ctx {
	c := ctx{policy.KeySSE: {"aws:kms"}}
	if key != "" {
		c[policy.KeySSEKMSKeyID] = []string{key}
	}
	return c
}

func via(region string) ctx {
	return ctx{policy.KeyViaService: {"s3." + region + "." + cloud.DNSSuffix(partition)}}
}

func encCtx(arn string) ctx { return ctx{policy.KeyS3Context: {arn}} }

func logSource(sourceArn, sourceAccount string) ctx {
	return ctx{policy.KeySourceArn: {sourceArn}, policy.KeySourceAccount: {sourceAccount}}
}

// world holds the documents the builders produce for the landscape, plus
// the identity policies of each role.
type world struct {
	bucketPolicies map[string]string // bucket name → policy
	keyPolicies    map[string]string // key ARN → policy
	identity       map[string][]string
}

func newWorld(strict bool) world {
	kp := policy.KeyPolicy(policy.KeyPolicyParams{Partition: partition, Account: account,
		AdminRoleARN: adminRole, UserRoleARNs: []string{ec2Role}}).JSON()
	bp := func(bucket, key string) string {
		return policy.BucketPolicy(policy.BucketPolicyParams{Partition: partition, Bucket: bucket, KeyARN: key,
			BackupRoleARN: ec2Role, RequireEncryptionHeader: strict}).JSON()
	}
	return world{
		bucketPolicies: map[string]string{
			srcBucket: bp(srcBucket, srcKey),
			dstBucket: bp(dstBucket, dstKey),
			logBucket: policy.LogBucketPolicy(policy.LogBucketPolicyParams{Partition: partition, Account: account,
				LogBucket: logBucket, SourceBucket: srcBucket, Prefix: logPrefix}).JSON(),
		},
		keyPolicies: map[string]string{srcKey: kp, dstKey: kp},
		identity: map[string][]string{
			// The EC2 role needs no identity policy: the bucket and key
			// policies grant it access. The admin role gets nothing crypto.
			replRole: {policy.ReplicationRolePolicy(policy.ReplicationPolicyParams{Partition: partition,
				SourceBucket: srcBucket, ReplicaBucket: dstBucket, SourceKeyARN: srcKey, ReplicaKeyARN: dstKey,
				SourceRegion: srcRegion, ReplicaRegion: dstRegion}).JSON()},
		},
	}
}

type scenario struct {
	name     string
	strict   bool // RequireEncryptionHeader mode
	who      eval.Principal
	action   string
	resource string
	ctx      ctx
	want     eval.Decision
	sid      string // the statement that decides ("" for implicit deny)
}

func scenarios() []scenario {
	return []scenario{
		// Backint uploads through the EC2 backup role.
		{"EC2 role PutObject aws:kms with the bucket key over TLS", false, ec2, "s3:PutObject", srcObj, merge(tls, sseKMS(srcKey)), eval.Allow, policy.SidAllowBackintRoleObjects},
		{"EC2 role PutObject aws:kms without TLS", false, ec2, "s3:PutObject", srcObj, merge(plain, sseKMS(srcKey)), eval.ExplicitDeny, policy.SidDenyInsecureTransport},
		{"EC2 role PutObject AES256", false, ec2, "s3:PutObject", srcObj, merge(tls, aes), eval.ExplicitDeny, policy.SidDenyNonKMSEncryptionHeader},
		{"EC2 role PutObject aws:kms:dsse", false, ec2, "s3:PutObject", srcObj, merge(tls, ctx{policy.KeySSE: {"aws:kms:dsse"}, policy.KeySSEKMSKeyID: {srcKey}}), eval.ExplicitDeny, policy.SidDenyNonKMSEncryptionHeader},
		{"EC2 role PutObject aws:kms with another account's key", false, ec2, "s3:PutObject", srcObj, merge(tls, sseKMS(foreignK)), eval.ExplicitDeny, policy.SidDenyOtherKMSKey},
		{"EC2 role PutObject to the replica bucket with the source key", false, ec2, "s3:PutObject", dstObj, merge(tls, sseKMS(srcKey)), eval.ExplicitDeny, policy.SidDenyOtherKMSKey},
		{"EC2 role PutObject without SSE header (default encryption)", false, ec2, "s3:PutObject", srcObj, tls, eval.Allow, policy.SidAllowBackintRoleObjects},
		{"EC2 role PutObject without SSE header, strict mode", true, ec2, "s3:PutObject", srcObj, tls, eval.ExplicitDeny, policy.SidDenyMissingEncryptionHeader},
		{"EC2 role PutObject aws:kms with the bucket key, strict mode", true, ec2, "s3:PutObject", srcObj, merge(tls, sseKMS(srcKey)), eval.Allow, policy.SidAllowBackintRoleObjects},
		// aws:kms without a key id would make S3 use aws/s3 (aws-facts §3),
		// whose objects the replication role cannot decrypt: denied.
		{"EC2 role PutObject aws:kms without key id", false, ec2, "s3:PutObject", srcObj, merge(tls, sseKMS("")), eval.ExplicitDeny, policy.SidDenyKMSWithoutKeyID},
		{"EC2 role PutObject aws:kms without key id, strict mode", true, ec2, "s3:PutObject", srcObj, merge(tls, sseKMS("")), eval.ExplicitDeny, policy.SidDenyKMSWithoutKeyID},
		{"EC2 role PutObject SSE-C", false, ec2, "s3:PutObject", srcObj, merge(tls, ssec), eval.ExplicitDeny, policy.SidDenySSEC},
		{"EC2 role UploadPart (s3:PutObject, no SSE header)", false, ec2, "s3:PutObject", srcObj, tls, eval.Allow, policy.SidAllowBackintRoleObjects},
		{"EC2 role UploadPart, strict mode", true, ec2, "s3:PutObject", srcObj, tls, eval.ExplicitDeny, policy.SidDenyMissingEncryptionHeader},
		{"EC2 role GetObject over TLS", false, ec2, "s3:GetObject", srcObj, tls, eval.Allow, policy.SidAllowBackintRoleObjects},
		{"EC2 role GetObject without TLS", false, ec2, "s3:GetObject", srcObj, plain, eval.ExplicitDeny, policy.SidDenyInsecureTransport},
		{"EC2 role DeleteObject (HANA housekeeping)", false, ec2, "s3:DeleteObject", srcObj, tls, eval.Allow, policy.SidAllowBackintRoleObjects},
		{"EC2 role ListBucket", false, ec2, "s3:ListBucket", srcARN, tls, eval.Allow, policy.SidAllowBackintRoleBucket},
		{"EC2 role ListBucket without TLS", false, ec2, "s3:ListBucket", srcARN, plain, eval.ExplicitDeny, policy.SidDenyInsecureTransport},
		{"EC2 role PutBucketPolicy", false, ec2, "s3:PutBucketPolicy", srcARN, tls, eval.ImplicitDeny, ""},
		{"EC2 role DeleteObjectVersion (not granted)", false, ec2, "s3:DeleteObjectVersion", srcObj, tls, eval.ImplicitDeny, ""},
		// Everyone else.
		{"another role of the account PutObject", false, other, "s3:PutObject", srcObj, merge(tls, sseKMS(srcKey)), eval.ImplicitDeny, ""},
		{"another account's role PutObject", false, stranger, "s3:PutObject", srcObj, merge(tls, sseKMS(srcKey)), eval.ImplicitDeny, ""},
		{"anonymous GetObject", false, anon, "s3:GetObject", srcObj, tls, eval.ImplicitDeny, ""},
		{"anonymous GetObject without TLS", false, anon, "s3:GetObject", srcObj, plain, eval.ExplicitDeny, policy.SidDenyInsecureTransport},
		{"S3 service principal PutObject", false, s3svc, "s3:PutObject", srcObj, tls, eval.ImplicitDeny, ""},
		// Replication as S3 acting as the replication role.
		{"replication role ReplicateObject on replica/*", false, repl, "s3:ReplicateObject", dstObj, tls, eval.Allow, policy.SidReplicateToReplicaBucket},
		{"replication role ReplicateObject on replica/*, strict mode (not a PutObject)", true, repl, "s3:ReplicateObject", dstObj, tls, eval.Allow, policy.SidReplicateToReplicaBucket},
		{"replication role ReplicateObject on source/*", false, repl, "s3:ReplicateObject", srcObj, tls, eval.ImplicitDeny, ""},
		{"replication role GetObjectVersionForReplication on source/*", false, repl, "s3:GetObjectVersionForReplication", srcObj, tls, eval.Allow, policy.SidReadSourceObjectVersions},
		{"replication role GetReplicationConfiguration on source", false, repl, "s3:GetReplicationConfiguration", srcARN, tls, eval.Allow, policy.SidReadSourceBucket},
		{"replication role GetObject (not granted)", false, repl, "s3:GetObject", srcObj, tls, eval.ImplicitDeny, ""},
		{"replication role PutObject on replica/*", false, repl, "s3:PutObject", dstObj, tls, eval.ImplicitDeny, ""},
		// Access-log delivery into the log bucket.
		{"log delivery PutObject with the right SourceArn and SourceAccount", false, logsvc, "s3:PutObject", logObj, merge(tls, logSource(srcARN, account)), eval.Allow, policy.SidAllowS3ServerAccessLogs},
		{"log delivery PutObject with another SourceArn", false, logsvc, "s3:PutObject", logObj, merge(tls, logSource(dstARN, account)), eval.ImplicitDeny, ""},
		{"log delivery PutObject with another SourceAccount", false, logsvc, "s3:PutObject", logObj, merge(tls, logSource(srcARN, "444455556666")), eval.ImplicitDeny, ""},
		{"log delivery PutObject without SourceArn", false, logsvc, "s3:PutObject", logObj, tls, eval.ImplicitDeny, ""},
		{"log delivery PutObject outside the prefix", false, logsvc, "s3:PutObject", cloud.BucketARN(partition, logBucket) + "/other/x", merge(tls, logSource(srcARN, account)), eval.ImplicitDeny, ""},
		{"log delivery PutObject into the backup bucket", false, logsvc, "s3:PutObject", srcObj, merge(tls, logSource(srcARN, account)), eval.ImplicitDeny, ""},
		{"anonymous GetObject from the log bucket without TLS", false, anon, "s3:GetObject", logObj, plain, eval.ExplicitDeny, policy.SidDenyInsecureTransport},

		// KMS: the key policy is the gate.
		{"admin role kms:Decrypt", false, admin, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"admin role kms:GenerateDataKey", false, admin, "kms:GenerateDataKey", srcKey, nil, eval.ImplicitDeny, ""},
		{"admin role kms:ScheduleKeyDeletion", false, admin, "kms:ScheduleKeyDeletion", srcKey, nil, eval.Allow, policy.SidKeyAdministration},
		{"admin role kms:PutKeyPolicy", false, admin, "kms:PutKeyPolicy", dstKey, nil, eval.Allow, policy.SidKeyAdministration},
		{"admin role kms:EnableKeyRotation", false, admin, "kms:EnableKeyRotation", srcKey, nil, eval.Allow, policy.SidKeyAdministration},
		{"EC2 role kms:GenerateDataKey via S3", false, ec2, "kms:GenerateDataKey", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.Allow, policy.SidKeyUsageByBackupRole},
		{"EC2 role kms:Decrypt via S3", false, ec2, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.Allow, policy.SidKeyUsageByBackupRole},
		{"EC2 role kms:Decrypt in the DR region", false, ec2, "kms:Decrypt", dstKey, merge(via(dstRegion), encCtx(dstObj)), eval.Allow, policy.SidKeyUsageByBackupRole},
		{"EC2 role kms:ScheduleKeyDeletion", false, ec2, "kms:ScheduleKeyDeletion", srcKey, nil, eval.ImplicitDeny, ""},
		{"EC2 role kms:CreateGrant for an AWS resource", false, ec2, "kms:CreateGrant", srcKey, ctx{policy.KeyGrantForAWS: {"true"}}, eval.Allow, policy.SidGrantsForAWSResources},
		{"EC2 role kms:CreateGrant not for an AWS resource", false, ec2, "kms:CreateGrant", srcKey, nil, eval.ImplicitDeny, ""},
		{"another role of the account kms:Decrypt", false, other, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"another account's role kms:Decrypt", false, stranger, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Decrypt source key, object context", false, repl, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.Allow, policy.SidDecryptWithSourceKey},
		{"replication role kms:Decrypt source key, bucket context (bucket keys)", false, repl, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcARN)), eval.Allow, policy.SidDecryptWithSourceKey},
		{"replication role kms:Decrypt source key, wrong-region ViaService", false, repl, "kms:Decrypt", srcKey, merge(via(dstRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Decrypt source key, replica bucket context", false, repl, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(dstObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Decrypt source key directly (no ViaService)", false, repl, "kms:Decrypt", srcKey, encCtx(srcObj), eval.ImplicitDeny, ""},
		{"replication role kms:Decrypt source key, no encryption context", false, repl, "kms:Decrypt", srcKey, via(srcRegion), eval.ImplicitDeny, ""},
		{"replication role kms:Encrypt replica key, replica object context", false, repl, "kms:Encrypt", dstKey, merge(via(dstRegion), encCtx(dstObj)), eval.Allow, policy.SidEncryptWithReplicaKey},
		{"replication role kms:GenerateDataKey replica key, bucket context", false, repl, "kms:GenerateDataKey", dstKey, merge(via(dstRegion), encCtx(dstARN)), eval.Allow, policy.SidEncryptWithReplicaKey},
		{"replication role kms:Encrypt replica key, source context", false, repl, "kms:Encrypt", dstKey, merge(via(dstRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Encrypt replica key, source-region ViaService", false, repl, "kms:Encrypt", dstKey, merge(via(srcRegion), encCtx(dstObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Encrypt with the source key", false, repl, "kms:Encrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
		{"replication role kms:Decrypt with the replica key", false, repl, "kms:Decrypt", dstKey, merge(via(dstRegion), encCtx(dstObj)), eval.ImplicitDeny, ""},
		{"replication role kms:ScheduleKeyDeletion", false, repl, "kms:ScheduleKeyDeletion", srcKey, nil, eval.ImplicitDeny, ""},
		{"S3 service principal kms:Decrypt", false, s3svc, "kms:Decrypt", srcKey, merge(via(srcRegion), encCtx(srcObj)), eval.ImplicitDeny, ""},
	}
}

func TestScenarios(t *testing.T) {
	rows := scenarios()
	if len(rows) < 20 {
		t.Fatalf("only %d scenarios", len(rows))
	}
	worlds := map[bool]world{false: newWorld(false), true: newWorld(true)}
	for _, sc := range rows {
		t.Run(sc.name, func(t *testing.T) {
			w := worlds[sc.strict]
			req := eval.Request{Principal: sc.who, Action: sc.action, Resource: sc.resource, Context: sc.ctx}
			ids := w.identity[sc.who.AWS]
			var (
				r   eval.Result
				d   eval.Decision
				err error
			)
			if strings.HasPrefix(sc.action, "kms:") {
				kp, ok := w.keyPolicies[sc.resource]
				if !ok {
					t.Fatalf("no key policy for %s", sc.resource)
				}
				d, err = eval.AuthorizeKMS(req, kp, ids, account)
				if err == nil {
					r, err = eval.ExplainKMS(req, kp, ids, account)
				}
			} else {
				a, perr := cloud.ParseARN(sc.resource)
				if perr != nil {
					t.Fatal(perr)
				}
				bucket, _, _ := strings.Cut(a.Resource, "/")
				bp, ok := w.bucketPolicies[bucket]
				if !ok {
					t.Fatalf("no bucket policy for %s", bucket)
				}
				d, err = eval.Authorize(req, ids, bp)
				if err == nil {
					r, err = eval.Explain(req, ids, bp)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if d != sc.want || r.Decision != d {
				t.Fatalf("%s %s as %+v: %s (%s), want %s", sc.action, sc.resource, sc.who, d, r, sc.want)
			}
			if r.Sid != sc.sid {
				t.Fatalf("decided by %s, want statement %q", r, sc.sid)
			}
		})
	}
}

// TestAdminWithAdministratorAccessCanDecrypt documents a consequence of the
// key policy's EnableIAMPolicies statement: it makes IAM policies count, so
// an admin role that also has AdministratorAccess attached may use the key
// for crypto even though KeyAdministration grants none. The "admin has no
// crypto" property holds only for the key policy itself.
func TestAdminWithAdministratorAccessCanDecrypt(t *testing.T) {
	w := newWorld(false)
	adminAccess := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	req := eval.Request{Principal: admin, Action: "kms:Decrypt", Resource: srcKey}
	if d, err := eval.AuthorizeKMS(req, w.keyPolicies[srcKey], nil, account); err != nil || d != eval.ImplicitDeny {
		t.Fatalf("admin without identity policies: %s %v", d, err)
	}
	if d, err := eval.AuthorizeKMS(req, w.keyPolicies[srcKey], []string{adminAccess}, account); err != nil || d != eval.Allow {
		t.Fatalf("admin with AdministratorAccess: %s %v", d, err)
	}
}
