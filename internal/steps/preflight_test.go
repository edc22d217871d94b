package steps_test

import (
	"context"
	"strings"
	"testing"
)

// TestPreflightNamesARegionThatIsNotEnabled: eu-south-1 is an opt-in region
// the in-memory account has not enabled, so every call there fails with
// "The security token included in the request is invalid". Preflight
// exists to turn that into the field and the fix, whichever side the
// region is on, instead of failing with the confusing token error.
func TestPreflightNamesARegionThatIsNotEnabled(t *testing.T) {
	for _, tc := range []struct{ src, dst, field string }{
		{"eu-central-1", "eu-south-1", "replicationRegion"},
		{"eu-south-1", "eu-central-1", "sourceRegion"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			e := newEnv(t, tc.src, tc.dst)
			issues, err := e.eng.Preflight(context.Background(), e.l)
			if err != nil {
				t.Fatalf("preflight failed instead of naming %s: %v", tc.field, err)
			}
			if len(issues) != 1 || issues[0].Field != tc.field || !strings.Contains(issues[0].Message, "not enabled") {
				t.Fatalf("preflight issues %+v, want one for %s", issues, tc.field)
			}
		})
	}
}
