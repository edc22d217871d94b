package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("boom"), 1},
		{"cancelled", silent(ErrCancelled), 1},
		{"invalid file", &InvalidFileError{Path: "x", Err: errors.New("bad")}, 1},
		{"usage", usageErrorf("bad flag"), 2},
		{"wrapped usage", fmt.Errorf("ctx: %w", usageErrorf("bad flag")), 2},
		{"unhealthy", &UnhealthyError{SID: "PRD", Overall: steps.OverallDrift}, 3},
		{"interrupted", ErrInterrupted, 130},
		{"interrupted beats usage", fmt.Errorf("%w: %w", ErrInterrupted, usageErrorf("x")), 130},
		{"silent interrupted", silent(fmt.Errorf("apply PRD: %w", ErrInterrupted)), 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"plan", "--bogus"}, "unknown flag: --bogus"},
		{"plan without file", []string{"plan"}, "--file is required"},
		{"apply without file", []string{"apply", "--yes"}, "--file is required"},
		{"status with two SIDs", []string{"status", "PRD", "QAS"}, "accepts at most 1 arg(s), received 2"},
		{"destroy with two SIDs", []string{"destroy", "PRD", "QAS"}, "accepts at most 1 arg(s), received 2"},
		{"init without sid", []string{"init"}, "--sid is required"},
		{"plan with an argument", []string{"plan", "-f", "x.yaml", "extra"}, `plan takes no arguments (got "extra"): pass the landscape file with -f`},
		{"init with an argument", []string{"init", "PRD"}, `init takes no arguments (got "PRD"): pass the SID with --sid`},
		{"status of a path", []string{"status", "../../x"}, `the SID argument "../../X": SID is exactly 3 characters (this one has 7)`},
		{"destroy of a path", []string{"destroy", "A/B"}, `the SID argument "A/B": SID uses only uppercase letters A-Z and digits 0-9`},
		{"backint of a dot", []string{"backint", ".."}, `the SID argument "..": SID is exactly 3 characters (this one has 2)`},
		{"status of a reserved SID", []string{"status", "sap"}, `the SID argument "SAP": SID is reserved by SAP`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			code, _ := h.run(context.Background(), tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUsage, h.errOut)
			}
			contains(t, "stderr", h.errOut.String(), tt.want, "--help' for usage.")
			if len(h.opened) != 0 {
				t.Error("a usage error reached AWS")
			}
		})
	}
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	code, err := h.run(context.Background(), "--version")
	if code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	if got, want := h.out.String(), "hanavault 1.2.3 (commit abc1234, built 2026-06-01)\n"; got != want {
		t.Errorf("--version printed %q, want %q", got, want)
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"init", "plan", "apply", "status", "destroy"} {
		h := newHarness(t)
		if code, err := h.run(context.Background(), cmd, "--help"); code != 0 {
			t.Fatalf("%s --help: exit %d, %v", cmd, code, err)
		}
		contains(t, cmd+" --help", h.out.String(), "Examples:", "hanavault "+cmd, "--sandbox", "--profile")
	}
}

