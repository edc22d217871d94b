package moto

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestScriptsNeverSkipMoto runs the README's test command (scripts/test)
// and CI (.ci/run) with the variable that skips the moto suite set. They
// run from a copy of the repository that holds only them, beside
// stand-ins for what they call: the go command (whose `go test` reports the
// variable as it sees it), gofmt and the scripts that install moto and the
// policy oracle. The variable must be gone by the time go test runs.
func TestScriptsNeverSkipMoto(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the scripts are bash")
	}
	root, ok := repoRoot()
	if !ok {
		t.Fatal("repository root not found")
	}
	scripts := []string{"scripts/test", ".ci/run"}
	work, bin := t.TempDir(), t.TempDir()
	report := filepath.Join(t.TempDir(), "go-test-env")
	nothing := "#!/bin/sh\nexit 0\n"
	files := map[string]string{
		// Every other go command (version, vet, tool staticcheck, run
		// goreleaser, mod download) succeeds doing nothing.
		filepath.Join(bin, "go"): `#!/bin/sh
if [ "$1" = test ]; then
  echo "` + SkipEnv + `=${` + SkipEnv + `-<unset>}" >> "$GO_TEST_REPORT"
fi
exit 0
`,
		filepath.Join(bin, "gofmt"):                     nothing,
		filepath.Join(work, "scripts", "ensure-moto"):   "#!/bin/sh\necho /nowhere/moto_server\n",
		filepath.Join(work, "scripts", "ensure-oracle"): nothing,
	}
	for _, script := range scripts {
		body, err := os.ReadFile(filepath.Join(root, script))
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Join(work, script)] = string(body)
	}
	for path, body := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, script := range scripts {
		t.Run(script, func(t *testing.T) {
			_ = os.Remove(report)
			cmd := exec.Command(filepath.Join(work, script))
			cmd.Dir = work
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"GO_TEST_REPORT="+report,
				SkipEnv+"=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", script, err, out)
			}
			got, err := os.ReadFile(report)
			if err != nil {
				t.Fatalf("%s never ran go test: %v\n%s", script, err, out)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
				if line != SkipEnv+"=<unset>" {
					t.Errorf("%s runs go test with %s: the moto suite would be skipped", script, line)
				}
			}
		})
	}
}
