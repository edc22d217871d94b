package awsapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hanavault/hanavault/internal/cloud"
)

// s3API lists the S3 calls hanavault makes.
type s3API interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, optFns ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, optFns ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	DeleteBucket(ctx context.Context, in *s3.DeleteBucketInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketOutput, error)

	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)

	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	DeleteBucketEncryption(ctx context.Context, in *s3.DeleteBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketEncryptionOutput, error)

	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	DeletePublicAccessBlock(ctx context.Context, in *s3.DeletePublicAccessBlockInput, optFns ...func(*s3.Options)) (*s3.DeletePublicAccessBlockOutput, error)

	GetBucketOwnershipControls(ctx context.Context, in *s3.GetBucketOwnershipControlsInput, optFns ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error)
	PutBucketOwnershipControls(ctx context.Context, in *s3.PutBucketOwnershipControlsInput, optFns ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error)
	DeleteBucketOwnershipControls(ctx context.Context, in *s3.DeleteBucketOwnershipControlsInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketOwnershipControlsOutput, error)

	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error)

	GetBucketLifecycleConfiguration(ctx context.Context, in *s3.GetBucketLifecycleConfigurationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error)
	PutBucketLifecycleConfiguration(ctx context.Context, in *s3.PutBucketLifecycleConfigurationInput, optFns ...func(*s3.Options)) (*s3.PutBucketLifecycleConfigurationOutput, error)
	DeleteBucketLifecycle(ctx context.Context, in *s3.DeleteBucketLifecycleInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error)

	GetBucketLogging(ctx context.Context, in *s3.GetBucketLoggingInput, optFns ...func(*s3.Options)) (*s3.GetBucketLoggingOutput, error)
	PutBucketLogging(ctx context.Context, in *s3.PutBucketLoggingInput, optFns ...func(*s3.Options)) (*s3.PutBucketLoggingOutput, error)

	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	PutBucketTagging(ctx context.Context, in *s3.PutBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)
	DeleteBucketTagging(ctx context.Context, in *s3.DeleteBucketTaggingInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketTaggingOutput, error)

	GetBucketReplication(ctx context.Context, in *s3.GetBucketReplicationInput, optFns ...func(*s3.Options)) (*s3.GetBucketReplicationOutput, error)
	PutBucketReplication(ctx context.Context, in *s3.PutBucketReplicationInput, optFns ...func(*s3.Options)) (*s3.PutBucketReplicationOutput, error)
	DeleteBucketReplication(ctx context.Context, in *s3.DeleteBucketReplicationInput, optFns ...func(*s3.Options)) (*s3.DeleteBucketReplicationOutput, error)

	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
	ListMultipartUploads(ctx context.Context, in *s3.ListMultipartUploadsInput, optFns ...func(*s3.Options)) (*s3.ListMultipartUploadsOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)

	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, optFns ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, optFns ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	RestoreObject(ctx context.Context, in *s3.RestoreObjectInput, optFns ...func(*s3.Options)) (*s3.RestoreObjectOutput, error)
}

// s3Client implements cloud.S3 for one region's endpoint.
type s3Client struct {
	region string
	api    s3API
}

var _ cloud.S3 = (*s3Client)(nil)

func s3Err(op, resource string, err error) error { return convertError("s3", op, resource, err) }

// objectResource names an object (version) in errors.
func objectResource(bucket, key, versionID string) string {
	r := bucket + "/" + key
	if versionID != "" {
		r += "?versionId=" + versionID
	}
	return r
}

// ---------------------------------------------------------------- buckets

// ServerClock returns the Date header of a one-bucket ListBuckets answer
// (the SDK records it as the server time of the response).
func (c *s3Client) ServerClock(ctx context.Context) (time.Time, error) {
	out, err := c.api.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
	if err != nil {
		return time.Time{}, s3Err("ListBuckets", "", err)
	}
	t, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
	if !ok || t.IsZero() {
		return time.Time{}, errors.New("S3 answered ListBuckets without a Date header")
	}
	return t, nil
}

// ListBuckets lists every bucket of the account, following the pages.
func (c *s3Client) ListBuckets(ctx context.Context) ([]cloud.BucketSummary, error) {
	var res []cloud.BucketSummary
	var token *string
	for {
		out, err := c.api.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: token})
		if err != nil {
			return nil, s3Err("ListBuckets", "", err)
		}
		for _, b := range out.Buckets {
			res = append(res, cloud.BucketSummary{
				Name:         aws.ToString(b.Name),
				CreationDate: aws.ToTime(b.CreationDate),
				BucketRegion: aws.ToString(b.BucketRegion),
			})
		}
		if aws.ToString(out.ContinuationToken) == "" {
			return res, nil
		}
		token = out.ContinuationToken
	}
}

