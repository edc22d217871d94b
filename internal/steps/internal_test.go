package steps

import (
	"errors"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Pitfalls 1 and 2: what CreateBucket sends per region, and how
// GetBucketLocation answers map back to regions.
func TestLocationConstraintRules(t *testing.T) {
	if locationConstraint("us-east-1") != "" {
		t.Error("us-east-1 must send no LocationConstraint")
	}
	if locationConstraint("eu-west-1") != "eu-west-1" {
		t.Error("other regions send their own name")
	}
	for in, want := range map[string]string{"": "us-east-1", "EU": "eu-west-1", "eu-central-1": "eu-central-1"} {
		if got := normalizeLocation(in); got != want {
			t.Errorf("location %q → %q, want %q", in, got, want)
		}
	}
}

// Pitfalls 3 and 12: the eventual-consistency errors are retried, with a
// reason a person understands; real failures are not.
func TestRetryableClassification(t *testing.T) {
	for _, tc := range []struct {
		code, msg string
		retry     bool
		reason    string
	}{
		{cloud.CodeInvalidRequest, "Versioning must be 'Enabled' on the bucket to apply a replication configuration", true, "versioning"},
		{cloud.CodeInvalidRequest, "Destination bucket must have versioning enabled.", true, "versioning"},
		{cloud.CodeMalformedPolicyDocument, "Policy contains a statement with one or more invalid principals.", true, "not yet visible to KMS"},
		{cloud.CodeInvalidArgument, "Invalid Role ARN", true, "propagated"},
		{cloud.CodeOperationAborted, "A conflicting conditional operation is currently in progress", true, "in progress"},
		{cloud.CodeMalformedPolicy, "Invalid principal in policy", true, "not yet visible to S3"},
		{cloud.CodeMalformedPolicyDocument, "The new key policy will not allow you to update the key policy in the future.", false, ""},
		{cloud.CodeMalformedPolicy, "Policy has invalid action", false, ""},
		{cloud.CodeAccessDenied, "Access Denied", false, ""},
		{cloud.CodeInvalidRequest, "Something else", false, ""},
		{cloud.CodeInternalError, "We encountered an internal error", false, ""},
	} {
		reason, ok := retryable(&cloud.Error{Code: tc.code, Message: tc.msg})
		if ok != tc.retry {
			t.Errorf("%s %q: retry %v, want %v", tc.code, tc.msg, ok, tc.retry)
		}
		if tc.retry && !strings.Contains(reason, tc.reason) {
			t.Errorf("%s: reason %q does not mention %q", tc.code, reason, tc.reason)
		}
	}
	if _, ok := retryable(errors.New("plain")); ok {
		t.Error("plain errors are not retried")
	}
}

func TestDiffReportsFieldsAndActions(t *testing.T) {
	desired := []field{{name: "versioning", value: "Enabled"}, {name: "key", value: "(known after apply)", unknown: true}}
	if a, _ := diff(desired, observed{}); a != ActionCreate {
		t.Fatalf("missing resource: %s", a)
	}
	a, fields := diff(desired, observed{exists: true, fields: []field{{name: "versioning", value: "Suspended"}, {name: "key", value: "k"}}})
	if a != ActionUpdate || len(fields) != 2 || fields[0] != (FieldDiff{Name: "versioning", Desired: "Enabled", Actual: "Suspended"}) {
		t.Fatalf("update: %s %+v", a, fields)
	}
	if a, _ := diff([]field{{name: "v", value: "x", compare: "1"}}, observed{exists: true, fields: []field{{name: "v", value: "y", compare: "1"}}}); a != ActionInSync {
		t.Fatalf("equal canonical forms must be in sync: %s", a)
	}
	if _, f := diff([]field{{name: "v", value: "x"}}, observed{exists: true}); len(f) != 1 || f[0].Actual != "(not set)" {
		t.Fatalf("unset setting: %+v", f)
	}
}
