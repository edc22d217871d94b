package memaws_test

import (
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/policy"
)

func TestCreateBucketLocationConstraintMatrix(t *testing.T) {
	tests := []struct {
		endpoint, constraint string
		want                 string
		location             string
	}{
		{"us-east-1", "", "", ""},
		{"us-east-1", "us-east-1", cloud.CodeInvalidLocationConstraint, ""},
		{"us-east-1", "eu-west-1", cloud.CodeInvalidLocationConstraint, ""},
		{"eu-west-1", "", cloud.CodeIllegalLocationConstraint, ""},
		{"eu-west-1", "eu-central-1", cloud.CodeIllegalLocationConstraint, ""},
		{"eu-central-1", "us-east-1", cloud.CodeIllegalLocationConstraint, ""},
		{"eu-central-1", "eu-central-1", "", "eu-central-1"},
		{"eu-west-1", "EU", "", "EU"},
		{"eu-central-1", "moon-1", cloud.CodeInvalidLocationConstraint, ""},
	}
	for i, tc := range tests {
		t.Run(tc.endpoint+"/"+tc.constraint, func(t *testing.T) {
			a, _ := newAccount(t, memaws.Options{})
			name := "lc-matrix-" + string(rune('a'+i))
			err := a.S3(tc.endpoint).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: name, LocationConstraint: tc.constraint})
			wantCode(t, err, tc.want)
			if tc.want != "" {
				if _, err := a.S3(tc.endpoint).HeadBucket(ctx, name); !cloud.IsCode(err, cloud.CodeNotFound) {
					t.Fatalf("failed CreateBucket left a bucket behind: %v", err)
				}
				return
			}
			loc, err := a.S3("eu-central-1").GetBucketLocation(ctx, name)
			must(t, err)
			if loc != tc.location {
				t.Fatalf("GetBucketLocation = %q, want %q", loc, tc.location)
			}
			hb, err := a.S3("ap-south-1").HeadBucket(ctx, name)
			must(t, err)
			if hb.BucketRegion != tc.endpoint {
				t.Fatalf("HeadBucket region = %q, want %q", hb.BucketRegion, tc.endpoint)
			}
		})
	}
}

func TestCreateBucketThatExists(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "mine-eu")
	createBucket(t, a, "us-east-1", "mine-us")
	must(t, a.S3("us-east-1").PutBucketVersioning(ctx, "mine-us", cloud.VersioningEnabled))

	wantCode(t, a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "mine-eu", LocationConstraint: src}), cloud.CodeBucketAlreadyOwnedByYou)
	wantCode(t, a.S3("us-east-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "mine-eu"}), cloud.CodeBucketAlreadyOwnedByYou)
	// us-east-1 answers 200 for its own buckets and changes nothing.
	wantCode(t, a.S3("us-east-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "mine-us"}), "")
	v, err := a.S3("us-east-1").GetBucketVersioning(ctx, "mine-us")
	must(t, err)
	if v != cloud.VersioningEnabled {
		t.Fatalf("legacy 200 changed the bucket: versioning %q", v)
	}

	wantCode(t, a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: memaws.SeedForeignBucket, LocationConstraint: src}), cloud.CodeBucketAlreadyExists)
	must(t, a.AddForeignBucket("someone-elses", "us-west-2"))
	wantCode(t, a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "someone-elses", LocationConstraint: src}), cloud.CodeBucketAlreadyExists)
	_, err = a.S3(src).HeadBucket(ctx, "someone-elses")
	wantCode(t, err, cloud.CodeForbidden)
	_, err = a.S3(src).GetBucketPolicy(ctx, "someone-elses")
	wantCode(t, err, cloud.CodeAccessDenied)
	_, err = a.S3(src).HeadBucket(ctx, "nobody-has-this")
	wantCode(t, err, cloud.CodeNotFound)
	_, err = a.S3(src).GetBucketVersioning(ctx, "nobody-has-this")
	wantCode(t, err, cloud.CodeNoSuchBucket)
}

func TestBucketNameRules(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	bad := []string{"ab", strings.Repeat("a", 64), "Upper-case", "under_score", "a..b", "-start", "end-", ".dot",
		"192.168.10.1", "xn--bucket", "sthree-configurator", "amzn-s3-demo-bucket", "b-s3alias", "b--ol-s3", "b.mrap",
		"b--x-s3", "b--table-s3"}
	for _, n := range bad {
		wantCode(t, a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n, LocationConstraint: src}), cloud.CodeInvalidBucketName)
	}
	for _, n := range []string{"abc", strings.Repeat("a", 63), "my.bucket-1", "192.168.10.1.x"} {
		wantCode(t, a.S3(src).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n, LocationConstraint: src}), "")
	}
}

