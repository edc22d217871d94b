package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

func TestWizardFallsBackToSandbox(t *testing.T) {
	isolateAWS(t)
	ctx := context.Background()
	state := t.TempDir()
	env, err := Open(ctx, Options{StateDir: state, AllowSandboxFallback: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	dir := filepath.Join(state, "sandbox")
	if !env.Sandbox || env.SandboxDir != dir {
		t.Fatalf("sandbox %v in %q, want true in %q", env.Sandbox, env.SandboxDir, dir)
	}
	want := "No AWS credentials found, so this is the sandbox: an in-memory account kept in " + dir + ". Use --profile to work with AWS."
	if env.SandboxReason != want {
		t.Errorf("reason %q, want %q", env.SandboxReason, want)
	}
	if env.Region != SandboxRegion {
		t.Errorf("region %q, want %q", env.Region, SandboxRegion)
	}
	id, err := env.Engine.Identity(ctx)
	if err != nil || id.Account == "" {
		t.Fatalf("sandbox identity %+v, %v", id, err)
	}
}

func TestSandboxPersistsInStateDir(t *testing.T) {
	isolateAWS(t)
	ctx := context.Background()
	state := t.TempDir()
	env, err := Open(ctx, Options{StateDir: state, Sandbox: true, Region: "us-east-2"})
	if err != nil {
		t.Fatal(err)
	}
	if env.Region != "us-east-2" {
		t.Errorf("region %q, want the --region us-east-2", env.Region)
	}
	if !strings.Contains(env.SandboxReason, "--sandbox") {
		t.Errorf("reason %q does not name --sandbox", env.SandboxReason)
	}
	if err := env.Account.S3("us-east-2").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "hv-persist-test", LocationConstraint: "us-east-2"}); err != nil {
		t.Fatalf("create bucket in the sandbox: %v", err)
	}
	again, err := Open(ctx, Options{StateDir: state, Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Account.S3("us-east-2").GetBucketLocation(ctx, "hv-persist-test"); err != nil {
		t.Errorf("bucket gone after reopening the sandbox: %v", err)
	}
}

func TestSandboxJournalsStayInTheSandbox(t *testing.T) {
	isolateAWS(t)
	ctx := context.Background()
	state := t.TempDir()
	env, err := Open(ctx, Options{StateDir: state, Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	l := spec.Defaults("SBX", "123456789012", "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup, l.KMSAdminRole = "hana-backup-ec2", "kms-admin"
	res, err := env.Engine.Apply(ctx, l, steps.SinkFunc(func(steps.Event) {}))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(state, "sandbox") + string(filepath.Separator); !strings.HasPrefix(res.JournalPath, want) {
		t.Fatalf("sandbox journal at %s, want it under %s", res.JournalPath, want)
	}
}

func TestSandboxLatencySetting(t *testing.T) {
	for in, want := range map[string]string{"": "40ms", "0": "0s", "150ms": "150ms"} {
		d, err := sandboxLatency(in)
		if err != nil || d.String() != want {
			t.Errorf("%q: %v %v, want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"fast", "-1s", "1h"} {
		if _, err := sandboxLatency(bad); err == nil || !strings.Contains(err.Error(), "HANAVAULT_SANDBOX_LATENCY") {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
}

// TestAccountIDMustBeTwelveDigits: the account ID that STS answers names a
// directory of the local state; an answer that is not 12 digits (a
// rewritten GetCallerIdentity, "../elsewhere") is refused before any path
// is built from it.
func TestAccountIDMustBeTwelveDigits(t *testing.T) {
	ctx := context.Background()
	for _, id := range []string{"../elsewhere", "12345678901", "1234567890123", "12345678901a"} {
		state := filepath.Join(t.TempDir(), "state")
		acct := memaws.New(memaws.Options{AccountID: id})
		env := build(acct, "eu-central-1", Options{StateDir: state}, false, "", "")
		_, err := env.Engine.Identity(ctx)
		if err == nil || !strings.Contains(err.Error(), "not a 12-digit account ID") {
			t.Errorf("account %q: Identity error %v", id, err)
		}
		if _, err := env.Engine.Known(ctx, false); err == nil {
			t.Errorf("account %q: listing the landscapes succeeded", id)
		}
		if _, err := os.Stat(filepath.Dir(state)); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(state)); len(entries) != 0 {
			t.Errorf("account %q: the state's parent holds %v", id, entries)
		}
	}
}

// The wizard may show the sandbox before the credential lookup ends only
// where the lookup could end in the sandbox, and when no credential was
// named in the environment.
func TestSandboxWhileLooking(t *testing.T) {
	wizard := Options{AllowSandboxFallback: true}
	for _, tc := range []struct {
		name string
		o    Options
		env  map[string]string
		want bool
	}{
		{"bare wizard", wizard, nil, true},
		{"region and state dir", Options{AllowSandboxFallback: true, Region: "eu-west-1", StateDir: "/s"}, map[string]string{"AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"}, true},
		{"subcommand", Options{}, nil, false},
		{"--profile", Options{AllowSandboxFallback: true, Profile: "prod"}, nil, false},
		{"--endpoint-url", Options{AllowSandboxFallback: true, EndpointURL: "http://127.0.0.1:5000"}, nil, false},
		{"--sandbox", Options{AllowSandboxFallback: true, Sandbox: true}, nil, false},
		{"access key", wizard, map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, false},
		{"legacy access key", wizard, map[string]string{"AWS_ACCESS_KEY": "AKIAEXAMPLE"}, false},
		{"AWS_PROFILE", wizard, map[string]string{"AWS_PROFILE": "prod"}, false},
		{"web identity", wizard, map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"}, false},
		{"role", wizard, map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/x"}, false},
		{"container", wizard, map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}, false},
		{"container full URI", wizard, map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.MaySandboxWhileLooking(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("MaySandboxWhileLooking = %v, want %v", got, tc.want)
			}
		})
	}
}

// The sandbox opened while the lookup goes on says so, honestly.
func TestOpenSandboxWhileLooking(t *testing.T) {
	isolateAWS(t)
	state := t.TempDir()
	env, err := Open(context.Background(), Options{StateDir: state, AllowSandboxFallback: true, SandboxWhileLooking: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(state, "sandbox")
	if !env.Sandbox || env.SandboxDir != dir || env.Region != SandboxRegion {
		t.Fatalf("sandbox %v in %q, region %q", env.Sandbox, env.SandboxDir, env.Region)
	}
	for _, want := range []string{"No AWS credentials found yet", "Still looking", dir} {
		if !strings.Contains(env.SandboxReason, want) {
			t.Errorf("reason %q does not say %q", env.SandboxReason, want)
		}
	}
}
