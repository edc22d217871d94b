package awsapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hanavault/hanavault/internal/cloud"
)

// stubS3 implements s3API with the calls a test sets; any other call panics
// (the embedded interface is nil), so a test notices unexpected calls.
type stubS3 struct {
	s3API

	createBucket      func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error)
	headBucket        func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error)
	listBuckets       func(*s3.ListBucketsInput) (*s3.ListBucketsOutput, error)
	getLocation       func(*s3.GetBucketLocationInput) (*s3.GetBucketLocationOutput, error)
	getVersioning     func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error)
	getEncryption     func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error)
	putEncryption     func(*s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error)
	putLifecycle      func(*s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error)
	getLifecycle      func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error)
	putLogging        func(*s3.PutBucketLoggingInput) (*s3.PutBucketLoggingOutput, error)
	getLogging        func(*s3.GetBucketLoggingInput) (*s3.GetBucketLoggingOutput, error)
	putReplication    func(*s3.PutBucketReplicationInput) (*s3.PutBucketReplicationOutput, error)
	getReplication    func(*s3.GetBucketReplicationInput) (*s3.GetBucketReplicationOutput, error)
	listVersions      func(*s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error)
	deleteObjects     func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error)
	putObject         func(*s3.PutObjectInput) (*s3.PutObjectOutput, error)
	headObject        func(*s3.HeadObjectInput) (*s3.HeadObjectOutput, error)
	getObject         func(*s3.GetObjectInput) (*s3.GetObjectOutput, error)
	listMultipart     func(*s3.ListMultipartUploadsInput) (*s3.ListMultipartUploadsOutput, error)
	completeMultipart func(*s3.CompleteMultipartUploadInput) (*s3.CompleteMultipartUploadOutput, error)
}

func (s *stubS3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	return s.createBucket(in)
}
func (s *stubS3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return s.headBucket(in)
}
func (s *stubS3) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return s.listBuckets(in)
}
func (s *stubS3) GetBucketLocation(_ context.Context, in *s3.GetBucketLocationInput, _ ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	return s.getLocation(in)
}
func (s *stubS3) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return s.getVersioning(in)
}
func (s *stubS3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	return s.getEncryption(in)
}
func (s *stubS3) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	return s.putEncryption(in)
}
func (s *stubS3) PutBucketLifecycleConfiguration(_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	return s.putLifecycle(in)
}
func (s *stubS3) GetBucketLifecycleConfiguration(_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	return s.getLifecycle(in)
}
func (s *stubS3) PutBucketLogging(_ context.Context, in *s3.PutBucketLoggingInput, _ ...func(*s3.Options)) (*s3.PutBucketLoggingOutput, error) {
	return s.putLogging(in)
}
func (s *stubS3) GetBucketLogging(_ context.Context, in *s3.GetBucketLoggingInput, _ ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error) {
	return s.getLogging(in)
}
func (s *stubS3) PutBucketReplication(_ context.Context, in *s3.PutBucketReplicationInput, _ ...func(*s3.Options)) (*s3.PutBucketReplicationOutput, error) {
	return s.putReplication(in)
}
func (s *stubS3) GetBucketReplication(_ context.Context, in *s3.GetBucketReplicationInput, _ ...func(*s3.Options)) (*s3.GetBucketReplicationOutput, error) {
	return s.getReplication(in)
}
func (s *stubS3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return s.listVersions(in)
}
func (s *stubS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	return s.deleteObjects(in)
}
func (s *stubS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return s.putObject(in)
}
func (s *stubS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return s.headObject(in)
}
func (s *stubS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return s.getObject(in)
}
func (s *stubS3) ListMultipartUploads(_ context.Context, in *s3.ListMultipartUploadsInput, _ ...func(*s3.Options)) (*s3.ListMultipartUploadsOutput, error) {
	return s.listMultipart(in)
}
func (s *stubS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	return s.completeMultipart(in)
}

