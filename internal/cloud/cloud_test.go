package cloud

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseARNAndPartition(t *testing.T) {
	for _, tc := range []struct {
		arn, partition string
	}{
		{"arn:aws:sts::123456789012:assumed-role/Admin/me", "aws"},
		{"arn:aws-cn:iam::123456789012:role/x", "aws-cn"},
		{"arn:aws-us-gov:sts::123456789012:assumed-role/a/b", "aws-us-gov"},
		{"arn:aws-iso-b:iam::123456789012:user/u", "aws-iso-b"},
	} {
		if got := (CallerIdentity{Arn: tc.arn}).Partition(); got != tc.partition {
			t.Errorf("%s: partition %q, want %q", tc.arn, got, tc.partition)
		}
		a, err := ParseARN(tc.arn)
		if err != nil || a.String() != tc.arn {
			t.Errorf("%s: round trip %q %v", tc.arn, a.String(), err)
		}
	}
	for _, bad := range []string{"", "arn:aws", "not:an:arn:at:all:x", "arn::s3:::b"} {
		if _, err := ParseARN(bad); err == nil {
			t.Errorf("%q parsed as an ARN", bad)
		}
	}
}

func TestARNBuildersUseThePartition(t *testing.T) {
	if got := BucketARN("aws-cn", "b"); got != "arn:aws-cn:s3:::b" {
		t.Errorf("bucket %s", got)
	}
	if got := RoleARN("aws-us-gov", "1", "/sso/", "r"); got != "arn:aws-us-gov:iam::1:role/sso/r" {
		t.Errorf("role %s", got)
	}
	if got := RoleARN("aws", "1", "", "r"); got != "arn:aws:iam::1:role/r" {
		t.Errorf("role without path %s", got)
	}
	if got := KeyARN("aws-cn", "cn-north-1", "1", "k"); got != "arn:aws-cn:kms:cn-north-1:1:key/k" {
		t.Errorf("key %s", got)
	}
	if DNSSuffix("aws-cn") != "amazonaws.com.cn" || DNSSuffix("aws") != "amazonaws.com" {
		t.Error("DNS suffixes")
	}
}

func TestPolicyDocumentEncoding(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringLike":{"k":"a+b c/*"}}}]}`
	enc := EncodePolicyDocument(doc)
	if enc == doc || enc[0] == '{' {
		t.Fatalf("not encoded: %s", enc)
	}
	for _, c := range []string{" ", "+"} {
		if strings.Contains(enc, c) {
			t.Fatalf("encoded form contains %q: %s", c, enc)
		}
	}
	dec, err := DecodePolicyDocument(enc)
	if err != nil || dec != doc {
		t.Fatalf("decode: %v\n%s", err, dec)
	}
	plain, err := DecodePolicyDocument("  " + doc)
	if err != nil || plain != doc {
		t.Fatalf("plain JSON must pass through: %v", err)
	}
	if _, err := DecodePolicyDocument("%zz"); err == nil {
		t.Fatal("bad escape accepted")
	}
}

func TestErrorCodes(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &Error{Service: "s3", Op: "CreateBucket", Code: CodeBucketAlreadyOwnedByYou, Message: "yours", Resource: "b"})
	if !IsCode(err, CodeNoSuchBucket, CodeBucketAlreadyOwnedByYou) || IsCode(err, CodeNoSuchBucket) {
		t.Fatal("IsCode")
	}
	if ErrorCode(errors.New("plain")) != "" || IsCode(nil, "") {
		t.Fatal("plain errors have no code")
	}
	if got := err.Error(); got != "wrapped: s3:CreateBucket b: BucketAlreadyOwnedByYou: yours" {
		t.Fatalf("message %q", got)
	}
	if ErrorMessage(err) != "yours" || ErrorMessage(nil) != "" {
		t.Fatal("ErrorMessage")
	}
}

func TestIsMutating(t *testing.T) {
	for _, op := range []string{"CreateBucket", "PutBucketPolicy", "ScheduleKeyDeletion", "DeleteRole", "DeleteObjects"} {
		if !IsMutating(op) {
			t.Errorf("%s should be mutating", op)
		}
	}
	for _, op := range []string{"GetBucketPolicy", "HeadBucket", "DescribeKey", "ListRoles", "GetCallerIdentity"} {
		if IsMutating(op) {
			t.Errorf("%s is a read", op)
		}
	}
}