// CreateBucket sends CreateBucketConfiguration only when a
// LocationConstraint is given, and then verbatim.
func (c *s3Client) CreateBucket(ctx context.Context, in cloud.CreateBucketInput) error {
	req := &s3.CreateBucketInput{
		Bucket:          aws.String(in.Bucket),
		ObjectOwnership: s3types.ObjectOwnership(in.ObjectOwnership),
	}
	if in.LocationConstraint != "" {
		req.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(in.LocationConstraint),
		}
	}
	_, err := c.api.CreateBucket(ctx, req)
	return s3Err("CreateBucket", in.Bucket, err)
}

func (c *s3Client) HeadBucket(ctx context.Context, bucket string) (cloud.HeadBucketOutput, error) {
	out, err := c.api.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err != nil {
		return cloud.HeadBucketOutput{}, s3Err("HeadBucket", bucket, err)
	}
	return cloud.HeadBucketOutput{BucketRegion: aws.ToString(out.BucketRegion)}, nil
}

// GetBucketLocation returns the raw LocationConstraint: "" for us-east-1,
// "EU" for old eu-west-1 buckets.
func (c *s3Client) GetBucketLocation(ctx context.Context, bucket string) (string, error) {
	out, err := c.api.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", s3Err("GetBucketLocation", bucket, err)
	}
	return string(out.LocationConstraint), nil
}

func (c *s3Client) DeleteBucket(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucket", bucket, err)
}

// ---------------------------------------------------------------- versioning

// GetBucketVersioning returns "" for a bucket that was never versioned.
func (c *s3Client) GetBucketVersioning(ctx context.Context, bucket string) (string, error) {
	out, err := c.api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", s3Err("GetBucketVersioning", bucket, err)
	}
	return string(out.Status), nil
}

func (c *s3Client) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	_, err := c.api.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatus(status)},
	})
	return s3Err("PutBucketVersioning", bucket, err)
}

// ---------------------------------------------------------------- encryption

// GetBucketEncryption returns the first (in practice the only) rule.
func (c *s3Client) GetBucketEncryption(ctx context.Context, bucket string) (cloud.ServerSideEncryptionByDefault, error) {
	out, err := c.api.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil {
		return cloud.ServerSideEncryptionByDefault{}, s3Err("GetBucketEncryption", bucket, err)
	}
	if out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		return cloud.ServerSideEncryptionByDefault{}, nil
	}
	rule := out.ServerSideEncryptionConfiguration.Rules[0]
	res := cloud.ServerSideEncryptionByDefault{BucketKeyEnabled: aws.ToBool(rule.BucketKeyEnabled)}
	if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
		res.SSEAlgorithm = string(d.SSEAlgorithm)
		res.KMSMasterKeyID = aws.ToString(d.KMSMasterKeyID)
	}
	return res, nil
}

func (c *s3Client) PutBucketEncryption(ctx context.Context, bucket string, rule cloud.ServerSideEncryptionByDefault) error {
	_, err := c.api.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
					SSEAlgorithm:   s3types.ServerSideEncryption(rule.SSEAlgorithm),
					KMSMasterKeyID: optString(rule.KMSMasterKeyID),
				},
				BucketKeyEnabled: aws.Bool(rule.BucketKeyEnabled),
			}},
		},
	})
	return s3Err("PutBucketEncryption", bucket, err)
}

func (c *s3Client) DeleteBucketEncryption(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketEncryption", bucket, err)
}

// ---------------------------------------------------------------- public access block

func (c *s3Client) GetPublicAccessBlock(ctx context.Context, bucket string) (cloud.PublicAccessBlock, error) {
	out, err := c.api.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil {
		return cloud.PublicAccessBlock{}, s3Err("GetPublicAccessBlock", bucket, err)
	}
	p := out.PublicAccessBlockConfiguration
	if p == nil {
		return cloud.PublicAccessBlock{}, nil
	}
	return cloud.PublicAccessBlock{
		BlockPublicAcls:       aws.ToBool(p.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(p.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(p.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(p.RestrictPublicBuckets),
	}, nil
}

func (c *s3Client) PutPublicAccessBlock(ctx context.Context, bucket string, pab cloud.PublicAccessBlock) error {
	_, err := c.api.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
		Bucket: aws.String(bucket),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls:       aws.Bool(pab.BlockPublicAcls),
			IgnorePublicAcls:      aws.Bool(pab.IgnorePublicAcls),
			BlockPublicPolicy:     aws.Bool(pab.BlockPublicPolicy),
			RestrictPublicBuckets: aws.Bool(pab.RestrictPublicBuckets),
		},
	})
	return s3Err("PutPublicAccessBlock", bucket, err)
}

