// Package verify proves a landscape end to end, the way a HANA backup
// would use it: it writes canary objects into the source bucket as the
// AWS Backint Agent does (a single SSE-KMS upload and a multipart upload),
// confirms the bucket policy's guard rails, waits for S3 to replicate the
// canaries and reads the replica back in the other region, checks the EC2
// backup role's S3 permissions with the IAM policy simulator and its key
// grants with hanavault's policy evaluator, checks the replication role's
// KMS permissions, and removes every canary version in both buckets
// whatever happened.
//
// Like the engine in internal/steps it knows nothing about terminals: it
// reports progress as steps.Event values to a steps.Sink and returns a
// Report, which internal/report renders as Markdown and JSON evidence.
package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout      = 15 * time.Minute
	DefaultPollInterval = 5 * time.Second
	// CleanupTimeout bounds the removal of canaries after an interrupt.
	CleanupTimeout = 2 * time.Minute
)

// CanaryFolder is where canaries live under the landscape's Backint folder.
const CanaryFolder = "hanavault-verify/"

// Options configure a verification.
type Options struct {
	Account cloud.Account
	// JournalRoot is the root of the landscape journals (the engine's
	// StateDir); the journal records canaries that must be removed.
	JournalRoot string
	// Timeout bounds the wait for replication (default 15 minutes).
	Timeout time.Duration
	// PollInterval is the pause between replication status reads
	// (default 5 seconds).
	PollInterval time.Duration
	// KeepCanary leaves the canaries in both buckets (for inspection).
	KeepCanary bool
	Now        func() time.Time
	Sleep      func(ctx context.Context, d time.Duration) error
}

// Target is one of the landscape's backup buckets with its key.
type Target struct {
	Region string `json:"region"`
	Bucket string `json:"bucket"`
	KeyARN string `json:"kmsKeyArn"`
}

// Input names what is verified: the landscape (normalized) and its two
// buckets with their keys as read from AWS (steps.Engine.Backint).
type Input struct {
	Landscape spec.Landscape
	Source    Target
	Replica   Target
	Folder    string // the Backint folder (the SID)
}

// Result of one check.
type Result string

// Check results.
const (
	Pass    Result = "pass"
	Fail    Result = "fail"
	Skipped Result = "skipped"
)

// Check is one proven (or failed) property.
type Check struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Region   string `json:"region,omitempty"`
	Result   Result `json:"result"`
	Detail   string `json:"detail,omitempty"` // what was observed
	Cause    string `json:"cause,omitempty"`  // likely cause, for a failed check
	Resource string `json:"resource,omitempty"`
}

// Canary is one object verify wrote.
type Canary struct {
	Key       string `json:"key"`
	VersionID string `json:"versionId"`
	Upload    string `json:"upload"` // single | multipart | no-header | a refused guard-rail upload that S3 accepted
}

// Report is the evidence of one verification.
type Report struct {
	SID                string    `json:"sid"`
	Time               time.Time `json:"time"`
	Account            string    `json:"account"`
	Caller             string    `json:"caller"`
	CallerIsBackupRole bool      `json:"callerIsBackupRole"`
	BackupRole         string    `json:"backupRoleArn"`
	ReplicationRole    string    `json:"replicationRoleArn"`
	Source             Target    `json:"source"`
	Replica            Target    `json:"replica"`
	Checks             []Check   `json:"checks"`
	Canaries           []Canary  `json:"canaries"`
	// ReplicationLatency is how long the canary took to reach COMPLETED
	// (measured by polling, so up to one poll interval late); zero when it
	// did not.
	ReplicationLatency time.Duration `json:"replicationLatencyNs"`
	// CanariesRemoved counts the versions removed from both buckets;
	// CanariesKept is set by --keep-canary.
	CanariesRemoved int  `json:"canariesRemoved"`
	CanariesKept    bool `json:"canariesKept,omitempty"`
	Passed          bool `json:"passed"`
	// Interrupted is set when the run was cancelled; the canaries were
	// removed anyway (or are recorded in the journal for the next run).
	Interrupted bool `json:"interrupted,omitempty"`
}

// Failed returns the checks that failed.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Result == Fail {
			out = append(out, c)
		}
	}
	return out
}

// FailedError is returned when the verification ran but a check failed.
type FailedError struct {
	SID    string
	Failed []Check
}

func (e *FailedError) Error() string {
	ids := make([]string, len(e.Failed))
	for i, c := range e.Failed {
		ids[i] = c.ID
	}
	return fmt.Sprintf("verify of %s: %d check(s) failed: %s", e.SID, len(e.Failed), strings.Join(ids, ", "))
}

// verifier is one run.
type verifier struct {
	o     Options
	in    Input
	sink  steps.Sink
	rep   *Report
	part  string
	run   string
	track *tracker
	// settled is set when every canary reached a final replication status
	// (or none was written), so no replica can arrive after the cleanup.
	settled bool
}

