package awsapi_test

// Conformance tests against moto_server: they prove that the adapter speaks
// the real AWS wire formats (the requests go through the SDK's serializers
// and signers to an independent emulator) and that AWS-side validation errors
// come back as *cloud.Error with the right codes. moto's documented gaps
// (/work/shared/docs/moto-notes.md) are named where a field is not asserted;
// the adapter is never bent to them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hanavault/hanavault/internal/awsapi"
	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const (
	euc1 = "eu-central-1"
	euw1 = "eu-west-1"
	use1 = "us-east-1"
)

// setup gives a test an account on the shared moto server and a namer for
// its resources. The server is not reset between tests (a reset makes moto
// reload every AWS-managed IAM policy, about a second each time); the names
// are unique instead, also across -count=N runs.
func setup(t *testing.T) (context.Context, *awsapi.Account, func(string) string) {
	t.Helper()
	s := moto.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	prefix := fmt.Sprintf("hv%d-", testSeq.Add(1))
	return ctx, moto.Account(t, s), func(base string) string { return prefix + base }
}

// testSeq numbers the tests that ran in this process.
var testSeq atomic.Int64

// wantCode fails t unless err is a *cloud.Error with code and the given
// service, operation and HTTP status class.
func wantCode(t *testing.T, err error, op, code string) *cloud.Error {
	t.Helper()
	var ce *cloud.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%s: want *cloud.Error %s, got %T %v", op, code, err, err)
	}
	if ce.Code != code || ce.Op != op {
		t.Fatalf("%s: want code %s, got %s:%s (%v)", op, code, ce.Op, ce.Code, err)
	}
	if ce.HTTPStatus < 400 || ce.HTTPStatus > 599 {
		t.Errorf("%s: HTTPStatus = %d, want a 4xx/5xx status", op, ce.HTTPStatus)
	}
	return ce
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func createBucket(t *testing.T, ctx context.Context, a *awsapi.Account, region, bucket string) {
	t.Helper()
	lc := region
	if region == use1 {
		lc = ""
	}
	must(t, a.S3(region).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: bucket, LocationConstraint: lc}))
}

func TestMotoCreateBucketLocationRules(t *testing.T) {
	ctx, a, n := setup(t)

	err := a.S3(use1).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n("use1-constraint"), LocationConstraint: use1})
	ce := wantCode(t, err, "CreateBucket", cloud.CodeInvalidLocationConstraint)
	if ce.Service != "s3" || ce.Resource != n("use1-constraint") {
		t.Errorf("error names %s/%s, want s3/hv-use1-constraint", ce.Service, ce.Resource)
	}

	err = a.S3(euw1).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n("euw1-none")})
	wantCode(t, err, "CreateBucket", cloud.CodeIllegalLocationConstraint)

	// A constraint naming another region than the endpoint is refused too.
	err = a.S3(euw1).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n("euw1-mismatch"), LocationConstraint: euc1})
	wantCode(t, err, "CreateBucket", cloud.CodeIllegalLocationConstraint)

	createBucket(t, ctx, a, euc1, n("twice"))
	err = a.S3(euc1).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n("twice"), LocationConstraint: euc1})
	wantCode(t, err, "CreateBucket", cloud.CodeBucketAlreadyOwnedByYou)

	createBucket(t, ctx, a, use1, n("use1"))
	createBucket(t, ctx, a, euw1, n("euw1"))
	for bucket, want := range map[string]string{n("use1"): "", n("euw1"): euw1, n("twice"): euc1} {
		got, err := a.S3(euc1).GetBucketLocation(ctx, bucket)
		must(t, err)
		if got != want {
			t.Errorf("GetBucketLocation(%s) = %q, want %q", bucket, got, want)
		}
	}

	// HeadBucket: region header for a bucket, NotFound for none.
	hb, err := a.S3(euw1).HeadBucket(ctx, n("euw1"))
	must(t, err)
	if hb.BucketRegion != euw1 {
		t.Errorf("HeadBucket region = %q, want %s", hb.BucketRegion, euw1)
	}
	_, err = a.S3(euc1).HeadBucket(ctx, n("no-such-bucket"))
	if ce := wantCode(t, err, "HeadBucket", cloud.CodeNotFound); ce.HTTPStatus != 404 {
		t.Errorf("HeadBucket status = %d, want 404", ce.HTTPStatus)
	}

	buckets, err := a.S3(euc1).ListBuckets(ctx)
	must(t, err)
	var names []string
	for _, b := range buckets {
		if strings.HasPrefix(b.Name, n("")) { // other tests' buckets live on the shared server
			names = append(names, b.Name)
		}
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{n("euw1"), n("twice"), n("use1")}, names); diff != "" {
		t.Errorf("ListBuckets names (-want +got):\n%s", diff)
	}
}

