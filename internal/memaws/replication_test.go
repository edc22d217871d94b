package memaws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

const (
	replSrc  = "hana-backup-hdb-src"
	replDst  = "hana-backup-hdb-dst"
	replRole = "hanavault-HDB-replication"
)

type replOptions struct {
	bucketKeys        bool   // bucket keys on both buckets
	objectContextOnly bool   // KMS conditions list only the object-ARN context
	noSseKms          bool   // rule without SseKmsEncryptedObjects
	deleteMarkers     bool   // DeleteMarkerReplication
	trust             string // replication role trust (default s3.amazonaws.com)
	encryptRegion     string // ViaService region of the replica-key grant (default dst)
	noReplicaDecrypt  bool   // the replica-key grant lacks kms:Decrypt
	srcBucketKeyOnly  bool   // bucket keys on the source bucket only
}

type replSetup struct {
	a              *memaws.Account
	clk            *clock
	srcKey, dstKey cloud.KeyMetadata
	backup         string
	cfg            cloud.ReplicationConfiguration
}

// replicationRolePolicy is the replication role's permission policy,
// written by hand.
func replicationRolePolicy(srcKey, dstKey string, o replOptions) string {
	ctxs := func(b string) string {
		if o.objectContextOnly {
			return `"arn:aws:s3:::` + b + `/*"`
		}
		return `"arn:aws:s3:::` + b + `","arn:aws:s3:::` + b + `/*"`
	}
	encRegion := dst
	replicaActions := `["kms:Encrypt","kms:GenerateDataKey","kms:Decrypt"]`
	if o.noReplicaDecrypt {
		replicaActions = `["kms:Encrypt","kms:GenerateDataKey"]`
	}
	if o.encryptRegion != "" {
		encRegion = o.encryptRegion
	}
	return `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::` + replSrc + `"},
{"Effect":"Allow","Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::` + replSrc + `/*"},
{"Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete","s3:ReplicateTags"],"Resource":"arn:aws:s3:::` + replDst + `/*"},
{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + srcKey + `","Condition":{"StringEquals":{"kms:ViaService":"s3.` + src + `.amazonaws.com"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":[` + ctxs(replSrc) + `]}}},
{"Effect":"Allow","Action":` + replicaActions + `,"Resource":"` + dstKey + `","Condition":{"StringEquals":{"kms:ViaService":"s3.` + encRegion + `.amazonaws.com"},"StringLike":{"kms:EncryptionContext:aws:s3:arn":[` + ctxs(replDst) + `]}}}]}`
}

func newReplSetup(t *testing.T, o replOptions) replSetup {
	t.Helper()
	a, clk := newAccount(t, memaws.Options{})
	return newReplSetupOn(t, a, clk, o)
}

// newReplSetupOn builds two SSE-KMS buckets in two regions, their keys and
// a replication role and configuration on an existing account.
func newReplSetupOn(t *testing.T, a *memaws.Account, clk *clock, o replOptions) replSetup {
	t.Helper()
	s := replSetup{a: a, clk: clk, backup: roleArn(memaws.SeedBackupRole)}
	trust := o.trust
	if trust == "" {
		trust = s3Trust
	}
	r, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: replRole, AssumeRolePolicyDocument: trust})
	must(t, err)
	s.srcKey = newKey(t, a, src, keyPolicyFor(s.backup))
	s.dstKey = newKey(t, a, dst, keyPolicyFor(s.backup))
	must(t, a.IAM().PutRolePolicy(ctx, replRole, "replication", replicationRolePolicy(s.srcKey.Arn, s.dstKey.Arn, o)))
	for _, b := range []struct {
		region, name string
		key          cloud.KeyMetadata
	}{{src, replSrc, s.srcKey}, {dst, replDst, s.dstKey}} {
		versionedBucket(t, a, b.region, b.name)
		must(t, a.S3(b.region).PutBucketEncryption(ctx, b.name, cloud.ServerSideEncryptionByDefault{
			SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: b.key.Arn, BucketKeyEnabled: o.bucketKeys || (o.srcBucketKeyOnly && b.region == src)}))
		must(t, a.S3(b.region).PutBucketPolicy(ctx, b.name, backupBucketPolicy(b.name, b.key.Arn, s.backup, false)))
	}
	s.cfg = cloud.ReplicationConfiguration{Role: r.Arn, Rules: []cloud.ReplicationRule{{
		ID: "hanavault-hdb", Priority: 1, Status: "Enabled", DeleteMarkerReplication: o.deleteMarkers,
		SseKmsEncryptedObjects: !o.noSseKms, DestinationBucket: bucketArn(replDst), ReplicaKmsKeyID: s.dstKey.Arn,
		ReplicationTime: true, Metrics: true,
	}}}
	must(t, a.S3(src).PutBucketReplication(ctx, replSrc, s.cfg))
	return s
}

// upload writes a backup object as the EC2 backup role.
func (s replSetup) upload(t *testing.T, key string) cloud.ObjectInfo {
	t.Helper()
	info, err := s.a.As(s.backup).S3(src).PutObject(ctx, cloud.PutObjectInput{
		Bucket: replSrc, Key: key, Body: []byte("backup of " + key), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.srcKey.Arn})
	must(t, err)
	return info
}

func (s replSetup) status(t *testing.T, key, version string) string {
	t.Helper()
	h, err := s.a.S3(src).HeadObject(ctx, replSrc, key, version)
	must(t, err)
	return h.ReplicationStatus
}

func TestReplicationOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		o       replOptions
		prepare func(t *testing.T, s replSetup)
		want    string
	}{
		{name: "completed without bucket keys", want: "COMPLETED"},
		{name: "completed with bucket keys", o: replOptions{bucketKeys: true}, want: "COMPLETED"},
		{name: "object-ARN context only, bucket keys on", o: replOptions{bucketKeys: true, objectContextOnly: true}, want: "FAILED"},
		{name: "object-ARN context only, bucket keys off", o: replOptions{objectContextOnly: true}, want: "COMPLETED"},
		{name: "replica key grant for the wrong region", o: replOptions{encryptRegion: src}, want: "FAILED"},
		// S3 verifies a replica's bucket key with kms:Decrypt on the
		// replica key (UG replication-config-for-kms-objects, S3 Bucket
		// Keys); without bucket keys it makes no such call.
		{name: "bucket keys, no kms:Decrypt on the replica key", o: replOptions{bucketKeys: true, noReplicaDecrypt: true}, want: "FAILED"},
		{name: "no bucket keys, no kms:Decrypt on the replica key", o: replOptions{noReplicaDecrypt: true}, want: "COMPLETED"},
		// The replica keeps the source object's bucket-key setting (UG
		// bucket-key, replication), whatever the replica bucket's default.
		{name: "source bucket key only, no kms:Decrypt on the replica key", o: replOptions{srcBucketKeyOnly: true, noReplicaDecrypt: true}, want: "FAILED"},
		{name: "source bucket key only", o: replOptions{srcBucketKeyOnly: true}, want: "COMPLETED"},
		{name: "role not trusted by S3", o: replOptions{trust: ec2Trust}, want: "FAILED"},
		{name: "replica key pending deletion", want: "FAILED", prepare: func(t *testing.T, s replSetup) {
			_, err := s.a.KMS(dst).ScheduleKeyDeletion(ctx, s.dstKey.KeyID, 7)
			must(t, err)
		}},
		{name: "replica bucket denies replication", want: "FAILED", prepare: func(t *testing.T, s replSetup) {
			deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::` + replDst + `/*"}]}`
			must(t, s.a.S3(dst).PutBucketPolicy(ctx, replDst, deny))
		}},
		{name: "skipped without SseKmsEncryptedObjects", o: replOptions{noSseKms: true}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newReplSetup(t, tc.o)
			if tc.prepare != nil {
				tc.prepare(t, s)
			}
			info := s.upload(t, "data/COMPLETE_DATA_BACKUP_databackup_0_1")
			wantInitial := "PENDING"
			if tc.want == "" {
				wantInitial = ""
			}
			if info.ReplicationStatus != wantInitial || s.status(t, "data/COMPLETE_DATA_BACKUP_databackup_0_1", "") != wantInitial {
				t.Fatalf("initial status %q, want %q", info.ReplicationStatus, wantInitial)
			}
			s.clk.Advance(time.Second)
			if got := s.status(t, "data/COMPLETE_DATA_BACKUP_databackup_0_1", ""); got != wantInitial {
				t.Fatalf("status before the delay: %q", got)
			}
			s.clk.Advance(time.Second)
			must(t, s.a.ProcessPending())
			if got := s.status(t, "data/COMPLETE_DATA_BACKUP_databackup_0_1", info.VersionID); got != tc.want {
				t.Fatalf("status %q, want %q", got, tc.want)
			}
			replica, err := s.a.S3(dst).GetObject(ctx, replDst, "data/COMPLETE_DATA_BACKUP_databackup_0_1", info.VersionID)
			if tc.want != "COMPLETED" {
				wantCode(t, err, "NoSuchVersion")
				if s.a.PendingReplications() != 0 {
					t.Fatal("a failed replication is retried")
				}
				return
			}
			must(t, err)
			if replica.ReplicationStatus != "REPLICA" || replica.SSEKMSKeyID != s.dstKey.Arn || replica.VersionID != info.VersionID ||
				replica.BucketKeyEnabled != (tc.o.bucketKeys || tc.o.srcBucketKeyOnly) || string(replica.Body) != "backup of data/COMPLETE_DATA_BACKUP_databackup_0_1" {
				t.Fatalf("replica %+v", replica.ObjectInfo)
			}
			// The backup role reads the replica in the DR region too.
			_, err = s.a.As(s.backup).S3(dst).GetObject(ctx, replDst, "data/COMPLETE_DATA_BACKUP_databackup_0_1", "")
			must(t, err)
		})
	}
}

