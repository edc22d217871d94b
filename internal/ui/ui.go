// Package ui is hanavault's interactive wizard. It is a Bubble Tea v2
// program with a home screen, live discovery, the landscape form (huh v2),
// the plan, apply, status and destroy screens, and it runs the same flow as
// plain numbered prompts for screen readers and pipes (accessible mode).
//
// It reaches AWS only through the Engine and Discovery interfaces declared
// here, which *steps.Engine and *discover.Discoverer satisfy.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// Engine is what the wizard needs from the engine; *steps.Engine satisfies it.
type Engine interface {
	Identity(ctx context.Context) (steps.Identity, error)
	Known(ctx context.Context, scanTags bool) ([]steps.KnownLandscape, error)
	Preflight(ctx context.Context, l spec.Landscape) ([]steps.PreflightIssue, error)
	Plan(ctx context.Context, l spec.Landscape) (*steps.Plan, error)
	Apply(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
	RollbackLastRun(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
	Status(ctx context.Context, l spec.Landscape) (*steps.Status, error)
	PreviewDestroy(ctx context.Context, l spec.Landscape) (*steps.DestroyPreview, error)
	Destroy(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
}

// landscapeLoader is optionally implemented by the engine (*steps.Engine
// does): it rebuilds a known landscape that has no saved spec, for example
// one found only by its tags.
type landscapeLoader interface {
	LoadLandscape(ctx context.Context, sid string, fromTags bool) (spec.Landscape, error)
}

// destroyedLister is optionally implemented by the engine (*steps.Engine
// does): landscapes that destroy removed whose keys still wait for
// deletion, for the home screen.
type destroyedLister interface {
	RecentlyDestroyed(ctx context.Context) ([]steps.DestroyedLandscape, error)
}

// Discovery is what the wizard offers in its pickers; *discover.Discoverer
// satisfies it.
type Discovery interface {
	Regions(ctx context.Context) ([]discover.RegionInfo, error)
	EC2Roles(ctx context.Context) ([]discover.RoleInfo, error)
	AdminRoles(ctx context.Context) ([]discover.RoleInfo, error)
}

var (
	_ Engine          = (*steps.Engine)(nil)
	_ landscapeLoader = (*steps.Engine)(nil)
	_ destroyedLister = (*steps.Engine)(nil)
	_ Discovery       = (*discover.Discoverer)(nil)
)

// Session is the account the wizard works on: what Config.Open resolves
// after the first frame.
type Session struct {
	Engine    Engine
	Discovery Discovery
	DR        DR
	// Profile, Region, StateDir, Sandbox, SandboxReason and HintFlags
	// replace the Config fields of the same names.
	Profile, Region string
	StateDir        string
	Sandbox         bool
	SandboxReason   string
	HintFlags       string
}

// DefaultFallbackAfter is how long the wizard waits for Config.Open before
// it opens Config.Fallback: long enough that credentials found on disk or in
// the environment never show the sandbox first, short enough to feel
// immediate.
const DefaultFallbackAfter = 300 * time.Millisecond

// Config is everything the wizard needs from the CLI.
type Config struct {
	// Open, when set, resolves the account (credentials, region, the
	// sandbox fallback) after the first frame: the home screen says it is
	// checking credentials until Open returns, and its Session then
	// replaces Engine, Discovery, DR and the fields Session names. An error from Open ends the wizard with
	// that error.
	Open func(ctx context.Context) (Session, error)
	// Fallback, when set with Open, opens the session the wizard works in
	// while Open has not answered after FallbackAfter: the sandbox, while
	// the credential lookup still runs (the EC2 metadata endpoint can take
	// seconds). Open keeps running behind it. When it then finds an
	// account, the home screen offers to switch to it (never on its own,
	// never during a run); when it finds none (it answers with a sandbox
	// session) nothing is offered; an error shows on the home screen and
	// leaves the session in use. Line mode (Accessible) has no first frame
	// to show and waits for Open, without a fallback.
	Fallback func(ctx context.Context) (Session, error)
	// FallbackAfter is how long Open may take before Fallback runs; 0
	// means DefaultFallbackAfter.
	FallbackAfter time.Duration
	Engine        Engine
	Discovery     Discovery
	// DR offers verify and recall (nil: not offered).
	DR DR
	// Profile and Region are shown on the home screen; Region preselects
	// the source region in the form.
	Profile, Region string
	// Sandbox shows a banner with SandboxReason on every screen.
	Sandbox       bool
	SandboxReason string
	// StateDir is hanavault's local state root (shown in hints).
	StateDir string
	// HintFlags are the global flags (with a leading space) that the
	// commands the wizard suggests need to reach the same account and
	// state: " --sandbox" after a sandbox session, --state-dir...
	HintFlags string
	// SaveDir is where the form's answers are saved as
	// landscape-<SID>.yaml when an apply is confirmed: by default the
	// current directory when it holds landscape files, else
	// <StateDir>/landscapes (<StateDir>/sandbox/landscapes in the sandbox).
	SaveDir string
	// Accessible runs plain numbered prompts instead of the full-screen
	// program; it is also chosen when In or Out is not a terminal.
	Accessible bool
	// NoColor turns colour off (NO_COLOR in the environment does too).
	NoColor bool
	// In is read for keys or answers (default os.Stdin); Out is the
	// terminal the wizard draws on (default os.Stderr), also where
	// accessible mode prompts.
	In  io.Reader
	Out io.Writer
}

// hint explains err as discover.ExplainProfile does, with fixes naming the
// profile in use: Profile (the --profile flag or the profile the account was
// loaded with), else $AWS_PROFILE.
func (c Config) hint(err error) discover.Hint {
	profile := c.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	return discover.ExplainProfile(err, profile)
}

// defaultSaveDir is where the answers go unless SaveDir says: the current
// directory when it already holds landscape files, else the state
// directory's landscapes folder.
func defaultSaveDir(c Config) string {
	if files, _ := filepath.Glob("landscape*.yaml"); len(files) > 0 || c.StateDir == "" {
		return "."
	}
	if c.Sandbox {
		return filepath.Join(c.StateDir, "sandbox", "landscapes")
	}
	return filepath.Join(c.StateDir, "landscapes")
}

// command is a hanavault command line to suggest, with HintFlags.
func (c Config) command(args string) string {
	return "hanavault " + args + c.HintFlags
}

// WithSession returns c working on the session s, as the wizard does when
// Open answers; a SaveDir that was the default follows the session (the
// sandbox keeps its landscapes apart).
func (c Config) WithSession(s Session) Config {
	defaulted := c.SaveDir == defaultSaveDir(c)
	c.Engine, c.Discovery, c.DR = s.Engine, s.Discovery, s.DR
	c.Profile, c.Region, c.StateDir = s.Profile, s.Region, s.StateDir
	c.Sandbox, c.SandboxReason, c.HintFlags = s.Sandbox, s.SandboxReason, s.HintFlags
	c.Open = nil
	if defaulted {
		c.SaveDir = defaultSaveDir(c)
	}
	return c
}

func (c Config) withDefaults() Config {
	if c.In == nil {
		c.In = os.Stdin
	}
	if c.Out == nil {
		c.Out = os.Stderr
	}
	if c.SaveDir == "" {
		c.SaveDir = defaultSaveDir(c)
	}
	if os.Getenv("NO_COLOR") != "" {
		c.NoColor = true
	}
	return c
}

// Run runs the wizard until the user quits. It returns nil on a normal
// quit and an error wrapping tea.ErrInterrupted when the user interrupted
// the wizard or an operation (the CLI maps that to exit code 130).
func Run(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	if cfg.Open == nil && (cfg.Engine == nil || cfg.Discovery == nil) {
		return errors.New("ui: the wizard needs an engine and a discovery, or Open")
	}
	if cfg.Accessible || !isTerminal(cfg.In) || !isTerminal(cfg.Out) {
		// Line mode has no frame to show first: resolve, then prompt.
		if cfg.Open != nil {
			s, err := cfg.Open(ctx)
			if err != nil {
				return err
			}
			cfg = cfg.WithSession(s)
		}
		return runAccessible(ctx, cfg)
	}
	return runTUI(ctx, cfg)
}

// isTerminal reports whether s is a file attached to a terminal.
func isTerminal(s any) bool {
	f, ok := s.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(f.Fd())
}

// programOptions are the Bubble Tea options for cfg, shared by Run and the
// tests.
func programOptions(ctx context.Context, cfg Config) []tea.ProgramOption {
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if cfg.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	return opts
}

func runTUI(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, cfg)
	opts := append(programOptions(ctx, cfg), tea.WithInput(cfg.In), tea.WithOutput(cfg.Out))
	final, err := tea.NewProgram(m, opts...).Run()
	fm, _ := final.(*model)
	if fm != nil {
		if ep := fm.epilogue(); ep != "" {
			w := colorprofile.NewWriter(cfg.Out, os.Environ())
			if cfg.NoColor {
				w.Profile = colorprofile.Ascii
			}
			_, _ = fmt.Fprint(w, ep)
		}
	}
	return exitError(ctx, fm, err)
}

// exitError maps how the program ended to Run's result.
func exitError(ctx context.Context, m *model, err error) error {
	switch {
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return fmt.Errorf("hanavault wizard stopped (%w): %w", tea.ErrInterrupted, err)
	case errors.Is(err, tea.ErrInterrupted):
		if m != nil && m.exitErr != nil {
			return m.exitErr
		}
		return fmt.Errorf("hanavault wizard: %w", err)
	case err != nil:
		return fmt.Errorf("hanavault wizard: %w", err)
	case m != nil && m.exitErr != nil:
		return m.exitErr
	}
	return nil
}
