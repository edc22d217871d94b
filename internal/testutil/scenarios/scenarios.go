// Package scenarios is hanavault's policy scenario table: requests against
// the documents the engine generates (bucket, key, log bucket, replication
// role and trust policies), each with the decision the AWS documentation
// gives for it. Three evaluators answer the same table: hanavault's own
// (internal/policy/eval), @cloud-copilot/iam-simulate, an evaluator written
// outside this project (internal/policy/oracle), and the in-memory
// account's data plane after an engine apply (internal/steps). A
// disagreement with the expected result fails the test that found it.
package scenarios

import (
	"maps"
	"slices"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/policy/eval"
)

// Names are the landscape the scenarios run against.
type Names struct {
	Partition, Account   string
	SrcRegion, DstRegion string
	SrcBucket, DstBucket string
	LogBucket, LogPrefix string // the source region's access-log bucket
	EC2Role              string // name of the EC2 backup role (path /)
	AdminRole            string // name of the KMS admin role (path /)
	OtherRole            string // name of another role of the account (path /)
	ReplRoleARN          string // the replication role
	SrcKey, DstKey       string // key ARNs
	SrcAlias             string // alias name of the source key (alias/...)
}

// Default is the landscape of SID PRD in account 123456789012, source
// eu-central-1, replica eu-west-1.
func Default() Names {
	const p, acct = "aws", "123456789012"
	return Names{
		Partition: p, Account: acct, SrcRegion: "eu-central-1", DstRegion: "eu-west-1",
		SrcBucket: "hana-backup-prd-123456789012-eu-central-1", DstBucket: "hana-backup-prd-123456789012-eu-west-1",
		LogBucket: "hana-backup-prd-123456789012-eu-central-1-logs", LogPrefix: "s3-access/",
		EC2Role: "hana-backup-ec2", AdminRole: "kms-admin", OtherRole: "sap-app-server-ec2",
		ReplRoleARN: cloud.RoleARN(p, acct, "/service-role/", "hanavault-PRD-replication"),
		SrcKey:      cloud.KeyARN(p, "eu-central-1", acct, "1234abcd-12ab-34cd-56ef-1234567890ab"),
		DstKey:      cloud.KeyARN(p, "eu-west-1", acct, "0987dcba-09fe-87dc-65ba-ab0987654321"),
		SrcAlias:    "alias/hana-backup-prd",
	}
}

// ForeignAccount owns the "other account" principals and key.
const ForeignAccount = "444455556666"

// Sessions of the roles: S3 and the EC2 instance profile call as role
// sessions, which a role ARN in a policy matches (IAM UG,
// reference_policies_elements_principal, role sessions).
const (
	EC2Session  = "i-0a1b2c3d4e5f60718"
	ReplSession = "s3-replication"
)

func (n Names) role(name string) string { return cloud.RoleARN(n.Partition, n.Account, "/", name) }
func (n Names) session(roleARN, session string) string {
	name := roleARN[strings.LastIndex(roleARN, "/")+1:]
	return "arn:" + n.Partition + ":sts::" + n.Account + ":assumed-role/" + name + "/" + session
}

// EC2RoleARN is the EC2 backup role's ARN.
func (n Names) EC2RoleARN() string { return n.role(n.EC2Role) }

// EC2 is the EC2 backup role's instance-profile session.
func (n Names) EC2() eval.Principal {
	return eval.Principal{AWS: n.session(n.EC2RoleARN(), EC2Session)}
}

// Repl is the replication role's session as S3 uses it.
func (n Names) Repl() eval.Principal {
	return eval.Principal{AWS: n.session(n.ReplRoleARN, ReplSession)}
}

// World holds the documents the builders produce for a landscape.
type World struct {
	BucketPolicies map[string]string   // bucket name → policy
	KeyPolicies    map[string]string   // key ARN → key policy
	Identity       map[string][]string // principal ARN (as in Scenario.Who) → identity policies
	Trust          map[string]string   // role ARN → trust policy
}

// Mutation changes the builders' inputs before a World is generated;
// tests use it to prove the table catches a wrong document.
type Mutation struct {
	// ReplicaBucketKey replaces the key the replica bucket's policy names.
	ReplicaBucketKey string
	// Edit changes a generated document (name: "bucket:<name>",
	// "key:<arn>", "replication-role", "trust").
	Edit func(name string, d *policy.Document)
}