func (c *s3Client) DeletePublicAccessBlock(ctx context.Context, bucket string) error {
	_, err := c.api.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)})
	return s3Err("DeletePublicAccessBlock", bucket, err)
}

// ---------------------------------------------------------------- ownership controls

// GetBucketOwnershipControls returns the ObjectOwnership of the first rule.
func (c *s3Client) GetBucketOwnershipControls(ctx context.Context, bucket string) (string, error) {
	out, err := c.api.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", s3Err("GetBucketOwnershipControls", bucket, err)
	}
	if out.OwnershipControls == nil || len(out.OwnershipControls.Rules) == 0 {
		return "", nil
	}
	return string(out.OwnershipControls.Rules[0].ObjectOwnership), nil
}

func (c *s3Client) PutBucketOwnershipControls(ctx context.Context, bucket, objectOwnership string) error {
	_, err := c.api.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
		Bucket: aws.String(bucket),
		OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{
			ObjectOwnership: s3types.ObjectOwnership(objectOwnership),
		}}},
	})
	return s3Err("PutBucketOwnershipControls", bucket, err)
}

func (c *s3Client) DeleteBucketOwnershipControls(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketOwnershipControls", bucket, err)
}

// ---------------------------------------------------------------- policy

func (c *s3Client) GetBucketPolicy(ctx context.Context, bucket string) (string, error) {
	out, err := c.api.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		return "", s3Err("GetBucketPolicy", bucket, err)
	}
	return aws.ToString(out.Policy), nil
}

func (c *s3Client) PutBucketPolicy(ctx context.Context, bucket, policy string) error {
	_, err := c.api.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)})
	return s3Err("PutBucketPolicy", bucket, err)
}

func (c *s3Client) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketPolicy", bucket, err)
}

// ---------------------------------------------------------------- lifecycle

func (c *s3Client) GetBucketLifecycleConfiguration(ctx context.Context, bucket string) (cloud.LifecycleConfiguration, error) {
	out, err := c.api.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return cloud.LifecycleConfiguration{}, s3Err("GetBucketLifecycleConfiguration", bucket, err)
	}
	res := cloud.LifecycleConfiguration{TransitionDefaultMinimumObjectSize: string(out.TransitionDefaultMinimumObjectSize)}
	for _, r := range out.Rules {
		res.Rules = append(res.Rules, fromLifecycleRule(r))
	}
	return res, nil
}

// PutBucketLifecycleConfiguration always sends a Filter (an empty one for
// the whole bucket), never the legacy top-level Prefix.
func (c *s3Client) PutBucketLifecycleConfiguration(ctx context.Context, bucket string, cfg cloud.LifecycleConfiguration) error {
	rules := make([]s3types.LifecycleRule, 0, len(cfg.Rules))
	for _, r := range cfg.Rules {
		rules = append(rules, toLifecycleRule(r))
	}
	_, err := c.api.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket:                             aws.String(bucket),
		LifecycleConfiguration:             &s3types.BucketLifecycleConfiguration{Rules: rules},
		TransitionDefaultMinimumObjectSize: s3types.TransitionDefaultMinimumObjectSize(cfg.TransitionDefaultMinimumObjectSize),
	})
	return s3Err("PutBucketLifecycleConfiguration", bucket, err)
}

func (c *s3Client) DeleteBucketLifecycle(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketLifecycle", bucket, err)
}

func toLifecycleRule(r cloud.LifecycleRule) s3types.LifecycleRule {
	out := s3types.LifecycleRule{
		ID:     optString(r.ID),
		Status: s3types.ExpirationStatus(r.Status),
		Filter: &s3types.LifecycleRuleFilter{Prefix: optString(r.Prefix)},
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, s3types.Transition{
			Days:         aws.Int32(t.Days),
			StorageClass: s3types.TransitionStorageClass(t.StorageClass),
		})
	}
	if r.ExpirationDays > 0 || r.ExpiredObjectDeleteMarker {
		out.Expiration = &s3types.LifecycleExpiration{Days: optInt32(r.ExpirationDays)}
		if r.ExpiredObjectDeleteMarker {
			out.Expiration.ExpiredObjectDeleteMarker = aws.Bool(true)
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		out.NoncurrentVersionTransitions = append(out.NoncurrentVersionTransitions, s3types.NoncurrentVersionTransition{
			NoncurrentDays: aws.Int32(t.Days),
			StorageClass:   s3types.TransitionStorageClass(t.StorageClass),
		})
	}
	if r.NoncurrentVersionExpirationDays > 0 {
		out.NoncurrentVersionExpiration = &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(r.NoncurrentVersionExpirationDays)}
	}
	if r.AbortIncompleteMultipartUploadDays > 0 {
		out.AbortIncompleteMultipartUpload = &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(r.AbortIncompleteMultipartUploadDays)}
	}
	return out
}

