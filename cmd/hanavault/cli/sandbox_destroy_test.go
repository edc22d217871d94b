package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// TestSandboxDestroy applies a landscape in the sandbox, then destroys it
// with --confirm and --json through the real engine.
func TestSandboxDestroy(t *testing.T) {
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