// World generates the landscape's documents (strict: RequireEncryptionHeader).
func (n Names) World(strict bool, m Mutation) World {
	edit := func(name string, d policy.Document) string {
		if m.Edit != nil {
			m.Edit(name, &d)
		}
		return d.JSON()
	}
	kp := func(key string) string {
		return edit("key:"+key, policy.KeyPolicy(policy.KeyPolicyParams{Partition: n.Partition, Account: n.Account,
			AdminRoleARN: n.role(n.AdminRole), UserRoleARNs: []string{n.EC2RoleARN()}}))
	}
	bp := func(bucket, key string) string {
		return edit("bucket:"+bucket, policy.BucketPolicy(policy.BucketPolicyParams{Partition: n.Partition, Bucket: bucket,
			KeyARN: key, BackupRoleARN: n.EC2RoleARN(), RequireEncryptionHeader: strict}))
	}
	replicaKey := n.DstKey
	if m.ReplicaBucketKey != "" {
		replicaKey = m.ReplicaBucketKey
	}
	return World{
		BucketPolicies: map[string]string{
			n.SrcBucket: bp(n.SrcBucket, n.SrcKey),
			n.DstBucket: bp(n.DstBucket, replicaKey),
			n.LogBucket: edit("bucket:"+n.LogBucket, policy.LogBucketPolicy(policy.LogBucketPolicyParams{
				Partition: n.Partition, Account: n.Account, LogBucket: n.LogBucket, SourceBucket: n.SrcBucket, Prefix: n.LogPrefix})),
		},
		KeyPolicies: map[string]string{n.SrcKey: kp(n.SrcKey), n.DstKey: kp(n.DstKey)},
		Identity: map[string][]string{
			// The EC2 role needs no identity policy: the bucket and key
			// policies grant it access. The admin role gets nothing.
			n.Repl().AWS: {edit("replication-role", policy.ReplicationRolePolicy(policy.ReplicationPolicyParams{
				Partition: n.Partition, SourceBucket: n.SrcBucket, ReplicaBucket: n.DstBucket,
				SourceKeyARN: n.SrcKey, ReplicaKeyARN: n.DstKey, SourceRegion: n.SrcRegion, ReplicaRegion: n.DstRegion}))},
		},
		Trust: map[string]string{n.ReplRoleARN: edit("trust", policy.ReplicationTrustPolicy())},
	}
}

// Scenario is one request and the decision the AWS documentation gives.
type Scenario struct {
	Group    string // the AWS documentation the expected decision follows
	Name     string
	Strict   bool // RequireEncryptionHeader mode
	Who      eval.Principal
	Action   string
	Resource string
	Ctx      map[string][]string
	Want     eval.Decision
	Sid      string // the statement that decides ("" for an implicit deny)
}

// Kind is "s3", "kms" or "sts": which document is the resource policy.
func (s Scenario) Kind() string { a, _, _ := strings.Cut(s.Action, ":"); return a }

// Documents returns the resource policy and identity policies that apply.
func (w World) Documents(s Scenario) (resource string, identity []string, ok bool) {
	identity = w.Identity[s.Who.AWS]
	switch s.Kind() {
	case "kms":
		resource, ok = w.KeyPolicies[s.Resource]
	case "sts":
		resource, ok = w.Trust[s.Resource]
	default:
		a, err := cloud.ParseARN(s.Resource)
		if err != nil {
			return "", nil, false
		}
		bucket, _, _ := strings.Cut(a.Resource, "/")
		resource, ok = w.BucketPolicies[bucket]
	}
	return resource, identity, ok
}

// ResourceAccount is the account that owns the scenario's resource.
func (n Names) ResourceAccount(s Scenario) string {
	if a, err := cloud.ParseARN(s.Resource); err == nil && a.Account != "" {
		return a.Account
	}
	return n.Account
}

// Evaluate is hanavault's own evaluator on a scenario.
func (w World) Evaluate(n Names, s Scenario) (eval.Result, error) {
	rp, ids, _ := w.Documents(s)
	req := eval.Request{Principal: s.Who, Action: s.Action, Resource: s.Resource, Context: s.Ctx}
	if s.Kind() == "kms" {
		return eval.ExplainKMS(req, rp, ids, n.ResourceAccount(s))
	}
	return eval.Explain(req, ids, rp)
}