// fromLifecycleRule maps a rule back; a legacy top-level Prefix (rules made
// by other tools) is read like a Filter prefix.
func fromLifecycleRule(r s3types.LifecycleRule) cloud.LifecycleRule {
	out := cloud.LifecycleRule{ID: aws.ToString(r.ID), Status: string(r.Status)}
	if r.Filter != nil {
		out.Prefix = aws.ToString(r.Filter.Prefix)
	} else {
		//lint:ignore SA1019 rules written by other tools may still use the legacy Prefix; read it, never write it.
		out.Prefix = aws.ToString(r.Prefix)
	}
	for _, t := range r.Transitions {
		out.Transitions = append(out.Transitions, cloud.Transition{Days: aws.ToInt32(t.Days), StorageClass: string(t.StorageClass)})
	}
	if e := r.Expiration; e != nil {
		out.ExpirationDays = aws.ToInt32(e.Days)
		out.ExpiredObjectDeleteMarker = aws.ToBool(e.ExpiredObjectDeleteMarker)
	}
	for _, t := range r.NoncurrentVersionTransitions {
		out.NoncurrentVersionTransitions = append(out.NoncurrentVersionTransitions, cloud.Transition{Days: aws.ToInt32(t.NoncurrentDays), StorageClass: string(t.StorageClass)})
	}
	if e := r.NoncurrentVersionExpiration; e != nil {
		out.NoncurrentVersionExpirationDays = aws.ToInt32(e.NoncurrentDays)
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		out.AbortIncompleteMultipartUploadDays = aws.ToInt32(a.DaysAfterInitiation)
	}
	return out
}

// ---------------------------------------------------------------- logging

// GetBucketLogging returns nil when logging is off.
func (c *s3Client) GetBucketLogging(ctx context.Context, bucket string) (*cloud.LoggingEnabled, error) {
	out, err := c.api.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, s3Err("GetBucketLogging", bucket, err)
	}
	le := out.LoggingEnabled
	if le == nil {
		return nil, nil
	}
	res := &cloud.LoggingEnabled{TargetBucket: aws.ToString(le.TargetBucket), TargetPrefix: aws.ToString(le.TargetPrefix)}
	if f := le.TargetObjectKeyFormat; f != nil && f.PartitionedPrefix != nil {
		res.PartitionedPrefix = true
		res.PartitionDateSource = string(f.PartitionedPrefix.PartitionDateSource)
	}
	return res, nil
}

// PutBucketLogging with nil switches logging off (an empty
// BucketLoggingStatus).
func (c *s3Client) PutBucketLogging(ctx context.Context, bucket string, logging *cloud.LoggingEnabled) error {
	status := &s3types.BucketLoggingStatus{}
	if logging != nil {
		le := &s3types.LoggingEnabled{
			TargetBucket: aws.String(logging.TargetBucket),
			TargetPrefix: aws.String(logging.TargetPrefix),
		}
		if logging.PartitionedPrefix {
			src := logging.PartitionDateSource
			if src == "" {
				src = string(s3types.PartitionDateSourceEventTime)
			}
			le.TargetObjectKeyFormat = &s3types.TargetObjectKeyFormat{
				PartitionedPrefix: &s3types.PartitionedPrefix{PartitionDateSource: s3types.PartitionDateSource(src)},
			}
		}
		status.LoggingEnabled = le
	}
	_, err := c.api.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String(bucket), BucketLoggingStatus: status})
	return s3Err("PutBucketLogging", bucket, err)
}

// ---------------------------------------------------------------- tagging

