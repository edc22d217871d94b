package steps

import (
	"context"
	"errors"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/spec"
)

// Options configure an Engine.
type Options struct {
	Account cloud.Account
	// StateDir is the root of hanavault's local state; each landscape's
	// journal lives in <StateDir>/<account>/<SID>/.
	StateDir string
	// Concurrency bounds the steps running at once (default 8).
	Concurrency int
	// RetryTimeout bounds retries of eventual-consistency errors per step
	// (default 2 minutes).
	RetryTimeout time.Duration
	// Now and Sleep are injectable for deterministic tests.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Engine plans, applies, inspects and destroys landscapes in one account.
type Engine struct {
	opts Options
}

// KnownLandscape is a landscape found in local state or by tags.
type KnownLandscape struct {
	SID               string          `json:"sid"`
	SourceRegion      string          `json:"sourceRegion"`
	ReplicationRegion string          `json:"replicationRegion"`
	Local             bool            `json:"local"`  // journal/spec in the state dir
	Tagged            bool            `json:"tagged"` // tagged resources found in the account
	Overall           Overall         `json:"overall"`
	Landscape         *spec.Landscape `json:"landscape,omitempty"`
}

// PreflightIssue is an AWS-side problem with a landscape found before
// anything is touched (a bucket name owned by someone else, an alias in use,
// a role that does not exist). Field names the landscape field concerned.
type PreflightIssue struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ErrNotImplemented marks engine entry points still under construction.
var ErrNotImplemented = errors.New("not implemented yet")

// New returns an engine.
func New(opts Options) *Engine {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.RetryTimeout <= 0 {
		opts.RetryTimeout = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	return &Engine{opts: opts}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Identity returns who is calling, with the partition from the caller ARN.
func (e *Engine) Identity(ctx context.Context) (Identity, error) {
	id, err := e.opts.Account.STS().GetCallerIdentity(ctx)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Account: id.Account, Partition: id.Partition(), Arn: id.Arn}, nil
}

// Preflight checks what only AWS can tell before a plan: bucket names owned
// by others, aliases already used by foreign keys, roles that do not exist.
func (e *Engine) Preflight(ctx context.Context, l spec.Landscape) ([]PreflightIssue, error) {
	return nil, ErrNotImplemented
}

// Plan reads every step and reports what apply would do.
func (e *Engine) Plan(ctx context.Context, l spec.Landscape) (*Plan, error) {
	return nil, ErrNotImplemented
}

// Apply converges the landscape, emitting events to sink.
func (e *Engine) Apply(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	return nil, ErrNotImplemented
}

// Status reads both regions and reports each resource's health.
func (e *Engine) Status(ctx context.Context, l spec.Landscape) (*Status, error) {
	return nil, ErrNotImplemented
}

// PreviewDestroy reports what destroy would delete, with bucket contents.
func (e *Engine) PreviewDestroy(ctx context.Context, l spec.Landscape) (*DestroyPreview, error) {
	return nil, ErrNotImplemented
}

// Destroy removes the landscape from both regions, emitting events to sink.
func (e *Engine) Destroy(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	return nil, ErrNotImplemented
}

// Known lists the landscapes in local state and, when scanTags is set,
// those found by their tags in the account.
func (e *Engine) Known(ctx context.Context, scanTags bool) ([]KnownLandscape, error) {
	return nil, ErrNotImplemented
}

// LoadLandscape returns the landscape saved by the last apply of sid, or,
// with fromTags, rebuilds it from the tagged resources in the account.
func (e *Engine) LoadLandscape(ctx context.Context, sid string, fromTags bool) (spec.Landscape, error) {
	return spec.Landscape{}, ErrNotImplemented
}

// RollbackLastRun undoes what the last apply run created or changed,
// leaving resources from earlier runs in place.
func (e *Engine) RollbackLastRun(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	return nil, ErrNotImplemented
}
