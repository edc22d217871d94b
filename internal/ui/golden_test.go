package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// TestGoldenScreens pins the static screens' text at 80x24 (run with
// -update to rewrite testdata/TestGoldenScreens/*.golden).
func TestGoldenScreens(t *testing.T) {
	got := map[string]string{}
	screens(t, Config{Profile: "basis", Region: "eu-central-1", Sandbox: true,
		SandboxReason: "No AWS credentials found, so this is the sandbox: an in-memory account. Use --profile to work with AWS."},
		func(name string, h *harness) {
			got[name] = ansi.Strip(h.m.View().Content)
		})
	for _, name := range []string{"home", "form", "plan", "documents", "document", "confirm", "run", "status", "destroy"} {
		t.Run(name, func(t *testing.T) { golden.RequireEqual(t, got[name]) })
	}
}