func (c *s3Client) GetBucketTagging(ctx context.Context, bucket string) ([]cloud.Tag, error) {
	out, err := c.api.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, s3Err("GetBucketTagging", bucket, err)
	}
	tags := make([]cloud.Tag, 0, len(out.TagSet))
	for _, t := range out.TagSet {
		tags = append(tags, cloud.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return tags, nil
}

func (c *s3Client) PutBucketTagging(ctx context.Context, bucket string, tags []cloud.Tag) error {
	set := make([]s3types.Tag, 0, len(tags))
	for _, t := range tags {
		set = append(set, s3types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	_, err := c.api.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &s3types.Tagging{TagSet: set}})
	return s3Err("PutBucketTagging", bucket, err)
}

func (c *s3Client) DeleteBucketTagging(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketTagging", bucket, err)
}

// ---------------------------------------------------------------- replication

// replicationMinutes is the only value S3 accepts for RTC and metrics.
const replicationMinutes = 15

func (c *s3Client) GetBucketReplication(ctx context.Context, bucket string) (cloud.ReplicationConfiguration, error) {
	out, err := c.api.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return cloud.ReplicationConfiguration{}, s3Err("GetBucketReplication", bucket, err)
	}
	rc := out.ReplicationConfiguration
	if rc == nil {
		return cloud.ReplicationConfiguration{}, nil
	}
	res := cloud.ReplicationConfiguration{Role: aws.ToString(rc.Role)}
	for _, r := range rc.Rules {
		res.Rules = append(res.Rules, fromReplicationRule(r))
	}
	return res, nil
}

// PutBucketReplication sends V2 rules: always a Filter, a Priority and a
// DeleteMarkerReplication status.
func (c *s3Client) PutBucketReplication(ctx context.Context, bucket string, cfg cloud.ReplicationConfiguration) error {
	rules := make([]s3types.ReplicationRule, 0, len(cfg.Rules))
	for _, r := range cfg.Rules {
		rules = append(rules, toReplicationRule(r))
	}
	_, err := c.api.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{
		Bucket:                   aws.String(bucket),
		ReplicationConfiguration: &s3types.ReplicationConfiguration{Role: aws.String(cfg.Role), Rules: rules},
	})
	return s3Err("PutBucketReplication", bucket, err)
}

func (c *s3Client) DeleteBucketReplication(ctx context.Context, bucket string) error {
	_, err := c.api.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: aws.String(bucket)})
	return s3Err("DeleteBucketReplication", bucket, err)
}

func toReplicationRule(r cloud.ReplicationRule) s3types.ReplicationRule {
	dmr := s3types.DeleteMarkerReplicationStatusDisabled
	if r.DeleteMarkerReplication {
		dmr = s3types.DeleteMarkerReplicationStatusEnabled
	}
	dst := &s3types.Destination{
		Bucket:       aws.String(r.DestinationBucket),
		StorageClass: s3types.StorageClass(r.StorageClass),
	}
	if r.ReplicaKmsKeyID != "" {
		dst.EncryptionConfiguration = &s3types.EncryptionConfiguration{ReplicaKmsKeyID: aws.String(r.ReplicaKmsKeyID)}
	}
	if r.ReplicationTime {
		dst.ReplicationTime = &s3types.ReplicationTime{
			Status: s3types.ReplicationTimeStatusEnabled,
			Time:   &s3types.ReplicationTimeValue{Minutes: aws.Int32(replicationMinutes)},
		}
	}
	if r.Metrics {
		dst.Metrics = &s3types.Metrics{
			Status:         s3types.MetricsStatusEnabled,
			EventThreshold: &s3types.ReplicationTimeValue{Minutes: aws.Int32(replicationMinutes)},
		}
	}
	out := s3types.ReplicationRule{
		ID:                      optString(r.ID),
		Priority:                aws.Int32(r.Priority),
		Status:                  s3types.ReplicationRuleStatus(r.Status),
		Filter:                  &s3types.ReplicationRuleFilter{Prefix: optString(r.Prefix)},
		DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: dmr},
		Destination:             dst,
	}
	if r.SseKmsEncryptedObjects {
		out.SourceSelectionCriteria = &s3types.SourceSelectionCriteria{
			SseKmsEncryptedObjects: &s3types.SseKmsEncryptedObjects{Status: s3types.SseKmsEncryptedObjectsStatusEnabled},
		}
	}
	return out
}

func fromReplicationRule(r s3types.ReplicationRule) cloud.ReplicationRule {
	out := cloud.ReplicationRule{
		ID:       aws.ToString(r.ID),
		Priority: aws.ToInt32(r.Priority),
		Status:   string(r.Status),
	}
	if r.Filter != nil {
		out.Prefix = aws.ToString(r.Filter.Prefix)
	} else {
		//lint:ignore SA1019 V1 rules written by other tools use the legacy Prefix; read it, never write it.
		out.Prefix = aws.ToString(r.Prefix)
	}
	if d := r.DeleteMarkerReplication; d != nil {
		out.DeleteMarkerReplication = d.Status == s3types.DeleteMarkerReplicationStatusEnabled
	}
	if s := r.SourceSelectionCriteria; s != nil && s.SseKmsEncryptedObjects != nil {
		out.SseKmsEncryptedObjects = s.SseKmsEncryptedObjects.Status == s3types.SseKmsEncryptedObjectsStatusEnabled
	}
	if d := r.Destination; d != nil {
		out.DestinationBucket = aws.ToString(d.Bucket)
		out.StorageClass = string(d.StorageClass)
		if d.EncryptionConfiguration != nil {
			out.ReplicaKmsKeyID = aws.ToString(d.EncryptionConfiguration.ReplicaKmsKeyID)
		}
		out.ReplicationTime = d.ReplicationTime != nil && d.ReplicationTime.Status == s3types.ReplicationTimeStatusEnabled
		out.Metrics = d.Metrics != nil && d.Metrics.Status == s3types.MetricsStatusEnabled
	}
	return out
}