func TestReplicationIsLazy(t *testing.T) {
	s := newReplSetup(t, replOptions{})
	info := s.upload(t, "log/1")
	s.clk.Advance(3 * time.Second)
	// No explicit ProcessPending: the next call of any kind runs it.
	if got := s.status(t, "log/1", info.VersionID); got != "COMPLETED" {
		t.Fatalf("status %q", got)
	}
}

func TestDeleteMarkerReplication(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[on], func(t *testing.T) {
			s := newReplSetup(t, replOptions{deleteMarkers: on})
			v := s.upload(t, "k")
			s.clk.Advance(2 * time.Second)
			del, err := s.a.As(s.backup).S3(src).DeleteObject(ctx, replSrc, "k", "")
			must(t, err)
			s.clk.Advance(2 * time.Second)
			must(t, s.a.ProcessPending())
			list, err := s.a.S3(dst).ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: replDst})
			must(t, err)
			if len(list.Versions) != 1 || list.Versions[0].VersionID != v.VersionID {
				t.Fatalf("replica versions %+v", list.Versions)
			}
			if on && (len(list.DeleteMarkers) != 1 || list.DeleteMarkers[0].VersionID != del.VersionID || !list.DeleteMarkers[0].IsLatest) {
				t.Fatalf("delete marker not replicated: %+v", list.DeleteMarkers)
			}
			if !on && len(list.DeleteMarkers) != 0 {
				t.Fatalf("delete marker replicated while off: %+v", list.DeleteMarkers)
			}
			// Deleting a version for good is never replicated.
			_, err = s.a.S3(src).DeleteObject(ctx, replSrc, "k", v.VersionID)
			must(t, err)
			s.clk.Advance(time.Minute)
			_, err = s.a.S3(dst).HeadObject(ctx, replDst, "k", v.VersionID)
			must(t, err)
		})
	}
}