func TestMotoObjectOwnershipOnCreate(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	must(t, s3c.CreateBucket(ctx, cloud.CreateBucketInput{Bucket: n("owned"), LocationConstraint: euc1, ObjectOwnership: "BucketOwnerEnforced"}))
	got, err := s3c.GetBucketOwnershipControls(ctx, n("owned"))
	must(t, err)
	if got != "BucketOwnerEnforced" {
		t.Errorf("ownership = %q, want BucketOwnerEnforced", got)
	}
	must(t, s3c.PutBucketOwnershipControls(ctx, n("owned"), "BucketOwnerPreferred"))
	got, err = s3c.GetBucketOwnershipControls(ctx, n("owned"))
	must(t, err)
	if got != "BucketOwnerPreferred" {
		t.Errorf("ownership = %q, want BucketOwnerPreferred", got)
	}
	must(t, s3c.DeleteBucketOwnershipControls(ctx, n("owned")))
	_, err = s3c.GetBucketOwnershipControls(ctx, n("owned"))
	wantCode(t, err, "GetBucketOwnershipControls", cloud.CodeNoSuchOwnershipControls)
}

func TestMotoMissingConfigurationCodes(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	createBucket(t, ctx, a, euc1, n("bare"))
	b := n("bare")

	v, err := s3c.GetBucketVersioning(ctx, b)
	must(t, err)
	if v != "" {
		t.Errorf("never-versioned bucket: versioning = %q, want \"\"", v)
	}
	logging, err := s3c.GetBucketLogging(ctx, b)
	must(t, err)
	if logging != nil {
		t.Errorf("logging off: got %+v, want nil", logging)
	}

	checks := []struct {
		op   string
		code string
		call func() error
	}{
		{"GetBucketPolicy", cloud.CodeNoSuchBucketPolicy, func() error { _, err := s3c.GetBucketPolicy(ctx, b); return err }},
		{"GetBucketEncryption", cloud.CodeNoSuchEncryption, func() error { _, err := s3c.GetBucketEncryption(ctx, b); return err }},
		{"GetBucketLifecycleConfiguration", cloud.CodeNoSuchLifecycle, func() error { _, err := s3c.GetBucketLifecycleConfiguration(ctx, b); return err }},
		{"GetBucketReplication", cloud.CodeNoSuchReplication, func() error { _, err := s3c.GetBucketReplication(ctx, b); return err }},
		{"GetBucketTagging", cloud.CodeNoSuchTagSet, func() error { _, err := s3c.GetBucketTagging(ctx, b); return err }},
		{"GetBucketOwnershipControls", cloud.CodeNoSuchOwnershipControls, func() error { _, err := s3c.GetBucketOwnershipControls(ctx, b); return err }},
		{"GetPublicAccessBlock", cloud.CodeNoSuchPublicAccessBlock, func() error { _, err := s3c.GetPublicAccessBlock(ctx, b); return err }},
		{"GetBucketVersioning", cloud.CodeNoSuchBucket, func() error { _, err := s3c.GetBucketVersioning(ctx, n("missing")); return err }},
	}
	for _, c := range checks {
		wantCode(t, c.call(), c.op, c.code)
	}
}

func TestMotoBucketSettingsRoundTrip(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	b := n("settings")
	createBucket(t, ctx, a, euc1, b)

	must(t, s3c.PutBucketVersioning(ctx, b, cloud.VersioningEnabled))
	v, err := s3c.GetBucketVersioning(ctx, b)
	must(t, err)
	if v != cloud.VersioningEnabled {
		t.Errorf("versioning = %q, want Enabled", v)
	}

	key, err := a.KMS(euc1).CreateKey(ctx, cloud.CreateKeyInput{Description: "bucket key"})
	must(t, err)
	wantEnc := cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: key.Arn, BucketKeyEnabled: true}
	must(t, s3c.PutBucketEncryption(ctx, b, wantEnc))
	enc, err := s3c.GetBucketEncryption(ctx, b)
	must(t, err)
	if diff := cmp.Diff(wantEnc, enc); diff != "" {
		t.Errorf("encryption (-want +got):\n%s", diff)
	}
	must(t, s3c.DeleteBucketEncryption(ctx, b))
	_, err = s3c.GetBucketEncryption(ctx, b)
	wantCode(t, err, "GetBucketEncryption", cloud.CodeNoSuchEncryption)

	wantPAB := cloud.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false}
	must(t, s3c.PutPublicAccessBlock(ctx, b, wantPAB))
	pab, err := s3c.GetPublicAccessBlock(ctx, b)
	must(t, err)
	if pab != wantPAB {
		t.Errorf("public access block = %+v, want %+v", pab, wantPAB)
	}

	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, b)
	must(t, s3c.PutBucketPolicy(ctx, b, policy))
	got, err := s3c.GetBucketPolicy(ctx, b)
	must(t, err)
	assertSameJSON(t, policy, got)
	must(t, s3c.DeleteBucketPolicy(ctx, b))
	_, err = s3c.GetBucketPolicy(ctx, b)
	wantCode(t, err, "GetBucketPolicy", cloud.CodeNoSuchBucketPolicy)

	tags := []cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}, {Key: "owner", Value: ""}}
	must(t, s3c.PutBucketTagging(ctx, b, tags))
	gotTags, err := s3c.GetBucketTagging(ctx, b)
	must(t, err)
	if diff := cmp.Diff(tags, gotTags, sortTags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	must(t, s3c.DeleteBucketTagging(ctx, b))
	_, err = s3c.GetBucketTagging(ctx, b)
	wantCode(t, err, "GetBucketTagging", cloud.CodeNoSuchTagSet)

	err = s3c.PutBucketTagging(ctx, b, []cloud.Tag{{Key: "aws:cloudformation:stack-name", Value: "x"}})
	wantCode(t, err, "PutBucketTagging", cloud.CodeInvalidTag)
}

