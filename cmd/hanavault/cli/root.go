// Package cli is hanavault's command line: the cobra commands, their
// flags, help and examples, confirmation rules and output choices. Each
// command is built by a NewCmdX(f, runF) function: the Factory supplies
// the streams and the way to reach AWS, and runF lets tests stop right
// after flag parsing. Errors are typed (UsageError, UnhealthyError,
// ErrInterrupted) and mapped to exit codes by ExitCode, called only in
// main.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hanavault/hanavault/internal/app"
	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/ui"
)

// Engine is what the commands need from the engine: what the wizard needs,
// and loading a known landscape by SID. *steps.Engine satisfies it.
type Engine interface {
	ui.Engine
	LoadLandscape(ctx context.Context, sid string, fromTags bool) (spec.Landscape, error)
	Backint(ctx context.Context, l spec.Landscape) (*steps.BackintConfig, error)
	PreviewDestroyWith(ctx context.Context, l spec.Landscape, o steps.DestroyOptions) (*steps.DestroyPreview, error)
	DestroyWith(ctx context.Context, l spec.Landscape, sink steps.Sink, o steps.DestroyOptions) (*steps.Result, error)
	TornJournal(ctx context.Context, sid string) (*journal.Torn, error)
}

var _ Engine = (*steps.Engine)(nil)

// Session is one command's connection to an account.
type Session struct {
	Engine    Engine
	Discovery ui.Discovery
	// Region is the resolved region ("" when nothing configures one).
	Region   string
	Profile  string
	StateDir string
	// Sandbox is set when the account is the in-memory sandbox, and
	// SandboxReason says so in words.
	Sandbox       bool
	SandboxReason string
	// Account is the account the engine works on (verify and recall call
	// it directly); JournalRoot is where the landscape journals live.
	Account     cloud.Account
	JournalRoot string
}

// BuildInfo is what --version prints; set by the release build.
type BuildInfo struct {
	Version, Commit, Date string
}

// Factory supplies what commands depend on.
type Factory struct {
	IO *iostreams.IOStreams
	// Open resolves the account and builds the engine (app.Open by default).
	Open func(ctx context.Context, o app.Options) (*Session, error)
	// Wizard runs the interactive wizard (ui.Run by default).
	Wizard func(ctx context.Context, cfg ui.Config) error
	// Getenv reads the environment (os.Getenv by default).
	Getenv func(string) string
	Build  BuildInfo
}

// NewFactory returns the production factory over ios.
func NewFactory(ios *iostreams.IOStreams, build BuildInfo) *Factory {
	return &Factory{IO: ios, Open: openSession, Wizard: ui.Run, Getenv: os.Getenv, Build: build}
}

// openSession is the production Open: app.Open, adapted.
func openSession(ctx context.Context, o app.Options) (*Session, error) {
	env, err := app.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	return &Session{
		Engine: env.Engine, Discovery: env.Discovery,
		Region: env.Region, Profile: env.Profile, StateDir: env.StateDir,
		Sandbox: env.Sandbox, SandboxReason: env.SandboxReason,
		Account: env.Account, JournalRoot: env.JournalRoot(),
	}, nil
}

// GlobalOptions are the flags every command accepts.
type GlobalOptions struct {
	Profile     string
	Region      string
	EndpointURL string
	StateDir    string
	Sandbox     bool
	NoColor     bool
	Accessible  bool
	Debug       bool

	// sandboxSession is set once the session opened is the sandbox.
	sandboxSession bool
	// debug is the --debug log, once opened (startDebug).
	debug      *debugLog
	debugTried bool
}

// startDebug opens the debug log when --debug or HANAVAULT_DEBUG asks for
// it, and says on stderr where it is.
func startDebug(f *Factory, g *GlobalOptions) error {
	if g.debugTried {
		return nil
	}
	g.debugTried = true
	d, err := openDebugLog(f, g)
	if err != nil || d == nil {
		return err
	}
	g.debug = d
	d.logf("start: hanavault %s", strings.TrimSpace(versionLine(f.Build)))
	fmt.Fprintf(f.IO.ErrOut, "Debug log (AWS SDK and engine): %s\n", d.path)
	return nil
}

// hintFlags are the global flags a command printed as advice needs to reach
// the same account and local state as this run (the sandbox, another state
// directory, profile or endpoint), with a leading space; "" when none.
func (g *GlobalOptions) hintFlags() string {
	return g.hintFlagsFor(g.Sandbox || g.sandboxSession)
}

