package steps

import (
	"context"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/recovery"
	"github.com/hanavault/hanavault/internal/spec"
)

// Options configure an Engine.
type Options struct {
	Account cloud.Account
	// StateDir is the root of hanavault's local state; each landscape's
	// journal lives in <StateDir>/<account>/<SID>/.
	StateDir string
	// HomeRegion is the region account-wide list calls (ListBuckets) use.
	HomeRegion string
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
	// rebuilt holds the SIDs of landscapes this engine rebuilt from tags
	// (a rebuiltLandscape each)
	// (local state lost): read-only views find their resources by tags.
	rebuilt sync.Map
	// noReadAhead turns reading ahead off (tests compare the calls with
	// and without it).
	noReadAhead bool
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
	// RecoveryPoint is the landscape's recovery point (nil when
	// replication is not configured or status failed).
	RecoveryPoint *recovery.Point `json:"recoveryPoint,omitempty"`
	// TornJournalLine is the line of its journal a crash tore (0: none):
	// the records before it are intact, and the next apply or destroy sets
	// it aside.
	TornJournalLine int `json:"tornJournalLine,omitempty"`
}

// PreflightIssue is an AWS-side problem with a landscape found before
// anything is touched (a bucket name owned by someone else, an alias in use,
// a role that does not exist). Field names the landscape field concerned.
type PreflightIssue struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

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
