package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/awsapi"
	"github.com/hanavault/hanavault/internal/steps"
)

func TestNoCredentialsNamesTheSandboxNotFromTags(t *testing.T) {
	h := newHarness(t)
	h.eng.loadErr = fmt.Errorf("sts:GetCallerIdentity: get identity: %w", &awsapi.CredentialsError{Err: errors.New("no EC2 IMDS role found")})
	code, _ := h.run(context.Background(), "status", "PRD")
	if code != ExitError {
		t.Fatalf("exit %d", code)
	}
	stderr := h.errOut.String()
	if strings.Contains(stderr, "--from-tags") {
		t.Errorf("a credentials error suggests --from-tags:\n%s", stderr)
	}
	contains(t, "stderr", stderr, "No AWS credentials found", "hanavault status PRD --sandbox")
}

func TestUnknownLandscapeStillSuggestsFromTags(t *testing.T) {
	h := newHarness(t)
	h.eng.loadErr = fmt.Errorf("%w: PRD has no local state", steps.ErrUnknownLandscape)
	h.run(context.Background(), "status", "PRD")
	contains(t, "stderr", h.errOut.String(), "--from-tags")
	if strings.Contains(h.errOut.String(), "--sandbox") {
		t.Errorf("an unknown landscape is not a credentials problem:\n%s", h.errOut)
	}
}

func TestHintsFromASandboxSessionIncludeSandbox(t *testing.T) {
	path, _ := landscapeFile(t)
	h := newHarness(t)
	h.eng.result = &steps.Result{Succeeded: 1}
	h.eng.plan = testPlan(steps.ActionCreate)
	if code, err := h.run(context.Background(), "apply", "-f", path, "--sandbox", "--yes", "--state-dir", "/tmp/my state"); code != 0 {
		t.Fatal(err)
	}
	contains(t, "stdout", h.out.String(), "`hanavault backint PRD --sandbox --state-dir '/tmp/my state'`")

	h = newHarness(t)
	h.sandbox = true // no credentials: the wizard fell back to the sandbox
	if code, err := h.run(context.Background()); code != 0 {
		t.Fatal(err)
	}
	if got := h.wizards[0].HintFlags; got != " --sandbox" {
		t.Errorf("the wizard's hints get flags %q, want \" --sandbox\"", got)
	}
}

// TestWizardModeFollowsStdinAndStdout: `hanavault 2>log` keeps the full
// screen wizard, drawn on stdout, instead of writing prompts into the log.
func TestWizardModeFollowsStdinAndStdout(t *testing.T) {
	h := newHarness(t)
	h.ios.SetStdinTTY(true)
	h.ios.SetStdoutTTY(true)
	h.ios.SetStderrTTY(false)
	if code, err := h.run(context.Background()); code != 0 {
		t.Fatal(err)
	}
	cfg := h.wizards[0]
	if cfg.Accessible || cfg.Out != h.ios.Out {
		t.Errorf("stderr redirected: accessible %v, draws on stdout %v; want the full-screen wizard on stdout", cfg.Accessible, cfg.Out == h.ios.Out)
	}

	h = newHarness(t) // stdout piped: line mode, prompts on the terminal (stderr)
	h.ios.SetStdinTTY(true)
	h.ios.SetStderrTTY(true)
	if code, err := h.run(context.Background()); code != 0 {
		t.Fatal(err)
	}
	if cfg := h.wizards[0]; !cfg.Accessible || cfg.Out != h.ios.ErrOut {
		t.Errorf("stdout piped: accessible %v, prompts on stderr %v", cfg.Accessible, cfg.Out == h.ios.ErrOut)
	}
}
