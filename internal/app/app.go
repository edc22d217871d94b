// Package app wires hanavault together for one run: it resolves the AWS
// account (through internal/awsapi, or the persisted in-memory sandbox of
// internal/memaws), the region, the local state directory, and builds the
// engine and the discoverer on top. The CLI and the wizard get everything
// they touch from an Env.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"time"

	"github.com/hanavault/hanavault/internal/awsapi"
	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// SandboxRegion is the region the sandbox uses unless --region says otherwise.
const SandboxRegion = "eu-central-1"

// Options select the account and the local state for a run.
type Options struct {
	Profile     string // --profile (AWS_PROFILE is read by the SDK)
	Region      string // --region
	EndpointURL string // --endpoint-url / AWS_ENDPOINT_URL
	StateDir    string // --state-dir; "" means DefaultStateDir
	// Sandbox uses the in-memory account kept in <StateDir>/sandbox.
	Sandbox bool
	// AllowSandboxFallback switches to the sandbox when no AWS credentials
	// are configured at all and neither Profile nor EndpointURL is set.
	// Only the bare `hanavault` wizard sets it: subcommands never fall back
	// silently.
	AllowSandboxFallback bool
	// SandboxWhileLooking opens the sandbox at once, saying that the
	// credential lookup is still running: the wizard works in it while
	// Open (with the same options otherwise) goes on looking. See
	// MaySandboxWhileLooking.
	SandboxWhileLooking bool
	// DebugLog receives the AWS SDK's log lines (--debug); nil discards
	// them.
	DebugLog io.Writer
}

// Env is one run's account, engine and discovery.
type Env struct {
	Account   cloud.Account
	Engine    *steps.Engine
	Discovery *discover.Discoverer
	// Region is the resolved region: --region, else the profile's, else
	// SandboxRegion in the sandbox. It may be "" for AWS when nothing
	// configures one; commands that need it say so.
	Region   string
	Profile  string
	StateDir string
	// Sandbox is set when Account is the in-memory sandbox; SandboxDir is
	// where it is kept and SandboxReason says why it is in use, in words.
	Sandbox       bool
	SandboxDir    string
	SandboxReason string
}

// Open resolves the account and builds the engine and the discoverer.
func Open(ctx context.Context, o Options) (*Env, error) {
	if o.StateDir == "" {
		dir, err := DefaultStateDir(os.Getenv, runtime.GOOS)
		if err != nil {
			return nil, err
		}
		o.StateDir = dir
	}
	if o.Sandbox {
		if o.EndpointURL != "" {
			return nil, errors.New("--sandbox and --endpoint-url exclude each other: the sandbox never calls an endpoint")
		}
		dir := SandboxDir(o.StateDir)
		return openSandbox(o, fmt.Sprintf("This is the sandbox (--sandbox): an in-memory account kept in %s. Nothing reaches AWS.", dir))
	}
	if o.SandboxWhileLooking {
		if !o.mayFallBack() {
			return nil, errors.New("app: SandboxWhileLooking needs the sandbox fallback allowed, without --profile or --endpoint-url")
		}
		dir := SandboxDir(o.StateDir)
		return openSandbox(o, fmt.Sprintf("No AWS credentials found yet, so this is the sandbox for now: an in-memory account kept in %s. Nothing reaches AWS. Still looking (the EC2 instance metadata service can take seconds to answer); credentials found later are offered here.", dir))
	}
	cfg := awsapi.Config{Profile: o.Profile, Region: o.Region, EndpointURL: o.EndpointURL, Log: o.DebugLog}
	if o.mayFallBack() {
		ok, err := awsapi.HasCredentials(ctx, cfg)
		if err != nil {
			return nil, withHint(err, o.Profile)
		}
		if !ok {
			dir := SandboxDir(o.StateDir)
			return openSandbox(o, fmt.Sprintf("No AWS credentials found, so this is the sandbox: an in-memory account kept in %s. Use --profile to work with AWS.", dir))
		}
	}
	acct, err := awsapi.Load(ctx, cfg)
	if err != nil {
		return nil, withHint(err, o.Profile)
	}
	return build(acct, acct.Region(), o, false, "", ""), nil
}

func openSandbox(o Options, reason string) (*Env, error) {
	dir := SandboxDir(o.StateDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the sandbox directory %s: %w", dir, err)
	}
	latency, err := sandboxLatency(os.Getenv("HANAVAULT_SANDBOX_LATENCY"))
	if err != nil {
		return nil, err
	}
	// Calls take about as long as AWS's would, so the demo's progress is
	// visible; cross-region calls take longer.
	acct, err := memaws.Open(dir, memaws.Options{Latency: latency, CrossRegionLatency: latency * 3 / 2})
	if err != nil {
		return nil, fmt.Errorf("open the sandbox account in %s: %w", dir, err)
	}
	region := o.Region
	if region == "" {
		region = SandboxRegion
	}
	return build(acct, region, o, true, dir, reason), nil
}

