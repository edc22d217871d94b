package memaws_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

// backupBucketPolicy is hanavault's bucket policy, written by hand: TLS
// only, no AES256/SSE-C/other-key uploads, optionally no header-less
// uploads (strict), and the backup role may use the bucket.
func backupBucketPolicy(bucket, keyArn, role string, strict bool) string {
	b := "arn:aws:s3:::" + bucket
	p := `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["` + b + `","` + b + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
{"Sid":"DenyNonKMSEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + b + `/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"},"Null":{"s3:x-amz-server-side-encryption":"false"}}},
{"Sid":"DenySSEC","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + b + `/*","Condition":{"Null":{"s3:x-amz-server-side-encryption-customer-algorithm":"false"}}},
{"Sid":"DenyOtherKMSKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + b + `/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"` + keyArn + `"},"Null":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"false"}}},`
	if strict {
		p += `
{"Sid":"DenyMissingEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"` + b + `/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},`
	}
	return p + `
{"Sid":"AllowBackint","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":["s3:PutObject","s3:GetObject","s3:GetObjectVersion","s3:DeleteObject","s3:DeleteObjectVersion","s3:AbortMultipartUpload"],"Resource":"` + b + `/*"},
{"Sid":"AllowBackintList","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":["s3:ListBucket","s3:ListBucketVersions","s3:ListBucketMultipartUploads"],"Resource":"` + b + `"}]}`
}

// backupSetup is a versioned SSE-KMS bucket with hanavault's policies and
// the seeded backup role allowed on bucket and key.
type backupSetup struct {
	a      *memaws.Account
	clk    *clock
	bucket string
	key    cloud.KeyMetadata
	role   string
}

func newBackupSetup(t *testing.T, strict bool) backupSetup {
	t.Helper()
	a, clk := newAccount(t, memaws.Options{})
	s := backupSetup{a: a, clk: clk, bucket: "hana-backup-hdb", role: roleArn(memaws.SeedBackupRole)}
	s.key = newKey(t, a, src, keyPolicyFor(s.role))
	versionedBucket(t, a, src, s.bucket)
	must(t, a.S3(src).PutBucketEncryption(ctx, s.bucket, cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: s.key.Arn}))
	must(t, a.S3(src).PutBucketPolicy(ctx, s.bucket, backupBucketPolicy(s.bucket, s.key.Arn, s.role, strict)))
	return s
}

func (s backupSetup) asRole() cloud.S3 { return s.a.As(s.role).S3(src) }

func TestUploadPolicyEffects(t *testing.T) {
	s := newBackupSetup(t, false)
	other := newKey(t, s.a, src, keyPolicyFor(s.role))
	tests := []struct {
		name string
		as   cloud.Account
		in   cloud.PutObjectInput
		code string
		sse  string
	}{
		{"kms with the right key", s.a.As(s.role), cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn}, "", cloud.SSEKMS},
		{"no header uses the default key", s.a.As(s.role), cloud.PutObjectInput{}, "", cloud.SSEKMS},
		{"AES256 denied", s.a.As(s.role), cloud.PutObjectInput{ServerSideEncryption: cloud.SSEAES256}, cloud.CodeAccessDenied, ""},
		{"other key denied", s.a.As(s.role), cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: other.Arn}, cloud.CodeAccessDenied, ""},
		{"SSE-C denied", s.a.As(s.role), cloud.PutObjectInput{SSECustomerAlgorithm: "AES256"}, cloud.CodeAccessDenied, ""},
		{"no TLS denied", s.a.As(s.role).Insecure(), cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn}, cloud.CodeAccessDenied, ""},
		{"admin without TLS denied too", s.a.Insecure(), cloud.PutObjectInput{}, cloud.CodeAccessDenied, ""},
		{"another role of the account", s.a.As(roleArn(memaws.SeedAppServerRole)), cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn}, cloud.CodeAccessDenied, ""},
		{"admin with the right key", s.a, cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn}, "", cloud.SSEKMS},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key, in.Body = s.bucket, fmt.Sprintf("data/%d", i), []byte("backup")
			info, err := tc.as.S3(src).PutObject(ctx, in)
			wantCode(t, err, tc.code)
			if tc.code != "" {
				_, err := s.a.S3(src).HeadObject(ctx, s.bucket, in.Key, "")
				wantCode(t, err, cloud.CodeNotFound)
				return
			}
			head, err := s.asRole().HeadObject(ctx, s.bucket, in.Key, "")
			must(t, err)
			if info.VersionID == "" || head.VersionID != info.VersionID || head.ServerSideEncryption != tc.sse || head.SSEKMSKeyID != s.key.Arn {
				t.Fatalf("put %+v, head %+v", info, head)
			}
			got, err := s.asRole().GetObject(ctx, s.bucket, in.Key, "")
			must(t, err)
			if string(got.Body) != "backup" {
				t.Fatalf("body %q", got.Body)
			}
		})
	}
}