// sdkTypes lets cmp compare SDK structs (which carry an unexported
// document-serde marker).
var sdkTypes = cmpopts.IgnoreUnexported(
	s3.CreateBucketInput{}, s3types.CreateBucketConfiguration{},
	s3types.LifecycleRule{}, s3types.LifecycleRuleFilter{}, s3types.Transition{}, s3types.LifecycleExpiration{},
	s3types.NoncurrentVersionTransition{}, s3types.NoncurrentVersionExpiration{}, s3types.AbortIncompleteMultipartUpload{},
	s3types.ReplicationRule{}, s3types.ReplicationRuleFilter{}, s3types.DeleteMarkerReplication{}, s3types.Destination{},
	s3types.EncryptionConfiguration{}, s3types.ReplicationTime{}, s3types.ReplicationTimeValue{}, s3types.Metrics{},
	s3types.SourceSelectionCriteria{}, s3types.SseKmsEncryptedObjects{},
	s3types.LoggingEnabled{}, s3types.TargetObjectKeyFormat{}, s3types.PartitionedPrefix{},
	s3types.ServerSideEncryptionRule{}, s3types.ServerSideEncryptionByDefault{},
)

func TestS3CreateBucketLocationConstraint(t *testing.T) {
	cases := []struct {
		name string
		in   cloud.CreateBucketInput
		want *s3.CreateBucketInput
	}{
		{"us-east-1 sends no configuration", cloud.CreateBucketInput{Bucket: "b"},
			&s3.CreateBucketInput{Bucket: aws.String("b")}},
		{"other regions send their name verbatim", cloud.CreateBucketInput{Bucket: "b", LocationConstraint: "eu-west-1"},
			&s3.CreateBucketInput{Bucket: aws.String("b"), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}},
		{"a wrong constraint is not corrected", cloud.CreateBucketInput{Bucket: "b", LocationConstraint: "us-east-1", ObjectOwnership: "BucketOwnerEnforced"},
			&s3.CreateBucketInput{Bucket: aws.String("b"), ObjectOwnership: "BucketOwnerEnforced",
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *s3.CreateBucketInput
			cl := &s3Client{api: &stubS3{createBucket: func(in *s3.CreateBucketInput) (*s3.CreateBucketOutput, error) {
				got = in
				return &s3.CreateBucketOutput{}, nil
			}}}
			if err := cl.CreateBucket(context.Background(), c.in); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got, sdkTypes); diff != "" {
				t.Errorf("CreateBucketInput (-want +got):\n%s", diff)
			}
		})
	}
}

func TestS3LifecycleInputMapping(t *testing.T) {
	var got *s3.PutBucketLifecycleConfigurationInput
	cl := &s3Client{api: &stubS3{putLifecycle: func(in *s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error) {
		got = in
		return &s3.PutBucketLifecycleConfigurationOutput{}, nil
	}}}
	cfg := cloud.LifecycleConfiguration{
		TransitionDefaultMinimumObjectSize: "varies_by_storage_class",
		Rules: []cloud.LifecycleRule{
			{ID: "all", Status: "Enabled", Transitions: []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}},
				ExpirationDays: 372, NoncurrentVersionExpirationDays: 30, AbortIncompleteMultipartUploadDays: 7},
			{ID: "markers", Status: "Enabled", ExpiredObjectDeleteMarker: true},
			{ID: "prefixed", Status: "Disabled", Prefix: "log/", NoncurrentVersionTransitions: []cloud.Transition{{Days: 30, StorageClass: "STANDARD_IA"}}},
		},
	}
	if err := cl.PutBucketLifecycleConfiguration(context.Background(), "b", cfg); err != nil {
		t.Fatal(err)
	}
	want := []s3types.LifecycleRule{
		{
			ID: aws.String("all"), Status: "Enabled",
			Filter:                         &s3types.LifecycleRuleFilter{}, // empty filter, never the legacy Prefix
			Transitions:                    []s3types.Transition{{Days: aws.Int32(7), StorageClass: "GLACIER"}},
			Expiration:                     &s3types.LifecycleExpiration{Days: aws.Int32(372)},
			NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)},
			AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
		},
		{
			ID: aws.String("markers"), Status: "Enabled", Filter: &s3types.LifecycleRuleFilter{},
			Expiration: &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
		},
		{
			ID: aws.String("prefixed"), Status: "Disabled", Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("log/")},
			NoncurrentVersionTransitions: []s3types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(30), StorageClass: "STANDARD_IA"}},
		},
	}
	if diff := cmp.Diff(want, got.LifecycleConfiguration.Rules, sdkTypes); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if got.TransitionDefaultMinimumObjectSize != "varies_by_storage_class" || aws.ToString(got.Bucket) != "b" {
		t.Errorf("bucket %q, minimum size %q", aws.ToString(got.Bucket), got.TransitionDefaultMinimumObjectSize)
	}
}