func build(acct cloud.Account, region string, o Options, sandbox bool, sandboxDir, reason string) *Env {
	acct = checkedAccount{acct}
	// The sandbox keeps its journals beside its account, apart from the
	// journals of real accounts.
	journals := o.StateDir
	if sandbox {
		journals = sandboxDir
	}
	return &Env{
		Account:       acct,
		Engine:        steps.New(steps.Options{Account: acct, StateDir: journals, HomeRegion: region}),
		Discovery:     discover.New(acct, region),
		Region:        region,
		Profile:       o.Profile,
		StateDir:      o.StateDir,
		Sandbox:       sandbox,
		SandboxDir:    sandboxDir,
		SandboxReason: reason,
	}
}

// JournalRoot is where the landscape journals live: the state directory,
// or for the sandbox the sandbox directory beside its account.
func (e *Env) JournalRoot() string {
	if e.Sandbox {
		return e.SandboxDir
	}
	return e.StateDir
}

// checkedAccount is an account whose caller identity is checked before
// anything uses it: the account ID names a directory of the local state
// (<state-dir>/<account>/<SID>), so an answer that is not 12 digits (a
// proxy or endpoint rewriting GetCallerIdentity, "../elsewhere") must never
// reach a path.
type checkedAccount struct{ cloud.Account }

// STS returns the account's STS client, whose GetCallerIdentity checks the
// account ID.
func (a checkedAccount) STS() cloud.STS { return checkedSTS{a.Account.STS()} }

type checkedSTS struct{ cloud.STS }

// accountID is the shape of an AWS account ID: 12 decimal digits.
var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// GetCallerIdentity refuses an answer whose account ID is not 12 digits.
func (s checkedSTS) GetCallerIdentity(ctx context.Context) (cloud.CallerIdentity, error) {
	id, err := s.STS.GetCallerIdentity(ctx)
	if err != nil {
		return id, err
	}
	if !accountID.MatchString(id.Account) {
		shown := id.Account
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return cloud.CallerIdentity{}, fmt.Errorf("sts:GetCallerIdentity answered the account %q, which is not a 12-digit account ID; refusing to use it", shown)
	}
	return id, nil
}

// DefaultSandboxLatency is how long each sandbox call takes unless
// HANAVAULT_SANDBOX_LATENCY says otherwise.
const DefaultSandboxLatency = 40 * time.Millisecond

// sandboxLatency parses HANAVAULT_SANDBOX_LATENCY ("" = the default).
func sandboxLatency(v string) (time.Duration, error) {
	if v == "" {
		return DefaultSandboxLatency, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > 10*time.Second {
		return 0, fmt.Errorf("HANAVAULT_SANDBOX_LATENCY=%q: want a duration from 0s to 10s, like 40ms", v)
	}
	return d, nil
}

// SandboxDir is where the sandbox account is kept under stateDir.
func SandboxDir(stateDir string) string { return filepath.Join(stateDir, "sandbox") }

// DefaultStateDir is hanavault's local state directory: HANAVAULT_STATE_DIR
// if set; else $XDG_STATE_HOME/hanavault when XDG_STATE_HOME is an absolute
// path (the XDG spec says to ignore relative ones); else
// %LOCALAPPDATA%\hanavault on Windows; else ~/.local/state/hanavault.
func DefaultStateDir(getenv func(string) string, goos string) (string, error) {
	if d := getenv("HANAVAULT_STATE_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "hanavault"), nil
	}
	if goos == "windows" {
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "hanavault"), nil
		}
	}
	home := getenv("HOME")
	if home == "" && goos == "windows" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return "", errors.New("cannot find a directory for hanavault's state: HOME is not set; pass --state-dir")
	}
	return filepath.Join(home, ".local", "state", "hanavault"), nil
}

// HintError is an error with one sentence that names the fix.
type HintError struct {
	Err  error
	Hint string
}

// Error returns the underlying error's text (the hint is printed apart).
func (e *HintError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *HintError) Unwrap() error { return e.Err }

// withHint attaches awsapi's advice to err when there is some.
func withHint(err error, profile string) error {
	if h := awsapi.HintForProfile(err, profile); h != "" {
		return &HintError{Err: err, Hint: h}
	}
	return err
}

// Hint returns the advice for err: the hint attached by Open, or awsapi's
// advice for an error from a later AWS call (expired session, access
// denied naming the IAM action, …); "" when there is none.
func Hint(err error, profile string) string {
	var he *HintError
	if errors.As(err, &he) {
		return he.Hint
	}
	return awsapi.HintForProfile(err, profile)
}