// ---------------------------------------------------------------- emptying

func (c *s3Client) ListObjectVersions(ctx context.Context, in cloud.ListObjectVersionsInput) (cloud.ListObjectVersionsOutput, error) {
	out, err := c.api.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{
		Bucket:                   aws.String(in.Bucket),
		Prefix:                   optString(in.Prefix),
		KeyMarker:                optString(in.KeyMarker),
		VersionIdMarker:          optString(in.VersionIDMarker),
		MaxKeys:                  optInt32(in.MaxKeys),
		OptionalObjectAttributes: optionalRestoreStatus(in.RestoreStatus),
	})
	if err != nil {
		return cloud.ListObjectVersionsOutput{}, s3Err("ListObjectVersions", in.Bucket, err)
	}
	res := cloud.ListObjectVersionsOutput{
		IsTruncated:         aws.ToBool(out.IsTruncated),
		NextKeyMarker:       aws.ToString(out.NextKeyMarker),
		NextVersionIDMarker: aws.ToString(out.NextVersionIdMarker),
	}
	for _, v := range out.Versions {
		res.Versions = append(res.Versions, cloud.ObjectVersion{
			Key:          aws.ToString(v.Key),
			VersionID:    aws.ToString(v.VersionId),
			IsLatest:     aws.ToBool(v.IsLatest),
			Size:         aws.ToInt64(v.Size),
			StorageClass: string(v.StorageClass),
			LastModified: aws.ToTime(v.LastModified),
			Restore:      fromRestoreStatus(v.RestoreStatus),
		})
	}
	for _, m := range out.DeleteMarkers {
		res.DeleteMarkers = append(res.DeleteMarkers, cloud.DeleteMarkerEntry{
			Key:          aws.ToString(m.Key),
			VersionID:    aws.ToString(m.VersionId),
			IsLatest:     aws.ToBool(m.IsLatest),
			LastModified: aws.ToTime(m.LastModified),
		})
	}
	return res, nil
}

// DeleteObjects deletes up to 1000 versions in one call (Quiet=false, so
// every deleted key is reported) and returns the per-key errors of the
// HTTP 200 answer.
func (c *s3Client) DeleteObjects(ctx context.Context, bucket string, objects []cloud.ObjectIdentifier) (cloud.DeleteObjectsOutput, error) {
	ids := make([]s3types.ObjectIdentifier, 0, len(objects))
	for _, o := range objects {
		ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(o.Key), VersionId: optString(o.VersionID)})
	}
	out, err := c.api.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(bucket),
		Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(false)},
	})
	if err != nil {
		return cloud.DeleteObjectsOutput{}, s3Err("DeleteObjects", bucket, err)
	}
	var res cloud.DeleteObjectsOutput
	for _, d := range out.Deleted {
		res.Deleted = append(res.Deleted, cloud.ObjectIdentifier{Key: aws.ToString(d.Key), VersionID: aws.ToString(d.VersionId)})
	}
	for _, e := range out.Errors {
		res.Errors = append(res.Errors, cloud.DeleteError{
			Key:       aws.ToString(e.Key),
			VersionID: aws.ToString(e.VersionId),
			Code:      aws.ToString(e.Code),
			Message:   aws.ToString(e.Message),
		})
	}
	return res, nil
}

func (c *s3Client) ListMultipartUploads(ctx context.Context, in cloud.ListMultipartUploadsInput) (cloud.ListMultipartUploadsOutput, error) {
	out, err := c.api.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{
		Bucket:         aws.String(in.Bucket),
		KeyMarker:      optString(in.KeyMarker),
		UploadIdMarker: optString(in.UploadIDMarker),
	})
	if err != nil {
		return cloud.ListMultipartUploadsOutput{}, s3Err("ListMultipartUploads", in.Bucket, err)
	}
	res := cloud.ListMultipartUploadsOutput{
		IsTruncated:        aws.ToBool(out.IsTruncated),
		NextKeyMarker:      aws.ToString(out.NextKeyMarker),
		NextUploadIDMarker: aws.ToString(out.NextUploadIdMarker),
	}
	for _, u := range out.Uploads {
		res.Uploads = append(res.Uploads, cloud.MultipartUpload{Key: aws.ToString(u.Key), UploadID: aws.ToString(u.UploadId)})
	}
	return res, nil
}