func TestS3LifecycleOutputMapping(t *testing.T) {
	cl := &s3Client{api: &stubS3{getLifecycle: func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error) {
		return &s3.GetBucketLifecycleConfigurationOutput{
			TransitionDefaultMinimumObjectSize: "all_storage_classes_128K",
			Rules: []s3types.LifecycleRule{
				{ID: aws.String("a"), Status: "Enabled", Filter: &s3types.LifecycleRuleFilter{},
					Expiration:  &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
					Transitions: []s3types.Transition{{Days: aws.Int32(7), StorageClass: "GLACIER"}}},
				// A rule another tool wrote with the legacy top-level Prefix.
				{ID: aws.String("legacy"), Status: "Enabled", Prefix: aws.String("old/"),
					NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(3)},
					AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
			},
		}, nil
	}}}
	got, err := cl.GetBucketLifecycleConfiguration(context.Background(), "b")
	if err != nil {
		t.Fatal(err)
	}
	want := cloud.LifecycleConfiguration{
		TransitionDefaultMinimumObjectSize: "all_storage_classes_128K",
		Rules: []cloud.LifecycleRule{
			{ID: "a", Status: "Enabled", ExpiredObjectDeleteMarker: true, Transitions: []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}}},
			{ID: "legacy", Status: "Enabled", Prefix: "old/", NoncurrentVersionExpirationDays: 3, AbortIncompleteMultipartUploadDays: 2},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// hanavaultRule is a replication rule with every field set.
var hanavaultRule = cloud.ReplicationRule{
	ID: "hanavault", Priority: 1, Status: "Enabled", DeleteMarkerReplication: true, SseKmsEncryptedObjects: true,
	DestinationBucket: "arn:aws:s3:::dst", ReplicaKmsKeyID: "arn:aws:kms:eu-west-1:111122223333:key/k",
	StorageClass: "STANDARD_IA", ReplicationTime: true, Metrics: true,
}

func TestS3ReplicationInputMapping(t *testing.T) {
	var got *s3.PutBucketReplicationInput
	cl := &s3Client{api: &stubS3{putReplication: func(in *s3.PutBucketReplicationInput) (*s3.PutBucketReplicationOutput, error) {
		got = in
		return &s3.PutBucketReplicationOutput{}, nil
	}}}
	minimal := cloud.ReplicationRule{ID: "plain", Priority: 2, Status: "Disabled", Prefix: "p/", DestinationBucket: "arn:aws:s3:::dst"}
	err := cl.PutBucketReplication(context.Background(), "src", cloud.ReplicationConfiguration{
		Role: "arn:aws:iam::111122223333:role/r", Rules: []cloud.ReplicationRule{hanavaultRule, minimal}})
	if err != nil {
		t.Fatal(err)
	}
	fifteen := &s3types.ReplicationTimeValue{Minutes: aws.Int32(15)}
	want := []s3types.ReplicationRule{
		{
			ID: aws.String("hanavault"), Priority: aws.Int32(1), Status: "Enabled",
			Filter:                  &s3types.ReplicationRuleFilter{},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: "Enabled"},
			SourceSelectionCriteria: &s3types.SourceSelectionCriteria{SseKmsEncryptedObjects: &s3types.SseKmsEncryptedObjects{Status: "Enabled"}},
			Destination: &s3types.Destination{
				Bucket:                  aws.String("arn:aws:s3:::dst"),
				StorageClass:            "STANDARD_IA",
				EncryptionConfiguration: &s3types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String("arn:aws:kms:eu-west-1:111122223333:key/k")},
				ReplicationTime:         &s3types.ReplicationTime{Status: "Enabled", Time: fifteen},
				Metrics:                 &s3types.Metrics{Status: "Enabled", EventThreshold: fifteen},
			},
		},
		{
			ID: aws.String("plain"), Priority: aws.Int32(2), Status: "Disabled",
			Filter:                  &s3types.ReplicationRuleFilter{Prefix: aws.String("p/")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: "Disabled"},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::dst")},
		},
	}
	if diff := cmp.Diff(want, got.ReplicationConfiguration.Rules, sdkTypes); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if aws.ToString(got.ReplicationConfiguration.Role) != "arn:aws:iam::111122223333:role/r" || aws.ToString(got.Bucket) != "src" {
		t.Errorf("role %q bucket %q", aws.ToString(got.ReplicationConfiguration.Role), aws.ToString(got.Bucket))
	}
}