// hintFlagsFor is hintFlags for a session that is the sandbox or not (the
// wizard may hold two: the sandbox while the credential lookup runs, and
// the account it finds).
func (g *GlobalOptions) hintFlagsFor(sandbox bool) string {
	var fl []string
	if sandbox {
		fl = append(fl, "--sandbox")
	}
	for _, f := range []struct{ name, value string }{
		{"--state-dir", g.StateDir}, {"--profile", g.Profile}, {"--endpoint-url", g.EndpointURL},
	} {
		if f.value != "" {
			fl = append(fl, f.name, shellQuote(f.value))
		}
	}
	if len(fl) == 0 {
		return ""
	}
	return " " + strings.Join(fl, " ")
}

// shellQuote quotes s for a POSIX shell unless it needs no quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@%+=,-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// appOptions turns the global flags into app.Options. AWS_ENDPOINT_URL
// stands in for --endpoint-url, except in the sandbox, which never calls
// an endpoint.
func appOptions(f *Factory, g *GlobalOptions) app.Options {
	endpoint := g.EndpointURL
	if endpoint == "" && !g.Sandbox {
		endpoint = f.Getenv("AWS_ENDPOINT_URL")
	}
	o := app.Options{
		Profile: g.Profile, Region: g.Region, EndpointURL: endpoint,
		StateDir: g.StateDir, Sandbox: g.Sandbox,
	}
	if g.debug != nil {
		o.DebugLog = g.debug
	}
	return o
}

// open opens a session for a subcommand and says so when it is the sandbox.
func open(ctx context.Context, f *Factory, g *GlobalOptions) (*Session, error) {
	if err := startDebug(f, g); err != nil {
		return nil, err
	}
	s, err := f.Open(ctx, appOptions(f, g))
	if err != nil {
		return nil, err
	}
	if g.debug != nil {
		s.Engine = g.debug.wrap(s.Engine)
	}
	g.sandboxSession = s.Sandbox
	if s.Sandbox && s.SandboxReason != "" {
		th := errTheme(f.IO)
		fmt.Fprintln(f.IO.ColorErrOut(), th.Faint.Render(s.SandboxReason))
	}
	return s, nil
}

func newRoot(f *Factory) (*cobra.Command, *GlobalOptions) {
	g := &GlobalOptions{}
	root := &cobra.Command{
		Use:   "hanavault",
		Short: "Encrypted, replicated offsite backup storage for SAP HANA on AWS",
		Long: `hanavault gives one SAP HANA system (one SID) encrypted offsite backup storage
on AWS: a customer-managed KMS key and a versioned SSE-KMS backup bucket in
each of two regions, access logging, a lifecycle that archives and expires
backups, and cross-region replication re-encrypted with the replica key.

Run it without arguments for the interactive wizard. The commands below do
the same for scripts and CI: init writes a landscape.yaml, plan shows what
apply would change, apply converges, status checks for drift and the
recovery point, destroy removes everything hanavault created in both
regions. backint prints the agent settings, verify proves the DR path end
to end with canaries and writes an evidence report, recall restores
archived backups before a recovery.

Exit status: 0 success, 1 error (including an invalid landscape file),
2 misuse of flags or arguments or a missing confirmation, 3 not ok (status
found the landscape not ok, verify a failed check, recall --check objects
not readable yet), 4 status found the landscape destroyed, 130 interrupted.
--json output is described in
docs/json.md.`,
		Example: `  hanavault                                  # the wizard
  hanavault init --sid PRD > landscape.yaml
  hanavault plan -f landscape.yaml
  hanavault apply -f landscape.yaml
  hanavault status PRD
  hanavault destroy PRD`,
		Version:       f.Build.Version,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			if g.NoColor {
				f.IO.SetNoColor(true)
			}
			if g.Accessible {
				f.IO.Accessible = true
			}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWizard(cmd.Context(), f, g)
		},
	}
	root.SetVersionTemplate(versionLine(f.Build))
	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "AWS profile to use (default: AWS_PROFILE, else the default profile)")
	pf.StringVar(&g.Region, "region", "", "AWS region for discovery and defaults (default: the profile's region)")
	pf.StringVar(&g.EndpointURL, "endpoint-url", "", "send AWS calls to this endpoint, with path-style S3 (default: AWS_ENDPOINT_URL)")
	pf.StringVar(&g.StateDir, "state-dir", "", "directory for journals and the sandbox (default: HANAVAULT_STATE_DIR, else $XDG_STATE_HOME/hanavault, else ~/.local/state/hanavault)")
	pf.BoolVar(&g.Sandbox, "sandbox", false, "use the in-memory sandbox account kept in the state directory; nothing reaches AWS")
	pf.BoolVar(&g.NoColor, "no-color", false, "do not colour output (also NO_COLOR=1 or TERM=dumb)")
	pf.BoolVar(&g.Accessible, "accessible", false, "plain line-based prompts for screen readers (also ACCESSIBLE=1)")
	pf.BoolVar(&g.Debug, "debug", false, "write the AWS SDK's and the engine's logs to <state-dir>/debug.log (also HANAVAULT_DEBUG=1, or HANAVAULT_DEBUG=FILE)")

	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &UsageError{Err: err, ShowUsage: true}
	})
	root.AddCommand(
		NewCmdInit(f, g, nil),
		NewCmdPlan(f, g, nil),
		NewCmdApply(f, g, nil),
		NewCmdStatus(f, g, nil),
		NewCmdDestroy(f, g, nil),
		NewCmdBackint(f, g, nil),
		NewCmdVerify(f, g, nil),
		NewCmdRecall(f, g, nil),
	)
	root.CompletionOptions.HiddenDefaultCmd = false // `hanavault completion bash|zsh|fish|powershell` is listed in --help
	return root, g
}