func TestStrictPolicyDeniesHeaderlessUploads(t *testing.T) {
	s := newBackupSetup(t, true)
	_, err := s.asRole().PutObject(ctx, cloud.PutObjectInput{Bucket: s.bucket, Key: "k", Body: []byte("x")})
	wantCode(t, err, cloud.CodeAccessDenied)
	_, err = s.asRole().PutObject(ctx, cloud.PutObjectInput{Bucket: s.bucket, Key: "k", Body: []byte("x"), ServerSideEncryption: cloud.SSEKMS})
	must(t, err)
}

func TestHeaderWithoutKeyIDUsesAWSManagedKey(t *testing.T) {
	s := newBackupSetup(t, false)
	info, err := s.asRole().PutObject(ctx, cloud.PutObjectInput{Bucket: s.bucket, Key: "k", Body: []byte("x"), ServerSideEncryption: cloud.SSEKMS})
	must(t, err)
	m, err := s.a.KMS(src).DescribeKey(ctx, "alias/aws/s3")
	must(t, err)
	if info.SSEKMSKeyID != m.Arn || m.KeyManager != "AWS" {
		t.Fatalf("object key %s, aws/s3 key %+v", info.SSEKMSKeyID, m)
	}
}

func TestKMSStatesRefuseCrypto(t *testing.T) {
	s := newBackupSetup(t, false)
	role := s.asRole()
	put := func(key string) error {
		_, err := role.PutObject(ctx, cloud.PutObjectInput{Bucket: s.bucket, Key: key, Body: []byte("x"), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn})
		return err
	}
	must(t, put("before"))
	kms := s.a.KMS(src)
	_, err := kms.ScheduleKeyDeletion(ctx, s.key.KeyID, 7)
	must(t, err)
	wantCode(t, put("pending"), "KMS.KMSInvalidStateException")
	_, err = role.GetObject(ctx, s.bucket, "before", "")
	wantCode(t, err, "KMS.KMSInvalidStateException")
	// HEAD needs no decryption.
	_, err = role.HeadObject(ctx, s.bucket, "before", "")
	must(t, err)

	must(t, kms.CancelKeyDeletion(ctx, s.key.KeyID))
	wantCode(t, put("disabled"), "KMS.DisabledException")
	_, err = role.GetObject(ctx, s.bucket, "before", "")
	wantCode(t, err, "KMS.DisabledException")
	must(t, kms.EnableKey(ctx, s.key.KeyID))
	must(t, put("enabled-again"))

	_, err = kms.ScheduleKeyDeletion(ctx, s.key.KeyID, 7)
	must(t, err)
	s.clk.Advance(8 * 24 * time.Hour)
	wantCode(t, put("deleted"), "KMS.NotFoundException")
	_, err = role.GetObject(ctx, s.bucket, "before", "")
	wantCode(t, err, "KMS.NotFoundException")

	// A key policy that does not name the role (and no identity grant): AccessDenied.
	k2 := newKey(t, s.a, src, keyPolicyFor())
	_, err = role.PutObject(ctx, cloud.PutObjectInput{Bucket: s.bucket, Key: "k2", Body: []byte("x"), ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k2.Arn})
	wantCode(t, err, cloud.CodeAccessDenied)
}