func TestNewBucketDefaults(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "defaults")
	s3 := a.S3(src)
	own, err := s3.GetBucketOwnershipControls(ctx, "defaults")
	must(t, err)
	pab, err := s3.GetPublicAccessBlock(ctx, "defaults")
	must(t, err)
	enc, err := s3.GetBucketEncryption(ctx, "defaults")
	must(t, err)
	ver, err := s3.GetBucketVersioning(ctx, "defaults")
	must(t, err)
	if own != "BucketOwnerEnforced" || !(pab.BlockPublicAcls && pab.IgnorePublicAcls && pab.BlockPublicPolicy && pab.RestrictPublicBuckets) ||
		enc.SSEAlgorithm != cloud.SSEAES256 || enc.KMSMasterKeyID != "" || ver != "" {
		t.Fatalf("defaults: ownership %q, pab %+v, encryption %+v, versioning %q", own, pab, enc, ver)
	}
	must(t, s3.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "writer-owned", LocationConstraint: src, ObjectOwnership: "ObjectWriter"}))
	own, err = s3.GetBucketOwnershipControls(ctx, "writer-owned")
	must(t, err)
	if own != "ObjectWriter" {
		t.Fatalf("ObjectOwnership at create = %q", own)
	}
}

func TestWrongRegionEndpoint(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "in-frankfurt")
	_, err := a.S3(dst).GetBucketVersioning(ctx, "in-frankfurt")
	wantCode(t, err, "PermanentRedirect")
	_, err = a.S3("us-east-1").GetBucketVersioning(ctx, "in-frankfurt")
	wantMessage(t, err, cloud.CodeAuthorizationHeaderMalformed, "expecting 'eu-central-1'")
	hb, err := a.S3(dst).HeadBucket(ctx, "in-frankfurt")
	must(t, err)
	if hb.BucketRegion != src {
		t.Fatalf("HeadBucket region %q", hb.BucketRegion)
	}
	loc, err := a.S3(dst).GetBucketLocation(ctx, "in-frankfurt")
	must(t, err)
	if loc != src {
		t.Fatalf("GetBucketLocation %q", loc)
	}
	list, err := a.S3("us-east-1").ListBuckets(ctx)
	must(t, err)
	found := false
	for _, b := range list {
		if b.Name == "in-frankfurt" {
			found = b.BucketRegion == src
		}
	}
	if !found {
		t.Fatalf("ListBuckets through us-east-1 misses the bucket or its region: %+v", list)
	}
}

func TestVersioningNeverOff(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "vers")
	s3 := a.S3(src)
	for _, bad := range []string{"", "Disabled", "enabled"} {
		wantCode(t, s3.PutBucketVersioning(ctx, "vers", bad), cloud.CodeMalformedXML)
	}
	for _, st := range []string{cloud.VersioningSuspended, cloud.VersioningEnabled, cloud.VersioningSuspended} {
		must(t, s3.PutBucketVersioning(ctx, "vers", st))
		got, err := s3.GetBucketVersioning(ctx, "vers")
		must(t, err)
		if got != st {
			t.Fatalf("versioning %q, want %q", got, st)
		}
	}
}

func TestBucketEncryption(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "enc")
	s3 := a.S3(src)
	otherRegion := cloud.KeyARN("aws", dst, acct, "0b8f2a53-9d6e-4c1f-a8b7-2d4e6f8a0c1e")
	wantCode(t, s3.PutBucketEncryption(ctx, "enc", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: otherRegion}), cloud.CodeInvalidArgument)
	wantCode(t, s3.PutBucketEncryption(ctx, "enc", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEAES256, KMSMasterKeyID: "x"}), cloud.CodeInvalidArgument)
	wantCode(t, s3.PutBucketEncryption(ctx, "enc", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: "DES"}), cloud.CodeMalformedXML)
	// S3 does not check that the key exists.
	missing := cloud.KeyARN("aws", src, acct, "0b8f2a53-9d6e-4c1f-a8b7-2d4e6f8a0c1e")
	want := cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: missing, BucketKeyEnabled: true}
	must(t, s3.PutBucketEncryption(ctx, "enc", want))
	got, err := s3.GetBucketEncryption(ctx, "enc")
	must(t, err)
	if got != want {
		t.Fatalf("encryption %+v, want %+v", got, want)
	}
	must(t, s3.DeleteBucketEncryption(ctx, "enc"))
	got, err = s3.GetBucketEncryption(ctx, "enc")
	must(t, err)
	if got.SSEAlgorithm != cloud.SSEAES256 || got.KMSMasterKeyID != "" {
		t.Fatalf("after delete: %+v, want SSE-S3", got)
	}
}