func (c *s3Client) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	_, err := c.api.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(bucket),
		Key:      aws.String(key),
		UploadId: aws.String(uploadID),
	})
	return s3Err("AbortMultipartUpload", bucket+"/"+key, err)
}

// ---------------------------------------------------------------- objects

// PutObject uploads in.Body. With SSECustomerAlgorithm set it makes a real
// SSE-C request with a random, discarded 256-bit key: it exists to check
// that buckets refuse SSE-C uploads, so the object (if S3 accepts it) can
// never be read back.
func (c *s3Client) PutObject(ctx context.Context, in cloud.PutObjectInput) (cloud.ObjectInfo, error) {
	req := &s3.PutObjectInput{
		Bucket:               aws.String(in.Bucket),
		Key:                  aws.String(in.Key),
		Body:                 bytes.NewReader(in.Body),
		ContentLength:        aws.Int64(int64(len(in.Body))),
		ServerSideEncryption: s3types.ServerSideEncryption(in.ServerSideEncryption),
		SSEKMSKeyId:          optString(in.SSEKMSKeyID),
		BucketKeyEnabled:     in.BucketKeyEnabled,
		StorageClass:         s3types.StorageClass(in.StorageClass),
	}
	if in.SSECustomerAlgorithm != "" {
		key, md5sum, err := randomSSECustomerKey()
		if err != nil {
			return cloud.ObjectInfo{}, fmt.Errorf("s3:PutObject %s: %w", objectResource(in.Bucket, in.Key, ""), err)
		}
		req.SSECustomerAlgorithm = aws.String(in.SSECustomerAlgorithm)
		req.SSECustomerKey = aws.String(key)
		req.SSECustomerKeyMD5 = aws.String(md5sum)
	}
	out, err := c.api.PutObject(ctx, req)
	if err != nil {
		return cloud.ObjectInfo{}, s3Err("PutObject", objectResource(in.Bucket, in.Key, ""), err)
	}
	return cloud.ObjectInfo{
		VersionID:            aws.ToString(out.VersionId),
		ContentLength:        int64(len(in.Body)),
		ServerSideEncryption: string(out.ServerSideEncryption),
		SSEKMSKeyID:          aws.ToString(out.SSEKMSKeyId),
		BucketKeyEnabled:     aws.ToBool(out.BucketKeyEnabled),
		StorageClass:         storageClassOr(in.StorageClass),
	}, nil
}

// randomSSECustomerKey returns a fresh base64 AES-256 key and its base64 MD5.
func randomSSECustomerKey() (key, keyMD5 string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("generate SSE-C key: %w", err)
	}
	sum := md5.Sum(raw)
	return base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:]), nil
}

// HeadObject reports the object's metadata. S3 leaves out the storage class
// header for STANDARD objects; it is reported as STANDARD.
func (c *s3Client) HeadObject(ctx context.Context, bucket, key, versionID string) (cloud.ObjectInfo, error) {
	out, err := c.api.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket:    aws.String(bucket),
		Key:       aws.String(key),
		VersionId: optString(versionID),
	})
	if err != nil {
		return cloud.ObjectInfo{}, s3Err("HeadObject", objectResource(bucket, key, versionID), err)
	}
	info := objectInfo(out.VersionId, out.ContentLength, out.ServerSideEncryption, out.SSEKMSKeyId,
		out.BucketKeyEnabled, out.ReplicationStatus, out.StorageClass, out.DeleteMarker)
	info.LastModified = aws.ToTime(out.LastModified)
	info.Restore = parseRestoreHeader(aws.ToString(out.Restore))
	return info, nil
}