func TestReplicasAreNotReplicatedAgain(t *testing.T) {
	s := newReplSetup(t, replOptions{})
	// The replica bucket replicates onwards to a third bucket.
	versionedBucket(t, s.a, dst, "third")
	must(t, s.a.S3(dst).PutBucketReplication(ctx, replDst, cloud.ReplicationConfiguration{Role: s.cfg.Role, Rules: []cloud.ReplicationRule{{
		ID: "onwards", Priority: 1, Status: "Enabled", DestinationBucket: bucketArn("third"), SseKmsEncryptedObjects: true, ReplicaKmsKeyID: s.dstKey.Arn}}}))
	s.upload(t, "k")
	s.clk.Advance(10 * time.Second)
	must(t, s.a.ProcessPending())
	for _, b := range s.a.Buckets() {
		if b.Name == "third" && b.Versions != 0 {
			t.Fatalf("replica was replicated onwards: %+v", b)
		}
		if b.Name == replDst && b.Versions != 1 {
			t.Fatalf("replica bucket %+v", b)
		}
	}
}

func TestPutBucketReplicationValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	r, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: replRole, AssumeRolePolicyDocument: s3Trust})
	must(t, err)
	createBucket(t, a, src, "repl-s")
	createBucket(t, a, dst, "repl-d")
	s3 := a.S3(src)
	rule := cloud.ReplicationRule{ID: "r", Priority: 1, Status: "Enabled", DestinationBucket: bucketArn("repl-d")}
	cfg := func(mod func(*cloud.ReplicationConfiguration)) cloud.ReplicationConfiguration {
		c := cloud.ReplicationConfiguration{Role: r.Arn, Rules: []cloud.ReplicationRule{rule}}
		mod(&c)
		return c
	}
	none := func(*cloud.ReplicationConfiguration) {}
	wantMessage(t, s3.PutBucketReplication(ctx, "repl-s", cfg(none)), cloud.CodeInvalidRequest, "Versioning must be 'Enabled' on the bucket")
	must(t, s3.PutBucketVersioning(ctx, "repl-s", cloud.VersioningEnabled))
	wantMessage(t, s3.PutBucketReplication(ctx, "repl-s", cfg(none)), cloud.CodeInvalidRequest, "Destination bucket must have versioning enabled.")
	must(t, a.S3(dst).PutBucketVersioning(ctx, "repl-d", cloud.VersioningEnabled))
	tests := []struct {
		name string
		mod  func(*cloud.ReplicationConfiguration)
		code string
		msg  string
	}{
		{"missing destination", func(c *cloud.ReplicationConfiguration) { c.Rules[0].DestinationBucket = bucketArn("nope") }, cloud.CodeInvalidRequest, "Destination bucket must exist"},
		{"destination not an ARN", func(c *cloud.ReplicationConfiguration) { c.Rules[0].DestinationBucket = "repl-d" }, cloud.CodeInvalidArgument, ""},
		{"RTC without metrics", func(c *cloud.ReplicationConfiguration) { c.Rules[0].ReplicationTime = true }, cloud.CodeInvalidRequest, "Metrics"},
		{"SSE-KMS without replica key", func(c *cloud.ReplicationConfiguration) { c.Rules[0].SseKmsEncryptedObjects = true }, cloud.CodeInvalidRequest, "ReplicaKmsKeyID"},
		{"no role", func(c *cloud.ReplicationConfiguration) { c.Role = "" }, cloud.CodeMalformedXML, ""},
		{"unknown role", func(c *cloud.ReplicationConfiguration) { c.Role = roleArn("ghost") }, cloud.CodeInvalidArgument, "Role"},
		{"duplicate priority", func(c *cloud.ReplicationConfiguration) {
			c.Rules = append(c.Rules, cloud.ReplicationRule{ID: "r2", Priority: 1, Status: "Enabled", DestinationBucket: bucketArn("repl-d")})
		}, cloud.CodeInvalidArgument, "priority"},
		{"bad storage class", func(c *cloud.ReplicationConfiguration) { c.Rules[0].StorageClass = "TAPE" }, cloud.CodeMalformedXML, ""},
		// The replica key is not validated, as in AWS.
		{"unvalidated replica key", func(c *cloud.ReplicationConfiguration) {
			c.Rules[0].SseKmsEncryptedObjects = true
			c.Rules[0].ReplicaKmsKeyID = cloud.KeyARN("aws", "ap-south-1", acct, "00000000-0000-4000-8000-000000000000")
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantMessage(t, s3.PutBucketReplication(ctx, "repl-s", cfg(tc.mod)), tc.code, tc.msg)
		})
	}
	got, err := s3.GetBucketReplication(ctx, "repl-s")
	must(t, err)
	if got.Role != r.Arn || len(got.Rules) != 1 || !strings.HasSuffix(got.Rules[0].ReplicaKmsKeyID, "00000000-0000-4000-8000-000000000000") {
		t.Fatalf("stored configuration %+v", got)
	}
	wantCode(t, s3.PutBucketVersioning(ctx, "repl-s", cloud.VersioningSuspended), "InvalidBucketState")
	must(t, s3.DeleteBucketReplication(ctx, "repl-s"))
	must(t, s3.PutBucketVersioning(ctx, "repl-s", cloud.VersioningSuspended))
}

func TestReplicationToTwoDestinations(t *testing.T) {
	s := newReplSetup(t, replOptions{})
	// The role may not write to a second destination: that replication
	// fails, and with several destinations the source reports FAILED.
	versionedBucket(t, s.a, dst, "second-dst")
	second := s.cfg
	second.Rules = append(append([]cloud.ReplicationRule(nil), s.cfg.Rules...), cloud.ReplicationRule{
		ID: "second", Priority: 2, Status: "Enabled", DestinationBucket: bucketArn("second-dst"),
		SseKmsEncryptedObjects: true, ReplicaKmsKeyID: s.dstKey.Arn})
	must(t, s.a.S3(src).PutBucketReplication(ctx, replSrc, second))
	info := s.upload(t, "two")
	if s.a.PendingReplications() != 2 {
		t.Fatalf("%d pending replications, want 2", s.a.PendingReplications())
	}
	s.clk.Advance(2 * time.Second)
	if got := s.status(t, "two", info.VersionID); got != "FAILED" {
		t.Fatalf("status %q, want FAILED", got)
	}
	_, err := s.a.S3(dst).HeadObject(ctx, replDst, "two", info.VersionID)
	must(t, err) // the first destination got its replica
}
