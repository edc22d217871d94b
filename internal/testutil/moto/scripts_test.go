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
// and CI (.ci/run) with the variable that skips the moto suite set, and a
// stand-in for the go command that reports what `go test` would see: the
// variable must be gone by then.
func TestScriptsNeverSkipMoto(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the scripts are bash")
	}
	root, ok := repoRoot()
	if !ok {
		t.Fatal("repository root not found")
	}
	bin := t.TempDir()
	report := filepath.Join(t.TempDir(), "go-test-env")
	// go: `go test` writes the skip variable as it sees it; every other go
	// command (version, vet, tool staticcheck, run goreleaser, mod
	// download), gofmt and moto_server succeed doing nothing.
	fakeGo := `#!/bin/sh
if [ "$1" = test ]; then
  echo "` + SkipEnv + `=${` + SkipEnv + `-<unset>}" >> "$GO_TEST_REPORT"
fi
exit 0
`
	nothing := "#!/bin/sh\nexit 0\n"
	for name, body := range map[string]string{"go": fakeGo, "gofmt": nothing, "moto_server": nothing} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, script := range []string{"scripts/test", ".ci/run"} {
		t.Run(script, func(t *testing.T) {
			_ = os.Remove(report)
			cmd := exec.Command(filepath.Join(root, script))
			cmd.Dir = root
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"MOTO_SERVER="+filepath.Join(bin, "moto_server"),
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
