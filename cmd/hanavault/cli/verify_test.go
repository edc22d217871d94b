package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSandboxVerify runs verify through the real CLI against the sandbox:
// JSON lines with events and the report last, evidence files, and the
// exit status following the report's verdict.
func TestSandboxVerify(t *testing.T) {
	s, _, _ := appliedSandbox(t)
	code, out, _ := s.run("", "backint", "PRD", "--global-ini")
	if code != 0 {
		t.Fatalf("backint --global-ini: exit %d", code)
	}
	contains(t, "backint --global-ini", out, "[backup]", "catalog_backup_using_backint = true",
		"data_backup_parameter_file = /usr/sap/PRD/SYS/global/hdb/opt/hdbconfig/aws-backint-agent-config.yaml")
	code, out, _ = s.run("", "backint", "PRD", "--policy")
	var doc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || !strings.Contains(out, "s3:RestoreObject") || !strings.Contains(out, "kms:Decrypt") {
		t.Fatalf("backint --policy: exit %d %s", code, out)
	}
	code, out, _ = s.run("", "backint", "PRD", "--json")
	if code != 0 || !strings.Contains(out, `"globalIni"`) || !strings.Contains(out, `"identityPolicy"`) || !strings.Contains(out, `"kmsKeyArn"`) {
		t.Fatalf("backint --json: exit %d %s", code, out)
	}
	if code, _, _ := s.run("", "backint", "PRD", "--policy", "--global-ini"); code != ExitUsage {
		t.Fatalf("--policy --global-ini: exit %d", code)
	}
	if code, _, stderr := s.run("", "verify", "PRD", "--timeout", "0s"); code != ExitUsage || !strings.Contains(stderr, "--timeout") {
		t.Fatalf("verify --timeout 0s: exit %d %s", code, stderr)
	}
	dir := t.TempDir()
	code, out, stderr := s.run("", "verify", "PRD", "--json", "--report", dir, "--timeout", "1m")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Kind   string `json:"kind"`
		Report struct {
			Passed bool `json:"passed"`
			Checks []struct {
				ID     string `json:"id"`
				Result string `json:"result"`
			} `json:"checks"`
		} `json:"report"`
		Markdown string `json:"markdownFile"`
		JSON     string `json:"jsonFile"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Kind != "verify" {
		t.Fatalf("last line %q: %v\n%s", lines[len(lines)-1], err, stderr)
	}
	want := ExitUnhealthy
	if last.Report.Passed {
		want = ExitOK
	}
	if code != want || len(last.Report.Checks) < 15 {
		t.Fatalf("exit %d for passed=%v (%d checks)\n%s", code, last.Report.Passed, len(last.Report.Checks), stderr)
	}
	if len(lines) < 20 || !strings.Contains(lines[0], `"kind":"started"`) {
		t.Fatalf("events not streamed as JSON lines: %d lines, first %s", len(lines), lines[0])
	}
	for _, f := range []string{last.Markdown, last.JSON} {
		if filepath.Dir(f) != dir {
			t.Fatalf("evidence %s not in %s", f, dir)
		}
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
	md, _ := os.ReadFile(last.Markdown)
	contains(t, "evidence", string(md), "# hanavault verify: PRD", "| Account | 123456789012 |", "`guard/aes256`")
}