// What the AWS Backint Agent does, written down from its documentation
// (DocBackint and DocMultipart), not taken from the builders, so a grant
// the builders lose fails a scenario. Restores read versions and tags.
var (
	backintBucketActions = []string{
		"s3:GetBucketPolicyStatus", "s3:GetBucketLocation", "s3:ListBucket", "s3:GetBucketAcl", "s3:GetBucketPolicy",
		"s3:ListBucketMultipartUploads", "s3:ListBucketVersions",
	}
	backintObjectActions = []string{
		"s3:PutObject", "s3:PutObjectTagging", "s3:GetObject", "s3:DeleteObject",
		"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:GetObjectVersion", "s3:GetObjectTagging",
	}
	backintKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
)

type ctx = map[string][]string

func merge(parts ...ctx) ctx {
	out := ctx{}
	for _, p := range parts {
		maps.Copy(out, p)
	}
	return out
}

var (
	tls   = ctx{policy.KeySecureTransport: {"true"}}
	plain = ctx{policy.KeySecureTransport: {"false"}}
)

func sseKMS(key string) ctx {
	c := ctx{policy.KeySSE: {"aws:kms"}}
	if key != "" {
		c[policy.KeySSEKMSKeyID] = []string{key}
	}
	return c
}

func (n Names) via(region string) ctx {
	return ctx{policy.KeyViaService: {"s3." + region + "." + cloud.DNSSuffix(n.Partition)}}
}

func encCtx(arn string) ctx { return ctx{policy.KeyS3Context: {arn}} }

// Documentation the groups follow.
const (
	DocSSE         = "S3 UG UsingKMSEncryption (s3:x-amz-server-side-encryption*, full key ARN), ServerSideEncryptionCustomerKeys; IAM UG reference_policies_elements_condition_operators (Null, StringNotEquals on an absent key); IAM UG evaluation-logic (same-account resource-policy Allow; explicit Deny wins)"
	DocTLS         = "S3 UG security-best-practices / Security Hub S3.5 (Deny aws:SecureTransport=false); IAM UG reference_policies_condition-keys (aws:SecureTransport)"
	DocMultipart   = "S3 UG mpuoverview (multipart upload permissions: CreateMultipartUpload, UploadPart and CompleteMultipartUpload are s3:PutObject; the SSE headers go with CreateMultipartUpload only; AbortMultipartUpload, ListMultipartUploadParts, ListBucketMultipartUploads)"
	DocBackint     = "SAP HANA on AWS guide aws-backint-agent-prerequisites (s3:GetBucketPolicyStatus, GetBucketLocation, ListBucket, GetBucketAcl, GetBucketPolicy, PutObject, PutObjectTagging, GetObject, DeleteObject, kms:GenerateDataKey, kms:Decrypt); S3 UG replication (restores from the replica after a failover)"
	DocOthers      = "IAM UG reference_policies_evaluation-logic (implicit deny without an Allow; cross-account needs both sides); IAM UG reference_policies_elements_principal"
	DocReplication = "S3 UG setting-repl-config-perm-overview and replication-config-for-kms-objects (role permissions; kms:ViaService and kms:EncryptionContext:aws:s3:arn, object ARN or bucket ARN with S3 Bucket Keys; kms:Decrypt on the replica key with S3 Bucket Keys); S3 UG bucket-key (replicas keep the source's bucket-key setting)"
	DocLogging     = "S3 UG enable-server-access-logging (bucket policy for logging.s3.amazonaws.com with aws:SourceArn and aws:SourceAccount)"
	DocKMS         = "KMS DG key-policies and key-policy-default (the key policy is the gate; root statement enables IAM; administrator and user actions; kms:GrantIsForAWSResource)"
	DocTrust       = "S3 UG setting-repl-config-perm-overview (trust policy: s3.amazonaws.com, sts:AssumeRole); IAM UG roles trust policies"
)

