package steps

import (
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

const polA = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"AllowBackintRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/r"},"Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}`

// The same policy reordered, with single values as one-element lists and
// the condition key in another case.
const polB = `{"Statement":[
 {"Resource":"arn:aws:s3:::b/*","Action":["s3:GetObject","s3:PutObject"],"Principal":{"AWS":["arn:aws:iam::1:role/r"]},"Effect":"Allow","Sid":"AllowBackintRole"},
 {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b"],"Condition":{"Bool":{"aws:securetransport":["false"]}}}],"Version":"2012-10-17"}`

func TestCanonicalPolicyIgnoresFormatting(t *testing.T) {
	a, err := policy.Canonical(polA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := policy.Canonical(polB)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("equivalent policies differ:\n%s\n%s", a, b)
	}
	enc, err := policy.Canonical(cloud.EncodePolicyDocument(polA))
	if err != nil || enc != a {
		t.Fatalf("URL-encoded form differs: %v\n%s", err, enc)
	}
}

func TestCanonicalPolicyDetectsRealChanges(t *testing.T) {
	a, _ := policy.Canonical(polA)
	for name, mod := range map[string]string{
		"effect":    strings.Replace(polA, `"Effect":"Deny"`, `"Effect":"Allow"`, 1),
		"condition": strings.Replace(polA, `"false"`, `"true"`, 1),
		"principal": strings.Replace(polA, "role/r", "role/other", 1),
		"action":    strings.Replace(polA, `"s3:GetObject"`, `"s3:DeleteObject"`, 1),
	} {
		b, err := policy.Canonical(mod)
		if err != nil {
			t.Fatal(err)
		}
		if a == b {
			t.Errorf("%s change not detected", name)
		}
	}
}

func TestExplainPolicyDiffNamesStatements(t *testing.T) {
	missing := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowBackintRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/r"},"Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"},{"Sid":"Extra","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	got := explainPolicyDiff(polA, missing)
	if !strings.Contains(got, "missing DenyInsecureTransport") || !strings.Contains(got, "extra Extra") {
		t.Fatalf("explanation %q", got)
	}
	if got := explainPolicyDiff(polA, polB); got != "same statements" {
		t.Fatalf("equivalent: %q", got)
	}
}
