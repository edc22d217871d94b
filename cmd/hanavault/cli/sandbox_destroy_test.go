package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// TestSandboxDestroy applies a landscape in the sandbox, then destroys it
// with --confirm and --json through the real engine.
func TestSandboxDestroy(t *testing.T) {
	s, _, _ := appliedSandbox(t)
	code, out, stderr := s.run("", "destroy", "PRD", "--confirm", "PRD", "--json")
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Kind   string        `json:"kind"`
		Result *steps.Result `json:"result"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Kind != "result" || last.Result == nil || last.Result.Failed != 0 || len(last.Result.KeyDeletions) != 2 {
		t.Errorf("destroy result %+v", last.Result)
	}
	if !bytes.HasPrefix([]byte(lines[0]), []byte(`{"kind":"destroy-preview"`)) {
		t.Errorf("destroy stream starts with %s", lines[0])
	}
	if code, _, stderr := s.run("", "status"); code != ExitUsage || !strings.Contains(stderr, "no landscape is known") {
		t.Errorf("status after destroy: exit %d\n%s", code, stderr)
	}
}

// TestSandboxRenameOntoSeededBucketIsKept: renaming the backup bucket of
// an applied landscape to the account's seeded sap-install-media bucket
// must not make it hanavault's: plan and the destroy preview say it is
// pre-existing and kept, the preview lists the bucket the landscape
// created under the earlier name, and destroying again after destroy says
// there is nothing to do (exit 0).
func TestSandboxRenameOntoSeededBucketIsKept(t *testing.T) {
	s, file, yaml := appliedSandbox(t)
	media := "sap-install-media-" + memaws.DefaultAccountID
	var renamed []string
	old := ""
	for _, line := range strings.Split(yaml, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "originalBucketName" {
			old = strings.Trim(strings.TrimSpace(v), `"`)
			line = k + ": " + media
		}
		renamed = append(renamed, line)
	}
	if old == "" {
		t.Fatalf("init wrote no originalBucketName:\n%s", yaml)
	}
	writeFile(t, file, []byte(strings.Join(renamed, "\n")))
	code, out, stderr := s.run("", "plan", "-f", file)
	if code != 0 || !strings.Contains(unwrapped(out), "bucket (pre-existing, kept)") || !strings.Contains(unwrapped(out), "bucket "+old) {
		t.Fatalf("plan after renaming onto %s: exit %d\n%s\n%s", media, code, out, stderr)
	}
	if code, out, stderr := s.run("", "apply", "-f", file, "--yes"); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = s.run("", "destroy", "PRD")
	if code != ExitUsage || !strings.Contains(unwrapped(out), media+" (") || strings.Contains(unwrapped(out), media+" (eu-central-1): emptied") {
		t.Fatalf("destroy preview: exit %d\n%s", code, out)
	}
	if !strings.Contains(unwrapped(out), media) || !strings.Contains(unwrapped(out), ": kept.") {
		t.Errorf("destroy preview does not say %s is kept:\n%s", media, out)
	}
	if code, out, stderr := s.run("", "destroy", "PRD", "--confirm", "PRD"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = s.run("", "destroy", "PRD", "--confirm", "PRD")
	if code != 0 || !strings.Contains(stderr, "Nothing to destroy") {
		t.Fatalf("destroy of a destroyed landscape: exit %d\n%s\n%s", code, out, stderr)
	}
}

// appliedSandbox inits landscape PRD in a fresh sandbox and applies it; it
// returns the sandbox, the landscape file and its text.
func appliedSandbox(t *testing.T) (sandboxCLI, string, string) {
	t.Helper()
	t.Setenv("HANAVAULT_SANDBOX_LATENCY", "0") // no demo pacing in tests
	s := sandboxCLI{t: t, state: t.TempDir()}
	file := filepath.Join(t.TempDir(), "landscape.yaml")
	code, yaml, stderr := s.run("", "init", "--sid", "PRD", "--ec2-role", memaws.SeedBackupRole, "--kms-admin-role", memaws.SeedKMSAdminRole)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s", code, stderr)
	}
	writeFile(t, file, []byte(yaml))
	if code, out, stderr := s.run("", "apply", "-f", file, "--yes"); code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
	return s, file, yaml
}