var sortTags = cmp.Transformer("sortTags", func(in []cloud.Tag) []cloud.Tag {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b cloud.Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
})

func assertSameJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON differs (-want +got):\n%s", diff)
	}
}

func TestMotoLifecycleRoundTripWithEmptyFilter(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	b := n("lifecycle")
	createBucket(t, ctx, a, euc1, b)
	must(t, s3c.PutBucketVersioning(ctx, b, cloud.VersioningEnabled))

	want := cloud.LifecycleConfiguration{
		// "" leaves the service default, which Get then reports. (moto gap:
		// moto ignores the x-amz-transition-default-minimum-object-size
		// header and always answers all_storage_classes_128K, so
		// varies_by_storage_class cannot be round-tripped here; the unit
		// tests check that the adapter sends it.)
		TransitionDefaultMinimumObjectSize: "",
		Rules: []cloud.LifecycleRule{
			{
				ID:                                 "hanavault-backups",
				Status:                             "Enabled",
				Transitions:                        []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}},
				ExpirationDays:                     372,
				NoncurrentVersionExpirationDays:    30,
				AbortIncompleteMultipartUploadDays: 7,
			},
			{
				ID:                        "hanavault-delete-markers",
				Status:                    "Enabled",
				ExpiredObjectDeleteMarker: true,
			},
			{
				ID:                           "hanavault-prefixed",
				Status:                       "Disabled",
				Prefix:                       "log/",
				NoncurrentVersionTransitions: []cloud.Transition{{Days: 30, StorageClass: "STANDARD_IA"}},
			},
		},
	}
	must(t, s3c.PutBucketLifecycleConfiguration(ctx, b, want))
	got, err := s3c.GetBucketLifecycleConfiguration(ctx, b)
	must(t, err)
	want.TransitionDefaultMinimumObjectSize = "all_storage_classes_128K"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lifecycle round trip (-want +got):\n%s", diff)
	}

	// Get → Put of what was read must be accepted as is (the pitfall of
	// SDKs that read <Filter/> as nil).
	must(t, s3c.PutBucketLifecycleConfiguration(ctx, b, got))
	must(t, s3c.DeleteBucketLifecycle(ctx, b))
	_, err = s3c.GetBucketLifecycleConfiguration(ctx, b)
	wantCode(t, err, "GetBucketLifecycleConfiguration", cloud.CodeNoSuchLifecycle)
}

func TestMotoReplication(t *testing.T) {
	ctx, a, n := setup(t)
	src, dst := n("repl-src"), n("repl-dst")
	createBucket(t, ctx, a, euc1, src)
	createBucket(t, ctx, a, euw1, dst)
	replicaKey, err := a.KMS(euw1).CreateKey(ctx, cloud.CreateKeyInput{Description: "replica"})
	must(t, err)

	want := cloud.ReplicationConfiguration{
		Role: "arn:aws:iam::123456789012:role/hanavault-replication",
		Rules: []cloud.ReplicationRule{{
			ID:                      "hanavault",
			Priority:                1,
			Status:                  "Enabled",
			DeleteMarkerReplication: true,
			SseKmsEncryptedObjects:  true,
			DestinationBucket:       cloud.BucketARN("aws", dst),
			ReplicaKmsKeyID:         replicaKey.Arn,
			StorageClass:            "STANDARD_IA",
			ReplicationTime:         true,
			Metrics:                 true,
		}},
	}

	err = a.S3(euc1).PutBucketReplication(ctx, src, want)
	ce := wantCode(t, err, "PutBucketReplication", cloud.CodeInvalidRequest)
	if !strings.Contains(strings.ToLower(ce.Message), "versioning") {
		t.Errorf("InvalidRequest message %q does not mention versioning", ce.Message)
	}

	must(t, a.S3(euc1).PutBucketVersioning(ctx, src, cloud.VersioningEnabled))
	must(t, a.S3(euw1).PutBucketVersioning(ctx, dst, cloud.VersioningEnabled))
	must(t, a.S3(euc1).PutBucketReplication(ctx, src, want))

	got, err := a.S3(euc1).GetBucketReplication(ctx, src)
	must(t, err)
	// moto gaps (moto-notes.md): GetBucketReplication drops
	// SourceSelectionCriteria and always reports DeleteMarkerReplication
	// Disabled, so those two fields are not compared here; the unit tests
	// check that the adapter sends and reads them.
	ignoreGaps := cmpopts.IgnoreFields(cloud.ReplicationRule{}, "SseKmsEncryptedObjects", "DeleteMarkerReplication")
	if diff := cmp.Diff(want, got, ignoreGaps); diff != "" {
		t.Errorf("replication round trip (-want +got):\n%s", diff)
	}

	must(t, a.S3(euc1).DeleteBucketReplication(ctx, src))
	_, err = a.S3(euc1).GetBucketReplication(ctx, src)
	wantCode(t, err, "GetBucketReplication", cloud.CodeNoSuchReplication)
}

