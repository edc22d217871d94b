package cli

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/app"
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
// fall back to the sandbox when no AWS credentials are configured, and
// the only one that shows the sandbox while the credential lookup is
// still running (ui.Config.Fallback).
func runWizard(ctx context.Context, f *Factory, g *GlobalOptions) error {
	if err := startDebug(f, g); err != nil {
		return err
	}
	o := appOptions(f, g)
	o.AllowSandboxFallback = true
	if g.debug != nil {
		// The wizard's screen hid the first notice; repeat it after.
		defer fmt.Fprintf(f.IO.ErrOut, "Debug log (AWS SDK and engine): %s\n", g.debug.path)
	}
	// The account is resolved after the wizard's first frame: looking for
	// credentials can wait seconds on the EC2 metadata endpoint.
	session := func(ctx context.Context, o app.Options) (ui.Session, error) {
		s, err := f.Open(ctx, o)
		if err != nil {
			return ui.Session{}, err
		}
		if g.debug != nil {
			s.Engine = g.debug.wrap(s.Engine)
		}
		return ui.Session{
			Engine:        s.Engine,
			Discovery:     s.Discovery,
			DR:            wizardDR(s),
			Profile:       s.Profile,
			Region:        s.Region,
			StateDir:      s.StateDir,
			Sandbox:       s.Sandbox,
			SandboxReason: s.SandboxReason,
			HintFlags:     g.hintFlagsFor(g.Sandbox || s.Sandbox),
		}, nil
	}
	open := func(ctx context.Context) (ui.Session, error) { return session(ctx, o) }
	// Where the lookup may end in the sandbox anyway, the wizard opens it
	// when the lookup is slow, and offers what the lookup finds later.
	var fallback func(ctx context.Context) (ui.Session, error)
	if o.MaySandboxWhileLooking(f.Getenv) {
		early := o
		early.SandboxWhileLooking = true
		fallback = func(ctx context.Context) (ui.Session, error) { return session(ctx, early) }
	}
	// The mode follows stdin and stdout, as the README says: `hanavault
	// 2>log` keeps the full-screen wizard. It draws on the terminal:
	// stderr, or stdout when stderr is redirected; line mode with no
	// terminal at all writes its prompts to stderr.
	io := f.IO
	accessible := io.Accessible || !io.IsStdinTTY() || !io.IsStdoutTTY()
	out := io.ErrOut
	if !io.IsStderrTTY() && io.IsStdoutTTY() {
		out = io.Out
	}
	err := f.Wizard(ctx, ui.Config{
		Open:       open,
		Fallback:   fallback,
		HintFlags:  g.hintFlags(),
		Accessible: accessible,
		NoColor:    f.IO.NoColor(),
		In:         f.IO.In,
		Out:        out,
	})
	if errors.Is(err, tea.ErrInterrupted) || (err != nil && ctx.Err() != nil) {
		// The wizard has already told the user where things stand.
		return silent(fmt.Errorf("%w: %w", ErrInterrupted, err))
	}
	return err
}
