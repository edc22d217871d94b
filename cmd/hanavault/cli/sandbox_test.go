package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// sandboxCLI runs the real CLI (app.Open, the engine, the in-memory
// account) against a sandbox kept in a temporary state directory.
type sandboxCLI struct {
	t     *testing.T
	state string
}

func (s sandboxCLI) run(stdin string, args ...string) (code int, stdout, stderr string) {
	s.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	f := NewFactory(ios, BuildInfo{Version: "test"})
	f.Getenv = func(string) string { return "" }
	err := Run(context.Background(), f, append(args, "--sandbox", "--state-dir", s.state))
	return ExitCode(err), out.String(), errOut.String()
}

// initFile writes the landscape file `init` prints for sid, with the
// sandbox's seeded roles, and returns its path.
func (s sandboxCLI) initFile(sid string) string {
	s.t.Helper()
	code, yaml, stderr := s.run("", "init", "--sid", sid, "--ec2-role", memaws.SeedBackupRole, "--kms-admin-role", memaws.SeedKMSAdminRole)
	if code != 0 {
		s.t.Fatalf("init %s: exit %d\n%s", sid, code, stderr)
	}
	file := filepath.Join(s.t.TempDir(), "landscape-"+sid+".yaml")
	writeFile(s.t, file, []byte(yaml))
	return file
}