func TestS3ReplicationRoundTripThroughSDKTypes(t *testing.T) {
	var sent *s3types.ReplicationConfiguration
	stub := &stubS3{
		putReplication: func(in *s3.PutBucketReplicationInput) (*s3.PutBucketReplicationOutput, error) {
			sent = in.ReplicationConfiguration
			return &s3.PutBucketReplicationOutput{}, nil
		},
		getReplication: func(*s3.GetBucketReplicationInput) (*s3.GetBucketReplicationOutput, error) {
			return &s3.GetBucketReplicationOutput{ReplicationConfiguration: sent}, nil
		},
	}
	cl := &s3Client{api: stub}
	want := cloud.ReplicationConfiguration{Role: "arn:aws:iam::1:role/r", Rules: []cloud.ReplicationRule{
		hanavaultRule,
		{ID: "off", Priority: 3, Status: "Disabled", Prefix: "x/", DestinationBucket: "arn:aws:s3:::d"},
	}}
	if err := cl.PutBucketReplication(context.Background(), "src", want); err != nil {
		t.Fatal(err)
	}
	got, err := cl.GetBucketReplication(context.Background(), "src")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestS3LoggingMapping(t *testing.T) {
	var sent []*s3types.BucketLoggingStatus
	var stored *s3types.LoggingEnabled
	cl := &s3Client{api: &stubS3{
		putLogging: func(in *s3.PutBucketLoggingInput) (*s3.PutBucketLoggingOutput, error) {
			sent = append(sent, in.BucketLoggingStatus)
			stored = in.BucketLoggingStatus.LoggingEnabled
			return &s3.PutBucketLoggingOutput{}, nil
		},
		getLogging: func(*s3.GetBucketLoggingInput) (*s3.GetBucketLoggingOutput, error) {
			return &s3.GetBucketLoggingOutput{LoggingEnabled: stored}, nil
		},
	}}
	ctx := context.Background()
	if err := cl.PutBucketLogging(ctx, "src", &cloud.LoggingEnabled{TargetBucket: "logs", TargetPrefix: "s3/src/", PartitionedPrefix: true}); err != nil {
		t.Fatal(err)
	}
	wantLE := &s3types.LoggingEnabled{TargetBucket: aws.String("logs"), TargetPrefix: aws.String("s3/src/"),
		TargetObjectKeyFormat: &s3types.TargetObjectKeyFormat{PartitionedPrefix: &s3types.PartitionedPrefix{PartitionDateSource: "EventTime"}}}
	if diff := cmp.Diff(wantLE, sent[0].LoggingEnabled, sdkTypes, cmpopts.IgnoreUnexported(s3types.BucketLoggingStatus{})); diff != "" {
		t.Errorf("LoggingEnabled (-want +got):\n%s", diff)
	}
	got, err := cl.GetBucketLogging(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	want := &cloud.LoggingEnabled{TargetBucket: "logs", TargetPrefix: "s3/src/", PartitionedPrefix: true, PartitionDateSource: "EventTime"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetBucketLogging (-want +got):\n%s", diff)
	}

	// DeliveryTime is passed through; SimplePrefix sends no key format.
	if err := cl.PutBucketLogging(ctx, "src", &cloud.LoggingEnabled{TargetBucket: "logs", PartitionedPrefix: true, PartitionDateSource: "DeliveryTime"}); err != nil {
		t.Fatal(err)
	}
	if src := sent[1].LoggingEnabled.TargetObjectKeyFormat.PartitionedPrefix.PartitionDateSource; src != "DeliveryTime" {
		t.Errorf("date source = %q", src)
	}
	if err := cl.PutBucketLogging(ctx, "src", &cloud.LoggingEnabled{TargetBucket: "logs"}); err != nil {
		t.Fatal(err)
	}
	if sent[2].LoggingEnabled.TargetObjectKeyFormat != nil {
		t.Errorf("simple prefix sent a key format: %+v", sent[2].LoggingEnabled.TargetObjectKeyFormat)
	}

	// nil switches logging off: an empty status, and Get reports nil.
	if err := cl.PutBucketLogging(ctx, "src", nil); err != nil {
		t.Fatal(err)
	}
	if sent[3] == nil || sent[3].LoggingEnabled != nil {
		t.Errorf("switching off sent %+v, want an empty BucketLoggingStatus", sent[3])
	}
	got, err = cl.GetBucketLogging(ctx, "src")
	if err != nil || got != nil {
		t.Errorf("GetBucketLogging when off = %+v, %v; want nil, nil", got, err)
	}
}

func TestS3SimpleOutputMapping(t *testing.T) {
	ctx := context.Background()
	cl := &s3Client{api: &stubS3{
		getLocation: func(in *s3.GetBucketLocationInput) (*s3.GetBucketLocationOutput, error) {
			return &s3.GetBucketLocationOutput{LocationConstraint: s3types.BucketLocationConstraint(map[string]string{"old": "EU", "use1": ""}[aws.ToString(in.Bucket)])}, nil
		},
		getVersioning: func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error) {
			return &s3.GetBucketVersioningOutput{}, nil
		},
		getEncryption: func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error) {
			return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
				Rules: []s3types.ServerSideEncryptionRule{
					{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "aws:kms", KMSMasterKeyID: aws.String("arn:k")}, BucketKeyEnabled: aws.Bool(true)},
					{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"}},
				}}}, nil
		},
		headBucket: func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
			return &s3.HeadBucketOutput{BucketRegion: aws.String("eu-west-1")}, nil
		},
	}}
	for bucket, want := range map[string]string{"old": "EU", "use1": ""} {
		got, err := cl.GetBucketLocation(ctx, bucket)
		if err != nil || got != want {
			t.Errorf("GetBucketLocation(%s) = %q, %v; want %q", bucket, got, err, want)
		}
	}
	if v, err := cl.GetBucketVersioning(ctx, "b"); err != nil || v != "" {
		t.Errorf("never-versioned = %q, %v", v, err)
	}
	enc, err := cl.GetBucketEncryption(ctx, "b")
	if err != nil || enc != (cloud.ServerSideEncryptionByDefault{SSEAlgorithm: "aws:kms", KMSMasterKeyID: "arn:k", BucketKeyEnabled: true}) {
		t.Errorf("GetBucketEncryption = %+v, %v; want the first rule", enc, err)
	}
	hb, err := cl.HeadBucket(ctx, "b")
	if err != nil || hb.BucketRegion != "eu-west-1" {
		t.Errorf("HeadBucket = %+v, %v", hb, err)
	}
}

