package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hanavault/hanavault/internal/cloud"
)

// sdkError builds an error shaped like the SDK's: an OperationError around
// an HTTP ResponseError around err.
func sdkError(service, op string, status int, err error) error {
	return &smithy.OperationError{
		ServiceID:     service,
		OperationName: op,
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}},
				Err:      err,
			},
			RequestID: "req-1",
		},
	}
}

func TestConvertErrorAPIError(t *testing.T) {
	err := sdkError("S3", "CreateBucket", 409, &smithy.GenericAPIError{Code: "BucketAlreadyOwnedByYou", Message: "Your previous request to create the named bucket succeeded"})
	got := convertError("s3", "CreateBucket", "hv-b", err)
	var ce *cloud.Error
	if !errors.As(got, &ce) {
		t.Fatalf("want *cloud.Error, got %T %v", got, got)
	}
	want := cloud.Error{Service: "s3", Op: "CreateBucket", Code: "BucketAlreadyOwnedByYou",
		Message: "Your previous request to create the named bucket succeeded", HTTPStatus: 409, Resource: "hv-b"}
	if *ce != want {
		t.Errorf("got %+v\nwant %+v", *ce, want)
	}
	if !cloud.IsCode(got, cloud.CodeBucketAlreadyOwnedByYou) {
		t.Error("IsCode does not see the code")
	}
}

func TestConvertErrorHeadWithoutBody(t *testing.T) {
	cases := []struct {
		name   string
		status int
		inner  error
		want   string
	}{
		// The SDK's deserializer for a bodiless 404/403: no API error at all.
		{"404 without API error", 404, errors.New("http response error"), cloud.CodeNotFound},
		{"403 without API error", 403, errors.New("http response error"), cloud.CodeForbidden},
		// Or a generic one whose code is empty or the status text.
		{"404 empty code", 404, &smithy.GenericAPIError{}, cloud.CodeNotFound},
		{"403 UnknownError", 403, &smithy.GenericAPIError{Code: "UnknownError"}, cloud.CodeForbidden},
		{"403 status text", 403, &smithy.GenericAPIError{Code: "Forbidden"}, cloud.CodeForbidden},
		// A real code is kept even on those statuses.
		{"404 NoSuchBucket", 404, &smithy.GenericAPIError{Code: "NoSuchBucket"}, cloud.CodeNoSuchBucket},
		{"403 AccessDenied", 403, &smithy.GenericAPIError{Code: "AccessDenied"}, cloud.CodeAccessDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := convertError("s3", "HeadBucket", "hv-b", sdkError("S3", "HeadBucket", c.status, c.inner))
			var ce *cloud.Error
			if !errors.As(got, &ce) {
				t.Fatalf("want *cloud.Error, got %T %v", got, got)
			}
			if ce.Code != c.want || ce.HTTPStatus != c.status || ce.Resource != "hv-b" {
				t.Errorf("got %+v, want code %s status %d", *ce, c.want, c.status)
			}
		})
	}
}

func TestConvertErrorKeepsTransportAndContextErrors(t *testing.T) {
	err := &smithy.OperationError{ServiceID: "KMS", OperationName: "DescribeKey",
		Err: fmt.Errorf("request send failed: %w", context.DeadlineExceeded)}
	got := convertError("kms", "DescribeKey", "alias/x", err)
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("context error lost: %v", got)
	}
	var ce *cloud.Error
	if errors.As(got, &ce) {
		t.Errorf("a transport error became a service error: %+v", ce)
	}
	if msg := got.Error(); !strings.HasPrefix(msg, "kms:DescribeKey alias/x: ") || strings.Contains(msg, "operation error") {
		t.Errorf("message = %q, want it to name service, operation and resource once", msg)
	}
	if convertError("kms", "DescribeKey", "", nil) != nil {
		t.Error("nil error not kept nil")
	}
	if got := convertError("sts", "GetCallerIdentity", "", errors.New("boom")).Error(); got != "sts:GetCallerIdentity: boom" {
		t.Errorf("message without resource = %q", got)
	}
}