// loggingTargetPolicy lets S3 log delivery write into target, in the shape
// moto's permission check accepts (single-string service principal and
// resource).
func loggingTargetPolicy(target, source string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow",`+
		`"Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/*",`+
		`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::%s"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, target, source)
}

func TestMotoLogging(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	src, logs, farLogs := n("log-src"), n("log-target"), n("log-far")
	createBucket(t, ctx, a, euc1, src)
	createBucket(t, ctx, a, euc1, logs)
	createBucket(t, ctx, a, euw1, farLogs)
	must(t, s3c.PutBucketPolicy(ctx, logs, loggingTargetPolicy(logs, src)))
	must(t, a.S3(euw1).PutBucketPolicy(ctx, farLogs, loggingTargetPolicy(farLogs, src)))

	err := s3c.PutBucketLogging(ctx, src, &cloud.LoggingEnabled{TargetBucket: farLogs, TargetPrefix: "s3/"})
	wantCode(t, err, "PutBucketLogging", cloud.CodeCrossLocationLogging)

	err = s3c.PutBucketLogging(ctx, src, &cloud.LoggingEnabled{TargetBucket: n("log-missing"), TargetPrefix: "s3/"})
	wantCode(t, err, "PutBucketLogging", cloud.CodeInvalidTargetBucketLogging)

	want := &cloud.LoggingEnabled{TargetBucket: logs, TargetPrefix: "s3/" + src + "/", PartitionedPrefix: true, PartitionDateSource: "EventTime"}
	must(t, s3c.PutBucketLogging(ctx, src, want))
	got, err := s3c.GetBucketLogging(ctx, src)
	must(t, err)
	// moto gap: moto accepts but does not store TargetObjectKeyFormat, so
	// PartitionedPrefix and PartitionDateSource come back empty; the unit
	// tests check that the adapter sends and reads them.
	ignorePartitioning := cmpopts.IgnoreFields(cloud.LoggingEnabled{}, "PartitionedPrefix", "PartitionDateSource")
	if diff := cmp.Diff(want, got, ignorePartitioning); diff != "" {
		t.Errorf("logging round trip (-want +got):\n%s", diff)
	}

	must(t, s3c.PutBucketLogging(ctx, src, nil))
	got, err = s3c.GetBucketLogging(ctx, src)
	must(t, err)
	if got != nil {
		t.Errorf("after switching logging off: %+v, want nil", got)
	}
}

func TestMotoEmptyAndDeleteVersionedBucket(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	b := n("versions")
	createBucket(t, ctx, a, euc1, b)
	must(t, s3c.PutBucketVersioning(ctx, b, cloud.VersioningEnabled))

	// Three keys, "a" with two versions, "b" deleted (a delete marker on top).
	var versions []string
	for _, k := range []string{"a", "a", "b", "c"} {
		info, err := s3c.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: k, Body: []byte("data-" + k)})
		must(t, err)
		if info.VersionID == "" {
			t.Fatalf("PutObject %s: no version ID in a versioned bucket", k)
		}
		versions = append(versions, info.VersionID)
	}
	del, err := s3c.DeleteObject(ctx, b, "b", "")
	must(t, err)
	if !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("DeleteObject without version: %+v, want a delete marker with a version ID", del)
	}

	err = s3c.DeleteBucket(ctx, b)
	wantCode(t, err, "DeleteBucket", cloud.CodeBucketNotEmpty)

	// Page with MaxKeys=2 and collect versions and markers.
	var all []cloud.ObjectIdentifier
	var markers []cloud.DeleteMarkerEntry
	pages := 0
	in := cloud.ListObjectVersionsInput{Bucket: b, MaxKeys: 2}
	for {
		out, err := s3c.ListObjectVersions(ctx, in)
		must(t, err)
		pages++
		if n := len(out.Versions) + len(out.DeleteMarkers); n > 2 {
			t.Errorf("page %d has %d entries, MaxKeys was 2", pages, n)
		}
		for _, v := range out.Versions {
			all = append(all, cloud.ObjectIdentifier{Key: v.Key, VersionID: v.VersionID})
			if v.Size != int64(len("data-"+v.Key)) {
				t.Errorf("version %s/%s size %d", v.Key, v.VersionID, v.Size)
			}
		}
		for _, m := range out.DeleteMarkers {
			all = append(all, cloud.ObjectIdentifier{Key: m.Key, VersionID: m.VersionID})
			markers = append(markers, m)
		}
		if !out.IsTruncated {
			break
		}
		if out.NextKeyMarker == "" {
			t.Fatal("truncated page without NextKeyMarker")
		}
		in.KeyMarker, in.VersionIDMarker = out.NextKeyMarker, out.NextVersionIDMarker
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if pages < 2 {
		t.Errorf("5 entries with MaxKeys=2 came in %d page(s)", pages)
	}
	if len(all) != 5 {
		t.Fatalf("collected %d versions+markers, want 5: %+v", len(all), all)
	}
	if len(markers) != 1 || markers[0].Key != "b" || markers[0].VersionID != del.VersionID || !markers[0].IsLatest {
		t.Errorf("delete markers = %+v, want the latest marker on b (%s)", markers, del.VersionID)
	}
	for _, v := range versions {
		if !slices.ContainsFunc(all, func(o cloud.ObjectIdentifier) bool { return o.VersionID == v }) {
			t.Errorf("version %s missing from the listing", v)
		}
	}

	res, err := s3c.DeleteObjects(ctx, b, all)
	must(t, err)
	if len(res.Errors) != 0 {
		t.Errorf("DeleteObjects errors: %+v", res.Errors)
	}
	if diff := cmp.Diff(all, res.Deleted, cmp.Transformer("sort", sortIDs)); diff != "" {
		t.Errorf("DeleteObjects deleted (-want +got):\n%s", diff)
	}
	must(t, s3c.DeleteBucket(ctx, b))
	_, err = s3c.HeadBucket(ctx, b)
	wantCode(t, err, "HeadBucket", cloud.CodeNotFound)
}

func sortIDs(in []cloud.ObjectIdentifier) []cloud.ObjectIdentifier {
	out := slices.Clone(in)
	slices.SortFunc(out, func(a, b cloud.ObjectIdentifier) int {
		return strings.Compare(a.Key+"\x00"+a.VersionID, b.Key+"\x00"+b.VersionID)
	})
	return out
}

func TestMotoDeleteObjectsReportsPerKeyErrors(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	b := n("deny-delete")
	createBucket(t, ctx, a, euc1, b)
	must(t, s3c.PutBucketVersioning(ctx, b, cloud.VersioningEnabled))
	info, err := s3c.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: "k", Body: []byte("x")})
	must(t, err)
	// moto treats a conditional Deny as unconditional for object requests
	// (moto-notes.md); here that is used on purpose to get per-key errors
	// in an HTTP 200 answer, which AWS gives e.g. when a policy denies
	// s3:DeleteObjectVersion.
	must(t, s3c.PutBucketPolicy(ctx, b, fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::%s/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, b)))
	res, err := s3c.DeleteObjects(ctx, b, []cloud.ObjectIdentifier{{Key: "k", VersionID: info.VersionID}})
	must(t, err)
	if len(res.Errors) != 1 || res.Errors[0].Key != "k" || res.Errors[0].Code != cloud.CodeAccessDenied {
		t.Fatalf("DeleteObjects under a deny policy: %+v, want one AccessDenied error for k", res)
	}
	if len(res.Deleted) != 0 {
		t.Errorf("Deleted = %+v, want none", res.Deleted)
	}
}

func TestMotoObjectsAndMultipart(t *testing.T) {
	ctx, a, n := setup(t)
	s3c := a.S3(euc1)
	b := n("objects")
	createBucket(t, ctx, a, euc1, b)
	must(t, s3c.PutBucketVersioning(ctx, b, cloud.VersioningEnabled))
	key, err := a.KMS(euc1).CreateKey(ctx, cloud.CreateKeyInput{Description: "objects"})
	must(t, err)

	put, err := s3c.PutObject(ctx, cloud.PutObjectInput{Bucket: b, Key: "backup/1", Body: []byte("payload"),
		ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: key.Arn})
	must(t, err)
	if put.ServerSideEncryption != cloud.SSEKMS || put.SSEKMSKeyID != key.Arn {
		t.Errorf("PutObject encryption = %s/%s, want aws:kms/%s", put.ServerSideEncryption, put.SSEKMSKeyID, key.Arn)
	}
	head, err := s3c.HeadObject(ctx, b, "backup/1", put.VersionID)
	must(t, err)
	if head.ContentLength != 7 || head.VersionID != put.VersionID || head.SSEKMSKeyID != key.Arn || head.StorageClass != "STANDARD" {
		t.Errorf("HeadObject = %+v", head)
	}
	// moto gap: no replication happens and HeadObject carries no
	// ReplicationStatus, so it is not asserted here.
	got, err := s3c.GetObject(ctx, b, "backup/1", "")
	must(t, err)
	if string(got.Body) != "payload" || got.VersionID != put.VersionID {
		t.Errorf("GetObject = %q version %s", got.Body, got.VersionID)
	}
	_, err = s3c.HeadObject(ctx, b, "backup/none", "")
	wantCode(t, err, "HeadObject", cloud.CodeNotFound)
	_, err = s3c.GetObject(ctx, b, "backup/none", "")
	wantCode(t, err, "GetObject", cloud.CodeNoSuchKey)

	id, err := s3c.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: b, Key: "big", ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: key.Arn})
	must(t, err)
	etag, err := s3c.UploadPart(ctx, cloud.UploadPartInput{Bucket: b, Key: "big", UploadID: id, PartNumber: 1, Body: []byte("part-one")})
	must(t, err)
	if etag == "" {
		t.Fatal("UploadPart returned no ETag")
	}
	done, err := s3c.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: b, Key: "big", UploadID: id,
		Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: etag}}})
	must(t, err)
	if done.VersionID == "" {
		t.Error("CompleteMultipartUpload returned no version ID")
	}
	big, err := s3c.GetObject(ctx, b, "big", "")
	must(t, err)
	if string(big.Body) != "part-one" {
		t.Errorf("multipart object = %q", big.Body)
	}

	pending, err := s3c.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: b, Key: "dangling"})
	must(t, err)
	ups, err := s3c.ListMultipartUploads(ctx, cloud.ListMultipartUploadsInput{Bucket: b})
	must(t, err)
	if len(ups.Uploads) != 1 || ups.Uploads[0].Key != "dangling" || ups.Uploads[0].UploadID != pending {
		t.Fatalf("ListMultipartUploads = %+v, want the dangling upload %s", ups, pending)
	}
	must(t, s3c.AbortMultipartUpload(ctx, b, "dangling", pending))
	ups, err = s3c.ListMultipartUploads(ctx, cloud.ListMultipartUploadsInput{Bucket: b})
	must(t, err)
	if len(ups.Uploads) != 0 {
		t.Errorf("after abort: %+v", ups.Uploads)
	}
}

func TestMotoKMSAliasesPerRegion(t *testing.T) {
	ctx, a, n := setup(t)
	k1, err := a.KMS(euc1).CreateKey(ctx, cloud.CreateKeyInput{Description: "source", Tags: []cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}}})
	must(t, err)
	k2, err := a.KMS(euw1).CreateKey(ctx, cloud.CreateKeyInput{Description: "replica"})
	must(t, err)
	if !strings.Contains(k1.Arn, ":"+euc1+":") || !strings.Contains(k2.Arn, ":"+euw1+":") {
		t.Fatalf("key ARNs not regional: %s %s", k1.Arn, k2.Arn)
	}
	alias := "alias/" + n("PRD")
	must(t, a.KMS(euc1).CreateAlias(ctx, alias, k1.KeyID))
	must(t, a.KMS(euw1).CreateAlias(ctx, alias, k2.KeyID))

	err = a.KMS(euc1).CreateAlias(ctx, alias, k1.KeyID)
	wantCode(t, err, "CreateAlias", cloud.CodeAlreadyExistsException)

	byAlias, err := a.KMS(euw1).DescribeKey(ctx, alias)
	must(t, err)
	if byAlias.KeyID != k2.KeyID {
		t.Errorf("alias in %s resolves to %s, want %s", euw1, byAlias.KeyID, k2.KeyID)
	}

	must(t, a.KMS(euc1).DeleteAlias(ctx, alias))
	if names := aliasNames(t, ctx, a.KMS(euc1), ""); slices.Contains(names, alias) {
		t.Errorf("%s still lists %s after DeleteAlias", euc1, alias)
	}
	if names := aliasNames(t, ctx, a.KMS(euw1), k2.KeyID); !slices.Equal(names, []string{alias}) {
		t.Errorf("%s aliases of the replica key = %v, want [%s]", euw1, names, alias)
	}
	// The key outlives its alias.
	meta, err := a.KMS(euc1).DescribeKey(ctx, k1.Arn)
	must(t, err)
	if meta.KeyState != "Enabled" || meta.KeyManager != "CUSTOMER" {
		t.Errorf("key after alias deletion: %+v", meta)
	}

	for _, bad := range []string{"hanavault/PRD", "alias/has space"} {
		err := a.KMS(euc1).CreateAlias(ctx, bad, k1.KeyID)
		wantCode(t, err, "CreateAlias", cloud.CodeValidationException)
	}

	err = a.KMS(euc1).UpdateAlias(ctx, alias, k1.KeyID)
	wantCode(t, err, "UpdateAlias", cloud.CodeNotFoundException)
	k3, err := a.KMS(euc1).CreateKey(ctx, cloud.CreateKeyInput{Description: "successor"})
	must(t, err)
	must(t, a.KMS(euc1).CreateAlias(ctx, alias, k1.KeyID))
	must(t, a.KMS(euc1).UpdateAlias(ctx, alias, k3.KeyID))
	if names := aliasNames(t, ctx, a.KMS(euc1), k3.KeyID); !slices.Equal(names, []string{alias}) {
		t.Errorf("after UpdateAlias the successor key has aliases %v", names)
	}
}

// aliasNames lists all alias names (of keyID, when set), following pages.
func aliasNames(t *testing.T, ctx context.Context, k cloud.KMS, keyID string) []string {
	t.Helper()
	var names []string
	marker := ""
	for {
		out, err := k.ListAliases(ctx, keyID, marker)
		must(t, err)
		for _, al := range out.Aliases {
			names = append(names, al.AliasName)
		}
		if !out.Truncated {
			return names
		}
		marker = out.NextMarker
	}
}

func TestMotoKMSKeyLifecycle(t *testing.T) {
	ctx, a, n := setup(t)
	k := a.KMS(euc1)
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"EnableIAM","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`
	key, err := k.CreateKey(ctx, cloud.CreateKeyInput{Description: "hanavault PRD", Policy: policy,
		Tags: []cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}}})
	must(t, err)
	if key.KeyID == "" || key.Arn != cloud.KeyARN("aws", euc1, "123456789012", key.KeyID) || !key.Enabled {
		t.Fatalf("CreateKey = %+v", key)
	}
	got, err := k.GetKeyPolicy(ctx, key.KeyID)
	must(t, err)
	assertSameJSON(t, policy, got)
	policy2 := strings.Replace(policy, "EnableIAM", "EnableIAMPolicies", 1)
	must(t, k.PutKeyPolicy(ctx, key.Arn, policy2))
	got, err = k.GetKeyPolicy(ctx, key.KeyID)
	must(t, err)
	assertSameJSON(t, policy2, got)

	on, err := k.GetKeyRotationStatus(ctx, key.KeyID)
	must(t, err)
	if on {
		t.Error("rotation on for a new key")
	}
	must(t, k.EnableKeyRotation(ctx, key.KeyID))
	if on, err = k.GetKeyRotationStatus(ctx, key.KeyID); err != nil || !on {
		t.Errorf("rotation after enable = %v, %v", on, err)
	}
	must(t, k.DisableKeyRotation(ctx, key.KeyID))
	if on, err = k.GetKeyRotationStatus(ctx, key.KeyID); err != nil || on {
		t.Errorf("rotation after disable = %v, %v", on, err)
	}

	must(t, k.TagResource(ctx, key.KeyID, []cloud.Tag{{Key: "hanavault:role", Value: "source"}}))
	tags, err := k.ListResourceTags(ctx, key.KeyID)
	must(t, err)
	if diff := cmp.Diff([]cloud.Tag{{Key: "hanavault:role", Value: "source"}, {Key: "hanavault:sid", Value: "PRD"}}, tags, sortTags); diff != "" {
		t.Errorf("key tags (-want +got):\n%s", diff)
	}

	list, err := k.ListKeys(ctx, "")
	must(t, err)
	if !slices.Contains(list.Keys, cloud.KeyListEntry{KeyID: key.KeyID, KeyArn: key.Arn}) {
		t.Errorf("ListKeys lacks %s: %+v", key.KeyID, list)
	}

	// ScheduleKeyDeletion with the key ID (moto 5.2.1 answers 500 for the
	// key ARN; AWS accepts both, and hanavault passes the ID everywhere).
	before := time.Now()
	when, err := k.ScheduleKeyDeletion(ctx, key.KeyID, 7)
	must(t, err)
	if lo, hi := before.Add(7*24*time.Hour-time.Minute), time.Now().Add(7*24*time.Hour+time.Minute); when.Before(lo) || when.After(hi) {
		t.Errorf("deletion date %v, want about 7 days from now", when)
	}
	meta, err := k.DescribeKey(ctx, key.KeyID)
	must(t, err)
	if meta.KeyState != "PendingDeletion" || !meta.DeletionDate.Equal(when) {
		t.Errorf("after scheduling: state %s, deletion %v (want PendingDeletion, %v)", meta.KeyState, meta.DeletionDate, when)
	}
	must(t, k.CancelKeyDeletion(ctx, key.KeyID))
	meta, err = k.DescribeKey(ctx, key.KeyID)
	must(t, err)
	if meta.KeyState != "Disabled" || meta.Enabled {
		t.Errorf("after cancelling: state %s enabled %v, want Disabled", meta.KeyState, meta.Enabled)
	}
	must(t, k.EnableKey(ctx, key.KeyID))
	meta, err = k.DescribeKey(ctx, key.KeyID)
	must(t, err)
	if meta.KeyState != "Enabled" || !meta.Enabled {
		t.Errorf("after EnableKey: %+v", meta)
	}

	_, err = k.DescribeKey(ctx, "alias/"+n("none"))
	wantCode(t, err, "DescribeKey", cloud.CodeNotFoundException)
}