func TestMissingConfigurationCodes(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "bare")
	s3 := a.S3(src)
	_, err := s3.GetBucketPolicy(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchBucketPolicy)
	_, err = s3.GetBucketLifecycleConfiguration(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchLifecycle)
	_, err = s3.GetBucketReplication(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchReplication)
	_, err = s3.GetBucketTagging(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchTagSet)
	l, err := s3.GetBucketLogging(ctx, "bare")
	if err != nil || l != nil {
		t.Fatalf("GetBucketLogging = %v, %v; want nil, nil", l, err)
	}
	must(t, s3.DeleteBucketOwnershipControls(ctx, "bare"))
	_, err = s3.GetBucketOwnershipControls(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchOwnershipControls)
	must(t, s3.DeletePublicAccessBlock(ctx, "bare"))
	_, err = s3.GetPublicAccessBlock(ctx, "bare")
	wantCode(t, err, cloud.CodeNoSuchPublicAccessBlock)
	must(t, s3.PutBucketOwnershipControls(ctx, "bare", "BucketOwnerPreferred"))
	wantCode(t, s3.PutBucketOwnershipControls(ctx, "bare", "Nobody"), cloud.CodeMalformedXML)
	pab := cloud.PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}
	must(t, s3.PutPublicAccessBlock(ctx, "bare", pab))
	got, err := s3.GetPublicAccessBlock(ctx, "bare")
	must(t, err)
	if got != pab {
		t.Fatalf("public access block %+v, want %+v", got, pab)
	}
}

const tlsDenyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": ["arn:aws:s3:::%[1]s", "arn:aws:s3:::%[1]s/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
  }]
}`

func TestBucketPolicyValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "pol")
	createBucket(t, a, src, "other")
	s3 := a.S3(src)
	tests := []struct {
		name, doc, code string
	}{
		{"not JSON", `{"Version":`, cloud.CodeMalformedPolicy},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::pol/*"}]}`, cloud.CodeMalformedPolicy},
		{"other bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}]}`, cloud.CodeMalformedPolicy},
		{"kms action", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::pol/*"}]}`, cloud.CodeMalformedPolicy},
		{"unknown role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleArn("no-such-role") + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}]}`, cloud.CodeMalformedPolicy},
		{"unknown operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::pol/*","Condition":{"StringSorta":{"aws:x":"y"}}}]}`, cloud.CodeMalformedPolicy},
		{"public while blocked", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}]}`, cloud.CodeAccessDenied},
		{"TLS deny", strings.ReplaceAll(tlsDenyPolicy, "%[1]s", "pol"), ""},
		{"role grant", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleArn(memaws.SeedBackupRole) + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pol/*"}]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, s3.PutBucketPolicy(ctx, "pol", tc.doc), tc.code)
			if tc.code != "" {
				return
			}
			got, err := s3.GetBucketPolicy(ctx, "pol")
			must(t, err)
			eq, err := policy.Equivalent(got, tc.doc)
			must(t, err)
			if !eq || strings.Contains(got, "\n") {
				t.Fatalf("GetBucketPolicy = %s, want the compacted document", got)
			}
		})
	}
	must(t, s3.DeletePublicAccessBlock(ctx, "pol"))
	wantCode(t, s3.PutBucketPolicy(ctx, "pol", tests[6].doc), "")
	must(t, s3.DeleteBucketPolicy(ctx, "pol"))
	_, err := s3.GetBucketPolicy(ctx, "pol")
	wantCode(t, err, cloud.CodeNoSuchBucketPolicy)
}

func TestLifecycleValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "lcb")
	s3 := a.S3(src)
	rule := func(mod func(*cloud.LifecycleRule)) cloud.LifecycleConfiguration {
		r := cloud.LifecycleRule{ID: "r", Status: "Enabled", Transitions: []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}}, ExpirationDays: 372}
		mod(&r)
		return cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{r}}
	}
	many := cloud.LifecycleConfiguration{}
	for i := 0; i < 1001; i++ {
		many.Rules = append(many.Rules, cloud.LifecycleRule{ID: strings.Repeat("x", 1) + string(rune(i+0x100)), Status: "Enabled", ExpirationDays: 1})
	}
	tests := []struct {
		name string
		cfg  cloud.LifecycleConfiguration
		code string
	}{
		{"valid", rule(func(*cloud.LifecycleRule) {}), ""},
		{"delete marker with days", rule(func(r *cloud.LifecycleRule) { r.ExpiredObjectDeleteMarker = true }), cloud.CodeMalformedXML},
		{"IA before 30 days", rule(func(r *cloud.LifecycleRule) {
			r.Transitions = []cloud.Transition{{Days: 10, StorageClass: "STANDARD_IA"}}
		}), cloud.CodeInvalidArgument},
		{"noncurrent IA before 30 days", rule(func(r *cloud.LifecycleRule) {
			r.NoncurrentVersionTransitions = []cloud.Transition{{Days: 29, StorageClass: "ONEZONE_IA"}}
		}), cloud.CodeInvalidArgument},
		{"expire before transition", rule(func(r *cloud.LifecycleRule) { r.ExpirationDays = 5 }), cloud.CodeInvalidArgument},
		{"long ID", rule(func(r *cloud.LifecycleRule) { r.ID = strings.Repeat("i", 256) }), cloud.CodeInvalidArgument},
		{"bad status", rule(func(r *cloud.LifecycleRule) { r.Status = "On" }), cloud.CodeMalformedXML},
		{"bad class", rule(func(r *cloud.LifecycleRule) { r.Transitions = []cloud.Transition{{Days: 1, StorageClass: "TAPE"}} }), cloud.CodeMalformedXML},
		{"no action", rule(func(r *cloud.LifecycleRule) { r.Transitions, r.ExpirationDays = nil, 0 }), cloud.CodeInvalidRequest},
		{"too many rules", many, cloud.CodeInvalidRequest},
		{"duplicate IDs", cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{
			{ID: "a", Status: "Enabled", ExpirationDays: 3}, {ID: "a", Status: "Enabled", AbortIncompleteMultipartUploadDays: 7}}}, cloud.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, s3.PutBucketLifecycleConfiguration(ctx, "lcb", tc.cfg), tc.code)
		})
	}
	got, err := s3.GetBucketLifecycleConfiguration(ctx, "lcb")
	must(t, err)
	if len(got.Rules) != 1 || got.Rules[0].ExpirationDays != 372 || got.TransitionDefaultMinimumObjectSize != "all_storage_classes_128K" {
		t.Fatalf("stored lifecycle %+v", got)
	}
	must(t, s3.DeleteBucketLifecycle(ctx, "lcb"))
	_, err = s3.GetBucketLifecycleConfiguration(ctx, "lcb")
	wantCode(t, err, cloud.CodeNoSuchLifecycle)
}

// logTargetPolicy lets S3 server access logging write for source.
func logTargetPolicy(target, prefix, source string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"AllowS3ServerAccessLogs","Effect":"Allow",
"Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + target + `/` + prefix + `*",
"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::` + source + `"},"StringEquals":{"aws:SourceAccount":"` + acct + `"}}}]}`
}

func TestLoggingValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "data")
	createBucket(t, a, src, "data-logs")
	createBucket(t, a, dst, "far-logs")
	s3 := a.S3(src)
	cfg := func(target string) *cloud.LoggingEnabled {
		return &cloud.LoggingEnabled{TargetBucket: target, TargetPrefix: "s3/", PartitionedPrefix: true}
	}
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("no-such-logs")), cloud.CodeInvalidTargetBucketLogging)
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg(memaws.SeedForeignBucket)), cloud.CodeInvalidTargetBucketLogging)
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("far-logs")), cloud.CodeCrossLocationLogging)
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("data")), cloud.CodeInvalidTargetBucketLogging)
	// No bucket policy on the target: S3 cannot deliver.
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("data-logs")), cloud.CodeInvalidTargetBucketLogging)
	// A policy for another source bucket does not do either.
	must(t, s3.PutBucketPolicy(ctx, "data-logs", logTargetPolicy("data-logs", "s3/", "something-else")))
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("data-logs")), cloud.CodeInvalidTargetBucketLogging)
	// Nor one for another prefix.
	must(t, s3.PutBucketPolicy(ctx, "data-logs", logTargetPolicy("data-logs", "other/", "data")))
	wantCode(t, s3.PutBucketLogging(ctx, "data", cfg("data-logs")), cloud.CodeInvalidTargetBucketLogging)

	must(t, s3.PutBucketPolicy(ctx, "data-logs", logTargetPolicy("data-logs", "s3/", "data")))
	must(t, s3.PutBucketLogging(ctx, "data", cfg("data-logs")))
	got, err := s3.GetBucketLogging(ctx, "data")
	must(t, err)
	if got == nil || *got != *cfg("data-logs") {
		t.Fatalf("GetBucketLogging = %+v", got)
	}
	must(t, s3.PutBucketLogging(ctx, "data", nil))
	got, err = s3.GetBucketLogging(ctx, "data")
	if err != nil || got != nil {
		t.Fatalf("logging after switching off = %+v, %v", got, err)
	}
}

func TestBucketTagging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "tags")
	s3 := a.S3(src)
	wantCode(t, s3.PutBucketTagging(ctx, "tags", []cloud.Tag{{Key: "aws:cloudformation:stack-name", Value: "x"}}), cloud.CodeInvalidTag)
	wantCode(t, s3.PutBucketTagging(ctx, "tags", []cloud.Tag{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}), cloud.CodeInvalidTag)
	want := []cloud.Tag{{Key: "hanavault:sid", Value: "HDB"}, {Key: "owner", Value: ""}}
	must(t, s3.PutBucketTagging(ctx, "tags", want))
	got, err := s3.GetBucketTagging(ctx, "tags")
	must(t, err)
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("tags %+v", got)
	}
	must(t, s3.DeleteBucketTagging(ctx, "tags"))
	_, err = s3.GetBucketTagging(ctx, "tags")
	wantCode(t, err, cloud.CodeNoSuchTagSet)
}

func TestDeleteBucket(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "gone")
	must(t, a.S3(src).DeleteBucket(ctx, "gone"))
	wantCode(t, a.S3(src).DeleteBucket(ctx, "gone"), cloud.CodeNoSuchBucket)
	// The name is free again.
	createBucket(t, a, dst, "gone")
}

func TestPolicyPrincipalValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "princ")
	backup, err := a.IAM().GetRole(ctx, memaws.SeedBackupRole)
	must(t, err)
	tests := []struct {
		principal string
		ok        bool
	}{
		{`"*"`, true},
		{`{"AWS":"*"}`, true},
		{`{"AWS":"` + acct + `"}`, true},
		{`{"AWS":"arn:aws:iam::` + acct + `:root"}`, true},
		{`{"AWS":"arn:aws:iam::444455556666:root"}`, true},
		{`{"AWS":"arn:aws:iam::444455556666:role/anything"}`, true},
		{`{"AWS":"` + backup.Arn + `"}`, true},
		{`{"AWS":"` + backup.RoleID + `"}`, true},
		{`{"AWS":"arn:aws:sts::` + acct + `:assumed-role/` + memaws.SeedBackupRole + `/i-0abc"}`, true},
		{`{"Service":"logging.s3.amazonaws.com"}`, true},
		{`{"AWS":"arn:aws:iam::` + acct + `:user/nobody"}`, false},
		{`{"AWS":"arn:aws-cn:iam::` + acct + `:root"}`, false},
		{`{"AWS":"AROANOSUCHROLE0000000"}`, false},
		{`{"AWS":"arn:aws:sts::` + acct + `:assumed-role/ghost/s"}`, false},
		{`{"AWS":"12345"}`, false},
		{`{"Service":"not a service"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.principal, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":` + tc.principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::princ/*"}]}`
			code := cloud.CodeMalformedPolicy
			if tc.ok {
				code = ""
			}
			wantCode(t, a.S3(src).PutBucketPolicy(ctx, "princ", doc), code)
		})
	}
}

func TestInspectors(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{NoSeed: true})
	must(t, a.AddSyntheticRoles(3))
	must(t, a.AddSyntheticRoles(3)) // idempotent by name
	roles := a.Roles()
	if len(roles) != 3 || roles[0].RoleName != "synthetic-role-00000" || roles[0].Path != "/synthetic/" {
		t.Fatalf("roles %+v", roles)
	}
	k, err := a.KMS(dst).CreateKey(ctx, cloud.CreateKeyInput{Description: "inspect"})
	must(t, err)
	keys := a.Keys(dst)
	if len(keys) != 1 || keys[0].KeyID != k.KeyID || len(a.Keys(src)) != 0 {
		t.Fatalf("keys %+v", keys)
	}
}
