// Package memaws is an in-memory AWS account implementing internal/cloud,
// with the semantics hanavault depends on. It powers tests and --sandbox.
//
// The account models one AWS account in one partition: IAM roles with
// inline and attached policies and instance profiles, STS identities, EC2
// region opt-in, KMS keys and aliases per region with key-policy checks,
// and S3 buckets (global namespace, one region each) with their settings,
// versioned objects, multipart uploads, bucket- and key-policy
// authorization of data-plane calls, cross-region replication run as the
// replication role, and server access-log delivery. Every rule listed in
// the project's aws-facts notes behaves as AWS documents it; where AWS
// leaves a choice open, the choice is written down next to the code that
// makes it.
//
// Choices worth knowing when reading test failures:
//   - Calls to a region that exists but is not opted in fail with
//     UnrecognizedClientException (KMS) or InvalidClientTokenId (S3, EC2),
//     "The security token included in the request is invalid", as an STS
//     token is rejected by a disabled region. A region name the partition
//     does not have fails with a plain (non-AWS) error, as a DNS failure
//     would.
//   - S3 calls on a bucket through another region's endpoint answer
//     PermanentRedirect (HTTP 301), or AuthorizationHeaderMalformed (400)
//     through us-east-1, except HeadBucket, GetBucketLocation and
//     ListBuckets, which work from every endpoint and report the region.
//   - DeleteBucket answers BucketNotEmpty while a version, a delete marker
//     or an incomplete multipart upload remains.
//   - A PutBucketReplication naming a role that does not exist or has not
//     propagated yet (see Options.IAMPropagationDelay) answers
//     InvalidArgument "Invalid Role ARN".
//   - PutObject with "aws:kms" but no key ID uses the region's AWS managed
//     key aws/s3 (created on first use), as the PutObject reference says,
//     even when the bucket's default encryption names a customer key.
//   - DeleteBucketEncryption resets the bucket to SSE-S3 (AES256), as S3 has
//     done since default encryption became mandatory in 2023.
//   - Lifecycle rules are validated and stored but never executed; objects
//     reach an archive class only by PutObject with that storage class.
//   - Restores of archived objects complete after Options.RestoreDelay,
//     whatever the tier.
//
// Concurrency: one mutex guards the account; latency is applied before the
// lock is taken, so concurrent calls overlap in time.
package memaws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Defaults for Options fields left zero.
const (
	DefaultAccountID        = "123456789012"
	DefaultPartition        = "aws"
	DefaultHomeRegion       = "eu-central-1"
	DefaultReplicationDelay = 2 * time.Second
	DefaultLogDeliveryDelay = time.Minute
	// DefaultCallerRole is the name of the role behind the default caller
	// (an IAM Identity Center administrator session).
	DefaultCallerRole = "AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41"
	// DefaultSessionName is the session name of the default caller.
	DefaultSessionName = "basis.admin"
)

// Options configure an in-memory account. The zero value is a seeded
// account 123456789012 in partition aws, called by an administrator.
type Options struct {
	// Now is the clock (default time.Now). Replication, log delivery, key
	// deletion and IAM propagation all follow it.
	Now func() time.Time
	// Sleep waits for latency (default: a timer that honours ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	// AccountID defaults to 123456789012.
	AccountID string
	// Partition defaults to aws.
	Partition string
	// CallerArn is the default caller (default: an assumed-role session of
	// the seeded AWSReservedSSO_AdministratorAccess_… role, basis.admin).
	CallerArn string
	// HomeRegion is where the caller sits; calls to other regions add
	// CrossRegionLatency. Default eu-central-1 (cn-north-1 in aws-cn,
	// us-gov-west-1 in aws-us-gov).
	HomeRegion string
	// ReplicationDelay is how long a PENDING replication waits before it is
	// processed. Zero means DefaultReplicationDelay (2s); a negative value
	// means at the next call.
	ReplicationDelay time.Duration
	// LogDeliveryDelay is how long access-log records are buffered before
	// they are delivered as one log object. Zero means
	// DefaultLogDeliveryDelay (1m); a negative value means at the next call.
	LogDeliveryDelay time.Duration
	// RestoreDelay is how long RestoreObject takes to make an archived
	// object readable. Zero means DefaultRestoreDelay; a negative value
	// means at once.
	RestoreDelay time.Duration
	// IAMPropagationDelay: a role younger than this is invisible to KMS
	// principal validation and to S3 replication. Default 0.
	IAMPropagationDelay time.Duration
	// Latency is added to every call; CrossRegionLatency additionally to
	// calls whose region differs from HomeRegion.
	Latency            time.Duration
	CrossRegionLatency time.Duration
	// NoSeed starts with an empty account (no roles, keys or buckets).
	NoSeed bool
	// SyntheticRoles adds that many extra roles when seeding, for scale
	// tests of role discovery.
	SyntheticRoles int
}

// Account is an in-memory AWS account. *Account implements cloud.Account
// as its default caller (an administrator); As and Insecure return views
// that share the same account state but call as another principal or
// without TLS.
type Account struct {
	w *world
	// principal is the role (or root) ARN of an As view; "" is the default
	// caller.
	principal string
	insecure  bool
}