// Scenarios returns the table for the landscape.
func (n Names) Scenarios() []Scenario {
	ec2, repl := n.EC2(), n.Repl()
	admin := eval.Principal{AWS: n.role(n.AdminRole)}
	other := eval.Principal{AWS: n.session(n.role(n.OtherRole), EC2Session)}
	stranger := eval.Principal{AWS: cloud.RoleARN(n.Partition, ForeignAccount, "/", n.EC2Role)}
	s3svc := eval.Principal{Service: policy.S3ServicePrincipal}
	ec2svc := eval.Principal{Service: "ec2.amazonaws.com"}
	logsvc := eval.Principal{Service: policy.LoggingServicePrincipal}
	anon := eval.Principal{}

	srcARN, dstARN := cloud.BucketARN(n.Partition, n.SrcBucket), cloud.BucketARN(n.Partition, n.DstBucket)
	const objKey = "PRD/data/COMPLETE_DATA_BACKUP_databackup_0_1"
	srcObj, dstObj := srcARN+"/"+objKey, dstARN+"/"+objKey
	logARN := cloud.BucketARN(n.Partition, n.LogBucket)
	logObj := logARN + "/" + n.LogPrefix + n.Account + "/" + n.SrcRegion + "/" + n.SrcBucket + "/2026/01/02/x"
	foreignKey := cloud.KeyARN(n.Partition, n.SrcRegion, ForeignAccount, "ffffffff-0000-1111-2222-333333333333")
	aliasARN := cloud.AliasARN(n.Partition, n.SrcRegion, n.Account, n.SrcAlias)
	keyID := n.SrcKey[strings.LastIndex(n.SrcKey, "/")+1:]
	logSource := func(arn, acct string) ctx {
		return ctx{policy.KeySourceArn: {arn}, policy.KeySourceAccount: {acct}}
	}
	aes := ctx{policy.KeySSE: {"AES256"}}
	ssec := ctx{policy.KeySSECAlgorithm: {"AES256"}}

	var out []Scenario
	group := func(doc string, rows ...Scenario) {
		for _, r := range rows {
			r.Group = doc
			out = append(out, r)
		}
	}
	type S = Scenario
	allow, explicit, implicit := eval.Allow, eval.ExplicitDeny, eval.ImplicitDeny

	group(DocSSE,
		S{Name: "EC2 role PutObject aws:kms with the bucket's key", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: allow, Sid: policy.SidAllowBackintRoleObjects},
		S{Name: "EC2 role PutObject without SSE header (default encryption)", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: tls, Want: allow, Sid: policy.SidAllowBackintRoleObjects},
		S{Name: "EC2 role PutObject AES256", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, aes), Want: explicit, Sid: policy.SidDenyNonKMSEncryptionHeader},
		S{Name: "EC2 role PutObject aws:kms:dsse", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, ctx{policy.KeySSE: {"aws:kms:dsse"}, policy.KeySSEKMSKeyID: {n.SrcKey}}), Want: explicit, Sid: policy.SidDenyNonKMSEncryptionHeader},
		S{Name: "EC2 role PutObject SSE-C", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, ssec), Want: explicit, Sid: policy.SidDenySSEC},
		// aws:kms without a key id makes S3 use aws/s3, whose objects the
		// replication role cannot decrypt: denied.
		S{Name: "EC2 role PutObject aws:kms without key id", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS("")), Want: explicit, Sid: policy.SidDenyKMSWithoutKeyID},
		S{Name: "EC2 role PutObject aws:kms with another account's key", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(foreignKey)), Want: explicit, Sid: policy.SidDenyOtherKMSKey},
		S{Name: "EC2 role PutObject aws:kms with the replica key", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.DstKey)), Want: explicit, Sid: policy.SidDenyOtherKMSKey},
		// The condition key holds the value as sent; only the key ARN
		// matches the policy (UG UsingKMSEncryption).
		S{Name: "EC2 role PutObject aws:kms with the key's alias ARN", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(aliasARN)), Want: explicit, Sid: policy.SidDenyOtherKMSKey},
		S{Name: "EC2 role PutObject aws:kms with the bare key id", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(keyID)), Want: explicit, Sid: policy.SidDenyOtherKMSKey},
		S{Name: "EC2 role PutObject to the replica bucket with the source key", Who: ec2, Action: "s3:PutObject", Resource: dstObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: explicit, Sid: policy.SidDenyOtherKMSKey},
		S{Name: "strict: EC2 role PutObject without SSE header", Strict: true, Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: tls, Want: explicit, Sid: policy.SidDenyMissingEncryptionHeader},
		S{Name: "strict: EC2 role PutObject aws:kms with the bucket's key", Strict: true, Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: allow, Sid: policy.SidAllowBackintRoleObjects},
		S{Name: "strict: EC2 role PutObject aws:kms without key id", Strict: true, Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS("")), Want: explicit, Sid: policy.SidDenyKMSWithoutKeyID},
	)
	group(DocTLS,
		S{Name: "EC2 role PutObject aws:kms without TLS", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(plain, sseKMS(n.SrcKey)), Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "EC2 role GetObject without TLS", Who: ec2, Action: "s3:GetObject", Resource: srcObj, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "EC2 role ListBucket without TLS", Who: ec2, Action: "s3:ListBucket", Resource: srcARN, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "EC2 role GetObject from the replica bucket without TLS", Who: ec2, Action: "s3:GetObject", Resource: dstObj, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "anonymous GetObject without TLS", Who: anon, Action: "s3:GetObject", Resource: srcObj, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "anonymous GetObject from the log bucket without TLS", Who: anon, Action: "s3:GetObject", Resource: logObj, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
	)
	group(DocMultipart,
		S{Name: "EC2 role CreateMultipartUpload (s3:PutObject) aws:kms with the bucket's key", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: allow, Sid: policy.SidAllowBackintRoleObjects},
		S{Name: "EC2 role CreateMultipartUpload AES256", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, aes), Want: explicit, Sid: policy.SidDenyNonKMSEncryptionHeader},
		S{Name: "EC2 role UploadPart (s3:PutObject, no SSE header)", Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: tls, Want: allow, Sid: policy.SidAllowBackintRoleObjects},
		S{Name: "strict: EC2 role UploadPart (s3:PutObject, no SSE header)", Strict: true, Who: ec2, Action: "s3:PutObject", Resource: srcObj, Ctx: tls, Want: explicit, Sid: policy.SidDenyMissingEncryptionHeader},
	)
	for _, b := range []struct {
		side, bucket, obj, key, region string
	}{{"source", srcARN, srcObj, n.SrcKey, n.SrcRegion}, {"replica", dstARN, dstObj, n.DstKey, n.DstRegion}} {
		var rows []Scenario
		for _, a := range backintBucketActions {
			rows = append(rows, S{Name: "EC2 role " + a + " on the " + b.side + " bucket", Who: ec2, Action: a, Resource: b.bucket, Ctx: tls, Want: allow, Sid: policy.SidAllowBackintRoleBucket})
		}
		for _, a := range backintObjectActions {
			c := tls
			if a == "s3:PutObject" {
				c = merge(tls, sseKMS(b.key)) // after a failover the agent names the replica key
			}
			rows = append(rows, S{Name: "EC2 role " + a + " on the " + b.side + " bucket's objects", Who: ec2, Action: a, Resource: b.obj, Ctx: c, Want: allow, Sid: policy.SidAllowBackintRoleObjects})
		}
		// hanavault recall runs from the HANA host as the EC2 role (S3 API
		// reference, RestoreObject: the requester needs s3:RestoreObject).
		rows = append(rows, S{Name: "EC2 role s3:RestoreObject on the " + b.side + " bucket's objects (hanavault recall)", Who: ec2,
			Action: "s3:RestoreObject", Resource: b.obj, Ctx: tls, Want: allow, Sid: policy.SidAllowBackintRoleObjects})
		for _, a := range backintKeyActions {
			rows = append(rows,
				S{Name: "EC2 role " + a + " on the " + b.side + " key via S3, object context", Who: ec2, Action: a, Resource: b.key, Ctx: merge(n.via(b.region), encCtx(b.obj)), Want: allow, Sid: policy.SidKeyUsageByBackupRole},
				S{Name: "EC2 role " + a + " on the " + b.side + " key via S3, bucket-key context", Who: ec2, Action: a, Resource: b.key, Ctx: merge(n.via(b.region), encCtx(b.bucket)), Want: allow, Sid: policy.SidKeyUsageByBackupRole})
		}
		rows = append(rows,
			S{Name: "EC2 role PutBucketPolicy on the " + b.side + " bucket", Who: ec2, Action: "s3:PutBucketPolicy", Resource: b.bucket, Ctx: tls, Want: implicit},
			S{Name: "EC2 role DeleteObjectVersion on the " + b.side + " bucket (not granted)", Who: ec2, Action: "s3:DeleteObjectVersion", Resource: b.obj, Ctx: tls, Want: implicit},
		)
		group(DocBackint, rows...)
	}
	group(DocOthers,
		S{Name: "another role of the account PutObject", Who: other, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: implicit},
		S{Name: "another role of the account GetObject", Who: other, Action: "s3:GetObject", Resource: srcObj, Ctx: tls, Want: implicit},
		S{Name: "another account's role PutObject", Who: stranger, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, sseKMS(n.SrcKey)), Want: implicit},
		S{Name: "another account's role GetObject from the replica", Who: stranger, Action: "s3:GetObject", Resource: dstObj, Ctx: tls, Want: implicit},
		S{Name: "anonymous GetObject", Who: anon, Action: "s3:GetObject", Resource: srcObj, Ctx: tls, Want: implicit},
		S{Name: "S3 service principal PutObject", Who: s3svc, Action: "s3:PutObject", Resource: srcObj, Ctx: tls, Want: implicit},
		S{Name: "another role of the account kms:Decrypt", Who: other, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "another account's role kms:Decrypt", Who: stranger, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "S3 service principal kms:Decrypt", Who: s3svc, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: implicit},
	)
	group(DocReplication,
		S{Name: "replication role GetReplicationConfiguration on the source", Who: repl, Action: "s3:GetReplicationConfiguration", Resource: srcARN, Ctx: tls, Want: allow, Sid: policy.SidReadSourceBucket},
		S{Name: "replication role ListBucket on the source", Who: repl, Action: "s3:ListBucket", Resource: srcARN, Ctx: tls, Want: allow, Sid: policy.SidReadSourceBucket},
		S{Name: "replication role GetObjectVersionForReplication", Who: repl, Action: "s3:GetObjectVersionForReplication", Resource: srcObj, Ctx: tls, Want: allow, Sid: policy.SidReadSourceObjectVersions},
		S{Name: "replication role GetObjectVersionAcl", Who: repl, Action: "s3:GetObjectVersionAcl", Resource: srcObj, Ctx: tls, Want: allow, Sid: policy.SidReadSourceObjectVersions},
		S{Name: "replication role GetObjectVersionTagging", Who: repl, Action: "s3:GetObjectVersionTagging", Resource: srcObj, Ctx: tls, Want: allow, Sid: policy.SidReadSourceObjectVersions},
		S{Name: "replication role ReplicateObject on the replica", Who: repl, Action: "s3:ReplicateObject", Resource: dstObj, Ctx: tls, Want: allow, Sid: policy.SidReplicateToReplicaBucket},
		S{Name: "strict: replication role ReplicateObject on the replica (not a PutObject)", Strict: true, Who: repl, Action: "s3:ReplicateObject", Resource: dstObj, Ctx: tls, Want: allow, Sid: policy.SidReplicateToReplicaBucket},
		S{Name: "replication role ReplicateDelete on the replica", Who: repl, Action: "s3:ReplicateDelete", Resource: dstObj, Ctx: tls, Want: allow, Sid: policy.SidReplicateToReplicaBucket},
		S{Name: "replication role ReplicateTags on the replica", Who: repl, Action: "s3:ReplicateTags", Resource: dstObj, Ctx: tls, Want: allow, Sid: policy.SidReplicateToReplicaBucket},
		S{Name: "replication role ReplicateObject on the source", Who: repl, Action: "s3:ReplicateObject", Resource: srcObj, Ctx: tls, Want: implicit},
		S{Name: "replication role GetObject (not granted)", Who: repl, Action: "s3:GetObject", Resource: srcObj, Ctx: tls, Want: implicit},
		S{Name: "replication role PutObject on the replica", Who: repl, Action: "s3:PutObject", Resource: dstObj, Ctx: tls, Want: implicit},
		S{Name: "replication role ReplicateObject on the replica without TLS", Who: repl, Action: "s3:ReplicateObject", Resource: dstObj, Ctx: plain, Want: explicit, Sid: policy.SidDenyInsecureTransport},
		S{Name: "replication role kms:Decrypt source key, object context", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: allow, Sid: policy.SidDecryptWithSourceKey},
		S{Name: "replication role kms:Decrypt source key, bucket-key context", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcARN)), Want: allow, Sid: policy.SidDecryptWithSourceKey},
		S{Name: "replication role kms:Decrypt source key, replica-region ViaService", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.DstRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "replication role kms:Decrypt source key, replica bucket context", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(dstObj)), Want: implicit},
		S{Name: "replication role kms:Decrypt source key directly (no ViaService)", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: encCtx(srcObj), Want: implicit},
		S{Name: "replication role kms:Decrypt source key, no encryption context", Who: repl, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: n.via(n.SrcRegion), Want: implicit},
		S{Name: "replication role kms:Encrypt replica key, object context", Who: repl, Action: "kms:Encrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(dstObj)), Want: allow, Sid: policy.SidEncryptWithReplicaKey},
		S{Name: "replication role kms:Encrypt replica key, bucket-key context", Who: repl, Action: "kms:Encrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(dstARN)), Want: allow, Sid: policy.SidEncryptWithReplicaKey},
		S{Name: "replication role kms:GenerateDataKey replica key, bucket-key context", Who: repl, Action: "kms:GenerateDataKey", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(dstARN)), Want: allow, Sid: policy.SidEncryptWithReplicaKey},
		S{Name: "replication role kms:Decrypt replica key, bucket-key context (verifies the bucket key)", Who: repl, Action: "kms:Decrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(dstARN)), Want: allow, Sid: policy.SidVerifyReplicaBucketKey},
		S{Name: "replication role kms:Decrypt replica key, object context", Who: repl, Action: "kms:Decrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(dstObj)), Want: allow, Sid: policy.SidVerifyReplicaBucketKey},
		S{Name: "replication role kms:Decrypt replica key, source-region ViaService", Who: repl, Action: "kms:Decrypt", Resource: n.DstKey, Ctx: merge(n.via(n.SrcRegion), encCtx(dstARN)), Want: implicit},
		S{Name: "replication role kms:Decrypt replica key, source bucket context", Who: repl, Action: "kms:Decrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(srcARN)), Want: implicit},
		S{Name: "replication role kms:Encrypt replica key, source context", Who: repl, Action: "kms:Encrypt", Resource: n.DstKey, Ctx: merge(n.via(n.DstRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "replication role kms:Encrypt replica key, source-region ViaService", Who: repl, Action: "kms:Encrypt", Resource: n.DstKey, Ctx: merge(n.via(n.SrcRegion), encCtx(dstObj)), Want: implicit},
		S{Name: "replication role kms:Encrypt with the source key", Who: repl, Action: "kms:Encrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "replication role kms:ScheduleKeyDeletion", Who: repl, Action: "kms:ScheduleKeyDeletion", Resource: n.SrcKey, Want: implicit},
	)
	group(DocLogging,
		S{Name: "log delivery PutObject with the right SourceArn and SourceAccount", Who: logsvc, Action: "s3:PutObject", Resource: logObj, Ctx: merge(tls, logSource(srcARN, n.Account)), Want: allow, Sid: policy.SidAllowS3ServerAccessLogs},
		S{Name: "log delivery PutObject with another SourceArn", Who: logsvc, Action: "s3:PutObject", Resource: logObj, Ctx: merge(tls, logSource(dstARN, n.Account)), Want: implicit},
		S{Name: "log delivery PutObject with another SourceAccount", Who: logsvc, Action: "s3:PutObject", Resource: logObj, Ctx: merge(tls, logSource(srcARN, ForeignAccount)), Want: implicit},
		S{Name: "log delivery PutObject without SourceArn", Who: logsvc, Action: "s3:PutObject", Resource: logObj, Ctx: tls, Want: implicit},
		S{Name: "log delivery PutObject outside the prefix", Who: logsvc, Action: "s3:PutObject", Resource: logARN + "/other/x", Ctx: merge(tls, logSource(srcARN, n.Account)), Want: implicit},
		S{Name: "log delivery PutObject into the backup bucket", Who: logsvc, Action: "s3:PutObject", Resource: srcObj, Ctx: merge(tls, logSource(srcARN, n.Account)), Want: implicit},
		S{Name: "EC2 role PutObject into the log bucket", Who: ec2, Action: "s3:PutObject", Resource: logObj, Ctx: tls, Want: implicit},
	)
	kmsRows := []Scenario{
		S{Name: "admin role kms:Decrypt", Who: admin, Action: "kms:Decrypt", Resource: n.SrcKey, Ctx: merge(n.via(n.SrcRegion), encCtx(srcObj)), Want: implicit},
		S{Name: "admin role kms:GenerateDataKey", Who: admin, Action: "kms:GenerateDataKey", Resource: n.SrcKey, Want: implicit},
		S{Name: "admin role kms:ScheduleKeyDeletion", Who: admin, Action: "kms:ScheduleKeyDeletion", Resource: n.SrcKey, Want: allow, Sid: policy.SidKeyAdministration},
		S{Name: "admin role kms:PutKeyPolicy", Who: admin, Action: "kms:PutKeyPolicy", Resource: n.DstKey, Want: allow, Sid: policy.SidKeyAdministration},
		S{Name: "admin role kms:EnableKeyRotation", Who: admin, Action: "kms:EnableKeyRotation", Resource: n.SrcKey, Want: allow, Sid: policy.SidKeyAdministration},
		S{Name: "admin role kms:RotateKeyOnDemand", Who: admin, Action: "kms:RotateKeyOnDemand", Resource: n.SrcKey, Want: allow, Sid: policy.SidKeyAdministration},
		S{Name: "admin role kms:CreateGrant (a key administrator can create grants)", Who: admin, Action: "kms:CreateGrant", Resource: n.SrcKey, Want: allow, Sid: policy.SidKeyAdministration},
		S{Name: "EC2 role kms:ScheduleKeyDeletion", Who: ec2, Action: "kms:ScheduleKeyDeletion", Resource: n.SrcKey, Want: implicit},
		S{Name: "EC2 role kms:PutKeyPolicy", Who: ec2, Action: "kms:PutKeyPolicy", Resource: n.SrcKey, Want: implicit},
	}
	for _, k := range []struct{ side, key, region, obj string }{{"source", n.SrcKey, n.SrcRegion, srcObj}, {"replica", n.DstKey, n.DstRegion, dstObj}} {
		on := " on the " + k.side + " key"
		kmsRows = append(kmsRows,
			S{Name: "EC2 role kms:Encrypt" + on, Who: ec2, Action: "kms:Encrypt", Resource: k.key, Ctx: merge(n.via(k.region), encCtx(k.obj)), Want: allow, Sid: policy.SidKeyUsageByBackupRole},
			S{Name: "EC2 role kms:ReEncryptFrom" + on, Who: ec2, Action: "kms:ReEncryptFrom", Resource: k.key, Want: allow, Sid: policy.SidKeyUsageByBackupRole},
			S{Name: "EC2 role kms:GenerateDataKeyWithoutPlaintext" + on, Who: ec2, Action: "kms:GenerateDataKeyWithoutPlaintext", Resource: k.key, Want: allow, Sid: policy.SidKeyUsageByBackupRole},
			S{Name: "EC2 role kms:DescribeKey" + on, Who: ec2, Action: "kms:DescribeKey", Resource: k.key, Want: allow, Sid: policy.SidKeyUsageByBackupRole},
		)
		for _, a := range []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"} {
			kmsRows = append(kmsRows,
				S{Name: "EC2 role " + a + on + " for an AWS resource", Who: ec2, Action: a, Resource: k.key, Ctx: ctx{policy.KeyGrantForAWS: {"true"}}, Want: allow, Sid: policy.SidGrantsForAWSResources},
				S{Name: "EC2 role " + a + on + " not for an AWS resource", Who: ec2, Action: a, Resource: k.key, Ctx: ctx{policy.KeyGrantForAWS: {"false"}}, Want: implicit})
		}
	}
	group(DocKMS, kmsRows...)
	group(DocTrust,
		S{Name: "S3 assumes the replication role", Who: s3svc, Action: "sts:AssumeRole", Resource: n.ReplRoleARN, Want: allow, Sid: policy.SidAllowS3Replication},
		S{Name: "EC2 service assumes the replication role", Who: ec2svc, Action: "sts:AssumeRole", Resource: n.ReplRoleARN, Want: implicit},
		S{Name: "EC2 role session assumes the replication role", Who: ec2, Action: "sts:AssumeRole", Resource: n.ReplRoleARN, Want: implicit},
	)
	return out
}

// BackintActions returns the bucket, object and key actions the AWS
// Backint Agent uses, as documented (copies).
func BackintActions() (bucket, object, key []string) {
	return slices.Clone(backintBucketActions), slices.Clone(backintObjectActions), slices.Clone(backintKeyActions)
}
