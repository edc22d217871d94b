package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestStatusAfterDestroy: a landscape that destroy removed is reported as
// destroyed, with its keys' deletion dates and how to cancel, exit 4 -
// not as an unknown landscape to rebuild with --from-tags.
func TestStatusAfterDestroy(t *testing.T) {
	h := newHarness(t)
	when := time.Date(2026, 12, 6, 5, 6, 27, 0, time.UTC)
	h.eng.destroyed = map[string]*steps.DestroyedLandscape{"PRD": {
		SID: "PRD", SourceRegion: "eu-central-1", ReplicationRegion: "eu-west-1", DestroyedAt: when,
		Archive: "/state/111122223333/PRD/archive/20261206T050627.513Z",
		Keys: []steps.KeyDeletion{{KeyInfo: steps.KeyInfo{Region: "eu-central-1", Alias: "alias/hana-backup-prd",
			KeyID: "13f4b7e3-7a07-466e-8175-076302eb2101", State: "PendingDeletion"}, DeletionDate: when.AddDate(0, 0, 30)}},
	}}
	code, _ := h.run(context.Background(), "status", "PRD", "--sandbox")
	if code != ExitDestroyed {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitDestroyed, h.errOut)
	}
	contains(t, "stdout", strings.Join(strings.Fields(strings.ReplaceAll(h.out.String(), " \\\n", " ")), " "), "PRD was destroyed on 2026-12-06 05:06 UTC", "13f4b7e3-7a07-466e-8175-076302eb2101",
		"Scheduled for deletion on 2027-01-05", "aws kms cancel-key-deletion --region eu-central-1",
		"hanavault apply -f /state/111122223333/PRD/archive/20261206T050627.513Z/landscape.yaml --sandbox")
	if strings.Contains(h.errOut.String(), "from-tags") || strings.Contains(h.errOut.String(), "Error") {
		t.Errorf("stderr:\n%s", h.errOut)
	}
}

// TestDebugWritesSDKAndEngineLogsToANamedFile: --debug names a file in
// the state directory and the engine's calls go there; the SDK gets the
// same file. HANAVAULT_DEBUG may name the file.
func TestDebugWritesSDKAndEngineLogsToANamedFile(t *testing.T) {
	path, _ := landscapeFile(t)
	state := t.TempDir()
	h := newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate)
	if code, err := h.run(context.Background(), "plan", "-f", path, "--debug", "--state-dir", state); code != 0 {
		t.Fatal(err)
	}
	logPath := filepath.Join(state, "debug.log")
	contains(t, "stderr", h.errOut.String(), "Debug log (AWS SDK and engine): "+logPath)
	if len(h.opened) != 1 || h.opened[0].DebugLog == nil {
		t.Errorf("the AWS SDK does not get the debug log: %+v", h.opened)
	}
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "debug log", string(data), "engine plan PRD done")

	other := filepath.Join(t.TempDir(), "hv.log")
	h = newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate)
	h.env["HANAVAULT_DEBUG"] = other
	if code, err := h.run(context.Background(), "plan", "-f", path); code != 0 {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("HANAVAULT_DEBUG=%s wrote no log: %v", other, err)
	}
	h = newHarness(t)
	h.eng.plan = testPlan(steps.ActionCreate)
	h.run(context.Background(), "plan", "-f", path)
	if h.opened[0].DebugLog != nil || strings.Contains(h.errOut.String(), "Debug log") {
		t.Errorf("without --debug a debug log was opened")
	}
}

// TestCompletionIsListedAndManPagesAreGenerated: `completion` shows in
// --help and works; the man pages come from the commands' help.
func TestCompletionIsListedAndManPagesAreGenerated(t *testing.T) {
	h := newHarness(t)
	if code, err := h.run(context.Background(), "--help"); code != 0 {
		t.Fatal(err)
	}
	contains(t, "--help", h.out.String(), "completion")
	h = newHarness(t)
	if code, err := h.run(context.Background(), "completion", "bash"); code != 0 {
		t.Fatal(err)
	}
	contains(t, "completion bash", h.out.String(), "__start_hanavault")

	dir := t.TempDir()
	if err := ManPages(dir); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"hanavault.1", "hanavault-status.1", "hanavault-destroy.1", "hanavault-completion.1"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("no man page %s: %v", page, err)
		}
	}
	status, _ := os.ReadFile(filepath.Join(dir, "hanavault-status.1"))
	contains(t, "hanavault-status.1", string(status), "drift", "--from-tags", "4 when it was destroyed")
}