// world is the state shared by an account and all its views.
type world struct {
	mu sync.Mutex
	// clockOffset is how far AWS's clock (every time the account reports,
	// and the Date of its answers) is ahead of Options.Now (negative:
	// behind), in nanoseconds.
	clockOffset atomic.Int64

	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
	callerArn string
	home      string
	replDelay time.Duration
	logDelay  time.Duration
	// restoreDelay is how long a restore of an archived object takes.
	restoreDelay time.Duration

	iamDelay     atomic.Int64
	latency      atomic.Int64
	crossLatency atomic.Int64

	dir   string // "" when not persisted
	flock *flock.Flock
	st    *state
	dirty bool

	// Runtime only (never persisted).
	calls      []CallRecord
	mutating   int
	faults     []*fault
	slowDown   map[string]int // op → calls still to throttle
	deliveries []LogDelivery
	// concLimit and inFlight model S3's request-rate limit (see
	// LimitConcurrentCalls); motoMarker emulates moto's listing after a
	// deleted version marker (see EmulateMotoVersionMarker).
	concLimit  map[string]int
	inFlight   map[string]int
	motoMarker bool
}

var _ cloud.Account = (*Account)(nil)

// New returns a fresh in-memory account, seeded unless opts.NoSeed.
func New(opts Options) *Account {
	w := newWorld(opts)
	w.st = newState(w.accountID(opts), w.partition(opts))
	if !opts.NoSeed {
		w.seed(opts.SyntheticRoles)
	}
	w.dirty = false
	return &Account{w: w}
}

// Open loads the sandbox account persisted in dir as account.json
// (creating and seeding it when absent). Several processes may share dir:
// every call takes a lock file beside account.json, first reloads the
// account when another process saved it since, and a mutating call saves
// it back atomically. A read never writes the file; what it changes in
// the account (an access-log line, a replication that fell due) is saved
// with the process's next mutating call, or recomputed by the next
// process. Fault hooks and latency are not persisted. The account ID and
// partition of an existing file win over opts.
func Open(dir string, opts Options) (*Account, error) {
	w := newWorld(opts)
	w.dir = dir
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockShared(context.Background())
	switch {
	case err == nil:
		defer unlock()
		if opts.CallerArn == "" {
			w.callerArn = defaultCallerArn(w.st.Partition, w.st.AccountID)
		}
		if opts.HomeRegion == "" {
			w.home = defaultHome(w.st.Partition)
		}
	case errors.Is(err, errNoState):
		// lockShared released the lock on the error: take it again to
		// create the file, unless another process created it meanwhile.
		w.st = newState(w.accountID(opts), w.partition(opts))
		if !opts.NoSeed {
			w.seed(opts.SyntheticRoles)
		}
		w.st.Generation = ""
		unlock, err := w.lockShared(context.Background())
		if err != nil {
			return nil, err
		}
		defer unlock()
		if w.st.Generation == "" {
			if err := w.save(); err != nil {
				return nil, err
			}
		}
	default:
		return nil, err
	}
	w.dirty = false
	return &Account{w: w}, nil
}

func newWorld(opts Options) *world {
	w := &world{now: opts.Now, sleep: opts.Sleep, home: opts.HomeRegion}
	if w.now == nil {
		w.now = time.Now
	}
	// AWS's clock: the caller's, off by the offset SetClockOffset sets.
	local := w.now
	w.now = func() time.Time { return local().Add(time.Duration(w.clockOffset.Load())) }
	if w.sleep == nil {
		w.sleep = sleepCtx
	}
	part := w.partition(opts)
	if w.home == "" {
		w.home = defaultHome(part)
	}
	w.callerArn = opts.CallerArn
	if w.callerArn == "" {
		w.callerArn = defaultCallerArn(part, w.accountID(opts))
	}
	w.replDelay = opts.ReplicationDelay
	if w.replDelay == 0 {
		w.replDelay = DefaultReplicationDelay
	}
	w.logDelay = opts.LogDeliveryDelay
	if w.logDelay == 0 {
		w.logDelay = DefaultLogDeliveryDelay
	}
	w.restoreDelay = opts.RestoreDelay
	switch {
	case w.restoreDelay == 0:
		w.restoreDelay = DefaultRestoreDelay
	case w.restoreDelay < 0:
		w.restoreDelay = 0
	}
	w.iamDelay.Store(int64(opts.IAMPropagationDelay))
	w.latency.Store(int64(opts.Latency))
	w.crossLatency.Store(int64(opts.CrossRegionLatency))
	return w
}

func (w *world) accountID(opts Options) string {
	if opts.AccountID != "" {
		return opts.AccountID
	}
	return DefaultAccountID
}

func (w *world) partition(opts Options) string {
	if opts.Partition != "" {
		return opts.Partition
	}
	return DefaultPartition
}