// TestSandboxLifecycle drives init, plan, apply, status, drift, destroy and
// the refusals through the real engine and the persisted sandbox account.
func TestSandboxLifecycle(t *testing.T) {
	t.Setenv("HANAVAULT_SANDBOX_LATENCY", "0") // no demo pacing in tests
	s := sandboxCLI{t: t, state: t.TempDir()}
	file := filepath.Join(t.TempDir(), "landscape.yaml")

	code, yaml, stderr := s.run("", "init", "--sid", "PRD", "--ec2-role", memaws.SeedBackupRole, "--kms-admin-role", memaws.SeedKMSAdminRole)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	l, err := spec.Parse([]byte(yaml), "init")
	if err != nil {
		t.Fatalf("init output does not parse: %v", err)
	}
	if !strings.Contains(l.OriginalBucketName, "123456789012") || l.SourceRegion != "eu-central-1" || l.ReplicationRegion != "eu-west-1" {
		t.Errorf("init did not use the sandbox account and region: %+v", l)
	}
	writeFile(t, file, []byte(yaml))

	code, out, stderr := s.run("", "plan", "-f", file, "--json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	var p steps.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --json: %v", err)
	}
	if n := p.Counts(); n[steps.ActionCreate] == 0 || n[steps.ActionUpdate] != 0 || len(p.Changes) != n[steps.ActionCreate] {
		t.Errorf("a fresh sandbox plans %v", n)
	}

	if code, _, stderr := s.run("", "apply", "-f", file); code != ExitUsage || !strings.Contains(stderr, "rerun with --yes") {
		t.Fatalf("apply without --yes and terminal: exit %d\n%s", code, stderr)
	}
	code, out, stderr = s.run("", "apply", "-f", file, "--yes")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
	contains(t, "apply stdout", out, "Apply complete")
	contains(t, "apply stderr", stderr, "source/key: done (created", "source/bucket/replication: done (")

	code, out, stderr = s.run("", "status")
	if code != 0 {
		t.Fatalf("status after apply: exit %d\n%s\n%s", code, out, stderr)
	}
	contains(t, "status", out, "Status of PRD in account 123456789012: ok")

	code, out, stderr = s.run("", "backint", "PRD")
	if code != 0 {
		t.Fatalf("backint: exit %d\n%s", code, stderr)
	}
	contains(t, "backint", out, `S3BucketName: "`+l.OriginalBucketName+`"`, `S3BucketOwnerAccountID: "123456789012"`,
		`S3SseKmsArn: "arn:aws:kms:eu-central-1:123456789012:key/`, `# S3BucketName: "`+l.ReplicationBucketName+`"`)

	code, out, _ = s.run("", "plan", "-f", file)
	if code != 0 || !strings.Contains(out, "Nothing to do.") {
		t.Errorf("plan after apply: exit %d\n%s", code, out)
	}

	// Someone removes the lifecycle behind hanavault's back.
	acct, err := memaws.Open(filepath.Join(s.state, "sandbox"), memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := acct.S3("eu-central-1").DeleteBucketLifecycle(context.Background(), l.OriginalBucketName); err != nil {
		t.Fatal(err)
	}
	code, out, _ = s.run("", "status", "PRD", "--json")
	if code != ExitUnhealthy {
		t.Fatalf("status with drift: exit %d, want 3\n%s", code, out)
	}
	var st steps.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if (r.ID == "source/bucket/lifecycle") == (r.State == steps.StateOK) {
			t.Errorf("%s is %s", r.ID, r.State)
		}
	}
	code, out, _ = s.run("", "apply", "-f", file, "--yes")
	if code != 0 || !strings.Contains(out, "Lifecycle") || strings.Contains(out, "Nothing to do.") {
		t.Errorf("apply to repair drift: exit %d\n%s", code, out)
	}
	if code, _, _ := s.run("", "status", "PRD"); code != 0 {
		t.Errorf("status after repair: exit %d", code)
	}

	code, out, stderr = s.run("", "destroy", "PRD")
	if code != ExitUsage || !strings.Contains(stderr, "rerun with --confirm PRD") || !strings.Contains(out, "KMS keys scheduled for deletion") {
		t.Fatalf("destroy without --confirm: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestSandboxSharedByTwoRuns applies two SIDs at once while status runs in
// a loop, each run opening the sandbox on its own as separate processes
// do: nothing either apply did is lost, and the read-only commands (status,
// plan, backint) leave account.json as it was.
func TestSandboxSharedByTwoRuns(t *testing.T) {
	t.Setenv("HANAVAULT_SANDBOX_LATENCY", "0")
	s := sandboxCLI{t: t, state: t.TempDir()}
	files := map[string]string{"PRD": s.initFile("PRD"), "QAS": s.initFile("QAS")}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for sid, file := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, out, stderr := s.run("", "apply", "-f", file, "--yes"); code != 0 {
				t.Errorf("apply %s: exit %d\n%s\n%s", sid, code, out, stderr)
			}
		}()
	}
	go func() {
		defer close(done)
		for range 5 {
			s.run("", "status", "PRD")
		}
	}()
	wg.Wait()
	<-done
	account := filepath.Join(s.state, "sandbox", "account.json")
	before, err := os.ReadFile(account)
	if err != nil {
		t.Fatal(err)
	}
	for sid, file := range files {
		if code, out, stderr := s.run("", "status", sid); code != 0 {
			t.Errorf("status %s after both applies: exit %d\n%s\n%s", sid, code, out, stderr)
		}
		if code, out, _ := s.run("", "plan", "-f", file); code != 0 || !strings.Contains(out, "Nothing to do.") {
			t.Errorf("plan %s after both applies: exit %d\n%s", sid, code, out)
		}
		if code, _, stderr := s.run("", "backint", sid); code != 0 {
			t.Errorf("backint %s: exit %d\n%s", sid, code, stderr)
		}
	}
	// Without a SID, status lists the landscapes with their health, as the
	// wizard's home screen does.
	if code, _, stderr := s.run("", "status"); code != ExitUsage || !strings.Contains(stderr, "Several landscapes are known") {
		t.Errorf("status without a SID: exit %d\n%s", code, stderr)
	}
	if after, err := os.ReadFile(account); err != nil || !bytes.Equal(before, after) {
		t.Errorf("status, plan and backint rewrote the sandbox account (%v)", err)
	}
}

// TestTornJournalIsReportedByEveryCommand: a journal whose last line a
// crash tore is reported by the commands that only read it (status, plan,
// backint, the destroy preview), not only by apply and destroy.
func TestTornJournalIsReportedByEveryCommand(t *testing.T) {
	s, file, _ := appliedSandbox(t)
	journal := filepath.Join(s.state, "sandbox", memaws.DefaultAccountID, "PRD", "journal.jsonl")
	f, err := os.OpenFile(journal, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"seq":999,"kind":"inte`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, args := range [][]string{{"status", "PRD"}, {"plan", "-f", file}, {"backint", "PRD"}, {"destroy", "PRD"}} {
		_, _, stderr := s.run("", args...)
		if !strings.Contains(stderr, "torn by a crash") {
			t.Errorf("%s does not report the torn journal line:\n%s", args[0], stderr)
		}
	}
}