func versionLine(b BuildInfo) string {
	v := "hanavault " + b.Version
	var extra []string
	if b.Commit != "" {
		extra = append(extra, "commit "+b.Commit)
	}
	if b.Date != "" {
		extra = append(extra, "built "+b.Date)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v + "\n"
}

// Run parses args, runs the command and prints its error, if any, to
// stderr. The returned error is typed for ExitCode.
func Run(ctx context.Context, f *Factory, args []string) error {
	root, g := newRoot(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	// Flags and arguments are checked before the persistent pre-run hook:
	// an error without it having run is a usage error.
	ran := false
	apply := root.PersistentPreRun
	root.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		ran = true
		apply(cmd, args)
	}
	cmd, err := root.ExecuteContextC(ctx)
	if g.debug != nil {
		if err != nil {
			g.debug.logf("end: %v", err)
		}
		_ = g.debug.close()
	}
	if err == nil {
		return nil
	}
	var ue *UsageError
	if !ran && !errors.As(err, &ue) {
		err = &UsageError{Err: err, ShowUsage: true}
	}
	if ctx.Err() != nil && !errors.Is(err, ErrInterrupted) {
		err = fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	printError(f, g, cmd, args, err)
	return err
}

// printError writes err for people: usage errors with a pointer to
// --help, other errors with the hint that names the fix.
func printError(f *Factory, g *GlobalOptions, cmd *cobra.Command, args []string, err error) {
	var se *silentError
	if errors.As(err, &se) {
		return
	}
	w := f.IO.ErrOut
	var ue *UsageError
	var uh *UnhealthyError
	var de *DestroyedError
	switch {
	case errors.As(err, &uh), errors.As(err, &de):
		// status already printed the report.
	case errors.Is(err, ErrInterrupted):
		fmt.Fprintln(w, "Interrupted.")
	case errors.As(err, &ue):
		fmt.Fprintf(w, "Error: %v\n", ue.Err)
		if ue.ShowUsage && cmd != nil {
			fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	default:
		fmt.Fprintf(w, "Error: %v\n", err)
		if h := app.Hint(err, g.Profile); h != "" {
			fmt.Fprintln(w, h)
		}
		if app.NoCredentials(err) && !g.Sandbox && g.Profile == "" && g.EndpointURL == "" {
			// The wizard runs in the sandbox without credentials; a
			// command typed after it needs to be told.
			quoted := make([]string, len(args))
			for i, a := range args {
				quoted[i] = shellQuote(a)
			}
			fmt.Fprintf(w, "To use the sandbox account instead (the wizard's when no credentials are set), add --sandbox:\n  %s\n",
				strings.TrimSpace("hanavault "+strings.Join(quoted, " ")+" --sandbox"))
		}
	}
}

// requireFlag returns a usage error when a required string flag is empty.
func requireFlag(value, flag, example string) error {
	if strings.TrimSpace(value) == "" {
		return &UsageError{Err: fmt.Errorf("%s is required (%s)", flag, example), ShowUsage: true}
	}
	return nil
}

// noArgs rejects positional arguments with a usage error that says where
// the value belongs instead.
func noArgs(instead string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return &UsageError{Err: fmt.Errorf("%s takes no arguments (got %q): %s", cmd.Name(), args[0], instead), ShowUsage: true}
		}
		return nil
	}
}

// maxArgs is cobra.MaximumNArgs with a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return &UsageError{Err: err, ShowUsage: true}
		}
		return nil
	}
}

// sidArg is the optional SID argument of status, destroy, backint, verify
// and recall, upper-cased ("prd" names PRD); "" when none is given. It
// must be a SID as a landscape file's sid is: it names a directory of the
// local state.
func sidArg(args []string) (string, error) {
	if len(args) == 0 {
		return "", nil
	}
	sid := strings.ToUpper(strings.TrimSpace(args[0]))
	if err := spec.ValidateSID(sid); err != nil {
		return "", &UsageError{Err: fmt.Errorf("the SID argument %q: %w", clipArg(sid), err), ShowUsage: true}
	}
	return sid, nil
}

// clipArg shortens an argument echoed in an error.
func clipArg(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