func defaultCallerArn(partition, account string) string {
	return "arn:" + partition + ":sts::" + account + ":assumed-role/" + DefaultCallerRole + "/" + DefaultSessionName
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

// As returns a view of the account whose calls are made as principalARN:
// a role of the account (its ARN, with path, or its name) or the account
// root. Data-plane calls (objects, multipart uploads, version listings)
// are authorized with the role's inline and attached policies as identity
// policies; control-plane calls are not authorized. A role that does not
// exist has no identity policies.
func (a *Account) As(principalARN string) *Account {
	return &Account{w: a.w, principal: principalARN, insecure: a.insecure}
}

// Insecure returns a view of the account that sends its requests without
// TLS (aws:SecureTransport is false).
func (a *Account) Insecure() *Account {
	return &Account{w: a.w, principal: a.principal, insecure: true}
}

// STS returns the account's STS client.
func (a *Account) STS() cloud.STS { return stsClient{a} }

// IAM returns the account's (global) IAM client.
func (a *Account) IAM() cloud.IAM { return iamClient{a} }

// S3 returns an S3 client bound to region's endpoint.
func (a *Account) S3(region string) cloud.S3 { return s3Client{a, region} }

// KMS returns a KMS client for region.
func (a *Account) KMS(region string) cloud.KMS { return kmsClient{a, region} }

// EC2 returns an EC2 client for region.
func (a *Account) EC2(region string) cloud.EC2 { return ec2Client{a, region} }

// Save writes the account to its directory (a no-op for accounts made by
// New).
func (a *Account) Save() error {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	unlock, err := a.w.lockShared(context.Background())
	if err != nil {
		return err
	}
	defer unlock()
	return a.w.save()
}

// ProcessPending runs the replications and log deliveries that are due by
// the clock now. They also run lazily at the start of every call.
func (a *Account) ProcessPending() error {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockShared(context.Background())
	if err != nil {
		return err
	}
	defer unlock()
	w.processDue(w.now())
	return w.saveIfDirty()
}

// callInfo describes one API call for the call wrapper.
type callInfo struct {
	svc, op  string
	region   string // "" for global services
	resource string
	// bucket and key name the S3 bucket (and object) a call is about, for
	// access logging.
	bucket, key string
}

// run executes one API call: latency (outside the lock), lazy processing,
// region check, fault injection, the operation, access logging, call
// records and persistence.
func (a *Account) run(ctx context.Context, ci callInfo, fn func(now time.Time) error) error {
	w := a.w
	if !w.enterCall(ci) {
		return fillError(slowDown(), ci)
	}
	defer w.leaveCall(ci)
	sent := time.Now()
	d := time.Duration(w.latency.Load())
	if ci.region != "" && ci.region != w.home {
		d += time.Duration(w.crossLatency.Load())
	}
	if d > 0 {
		if err := w.sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	unlock, err := w.lockShared(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	now := w.now()
	w.processDue(now)

	mutating := cloud.IsMutating(ci.op)
	err = w.checkRegion(ci.svc, ci.region)
	if err == nil {
		mode, fire := FailMode(0), false
		if mutating {
			w.mutating++
			mode, fire = w.fireFault(CallRecord{Service: ci.svc, Op: ci.op, Region: ci.region, Resource: ci.resource, Mutating: true})
		}
		switch {
		case w.fireSlowDown(ci.op):
			err = awsErr(cloud.CodeSlowDown, 503, "Please reduce your request rate.")
		case fire && mode == FailBefore:
			err = injectedError()
		case fire:
			_ = fn(now) // the change happens; its answer is lost
			err = injectedError()
		default:
			err = fn(now)
		}
	}
	err = fillError(err, ci)
	if ci.bucket != "" {
		w.logRequest(a.caller(), ci, err, now)
	}
	w.calls = append(w.calls, CallRecord{
		Service: ci.svc, Op: ci.op, Region: ci.region, Resource: ci.resource,
		Mutating: mutating, Code: cloud.ErrorCode(err),
		Sent: sent, Answered: time.Now(),
	})
	if !mutating {
		return err // a read never rewrites the sandbox file
	}
	if serr := w.saveIfDirty(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// call is run for operations with a result.
func call[T any](a *Account, ctx context.Context, ci callInfo, fn func(now time.Time) (T, error)) (T, error) {
	var out T
	err := a.run(ctx, ci, func(now time.Time) error {
		v, err := fn(now)
		if err == nil {
			out = v
		}
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// awsErr builds a service error; run fills in service, operation and
// resource.
func awsErr(code string, status int, format string, args ...any) *cloud.Error {
	return &cloud.Error{Code: code, HTTPStatus: status, Message: fmt.Sprintf(format, args...)}
}

func fillError(err error, ci callInfo) error {
	var e *cloud.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	if e.Service == "" {
		e.Service = ci.svc
	}
	if e.Op == "" {
		e.Op = ci.op
	}
	if e.Resource == "" {
		e.Resource = ci.resource
	}
	return err
}

// lowerName is the case-insensitive identity of IAM names.
func lowerName(s string) string { return strings.ToLower(s) }

// SetClockOffset makes the account's clock run d ahead of the caller's
// (Options.Now; negative d: behind), as a machine whose clock is off
// AWS's sees it: creation dates and the Date of the answers (ServerClock)
// are in AWS's time. Not persisted.
func (a *Account) SetClockOffset(d time.Duration) { a.w.clockOffset.Store(int64(d)) }