// GetObject reads the whole object into memory.
func (c *s3Client) GetObject(ctx context.Context, bucket, key, versionID string) (cloud.GetObjectOutput, error) {
	res := objectResource(bucket, key, versionID)
	out, err := c.api.GetObject(ctx, &s3.GetObjectInput{
		Bucket:    aws.String(bucket),
		Key:       aws.String(key),
		VersionId: optString(versionID),
	})
	if err != nil {
		return cloud.GetObjectOutput{}, s3Err("GetObject", res, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return cloud.GetObjectOutput{}, fmt.Errorf("s3:GetObject %s: read body: %w", res, err)
	}
	return cloud.GetObjectOutput{
		ObjectInfo: objectInfo(out.VersionId, out.ContentLength, out.ServerSideEncryption, out.SSEKMSKeyId,
			out.BucketKeyEnabled, out.ReplicationStatus, out.StorageClass, out.DeleteMarker),
		Body: body,
	}, nil
}

// objectInfo maps the metadata HeadObject and GetObject share.
func objectInfo(versionID *string, length *int64, sse s3types.ServerSideEncryption, kmsKey *string,
	bucketKey *bool, repl s3types.ReplicationStatus, class s3types.StorageClass, deleteMarker *bool) cloud.ObjectInfo {
	if class == "" {
		class = s3types.StorageClassStandard
	}
	return cloud.ObjectInfo{
		VersionID:            aws.ToString(versionID),
		ContentLength:        aws.ToInt64(length),
		ServerSideEncryption: string(sse),
		SSEKMSKeyID:          aws.ToString(kmsKey),
		BucketKeyEnabled:     aws.ToBool(bucketKey),
		ReplicationStatus:    replicationStatus(repl),
		StorageClass:         string(class),
		DeleteMarker:         aws.ToBool(deleteMarker),
	}
}

// replicationStatus maps the legacy COMPLETE to COMPLETED.
func replicationStatus(s s3types.ReplicationStatus) string {
	if s == s3types.ReplicationStatusComplete {
		return string(s3types.ReplicationStatusCompleted)
	}
	return string(s)
}

func (c *s3Client) DeleteObject(ctx context.Context, bucket, key, versionID string) (cloud.DeleteObjectOutput, error) {
	out, err := c.api.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket:    aws.String(bucket),
		Key:       aws.String(key),
		VersionId: optString(versionID),
	})
	if err != nil {
		return cloud.DeleteObjectOutput{}, s3Err("DeleteObject", objectResource(bucket, key, versionID), err)
	}
	return cloud.DeleteObjectOutput{VersionID: aws.ToString(out.VersionId), DeleteMarker: aws.ToBool(out.DeleteMarker)}, nil
}

func (c *s3Client) CreateMultipartUpload(ctx context.Context, in cloud.CreateMultipartUploadInput) (string, error) {
	out, err := c.api.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:               aws.String(in.Bucket),
		Key:                  aws.String(in.Key),
		ServerSideEncryption: s3types.ServerSideEncryption(in.ServerSideEncryption),
		SSEKMSKeyId:          optString(in.SSEKMSKeyID),
	})
	if err != nil {
		return "", s3Err("CreateMultipartUpload", objectResource(in.Bucket, in.Key, ""), err)
	}
	return aws.ToString(out.UploadId), nil
}

// UploadPart uploads one part and returns its ETag.
func (c *s3Client) UploadPart(ctx context.Context, in cloud.UploadPartInput) (string, error) {
	out, err := c.api.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        aws.String(in.Bucket),
		Key:           aws.String(in.Key),
		UploadId:      aws.String(in.UploadID),
		PartNumber:    aws.Int32(in.PartNumber),
		Body:          bytes.NewReader(in.Body),
		ContentLength: aws.Int64(int64(len(in.Body))),
	})
	if err != nil {
		return "", s3Err("UploadPart", fmt.Sprintf("%s part %d", objectResource(in.Bucket, in.Key, ""), in.PartNumber), err)
	}
	return aws.ToString(out.ETag), nil
}

func (c *s3Client) CompleteMultipartUpload(ctx context.Context, in cloud.CompleteMultipartUploadInput) (cloud.ObjectInfo, error) {
	parts := make([]s3types.CompletedPart, 0, len(in.Parts))
	for _, p := range in.Parts {
		parts = append(parts, s3types.CompletedPart{PartNumber: aws.Int32(p.PartNumber), ETag: aws.String(p.ETag)})
	}
	out, err := c.api.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(in.Bucket),
		Key:             aws.String(in.Key),
		UploadId:        aws.String(in.UploadID),
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return cloud.ObjectInfo{}, s3Err("CompleteMultipartUpload", objectResource(in.Bucket, in.Key, ""), err)
	}
	return cloud.ObjectInfo{
		VersionID:            aws.ToString(out.VersionId),
		ServerSideEncryption: string(out.ServerSideEncryption),
		SSEKMSKeyID:          aws.ToString(out.SSEKMSKeyId),
		BucketKeyEnabled:     aws.ToBool(out.BucketKeyEnabled),
		StorageClass:         string(s3types.StorageClassStandard),
	}, nil
}