// unwrapped joins wrapped lines so phrases can be searched across breaks.
func unwrapped(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestSandboxDestroyKeepsForeignKeyBehindAlias: someone repoints the
// landscape's alias to their own key. The destroy preview shows that key
// and alias as kept, and `hanavault destroy` schedules the deletion of the
// key this landscape created (the journal names it), leaving the other key
// and the alias alone.
func TestSandboxDestroyKeepsForeignKeyBehindAlias(t *testing.T) {
	s, _, yaml := appliedSandbox(t)
	ctx := context.Background()
	alias := ""
	for _, line := range strings.Split(yaml, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "originalCMKAlias" {
			alias = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	acct, err := memaws.Open(filepath.Join(s.state, "sandbox"), memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kms := acct.KMS("eu-central-1")
	ours, err := kms.DescribeKey(ctx, alias)
	if err != nil {
		t.Fatalf("alias %q: %v", alias, err)
	}
	foreign, err := kms.CreateKey(ctx, cloud.CreateKeyInput{Description: "someone else's"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kms.UpdateAlias(ctx, alias, foreign.KeyID); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := s.run("", "destroy", "PRD", "--json")
	if code != ExitUsage {
		t.Fatalf("destroy preview: exit %d\n%s\n%s", code, out, stderr)
	}
	var pv struct {
		Preview *steps.DestroyPreview `json:"preview"`
	}
	line, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(line), &pv); err != nil || pv.Preview == nil {
		t.Fatalf("preview %v: %s", err, line)
	}
	for _, c := range pv.Preview.Changes {
		if c.ID == "source/key/alias" && c.Action != steps.ActionKeep {
			t.Errorf("the preview %s the alias that names someone else's key", c.Action)
		}
		if c.ID == "source/key" && c.Action != steps.ActionDelete {
			t.Errorf("the preview %s the key this landscape created", c.Action)
		}
	}
	for _, k := range pv.Preview.Keys {
		if k.KeyID == foreign.KeyID {
			t.Errorf("the preview schedules someone else's key: %+v", k)
		}
	}
	if _, out, _ := s.run("", "destroy", "PRD"); !strings.Contains(unwrapped(out), "names a key this landscape did not create, kept") {
		t.Errorf("the destroy preview does not say the alias and its key are kept:\n%s", out)
	}
	if code, out, stderr := s.run("", "destroy", "PRD", "--confirm", "PRD"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	acct, err = memaws.Open(filepath.Join(s.state, "sandbox"), memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kms = acct.KMS("eu-central-1")
	if md, err := kms.DescribeKey(ctx, alias); err != nil || md.KeyID != foreign.KeyID || md.KeyState != "Enabled" {
		t.Errorf("someone else's key or alias was touched: %+v %v", md, err)
	}
	if md, err := kms.DescribeKey(ctx, ours.KeyID); err != nil || md.KeyState != "PendingDeletion" {
		t.Errorf("the key this landscape created is %s (%v)", md.KeyState, err)
	}
}

// TestSandboxStatusAfterDestroy: with the real engine, status of a
// landscape destroy removed reports it destroyed (exit 4) with the key
// deletion dates, not an error about loading the landscape.
func TestSandboxStatusAfterDestroy(t *testing.T) {
	s, _, _ := appliedSandbox(t)
	if code, out, stderr := s.run("", "destroy", "PRD", "--confirm", "PRD"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr := s.run("", "status", "PRD")
	if code != ExitDestroyed {
		t.Fatalf("status after destroy: exit %d, want %d\n%s\n%s", code, ExitDestroyed, out, stderr)
	}
	if got := unwrapped(out); !strings.Contains(got, "PRD was destroyed on") || !strings.Contains(got, "aws kms cancel-key-deletion") {
		t.Errorf("status after destroy says:\n%s", out)
	}
	if strings.Contains(stderr, "Error") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestSandboxRerunOfAFromTagsDestroyThatDeletedOneBackupBucket: the local
// state is lost and a destroy --from-tags stops after deleting the source
// backup bucket (the replica's DeleteBucket fails). Through the real CLI,
// status --from-tags reads the half-destroyed landscape and says to finish
// the destroy; the rerun with the same consent removes everything left;
// a third run says nothing tagged is left (exit 0), and status says the
// landscape was destroyed (exit 4).
func TestSandboxRerunOfAFromTagsDestroyThatDeletedOneBackupBucket(t *testing.T) {
	s, _, _ := appliedSandbox(t)
	ctx := context.Background()
	dir := filepath.Join(s.state, "sandbox")
	if err := os.RemoveAll(journal.Dir(dir, memaws.DefaultAccountID, "PRD")); err != nil {
		t.Fatal(err)
	}
	acct, err := memaws.Open(dir, memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng := steps.New(steps.Options{Account: acct, StateDir: dir, HomeRegion: "eu-central-1"})
	l, err := eng.LoadLandscape(ctx, "PRD", true)
	if err != nil {
		t.Fatal(err)
	}
	acct.FailCallWhere(1, memaws.FailBefore, func(c memaws.CallRecord) bool {
		return c.Op == "DeleteBucket" && c.Resource == l.ReplicationBucketName
	})
	all := steps.DestroyOptions{FromTags: steps.TagConsent{Buckets: true, Keys: true, Role: true}}
	if _, err := eng.DestroyWith(ctx, l, steps.SinkFunc(func(steps.Event) {}), all); err == nil {
		t.Fatal("the first destroy did not stop")
	}
	if _, err := acct.S3(l.SourceRegion).HeadBucket(ctx, l.OriginalBucketName); err == nil {
		t.Fatal("the first destroy did not delete the source bucket")
	}

	code, out, stderr := s.run("", "status", "PRD", "--from-tags")
	if code != ExitUnhealthy || !strings.Contains(unwrapped(out), "run hanavault destroy PRD --from-tags again") {
		t.Errorf("status of the half-destroyed landscape: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = s.run("", "destroy", "PRD", "--confirm", "PRD", "--from-tags", "--delete-tagged", "all")
	if code != 0 {
		t.Fatalf("rerun of the destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	acct, err = memaws.Open(dir, memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	buckets, err := acct.S3("eu-central-1").ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range buckets {
		if strings.HasPrefix(b.Name, "hana-backup-prd") {
			t.Errorf("bucket %s left", b.Name)
		}
	}
	if _, err := acct.IAM().GetRole(ctx, l.ReplicationRoleName); !cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		t.Errorf("role %s left: %v", l.ReplicationRoleName, err)
	}
	for _, x := range []struct{ region, alias string }{{l.SourceRegion, l.OriginalCMKAlias}, {l.ReplicationRegion, l.ReplicationCMKAlias}} {
		if _, err := acct.KMS(x.region).DescribeKey(ctx, x.alias); !cloud.IsCode(err, cloud.CodeNotFoundException) {
			t.Errorf("alias %s left: %v", x.alias, err)
		}
	}

	code, out, stderr = s.run("", "destroy", "PRD", "--confirm", "PRD", "--from-tags", "--delete-tagged", "all")
	if code != 0 || !strings.Contains(unwrapped(stderr), "nothing tagged hanavault:landscape=PRD is left in this account; the earlier destroy finished") {
		t.Errorf("a third destroy: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(unwrapped(stderr), filepath.Join(journal.Dir(dir, memaws.DefaultAccountID, "PRD"), journal.ArchiveDir)) {
		t.Errorf("a third destroy does not say where the archived journal is:\n%s", stderr)
	}
	if code, out, stderr := s.run("", "status", "PRD", "--from-tags"); code != ExitDestroyed {
		t.Errorf("status after the destroy: exit %d\n%s\n%s", code, out, stderr)
	}
}
