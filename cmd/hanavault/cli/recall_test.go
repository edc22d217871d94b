package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/spec"
)

// TestSandboxRecall archives backups in the sandbox's source bucket and
// recalls them through the real CLI: --check before and after, the
// refusals, and the JSON lines.
func TestSandboxRecall(t *testing.T) {
	s, _, yaml := appliedSandbox(t)
	l, err := spec.Parse([]byte(yaml), "init")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := memaws.Open(app.SandboxDir(s.state), memaws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		class := cloud.StorageClassGlacier
		if i%4 == 0 {
			class = cloud.StorageClassDeepArchive
		}
		if _, err := acct.S3(l.SourceRegion).PutObject(context.Background(), cloud.PutObjectInput{Bucket: l.Normalized().OriginalBucketName,
			Key: fmt.Sprintf("PRD/usr/sap/PRD/SYS/global/hdb/backint/DB_PRD/data_%02d", i), Body: []byte("backup"), StorageClass: class}); err != nil {
			t.Fatal(err)
		}
	}

	for _, bad := range [][]string{
		{"recall", "PRD", "--prefix", "PRD/"},
		{"recall", "PRD", "--region", "eu-west-1", "--prefix", "PRD/"},
		{"recall", "PRD", "--region", "source"},
		{"recall", "PRD", "--region", "source", "--prefix", "PRD/", "--since", "2026-01-01"},
		{"recall", "PRD", "--region", "source", "--since", "yesterday", "--check"},
		{"recall", "PRD", "--region", "source", "--prefix", "PRD/", "--tier", "Fast", "--check"},
		{"recall", "PRD", "--region", "source", "--prefix", "PRD/", "--days", "0", "--check"},
		{"recall", "PRD", "--region", "source", "--prefix", "PRD/"}, // no terminal, no --yes
	} {
		if code, _, stderr := s.run("", bad...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", bad, code, stderr)
		}
	}

	code, out, stderr := s.run("", "recall", "PRD", "--region", "source", "--prefix", "PRD/", "--check")
	if code != ExitUnhealthy {
		t.Fatalf("check before: exit %d\n%s\n%s", code, out, stderr)
	}
	contains(t, "check", out, "GLACIER      9 objects", "DEEP_ARCHIVE 3 objects", "Not requested: 12.", "This is an estimate")

	code, out, stderr = s.run("", "recall", "PRD", "--region", "source", "--since", "2000-01-01", "--until", "2999-12-31", "--tier", "bulk", "--yes", "--json")
	if code != 0 {
		t.Fatalf("recall: exit %d\n%s\n%s", code, out, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first, last map[string]any
	if json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil ||
		first["kind"] != "recall-summary" || last["kind"] != "recall-result" {
		t.Fatalf("JSON lines: %s", out)
	}
	if got := last["result"].(map[string]any)["requested"]; got != float64(12) {
		t.Fatalf("requested %v", got)
	}

	code, out, _ = s.run("", "recall", "PRD", "--region", "source", "--prefix", "PRD/", "--check", "--json")
	if code != ExitUnhealthy || !strings.Contains(out, `"inProgress":12`) {
		t.Fatalf("check after: exit %d %s", code, out)
	}
	code, _, stderr = s.run("", "recall", "PRD", "--region", "source", "--prefix", "PRD/", "--yes")
	if code != 0 || !strings.Contains(stderr, "Nothing to request") {
		t.Fatalf("recall again: exit %d %s", code, stderr)
	}
}