func TestGlobalFlagsReachApp(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionInSync)
	code, err := h.run(context.Background(), "plan", "-f", path, "--profile", "prod", "--region", "eu-west-1",
		"--endpoint-url", "http://127.0.0.1:5000", "--state-dir", "/tmp/hv-state")
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, h.errOut)
	}
	want := app.Options{Profile: "prod", Region: "eu-west-1", EndpointURL: "http://127.0.0.1:5000", StateDir: "/tmp/hv-state"}
	if diff := cmp.Diff([]app.Options{want}, h.opened); diff != "" {
		t.Errorf("app options (-want +got):\n%s", diff)
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	path, _ := landscapeFile(t)
	for _, tt := range []struct {
		name    string
		args    []string
		want    string
		sandbox bool
	}{
		{"env", nil, "http://127.0.0.1:4566", false},
		{"flag wins", []string{"--endpoint-url", "http://127.0.0.1:5000"}, "http://127.0.0.1:5000", false},
		{"sandbox ignores env", []string{"--sandbox"}, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566"
			h.eng.plan = testPlan(steps.ActionInSync)
			if code, err := h.run(context.Background(), append([]string{"plan", "-f", path}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %v", code, err)
			}
			if got := h.opened[0]; got.EndpointURL != tt.want || got.Sandbox != tt.sandbox {
				t.Errorf("endpoint %q sandbox %v, want %q %v", got.EndpointURL, got.Sandbox, tt.want, tt.sandbox)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	path, l := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate, steps.ActionInSync)
	code, err := h.run(context.Background(), "plan", "-f", path)
	if code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, h.errOut)
	}
	contains(t, "stdout", h.out.String(), "Plan for PRD in account 111122223333", "+ Step create", "Plan: 1 to create, 0 to update, 1 in sync.", "What this sets up")
	if strings.Contains(h.out.String(), "\x1b[") {
		t.Error("plan to a pipe is coloured")
	}
	if diff := cmp.Diff(l, h.eng.got); diff != "" {
		t.Errorf("engine got another landscape than the file's (-file +got):\n%s", diff)
	}
	if !h.eng.called("Preflight") {
		t.Error("plan skipped preflight")
	}
}

func TestPlanFromStdin(t *testing.T) {
	_, l := landscapeFile(t)
	h := newHarness(t)
	h.in.Write(spec.Marshal(l))
	h.eng.plan = testPlan(steps.ActionInSync)
	if code, err := h.run(context.Background(), "plan", "-f", "-"); code != 0 {
		t.Fatalf("exit %d: %v\n%s", code, err, h.errOut)
	}
	if h.eng.got.SID != "PRD" {
		t.Errorf("engine got SID %q from stdin", h.eng.got.SID)
	}
}

func TestPlanJSON(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate)
	h.eng.plan.Changes[0].Fields = []steps.FieldDiff{{Name: "versioning", Desired: "Enabled", Actual: "Suspended"}}
	h.eng.plan.Warnings = []steps.Warning{{Field: "lifecycle.transitionDays", Message: "inside the recovery window"}}
	if code, err := h.run(context.Background(), "plan", "-f", path, "--json"); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	var got steps.Plan
	if err := json.Unmarshal(h.out.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, h.out)
	}
	if diff := cmp.Diff(*h.eng.plan, got); diff != "" {
		t.Errorf("plan JSON (-want +got):\n%s", diff)
	}
}

func TestPlanInvalidFile(t *testing.T) {
	l := spec.Defaults("prd", testAccount, "eu-central-1", "eu-central-1")
	l.EC2RoleToRunBackup = "hana-prd-ec2"
	l.KMSAdminRole = "KMSAdmin"
	dir := t.TempDir()
	bad := dir + "/bad.yaml"
	writeFile(t, bad, spec.Marshal(l))
	garbled := dir + "/garbled.yaml"
	writeFile(t, garbled, []byte("sid: PRD\nsourceRegon: eu-central-1\n"))

	tests := []struct {
		name  string
		path  string
		wants []string
	}{
		{"validation", bad, []string{bad + " is not a valid landscape:", `sid "prd"`, "replicationRegion"}},
		{"parse", garbled, []string{garbled + " is not a valid landscape:", garbled + ":2:", "sourceRegon"}},
		{"missing", dir + "/none.yaml", []string{"cannot use " + dir + "/none.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			code, _ := h.run(context.Background(), "plan", "-f", tt.path)
			if code != ExitError {
				t.Errorf("exit %d, want 1 (invalid file content)", code)
			}
			contains(t, "stderr", h.errOut.String(), tt.wants...)
			if len(h.opened) != 0 {
				t.Error("an invalid file reached AWS")
			}
		})
	}
}

func TestPlanPreflightIssues(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.issues = []steps.PreflightIssue{{Field: "originalBucketName", Message: "the bucket name is taken by another account"}}
	code, _ := h.run(context.Background(), "plan", "-f", path)
	if code != ExitError {
		t.Errorf("exit %d, want 1", code)
	}
	contains(t, "stderr", h.errOut.String(), "landscape PRD cannot be applied as written:", "originalBucketName: the bucket name is taken by another account")
	if h.eng.called("Plan") {
		t.Error("plan ran despite preflight issues")
	}
}

func TestAWSErrorsCarryHints(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.openErr = &app.HintError{Err: errors.New("no usable AWS credentials"), Hint: "No AWS credentials found: run `aws configure`."}
	code, _ := h.run(context.Background(), "plan", "-f", path)
	if code != ExitError {
		t.Errorf("exit %d, want 1", code)
	}
	contains(t, "stderr", h.errOut.String(), "Error: no usable AWS credentials\nNo AWS credentials found: run `aws configure`.")
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