// Run verifies the landscape. It returns the report (also when checks
// failed, with a *FailedError) or an error that kept it from running. A
// cancelled ctx stops the checks; the canaries are still removed, with
// a fresh deadline of CleanupTimeout.
func Run(ctx context.Context, o Options, in Input, sink steps.Sink) (*Report, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = steps.Sleep
	}
	if sink == nil {
		sink = steps.SinkFunc(func(steps.Event) {})
	}
	l := in.Landscape.Normalized()
	in.Landscape = l
	if in.Folder == "" {
		in.Folder = l.SID
	}
	id, err := o.Account.STS().GetCallerIdentity(ctx)
	if err != nil {
		return nil, fmt.Errorf("who is calling: %w", err)
	}
	v := &verifier{o: o, in: in, sink: sink, part: id.Partition()}
	v.run = "verify-" + o.Now().UTC().Format("20060102T150405.000000000Z")
	v.rep = &Report{
		SID: l.SID, Time: o.Now().UTC(), Account: id.Account, Caller: id.Arn,
		Source: in.Source, Replica: in.Replica,
	}
	tr, err := openTracker(o.JournalRoot, id.Account, l.SID, v.run, o.Now)
	if err != nil {
		return nil, err
	}
	v.track = tr
	defer tr.close()

	// Leftovers of an earlier run that was killed are removed first.
	if err := v.cleanup(ctx, true); err != nil {
		return nil, err
	}
	v.checkAll(ctx)
	v.rep.Interrupted = ctx.Err() != nil
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
	defer cancel()
	if o.KeepCanary && !v.rep.Interrupted {
		v.rep.CanariesKept = true
		v.note("canaries kept in both buckets under " + v.prefix() + " (--keep-canary); the next verify or destroy removes them")
	} else if err := v.cleanup(cctx, false); err != nil {
		v.add(Check{ID: "cleanup", Title: "Every canary version removed from both buckets", Result: Fail,
			Detail: err.Error(), Cause: "the caller may not delete object versions; the journal keeps the canaries for the next verify or destroy"})
	}
	v.rep.Passed = len(v.rep.Failed()) == 0 && !v.rep.Interrupted
	if v.rep.Interrupted {
		return v.rep, ctx.Err()
	}
	if !v.rep.Passed {
		return v.rep, &FailedError{SID: l.SID, Failed: v.rep.Failed()}
	}
	return v.rep, nil
}

// checkAll runs every check in order; a cancelled ctx ends it early.
func (v *verifier) checkAll(ctx context.Context) {
	l := v.in.Landscape
	backupRole, err := v.role(ctx, spec.RoleName(l.EC2RoleToRunBackup))
	if err != nil && ctx.Err() == nil {
		v.add(Check{ID: "backup-role", Title: "The EC2 backup role exists", Result: Fail, Detail: err.Error(),
			Cause: "ec2RoleToRunBackup names a role that cannot be read"})
	}
	if backupRole != nil {
		v.rep.BackupRole = backupRole.arn
		v.rep.CallerIsBackupRole = isSessionOf(v.rep.Caller, backupRole.arn)
	}
	replRole, err := v.role(ctx, l.ReplicationRoleName)
	if err != nil && ctx.Err() == nil {
		v.add(Check{ID: "replication-role", Title: "The replication role exists", Result: Fail, Detail: err.Error(),
			Cause: "the replication role is missing: run apply"})
	}
	if replRole != nil {
		v.rep.ReplicationRole = replRole.arn
	}
	if ctx.Err() != nil {
		return
	}
	if v.rep.CallerIsBackupRole {
		v.note("verify runs with the EC2 backup role's own credentials: the uploads below prove the role directly")
	}
	canaries := v.uploads(ctx)
	v.guardRails(ctx)
	v.replication(ctx, canaries)
	if backupRole != nil {
		v.backupRoleS3(ctx, backupRole)
		v.backupRoleKMS(ctx, backupRole)
	}
	if replRole != nil {
		v.replicationRoleKMS(ctx, replRole)
	}
}

func (v *verifier) prefix() string { return v.in.Folder + "/" + CanaryFolder }

// add records a check and reports it as a finished (or failed) step.
func (v *verifier) add(c Check) {
	v.rep.Checks = append(v.rep.Checks, c)
	ev := steps.Event{Time: v.o.Now(), StepID: "verify/" + c.ID, Region: c.Region, Title: c.Title, Resource: c.Resource}
	switch c.Result {
	case Pass:
		ev.Kind, ev.Detail = steps.EventDone, c.Detail
	case Fail:
		ev.Kind, ev.Error = steps.EventFailed, c.Title+": "+c.Detail
		if c.Cause != "" {
			ev.Error += " (likely cause: " + c.Cause + ")"
		}
	default:
		ev.Kind, ev.Reason = steps.EventSkipped, c.Detail
	}
	v.sink.Emit(ev)
}

func (v *verifier) start(id, region, title string) {
	v.sink.Emit(steps.Event{Time: v.o.Now(), Kind: steps.EventStarted, StepID: "verify/" + id, Region: region, Title: title, Action: steps.ActionInSync})
}

func (v *verifier) progress(id, region, detail string, elapsed time.Duration) {
	v.sink.Emit(steps.Event{Time: v.o.Now(), Kind: steps.EventProgress, StepID: "verify/" + id, Region: region, Detail: detail, Elapsed: elapsed})
}

func (v *verifier) note(s string) {
	v.sink.Emit(steps.Event{Time: v.o.Now(), Kind: steps.EventNote, Detail: s})
}

// isSessionOf reports whether caller is an assumed-role session of role
// (arn:p:sts::acct:assumed-role/<name>/<session> for arn:p:iam::acct:role/<path/><name>).
func isSessionOf(caller, role string) bool {
	c, err := cloud.ParseARN(caller)
	if err != nil {
		return false
	}
	r, err := cloud.ParseARN(role)
	if err != nil || c.Account != r.Account {
		return false
	}
	name := r.Resource[strings.LastIndexByte(r.Resource, '/')+1:]
	if c.Service == "iam" {
		return caller == role
	}
	parts := strings.Split(c.Resource, "/")
	return c.Service == "sts" && len(parts) == 3 && parts[0] == "assumed-role" && parts[1] == name
}

// interrupted reports whether err comes from a cancelled run.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled)
}