func TestBucketKeyChangesEncryptionContext(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	role := roleArn(memaws.SeedBackupRole)
	// Only the object-ARN form of the encryption context is allowed.
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"},
{"Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
"Condition":{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::ctx-bucket/*"},"StringEquals":{"kms:ViaService":"s3.eu-central-1.amazonaws.com"}}}]}`
	k := newKey(t, a, src, pol)
	createBucket(t, a, src, "ctx-bucket")
	must(t, a.S3(src).PutBucketPolicy(ctx, "ctx-bucket", backupBucketPolicy("ctx-bucket", k.Arn, role, false)))
	s3 := a.As(role).S3(src)
	on, off := true, false
	_, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "ctx-bucket", Key: "a", ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k.Arn, BucketKeyEnabled: &off})
	must(t, err)
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "ctx-bucket", Key: "b", ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: k.Arn, BucketKeyEnabled: &on})
	wantCode(t, err, cloud.CodeAccessDenied)
	// The bucket default turns bucket keys on for every SSE-KMS write.
	must(t, a.S3(src).PutBucketEncryption(ctx, "ctx-bucket", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: k.Arn, BucketKeyEnabled: true}))
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "ctx-bucket", Key: "c"})
	wantCode(t, err, cloud.CodeAccessDenied)
	info, err := a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "ctx-bucket", Key: "d"})
	must(t, err) // the administrator is allowed through the root statement
	if !info.BucketKeyEnabled {
		t.Fatalf("bucket default BucketKeyEnabled not applied: %+v", info)
	}
}

func TestVersionedObjectsAndDeleteMarkers(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	versionedBucket(t, a, src, "ver")
	s3 := a.S3(src)
	v1, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "ver", Key: "k", Body: []byte("one")})
	must(t, err)
	v2, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "ver", Key: "k", Body: []byte("two")})
	must(t, err)
	if v1.VersionID == v2.VersionID || len(v1.VersionID) != 32 || v1.ServerSideEncryption != cloud.SSEAES256 {
		t.Fatalf("versions %+v %+v", v1, v2)
	}
	del, err := s3.DeleteObject(ctx, "ver", "k", "")
	must(t, err)
	if !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("delete without version: %+v", del)
	}
	_, err = s3.GetObject(ctx, "ver", "k", "")
	wantCode(t, err, cloud.CodeNoSuchKey)
	_, err = s3.HeadObject(ctx, "ver", "k", "")
	wantCode(t, err, cloud.CodeNotFound)
	_, err = s3.GetObject(ctx, "ver", "k", del.VersionID)
	wantCode(t, err, "MethodNotAllowed")
	old, err := s3.GetObject(ctx, "ver", "k", v1.VersionID)
	must(t, err)
	if string(old.Body) != "one" {
		t.Fatalf("old version body %q", old.Body)
	}
	// Removing the marker brings the object back.
	out, err := s3.DeleteObject(ctx, "ver", "k", del.VersionID)
	must(t, err)
	if !out.DeleteMarker {
		t.Fatalf("deleting a marker version: %+v", out)
	}
	cur, err := s3.GetObject(ctx, "ver", "k", "")
	must(t, err)
	if string(cur.Body) != "two" {
		t.Fatalf("current body %q", cur.Body)
	}
	_, err = s3.DeleteObject(ctx, "ver", "k", v2.VersionID)
	must(t, err)
	_, err = s3.GetObject(ctx, "ver", "k", v2.VersionID)
	wantCode(t, err, "NoSuchVersion")
	cur, err = s3.GetObject(ctx, "ver", "k", "")
	must(t, err)
	if string(cur.Body) != "one" {
		t.Fatalf("after removing v2: %q", cur.Body)
	}
}

func TestUnversionedAndSuspendedBuckets(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "plain")
	s3 := a.S3(src)
	for _, body := range []string{"a", "b"} {
		info, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "plain", Key: "k", Body: []byte(body)})
		must(t, err)
		if info.VersionID != "" {
			t.Fatalf("unversioned bucket answered version %q", info.VersionID)
		}
	}
	list, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "plain"})
	must(t, err)
	if len(list.Versions) != 1 || list.Versions[0].VersionID != "null" || list.Versions[0].Size != 1 {
		t.Fatalf("overwritten null version: %+v", list)
	}
	out, err := s3.DeleteObject(ctx, "plain", "k", "")
	must(t, err)
	if out.DeleteMarker {
		t.Fatal("unversioned delete made a marker")
	}
	must(t, s3.DeleteBucket(ctx, "plain"))

	versionedBucket(t, a, src, "susp")
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "susp", Key: "k", Body: []byte("kept")})
	must(t, err)
	must(t, s3.PutBucketVersioning(ctx, "susp", cloud.VersioningSuspended))
	info, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "susp", Key: "k", Body: []byte("null-1")})
	must(t, err)
	if info.VersionID != "null" {
		t.Fatalf("suspended put version %q", info.VersionID)
	}
	_, err = s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "susp", Key: "k", Body: []byte("null-2")})
	must(t, err)
	del, err := s3.DeleteObject(ctx, "susp", "k", "")
	must(t, err)
	if !del.DeleteMarker || del.VersionID != "null" {
		t.Fatalf("suspended delete %+v", del)
	}
	list, err = s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "susp"})
	must(t, err)
	if len(list.Versions) != 1 || len(list.DeleteMarkers) != 1 || !list.DeleteMarkers[0].IsLatest || list.Versions[0].IsLatest {
		t.Fatalf("suspended listing %+v", list)
	}
}

func TestListObjectVersionsPaging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	versionedBucket(t, a, src, "many")
	s3 := a.S3(src)
	// 900 keys x 3 versions, plus a delete marker on every third key:
	// 2700 versions and 300 markers.
	for i := 0; i < 900; i++ {
		key := fmt.Sprintf("log/%05d", i)
		for v := 0; v < 3; v++ {
			_, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "many", Key: key, Body: []byte{byte(v)}})
			must(t, err)
		}
		if i%3 == 0 {
			_, err := s3.DeleteObject(ctx, "many", key, "")
			must(t, err)
		}
	}
	type entry struct{ key, id string }
	var all []entry
	seen := map[entry]bool{}
	in := cloud.ListObjectVersionsInput{Bucket: "many", MaxKeys: 1000}
	pages := 0
	latest := map[string]int{}
	for {
		out, err := s3.ListObjectVersions(ctx, in)
		must(t, err)
		pages++
		n := len(out.Versions) + len(out.DeleteMarkers)
		if n > 1000 || (out.IsTruncated && n != 1000) {
			t.Fatalf("page %d has %d entries (truncated %v)", pages, n, out.IsTruncated)
		}
		for _, v := range out.Versions {
			e := entry{v.Key, v.VersionID}
			if seen[e] {
				t.Fatalf("duplicate %v", e)
			}
			seen[e] = true
			all = append(all, e)
			if v.IsLatest {
				latest[v.Key]++
			}
		}
		for _, m := range out.DeleteMarkers {
			e := entry{m.Key, m.VersionID}
			if seen[e] {
				t.Fatalf("duplicate marker %v", e)
			}
			seen[e] = true
			if m.IsLatest {
				latest[m.Key]++
			}
		}
		if !out.IsTruncated {
			break
		}
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
	}
	if len(seen) != 3000 || pages != 3 || len(latest) != 900 {
		t.Fatalf("saw %d entries in %d pages, %d keys with a latest version", len(seen), pages, len(latest))
	}
	for k, n := range latest {
		if n != 1 {
			t.Fatalf("%s has %d latest entries", k, n)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i].key < all[i-1].key {
			t.Fatalf("versions out of key order at %d: %v after %v", i, all[i], all[i-1])
		}
	}
	// Newest first within a key: the first listed version of a key without
	// marker holds the last body written (2).
	first, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "many", Prefix: "log/00001", MaxKeys: 1})
	must(t, err)
	got, err := s3.GetObject(ctx, "many", "log/00001", first.Versions[0].VersionID)
	must(t, err)
	if !first.IsTruncated || !first.Versions[0].IsLatest || !bytes.Equal(got.Body, []byte{2}) {
		t.Fatalf("first version of log/00001: %+v body %v", first, got.Body)
	}
	info := a.Buckets()
	for _, b := range info {
		if b.Name == "many" && (b.Versions != 2700 || b.DeleteMarkers != 300) {
			t.Fatalf("inspector counts %+v", b)
		}
	}
}

func TestDeleteObjectsLimitsAndErrors(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	versionedBucket(t, a, src, "del")
	s3 := a.S3(src)
	ids := make([]cloud.ObjectIdentifier, 1001)
	for i := range ids {
		ids[i] = cloud.ObjectIdentifier{Key: fmt.Sprintf("k%d", i)}
	}
	_, err := s3.DeleteObjects(ctx, "del", ids)
	wantCode(t, err, cloud.CodeMalformedXML)
	_, err = s3.DeleteObjects(ctx, "del", nil)
	wantCode(t, err, cloud.CodeMalformedXML)

	var versions []cloud.ObjectIdentifier
	for i := 0; i < 3; i++ {
		info, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "del", Key: fmt.Sprintf("k%d", i), Body: []byte("x")})
		must(t, err)
		versions = append(versions, cloud.ObjectIdentifier{Key: fmt.Sprintf("k%d", i), VersionID: info.VersionID})
	}
	must(t, s3.PutBucketPolicy(ctx, "del", fmt.Sprintf(tlsDenyPolicy, "del")))
	// Under a conditional Deny every key fails, and the call itself is 200.
	out, err := a.Insecure().S3(src).DeleteObjects(ctx, "del", versions)
	must(t, err)
	if len(out.Errors) != 3 || len(out.Deleted) != 0 || out.Errors[0].Code != cloud.CodeAccessDenied {
		t.Fatalf("insecure DeleteObjects %+v", out)
	}
	// Keys that do not exist count as deleted.
	out, err = s3.DeleteObjects(ctx, "del", append(versions, cloud.ObjectIdentifier{Key: "never-there", VersionID: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}))
	must(t, err)
	if len(out.Deleted) != 4 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects %+v", out)
	}
	list, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "del"})
	must(t, err)
	if len(list.Versions)+len(list.DeleteMarkers) != 0 {
		t.Fatalf("left behind %+v", list)
	}
}

func TestBucketNotEmpty(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	s3 := a.S3(src)
	versionedBucket(t, a, src, "with-version")
	info, err := s3.PutObject(ctx, cloud.PutObjectInput{Bucket: "with-version", Key: "k", Body: []byte("x")})
	must(t, err)
	wantCode(t, s3.DeleteBucket(ctx, "with-version"), cloud.CodeBucketNotEmpty)
	// A delete marker alone still blocks.
	_, err = s3.DeleteObject(ctx, "with-version", "k", "")
	must(t, err)
	_, err = s3.DeleteObject(ctx, "with-version", "k", info.VersionID)
	must(t, err)
	wantCode(t, s3.DeleteBucket(ctx, "with-version"), cloud.CodeBucketNotEmpty)
	list, err := s3.ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: "with-version"})
	must(t, err)
	if len(list.DeleteMarkers) != 1 || len(list.Versions) != 0 {
		t.Fatalf("listing %+v", list)
	}
	_, err = s3.DeleteObject(ctx, "with-version", "k", list.DeleteMarkers[0].VersionID)
	must(t, err)
	must(t, s3.DeleteBucket(ctx, "with-version"))

	// An incomplete multipart upload blocks too.
	createBucket(t, a, src, "with-upload")
	id, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: "with-upload", Key: "big"})
	must(t, err)
	wantCode(t, s3.DeleteBucket(ctx, "with-upload"), cloud.CodeBucketNotEmpty)
	ups, err := s3.ListMultipartUploads(ctx, cloud.ListMultipartUploadsInput{Bucket: "with-upload"})
	must(t, err)
	if len(ups.Uploads) != 1 || ups.Uploads[0].UploadID != id {
		t.Fatalf("uploads %+v", ups)
	}
	must(t, s3.AbortMultipartUpload(ctx, "with-upload", "big", id))
	wantCode(t, s3.AbortMultipartUpload(ctx, "with-upload", "big", id), cloud.CodeNoSuchUpload)
	must(t, s3.DeleteBucket(ctx, "with-upload"))
}

func TestMultipartUnderStrictAndLenientPolicies(t *testing.T) {
	big := bytes.Repeat([]byte("p"), 5<<20)
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprintf("strict=%v", strict), func(t *testing.T) {
			s := newBackupSetup(t, strict)
			role := s.asRole()
			id, err := role.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: s.bucket, Key: "data.bak",
				ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: s.key.Arn})
			must(t, err)
			e1, err := role.UploadPart(ctx, cloud.UploadPartInput{Bucket: s.bucket, Key: "data.bak", UploadID: id, PartNumber: 1, Body: big})
			if strict {
				// UploadPart carries no SSE header: the Null deny rejects it.
				wantCode(t, err, cloud.CodeAccessDenied)
				must(t, role.AbortMultipartUpload(ctx, s.bucket, "data.bak", id))
				return
			}
			must(t, err)
			e2, err := role.UploadPart(ctx, cloud.UploadPartInput{Bucket: s.bucket, Key: "data.bak", UploadID: id, PartNumber: 2, Body: []byte("tail")})
			must(t, err)
			_, err = role.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: s.bucket, Key: "data.bak", UploadID: id,
				Parts: []cloud.CompletedPart{{PartNumber: 2, ETag: e2}, {PartNumber: 1, ETag: e1}}})
			wantCode(t, err, "InvalidPartOrder")
			_, err = role.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: s.bucket, Key: "data.bak", UploadID: id,
				Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: `"0000"`}, {PartNumber: 2, ETag: e2}}})
			wantCode(t, err, "InvalidPart")
			info, err := role.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: s.bucket, Key: "data.bak", UploadID: id,
				Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: e1}, {PartNumber: 2, ETag: e2}}})
			must(t, err)
			if info.ContentLength != int64(len(big)+4) || info.SSEKMSKeyID != s.key.Arn || info.VersionID == "" {
				t.Fatalf("completed %+v", info)
			}
			_, err = role.UploadPart(ctx, cloud.UploadPartInput{Bucket: s.bucket, Key: "data.bak", UploadID: id, PartNumber: 3, Body: []byte("late")})
			wantCode(t, err, cloud.CodeNoSuchUpload)

			// Parts other than the last must be at least 5 MiB.
			id, err = role.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: s.bucket, Key: "small.bak"})
			must(t, err)
			p1, err := role.UploadPart(ctx, cloud.UploadPartInput{Bucket: s.bucket, Key: "small.bak", UploadID: id, PartNumber: 1, Body: []byte("a")})
			must(t, err)
			p2, err := role.UploadPart(ctx, cloud.UploadPartInput{Bucket: s.bucket, Key: "small.bak", UploadID: id, PartNumber: 2, Body: []byte("b")})
			must(t, err)
			_, err = role.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: s.bucket, Key: "small.bak", UploadID: id,
				Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: p1}, {PartNumber: 2, ETag: p2}}})
			wantCode(t, err, "EntityTooSmall")
		})
	}
}

func TestMissingKeyNeedsListBucket(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "reads")
	getOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reads/*"}]}`
	must(t, a.IAM().PutRolePolicy(ctx, memaws.SeedAppServerRole, "get", getOnly))
	view := a.As(roleArn(memaws.SeedAppServerRole)).S3(src)
	_, err := view.GetObject(ctx, "reads", "missing", "")
	wantCode(t, err, cloud.CodeAccessDenied)
	_, err = view.HeadObject(ctx, "reads", "missing", "")
	wantCode(t, err, cloud.CodeForbidden)
	withList := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::reads"}]}`
	must(t, a.IAM().PutRolePolicy(ctx, memaws.SeedAppServerRole, "list", withList))
	_, err = view.GetObject(ctx, "reads", "missing", "")
	wantCode(t, err, cloud.CodeNoSuchKey)
	_, err = view.HeadObject(ctx, "reads", "missing", "")
	wantCode(t, err, cloud.CodeNotFound)
	// An identity Deny wins over the admin-free bucket.
	must(t, a.IAM().PutRolePolicy(ctx, memaws.SeedAppServerRole, "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`))
	_, err = view.GetObject(ctx, "reads", "missing", "")
	wantMessage(t, err, cloud.CodeAccessDenied, "identity-based policy")
}

func TestSSECObjectsNeedTheirKey(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "ssec")
	_, err := a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "ssec", Key: "k", Body: []byte("x"), SSECustomerAlgorithm: "AES256"})
	must(t, err)
	_, err = a.S3(src).GetObject(ctx, "ssec", "k", "")
	wantCode(t, err, cloud.CodeInvalidRequest)
	_, err = a.Insecure().S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "ssec", Key: "k", Body: []byte("x"), SSECustomerAlgorithm: "AES256"})
	wantCode(t, err, cloud.CodeInvalidRequest)
	_, err = a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "ssec", Key: "k2", SSEKMSKeyID: "alias/x"})
	wantCode(t, err, cloud.CodeInvalidArgument)
	_, err = a.S3(src).PutObject(ctx, cloud.PutObjectInput{Bucket: "ssec", Key: strings.Repeat("k", 1025)})
	wantCode(t, err, "KeyTooLongError")
}

func TestListMultipartUploadsPaging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "uploads")
	s3 := a.S3(src)
	want := map[string]bool{}
	for i := 0; i < 1203; i++ {
		id, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: "uploads", Key: fmt.Sprintf("k%03d", i%400)})
		must(t, err)
		want[id] = true
	}
	in := cloud.ListMultipartUploadsInput{Bucket: "uploads"}
	seen := map[string]bool{}
	pages := 0
	for {
		out, err := s3.ListMultipartUploads(ctx, in)
		must(t, err)
		pages++
		for _, u := range out.Uploads {
			if seen[u.UploadID] || !want[u.UploadID] {
				t.Fatalf("unexpected or repeated upload %s", u.UploadID)
			}
			seen[u.UploadID] = true
		}
		if !out.IsTruncated {
			break
		}
		in.KeyMarker, in.UploadIDMarker = out.NextKeyMarker, out.NextUploadIDMarker
	}
	if len(seen) != len(want) || pages != 2 {
		t.Fatalf("saw %d of %d uploads in %d pages", len(seen), len(want), pages)
	}
}
