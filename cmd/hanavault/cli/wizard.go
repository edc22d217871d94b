package cli

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/ui"
)

// wizardDR offers verify and recall in the wizard when the session can
// reach the account (test sessions without one get none).
func wizardDR(s *Session) ui.DR {
	if s.Account == nil {
		return nil
	}
	return drActions{s: s}
}

// runWizard opens the interactive wizard. It is the only place that may
// fall back to the sandbox when no AWS credentials are configured.
func runWizard(ctx context.Context, f *Factory, g *GlobalOptions) error {
	o := appOptions(f, g)
	o.AllowSandboxFallback = true
	s, err := f.Open(ctx, o)
	if err != nil {
		return err
	}
	g.sandboxSession = s.Sandbox
	err = f.Wizard(ctx, ui.Config{
		HintFlags:     g.hintFlags(),
		Engine:        s.Engine,
		Discovery:     s.Discovery,
		DR:            wizardDR(s),
		Profile:       s.Profile,
		Region:        s.Region,
		Sandbox:       s.Sandbox,
		SandboxReason: s.SandboxReason,
		StateDir:      s.StateDir,
		Accessible:    f.IO.Accessible,
		NoColor:       f.IO.NoColor(),
		In:            f.IO.In,
		Out:           f.IO.ErrOut,
	})
	if errors.Is(err, tea.ErrInterrupted) || (err != nil && ctx.Err() != nil) {
		// The wizard has already told the user where things stand.
		return silent(fmt.Errorf("%w: %w", ErrInterrupted, err))
	}
	return err
}