func TestHint(t *testing.T) {
	apiErr := func(service, op, code, msg, resource string) error {
		return &cloud.Error{Service: service, Op: op, Code: code, Message: msg, Resource: resource, HTTPStatus: 403}
	}
	cases := []struct {
		name    string
		err     error
		profile string
		want    []string // substrings
	}{
		{"no credentials, default chain", fmt.Errorf("s3:ListBuckets: %w", &CredentialsError{Err: errors.New("no EC2 IMDS role found")}), "",
			[]string{"No AWS credentials found", "aws configure", "aws sso login --profile NAME"}},
		{"no credentials, named profile", &CredentialsError{Profile: "prod", Err: errors.New("failed to load")}, "",
			[]string{`profile "prod"`, "aws sso login --profile prod", "aws configure --profile prod"}},
		{"expired SSO token", &CredentialsError{Profile: "prod", Err: &ssocreds.InvalidTokenError{Err: errors.New("token expired")}}, "",
			[]string{"SSO session has expired", "`aws sso login --profile prod`"}},
		{"expired SSO token by text", &CredentialsError{Err: errors.New("refresh cached SSO token failed")}, "dev",
			[]string{"SSO session has expired", "aws sso login --profile dev"}},
		{"ExpiredToken from a call", apiErr("sts", "GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired", ""), "ops",
			[]string{"session token has expired", "aws sso login --profile ops"}},
		{"ExpiredTokenException without profile", apiErr("kms", "ListKeys", "ExpiredTokenException", "", ""), "",
			[]string{"session token has expired", "`aws sso login`"}},
		{"rejected key", apiErr("sts", "GetCallerIdentity", "InvalidClientTokenId", "", ""), "",
			[]string{"rejected the credentials (InvalidClientTokenId)", "aws configure"}},
		{"access denied names the action from the message", apiErr("s3", "PutBucketReplication", "AccessDenied",
			"User: arn:aws:iam::1:user/x is not authorized to perform: s3:PutReplicationConfiguration on resource: arn:aws:s3:::b", "hv-src"), "",
			[]string{"may not s3:PutReplicationConfiguration on hv-src"}},
		{"access denied names the action from the operation", apiErr("s3", "PutBucketLifecycleConfiguration", "AccessDenied", "Access Denied", "hv-b"), "",
			[]string{"may not s3:PutLifecycleConfiguration on hv-b"}},
		{"kms access denied", apiErr("kms", "CreateKey", "AccessDeniedException", "", ""), "",
			[]string{"may not kms:CreateKey."}},
		{"ec2 unauthorized", apiErr("ec2", "DescribeRegions", "UnauthorizedOperation", "You are not authorized to perform this operation.", "eu-central-1"), "",
			[]string{"may not ec2:DescribeRegions on eu-central-1"}},
		{"no region sentinel", fmt.Errorf("open landscape: %w", ErrNoRegion), "", []string{"pass --region"}},
		{"no region from the SDK", &aws.MissingRegionError{}, "", []string{"pass --region"}},
		{"no region from the endpoint resolver", errors.New("resolve auth scheme: Invalid Configuration: Missing Region"), "", []string{"pass --region"}},
		{"unknown profile", fmt.Errorf("load: %w", config.SharedConfigProfileNotExistError{Profile: "nope"}), "",
			[]string{`profile "nope" does not exist`, "aws configure list-profiles"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := HintForProfile(c.err, c.profile)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("hint %q lacks %q", got, w)
				}
			}
		})
	}

	a := &Account{profile: "ops"}
	if got := a.Hint(&cloud.Error{Service: "sts", Op: "GetCallerIdentity", Code: "ExpiredToken"}); !strings.Contains(got, "aws sso login --profile ops") {
		t.Errorf("(*Account).Hint = %q, want the account's profile", got)
	}

	for _, err := range []error{nil, errors.New("boom"), &cloud.Error{Code: "BucketNotEmpty"}, context.Canceled} {
		if got := Hint(err); got != "" {
			t.Errorf("Hint(%v) = %q, want none", err, got)
		}
	}
}

func TestIAMAction(t *testing.T) {
	for _, c := range []struct{ service, op, want string }{
		{"s3", "HeadBucket", "s3:ListBucket"},
		{"s3", "GetBucketReplication", "s3:GetReplicationConfiguration"},
		{"s3", "DeleteBucketEncryption", "s3:PutEncryptionConfiguration"},
		{"s3", "ListObjectVersions", "s3:ListBucketVersions"},
		{"s3", "CreateBucket", "s3:CreateBucket"},
		{"kms", "ScheduleKeyDeletion", "kms:ScheduleKeyDeletion"},
		{"iam", "PassRole", "iam:PassRole"},
	} {
		if got := IAMAction(c.service, c.op); got != c.want {
			t.Errorf("IAMAction(%s, %s) = %q, want %q", c.service, c.op, got, c.want)
		}
	}
}