func TestS3PutEncryptionSendsOneRule(t *testing.T) {
	var got *s3.PutBucketEncryptionInput
	cl := &s3Client{api: &stubS3{putEncryption: func(in *s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error) {
		got = in
		return &s3.PutBucketEncryptionOutput{}, nil
	}}}
	if err := cl.PutBucketEncryption(context.Background(), "logs", cloud.ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"}); err != nil {
		t.Fatal(err)
	}
	want := []s3types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "AES256"},
		BucketKeyEnabled:                   aws.Bool(false),
	}}
	if diff := cmp.Diff(want, got.ServerSideEncryptionConfiguration.Rules, sdkTypes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestS3ListBucketsFollowsPages(t *testing.T) {
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var tokens []string
	cl := &s3Client{api: &stubS3{listBuckets: func(in *s3.ListBucketsInput) (*s3.ListBucketsOutput, error) {
		tokens = append(tokens, aws.ToString(in.ContinuationToken))
		if in.ContinuationToken == nil {
			return &s3.ListBucketsOutput{Buckets: []s3types.Bucket{{Name: aws.String("a"), CreationDate: &created, BucketRegion: aws.String("eu-west-1")}},
				ContinuationToken: aws.String("next")}, nil
		}
		return &s3.ListBucketsOutput{Buckets: []s3types.Bucket{{Name: aws.String("b")}}}, nil
	}}}
	got, err := cl.ListBuckets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []cloud.BucketSummary{{Name: "a", CreationDate: created, BucketRegion: "eu-west-1"}, {Name: "b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "next"}, tokens); diff != "" {
		t.Errorf("continuation tokens (-want +got):\n%s", diff)
	}
}

func TestS3ListObjectVersionsMapping(t *testing.T) {
	mod := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	var got *s3.ListObjectVersionsInput
	cl := &s3Client{api: &stubS3{listVersions: func(in *s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error) {
		got = in
		return &s3.ListObjectVersionsOutput{
			IsTruncated: aws.Bool(true), NextKeyMarker: aws.String("k2"), NextVersionIdMarker: aws.String("v2"),
			Versions: []s3types.ObjectVersion{{Key: aws.String("k1"), VersionId: aws.String("v1"), IsLatest: aws.Bool(true),
				Size: aws.Int64(42), StorageClass: "GLACIER", LastModified: &mod}},
			DeleteMarkers: []s3types.DeleteMarkerEntry{{Key: aws.String("k0"), VersionId: aws.String("m1"), IsLatest: aws.Bool(true), LastModified: &mod}},
		}, nil
	}}}
	out, err := cl.ListObjectVersions(context.Background(), cloud.ListObjectVersionsInput{Bucket: "b", KeyMarker: "k0", VersionIDMarker: "m0", MaxKeys: 2})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.KeyMarker) != "k0" || aws.ToString(got.VersionIdMarker) != "m0" || aws.ToInt32(got.MaxKeys) != 2 || got.Prefix != nil {
		t.Errorf("input markers %q/%q max %d prefix %v", aws.ToString(got.KeyMarker), aws.ToString(got.VersionIdMarker), aws.ToInt32(got.MaxKeys), got.Prefix)
	}
	want := cloud.ListObjectVersionsOutput{
		Versions:      []cloud.ObjectVersion{{Key: "k1", VersionID: "v1", IsLatest: true, Size: 42, StorageClass: "GLACIER", LastModified: mod}},
		DeleteMarkers: []cloud.DeleteMarkerEntry{{Key: "k0", VersionID: "m1", IsLatest: true, LastModified: mod}},
		IsTruncated:   true, NextKeyMarker: "k2", NextVersionIDMarker: "v2",
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// The first page sends no markers and no MaxKeys.
	if _, err := cl.ListObjectVersions(context.Background(), cloud.ListObjectVersionsInput{Bucket: "b"}); err != nil {
		t.Fatal(err)
	}
	if got.KeyMarker != nil || got.VersionIdMarker != nil || got.MaxKeys != nil {
		t.Errorf("first page sent markers: %+v", got)
	}
}

func TestS3DeleteObjectsMapping(t *testing.T) {
	var got *s3.DeleteObjectsInput
	cl := &s3Client{api: &stubS3{deleteObjects: func(in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
		got = in
		return &s3.DeleteObjectsOutput{
			Deleted: []s3types.DeletedObject{{Key: aws.String("a"), VersionId: aws.String("v1")}},
			Errors:  []s3types.Error{{Key: aws.String("b"), VersionId: aws.String("v2"), Code: aws.String("AccessDenied"), Message: aws.String("Access Denied")}},
		}, nil
	}}}
	out, err := cl.DeleteObjects(context.Background(), "bkt", []cloud.ObjectIdentifier{{Key: "a", VersionID: "v1"}, {Key: "b", VersionID: "v2"}, {Key: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Delete.Quiet == nil || *got.Delete.Quiet {
		t.Error("Quiet must be sent as false so every deleted key is reported")
	}
	var ids []string
	for _, o := range got.Delete.Objects {
		ids = append(ids, aws.ToString(o.Key)+"@"+aws.ToString(o.VersionId)+"/"+map[bool]string{true: "nil", false: "set"}[o.VersionId == nil])
	}
	if diff := cmp.Diff([]string{"a@v1/set", "b@v2/set", "c@/nil"}, ids); diff != "" {
		t.Errorf("identifiers (-want +got):\n%s", diff)
	}
	want := cloud.DeleteObjectsOutput{
		Deleted: []cloud.ObjectIdentifier{{Key: "a", VersionID: "v1"}},
		Errors:  []cloud.DeleteError{{Key: "b", VersionID: "v2", Code: "AccessDenied", Message: "Access Denied"}},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestS3ObjectMapping(t *testing.T) {
	ctx := context.Background()
	var put *s3.PutObjectInput
	cl := &s3Client{api: &stubS3{
		putObject: func(in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
			put = in
			return &s3.PutObjectOutput{VersionId: aws.String("v1"), ServerSideEncryption: "aws:kms", SSEKMSKeyId: aws.String("arn:k"), BucketKeyEnabled: aws.Bool(true)}, nil
		},
		headObject: func(in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
			status := map[string]s3types.ReplicationStatus{"legacy": "COMPLETE", "pending": "PENDING", "replica": "REPLICA"}[aws.ToString(in.Key)]
			return &s3.HeadObjectOutput{VersionId: in.VersionId, ContentLength: aws.Int64(9), ReplicationStatus: status}, nil
		},
		getObject: func(in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
			return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader("body")), ContentLength: aws.Int64(4),
				StorageClass: "GLACIER", ServerSideEncryption: "AES256", VersionId: aws.String("v9")}, nil
		},
	}}

	info, err := cl.PutObject(ctx, cloud.PutObjectInput{Bucket: "b", Key: "k", Body: []byte("abc"), ServerSideEncryption: "aws:kms", SSEKMSKeyID: "arn:k", BucketKeyEnabled: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if put.ServerSideEncryption != "aws:kms" || aws.ToString(put.SSEKMSKeyId) != "arn:k" || !aws.ToBool(put.BucketKeyEnabled) || put.SSECustomerAlgorithm != nil {
		t.Errorf("PutObjectInput encryption: %+v", put)
	}
	if body, _ := io.ReadAll(put.Body); string(body) != "abc" || aws.ToInt64(put.ContentLength) != 3 {
		t.Errorf("body %q length %d", body, aws.ToInt64(put.ContentLength))
	}
	want := cloud.ObjectInfo{VersionID: "v1", ContentLength: 3, ServerSideEncryption: "aws:kms", SSEKMSKeyID: "arn:k", BucketKeyEnabled: true, StorageClass: "STANDARD"}
	if info != want {
		t.Errorf("PutObject info = %+v, want %+v", info, want)
	}

	// No encryption asked: no header at all.
	if _, err := cl.PutObject(ctx, cloud.PutObjectInput{Bucket: "b", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if put.ServerSideEncryption != "" || put.SSEKMSKeyId != nil || put.BucketKeyEnabled != nil {
		t.Errorf("plain upload sent encryption fields: %+v", put)
	}

	for key, want := range map[string]string{"legacy": "COMPLETED", "pending": "PENDING", "replica": "REPLICA", "none": ""} {
		info, err := cl.HeadObject(ctx, "b", key, "v3")
		if err != nil {
			t.Fatal(err)
		}
		if info.ReplicationStatus != want || info.VersionID != "v3" || info.StorageClass != "STANDARD" || info.ContentLength != 9 {
			t.Errorf("HeadObject(%s) = %+v, want replication %q", key, info, want)
		}
	}

	obj, err := cl.GetObject(ctx, "b", "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(obj.Body) != "body" || obj.StorageClass != "GLACIER" || obj.ServerSideEncryption != "AES256" || obj.VersionID != "v9" || obj.ContentLength != 4 {
		t.Errorf("GetObject = %+v", obj)
	}
}

func TestS3PutObjectSSECGeneratesAKey(t *testing.T) {
	var put *s3.PutObjectInput
	cl := &s3Client{api: &stubS3{putObject: func(in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
		put = in
		return &s3.PutObjectOutput{}, nil
	}}}
	if _, err := cl.PutObject(context.Background(), cloud.PutObjectInput{Bucket: "b", Key: "k", SSECustomerAlgorithm: "AES256"}); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.SSECustomerAlgorithm) != "AES256" || len(aws.ToString(put.SSECustomerKey)) != 44 || len(aws.ToString(put.SSECustomerKeyMD5)) != 24 {
		t.Errorf("SSE-C fields: alg %q key %q md5 %q", aws.ToString(put.SSECustomerAlgorithm), aws.ToString(put.SSECustomerKey), aws.ToString(put.SSECustomerKeyMD5))
	}
	first := aws.ToString(put.SSECustomerKey)
	if _, err := cl.PutObject(context.Background(), cloud.PutObjectInput{Bucket: "b", Key: "k", SSECustomerAlgorithm: "AES256"}); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.SSECustomerKey) == first {
		t.Error("the SSE-C key is not random per request")
	}
}

func TestS3MultipartMapping(t *testing.T) {
	var complete *s3.CompleteMultipartUploadInput
	cl := &s3Client{api: &stubS3{
		listMultipart: func(in *s3.ListMultipartUploadsInput) (*s3.ListMultipartUploadsOutput, error) {
			if aws.ToString(in.KeyMarker) != "k" || aws.ToString(in.UploadIdMarker) != "u" {
				return nil, errors.New("markers not passed")
			}
			return &s3.ListMultipartUploadsOutput{IsTruncated: aws.Bool(true), NextKeyMarker: aws.String("k2"), NextUploadIdMarker: aws.String("u2"),
				Uploads: []s3types.MultipartUpload{{Key: aws.String("k1"), UploadId: aws.String("u1")}}}, nil
		},
		completeMultipart: func(in *s3.CompleteMultipartUploadInput) (*s3.CompleteMultipartUploadOutput, error) {
			complete = in
			return &s3.CompleteMultipartUploadOutput{VersionId: aws.String("v"), ServerSideEncryption: "aws:kms", SSEKMSKeyId: aws.String("arn:k")}, nil
		},
	}}
	ups, err := cl.ListMultipartUploads(context.Background(), cloud.ListMultipartUploadsInput{Bucket: "b", KeyMarker: "k", UploadIDMarker: "u"})
	if err != nil {
		t.Fatal(err)
	}
	wantUps := cloud.ListMultipartUploadsOutput{Uploads: []cloud.MultipartUpload{{Key: "k1", UploadID: "u1"}}, IsTruncated: true, NextKeyMarker: "k2", NextUploadIDMarker: "u2"}
	if diff := cmp.Diff(wantUps, ups); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	info, err := cl.CompleteMultipartUpload(context.Background(), cloud.CompleteMultipartUploadInput{Bucket: "b", Key: "k", UploadID: "u",
		Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: `"e1"`}, {PartNumber: 2, ETag: `"e2"`}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(complete.MultipartUpload.Parts); n != 2 || aws.ToInt32(complete.MultipartUpload.Parts[1].PartNumber) != 2 || aws.ToString(complete.MultipartUpload.Parts[1].ETag) != `"e2"` {
		t.Errorf("parts sent: %+v", complete.MultipartUpload.Parts)
	}
	if info.VersionID != "v" || info.SSEKMSKeyID != "arn:k" || info.ServerSideEncryption != "aws:kms" {
		t.Errorf("CompleteMultipartUpload info = %+v", info)
	}
}

func TestS3ErrorsNameTheResource(t *testing.T) {
	cl := &s3Client{api: &stubS3{
		headObject: func(*s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
			return nil, sdkError("S3", "HeadObject", 404, &smithy.GenericAPIError{Code: "NotFound"})
		},
		headBucket: func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error) {
			return nil, sdkError("S3", "HeadBucket", 403, errors.New("forbidden"))
		},
	}}
	_, err := cl.HeadObject(context.Background(), "b", "dir/k", "v1")
	var ce *cloud.Error
	if !errors.As(err, &ce) || ce.Code != cloud.CodeNotFound || ce.Resource != "b/dir/k?versionId=v1" || ce.Op != "HeadObject" {
		t.Errorf("HeadObject error = %#v", err)
	}
	_, err = cl.HeadBucket(context.Background(), "theirs")
	if !errors.As(err, &ce) || ce.Code != cloud.CodeForbidden || ce.HTTPStatus != http.StatusForbidden || ce.Resource != "theirs" {
		t.Errorf("HeadBucket error = %#v", err)
	}
}