func TestMotoIAMRoles(t *testing.T) {
	ctx, a, n := setup(t)
	i := a.IAM()
	role := n("replication")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	created, err := i.CreateRole(ctx, cloud.CreateRoleInput{RoleName: role, Path: "/hanavault/",
		AssumeRolePolicyDocument: trust, Description: "replication", Tags: []cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}}})
	must(t, err)
	if created.Arn != cloud.RoleARN("aws", "123456789012", "/hanavault/", role) || created.RoleID == "" || created.Path != "/hanavault/" {
		t.Errorf("CreateRole = %+v", created)
	}

	_, err = i.CreateRole(ctx, cloud.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: trust})
	wantCode(t, err, "CreateRole", cloud.CodeEntityAlreadyExists)

	got, err := i.GetRole(ctx, role)
	must(t, err)
	if diff := cmp.Diff([]cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}}, got.Tags); diff != "" {
		t.Errorf("GetRole tags (-want +got):\n%s", diff)
	}
	doc, err := cloud.DecodePolicyDocument(got.AssumeRolePolicyDocument)
	must(t, err)
	assertSameJSON(t, trust, doc)

	inline := `{"Version":"2012-10-17","Statement":[{"Sid":"Replicate","Effect":"Allow","Action":["s3:ReplicateObject","s3:ReplicateDelete"],"Resource":"arn:aws:s3:::hv-dst/*"}]}`
	must(t, i.PutRolePolicy(ctx, role, "replication", inline))
	raw, err := i.GetRolePolicy(ctx, role, "replication")
	must(t, err)
	if strings.HasPrefix(strings.TrimSpace(raw), "{") || !strings.Contains(raw, "%22") {
		t.Errorf("GetRolePolicy should return the URL-encoded document as IAM does, got %q", raw)
	}
	plain, err := cloud.DecodePolicyDocument(raw)
	must(t, err)
	assertSameJSON(t, inline, plain)

	names, err := i.ListRolePolicies(ctx, role, "")
	must(t, err)
	if !slices.Equal(names.PolicyNames, []string{"replication"}) {
		t.Errorf("ListRolePolicies = %+v", names)
	}

	err = i.DeleteRole(ctx, role)
	wantCode(t, err, "DeleteRole", cloud.CodeDeleteConflict)

	must(t, i.DeleteRolePolicy(ctx, role, "replication"))
	attached, err := i.ListAttachedRolePolicies(ctx, role, "")
	must(t, err)
	if len(attached.AttachedPolicies) != 0 {
		t.Errorf("attached policies: %+v", attached)
	}
	profiles, err := i.ListInstanceProfilesForRole(ctx, role, "")
	must(t, err)
	if len(profiles.InstanceProfiles) != 0 {
		t.Errorf("instance profiles: %+v", profiles)
	}
	must(t, i.DeleteRole(ctx, role))
	_, err = i.GetRole(ctx, role)
	wantCode(t, err, "GetRole", cloud.CodeNoSuchEntity)

	err = i.PutRolePolicy(ctx, "hanavault-none", "p", inline)
	wantCode(t, err, "PutRolePolicy", cloud.CodeNoSuchEntity)
}

func TestMotoIAMListRolesPaging(t *testing.T) {
	ctx, a, n := setup(t)
	i := a.IAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	path := "/" + n("paging") + "/"
	want := []string{n("role-1"), n("role-2"), n("role-3")}
	for _, name := range want {
		_, err := i.CreateRole(ctx, cloud.CreateRoleInput{RoleName: name, Path: path, AssumeRolePolicyDocument: trust})
		must(t, err)
	}
	must(t, i.UpdateAssumeRolePolicy(ctx, n("role-1"), strings.Replace(trust, "ec2", "s3", 1)))
	must(t, i.TagRole(ctx, n("role-2"), []cloud.Tag{{Key: "k", Value: "v"}}))

	var got []string
	in := cloud.ListRolesInput{PathPrefix: path, MaxItems: 2}
	pages := 0
	for {
		out, err := i.ListRoles(ctx, in)
		must(t, err)
		pages++
		for _, r := range out.Roles {
			got = append(got, r.RoleName)
			if r.RoleName == n("role-1") {
				doc, err := cloud.DecodePolicyDocument(r.AssumeRolePolicyDocument)
				must(t, err)
				if !strings.Contains(doc, "s3.amazonaws.com") {
					t.Errorf("UpdateAssumeRolePolicy not visible in ListRoles: %s", doc)
				}
			}
		}
		if !out.IsTruncated {
			break
		}
		in.Marker = out.Marker
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || pages != 2 {
		t.Errorf("ListRoles: %v in %d pages, want %v in 2", got, pages, want)
	}
	role, err := i.GetRole(ctx, n("role-2"))
	must(t, err)
	if v, ok := cloud.TagValue(role.Tags, "k"); !ok || v != "v" {
		t.Errorf("TagRole not visible: %+v", role.Tags)
	}
	ips, err := i.ListInstanceProfiles(ctx, "")
	must(t, err)
	if len(ips.InstanceProfiles) != 0 || ips.IsTruncated {
		t.Errorf("instance profiles where no test creates any: %+v", ips)
	}
}

func TestMotoIdentityAndRegions(t *testing.T) {
	ctx, a, _ := setup(t)
	id, err := a.STS().GetCallerIdentity(ctx)
	must(t, err)
	if id.Account != "123456789012" || id.Partition() != "aws" || id.UserID == "" {
		t.Errorf("GetCallerIdentity = %+v", id)
	}
	regions, err := a.EC2(euc1).DescribeRegions(ctx, false)
	must(t, err)
	var names []string
	for _, r := range regions {
		names = append(names, r.Name)
		if r.Endpoint == "" {
			t.Errorf("region %s without endpoint", r.Name)
		}
	}
	for _, want := range []string{euc1, euw1, use1} {
		if !slices.Contains(names, want) {
			t.Errorf("DescribeRegions lacks %s: %v", want, names)
		}
	}
	if a.Region() != euc1 {
		t.Errorf("Region() = %q", a.Region())
	}
}
