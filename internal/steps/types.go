// Package steps is the engine: it turns a landscape into steps (one per
// setting), reads their actual state, plans, converges them as a dependency
// graph with bounded concurrency and retries, reports status and tears the
// landscape down. It knows nothing about terminals: it emits Events to a
// Sink, and the TUI, the plain reporter and --json all consume them.
package steps

import (
	"time"

	"github.com/hanavault/hanavault/internal/recovery"
)

// Action is what a step will do (plan) or did (apply/destroy).
type Action string

const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionInSync  Action = "in-sync"
	ActionDelete  Action = "delete"  // destroy: resource created by hanavault goes away
	ActionRestore Action = "restore" // destroy: pre-existing resource gets its prior settings back
	ActionKeep    Action = "keep"    // destroy: nothing to do (already gone, or removed with its parent)
)

// FieldDiff is one setting whose actual value differs from the desired one.
// Values are short canonical strings meant for people ("Enabled",
// "aws:kms arn:aws:kms:...:key/..., bucket key on", a policy digest...).
type FieldDiff struct {
	Name    string `json:"name"`
	Desired string `json:"desired"`
	Actual  string `json:"actual"`
}

// Change is one step of a plan.
type Change struct {
	ID        string      `json:"id"`        // stable step ID, e.g. source/bucket/encryption
	Region    string      `json:"region"`    // AWS region, or "global" for IAM
	Component string      `json:"component"` // key, bucket, log-bucket, replication-role, replication
	Resource  string      `json:"resource"`  // bucket name, alias, role name
	Title     string      `json:"title"`     // "Default encryption (SSE-KMS, bucket key)"
	Action    Action      `json:"action"`
	Fields    []FieldDiff `json:"fields,omitempty"`
	// Owner says, for a resource (bucket, key, alias, role), what proves
	// whose it is: "created by this landscape on 2026-11-26" (the journal's
	// record of the create call) or "pre-existing, kept"; empty for
	// settings and for resources not created yet.
	Owner string `json:"owner,omitempty"`
}

// Warning is something the user should read before applying.
type Warning struct {
	Field   string `json:"field,omitempty"` // landscape field it concerns
	Message string `json:"message"`
}

// Document is one policy document hanavault will write, for viewing in full.
type Document struct {
	Name     string `json:"name"`     // "Bucket policy: hana-backup-prd-..."
	Region   string `json:"region"`   // or "global"
	Resource string `json:"resource"` // bucket, key alias or role
	JSON     string `json:"json"`     // indented
}

// Identity is who runs hanavault.
type Identity struct {
	Account   string `json:"account"`
	Partition string `json:"partition"`
	Arn       string `json:"arn"`
}

// Plan is the outcome of reading every step against the landscape.
type Plan struct {
	SID               string     `json:"sid"`
	Identity          Identity   `json:"identity"`
	SourceRegion      string     `json:"sourceRegion"`
	ReplicationRegion string     `json:"replicationRegion"`
	Changes           []Change   `json:"changes"`
	Warnings          []Warning  `json:"warnings"`
	Documents         []Document `json:"documents,omitempty"`
	// Renamed lists what this landscape created under names it no longer
	// uses (a renamed bucket, role or alias, a key of a region left).
	Renamed []RenamedResource `json:"renamed,omitempty"`
}

// RenamedResource is a resource this landscape created under a name (or in
// a region) it no longer uses. Destroy keeps it, and every key that
// encrypts a kept bucket, unless told to remove it (DestroyOptions).
type RenamedResource struct {
	Kind      string          `json:"kind"` // bucket, key, alias, role
	Region    string          `json:"region"`
	Name      string          `json:"name"` // bucket name, key ID, alias, role name
	CreatedAt time.Time       `json:"createdAt"`
	Exists    bool            `json:"exists"`
	Contents  *BucketContents `json:"contents,omitempty"` // buckets only
	// Action is what destroy does: keep (the default) or delete.
	Action Action `json:"action"`
	// FoundByTags marks a bucket only its tags say the landscape made
	// (local state lost, --from-tags): no journal proves it.
	FoundByTags bool `json:"foundByTags,omitempty"`
	// PreExisting marks a bucket that existed before hanavault, which the
	// landscape adopted under an earlier name: destroy keeps it (even with
	// --remove-renamed) and puts back the settings hanavault changed.
	PreExisting bool `json:"preExisting,omitempty"`
}

// Counts returns how many changes have each action.
func (p *Plan) Counts() map[Action]int {
	m := map[Action]int{}
	for _, c := range p.Changes {
		m[c.Action]++
	}
	return m
}

// EventKind tells what happened to a step.
type EventKind string

const (
	EventStarted  EventKind = "started"
	EventRetrying EventKind = "retrying"
	EventProgress EventKind = "progress" // long steps (emptying a bucket) report along the way
	EventDone     EventKind = "done"
	EventFailed   EventKind = "failed"
	EventSkipped  EventKind = "skipped" // a dependency failed or the run was interrupted
	EventNote     EventKind = "note"    // run-level information (journal path, how to resume, key deletion dates)
)

// Event is one thing the engine reports while applying or destroying.
type Event struct {
	Time      time.Time     `json:"time"`
	Kind      EventKind     `json:"kind"`
	StepID    string        `json:"step,omitempty"`
	Region    string        `json:"region,omitempty"`
	Component string        `json:"component,omitempty"`
	Resource  string        `json:"resource,omitempty"`
	Title     string        `json:"title,omitempty"`
	Action    Action        `json:"action,omitempty"`
	Attempt   int           `json:"attempt,omitempty"`
	Reason    string        `json:"reason,omitempty"` // retrying: why; skipped: why
	Error     string        `json:"error,omitempty"`
	Detail    string        `json:"detail,omitempty"` // progress text, note text
	Elapsed   time.Duration `json:"elapsedNs,omitempty"`
	// Done/Total give progress of long steps (versions deleted of total).
	Done  int64 `json:"done,omitempty"`
	Total int64 `json:"total,omitempty"`
}

// Sink receives events. The engine serialises calls to Emit.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Emit calls f.
func (f SinkFunc) Emit(e Event) { f(e) }

// ResourceState is a resource's health in status.
type ResourceState string

const (
	StateOK      ResourceState = "ok"
	StateDrift   ResourceState = "drift"
	StateMissing ResourceState = "missing"
)

// ResourceStatus is one step as status sees it.
type ResourceStatus struct {
	ID        string        `json:"id"`
	Region    string        `json:"region"`
	Component string        `json:"component"`
	Resource  string        `json:"resource"`
	Title     string        `json:"title"`
	State     ResourceState `json:"state"`
	Fields    []FieldDiff   `json:"fields,omitempty"`
	Owner     string        `json:"owner,omitempty"` // as Change.Owner
}

// ReplicationHealth summarises replication as S3 reports it on recent objects.
type ReplicationHealth struct {
	Configured bool   `json:"configured"`
	Sampled    int    `json:"sampled"`
	Completed  int    `json:"completed"`
	Pending    int    `json:"pending"`
	Failed     int    `json:"failed"`
	Detail     string `json:"detail,omitempty"`
}

// Overall is the landscape's health in one word.
type Overall string

const (
	OverallOK          Overall = "ok"
	OverallDrift       Overall = "drift"
	OverallMissing     Overall = "missing"      // nothing exists
	OverallHalfApplied Overall = "half-applied" // some resources exist, some are missing
	// OverallAtRisk: every resource is in place, but recent backups FAILED
	// to replicate or the DR copy lags more than maxReplicationLagMinutes.
	OverallAtRisk Overall = "at-risk"
	// OverallDraining: destroy --drain put the expire-everything lifecycle
	// on the backup buckets; S3 is emptying them (Status.Draining).
	OverallDraining Overall = "draining"
)

// Status is what status reports.
type Status struct {
	SID               string            `json:"sid"`
	Identity          Identity          `json:"identity"`
	SourceRegion      string            `json:"sourceRegion"`
	ReplicationRegion string            `json:"replicationRegion"`
	Overall           Overall           `json:"overall"`
	Resources         []ResourceStatus  `json:"resources"`
	Replication       ReplicationHealth `json:"replication"`
	// Grants are the grants on the landscape's keys. hanavault creates
	// none, so someone else made every one; a grant gives its grantee use
	// of the key whatever the key policy says.
	Grants []KeyGrant `json:"grants"`
	// GrantsError says why the grants could not be listed.
	GrantsError string `json:"grantsError,omitempty"`
	// RecoveryPoint is set when replication is configured.
	RecoveryPoint *recovery.Point       `json:"recoveryPoint,omitempty"`
	NextAction    string                `json:"nextAction"`
	Summary       map[ResourceState]int `json:"summary"`
	// Draining lists the backup buckets destroy --drain put the
	// expire-everything lifecycle on, with what is left in each (counted
	// up to 10,000; the empty ones with 0).
	Draining []DrainingBucket `json:"draining,omitempty"`
}

// KeyGrant is one grant on a landscape key.
type KeyGrant struct {
	Region     string   `json:"region"`
	KeyARN     string   `json:"keyArn"`
	GrantID    string   `json:"grantId"`
	Name       string   `json:"name,omitempty"`
	Grantee    string   `json:"grantee"`
	Operations []string `json:"operations"`
}

// BucketContents is what destroy would delete from one bucket.
type BucketContents struct {
	Bucket           string `json:"bucket"`
	Region           string `json:"region"`
	Exists           bool   `json:"exists"`
	PreExisting      bool   `json:"preExisting"` // kept, settings restored, contents untouched
	Versions         int64  `json:"versions"`
	DeleteMarkers    int64  `json:"deleteMarkers"`
	Bytes            int64  `json:"bytes"`
	MultipartUploads int64  `json:"multipartUploads"`
	// Partial says the versions were counted up to a bound only: the
	// bucket holds more than the counts say.
	Partial bool `json:"partial,omitempty"`
}

// DestroyPreview is what destroy shows before asking for confirmation.
type DestroyPreview struct {
	SID               string            `json:"sid"`
	Identity          Identity          `json:"identity"`
	Changes           []Change          `json:"changes"` // delete / restore / keep per step
	Buckets           []BucketContents  `json:"buckets"`
	KeyDeletionWindow int               `json:"keyDeletionWindowDays"`
	Keys              []KeyInfo         `json:"keys"`
	Renamed           []RenamedResource `json:"renamed,omitempty"`
	// NothingToDo is set when nothing destroy would delete or restore
	// exists any more (the landscape was destroyed already).
	NothingToDo bool `json:"nothingToDo,omitempty"`
	// SuggestDrain is set when a backup bucket destroy would empty holds
	// more than DrainSuggestVersions versions and delete markers (or more
	// than the preview counted): destroy --drain lets S3 empty it.
	SuggestDrain bool `json:"suggestDrain,omitempty"`
}

// DestroyOptions are the choices destroy needs from the user.
type DestroyOptions struct {
	// RemoveRenamed also empties and deletes the buckets, and deletes the
	// roles and aliases, this landscape created under names it no longer
	// uses; by default they are kept, and so is every key a kept bucket
	// uses.
	RemoveRenamed bool
	// FromTags is the consent given, per class of resource, to delete
	// resources found only by their tags (local state lost): no journal
	// proves hanavault created them.
	FromTags TagConsent
	// FullCount makes the preview count every version of every bucket,
	// however many pages that takes, instead of stopping at 50 pages
	// (50,000 versions and delete markers) per bucket.
	FullCount bool
	// Drain puts an expire-everything lifecycle on the backup buckets this
	// landscape created and stops replication instead of deleting their
	// versions one request at a time; a later destroy finishes once S3
	// has emptied them (see drain.go).
	Drain bool
}

// TagConsent says which classes of tag-found resources destroy may delete.
type TagConsent struct {
	Buckets bool // empty and delete tagged buckets
	Keys    bool // schedule tagged keys for deletion, delete their aliases
	Role    bool // delete the tagged replication role
}

// KeyInfo names a KMS key destroy will schedule for deletion.
type KeyInfo struct {
	Region string `json:"region"`
	Alias  string `json:"alias"`
	KeyID  string `json:"keyId"`
	Arn    string `json:"arn"`
	State  string `json:"state"`
}

// KeyDeletion is a key scheduled for deletion by destroy.
type KeyDeletion struct {
	KeyInfo
	DeletionDate time.Time `json:"deletionDate"`
	CancelHint   string    `json:"cancelHint"` // aws kms cancel-key-deletion ... && aws kms enable-key ...
}

// Result summarises an apply or destroy run.
type Result struct {
	Succeeded     int `json:"succeeded"`
	Failed        int `json:"failed"`
	Skipped       int `json:"skipped"`
	MutatingCalls int `json:"mutatingCalls"`
	// CriticalPathCalls is the longest chain of calls that had to run one
	// after another (the run's round-trip depth).
	CriticalPathCalls int `json:"criticalPathCalls"`
	// WriteChainCalls is the longest chain of mutating calls that had to
	// run one after another.
	WriteChainCalls int           `json:"writeChainCalls"`
	Elapsed         time.Duration `json:"elapsedNs"`
	JournalPath     string        `json:"journal"`
	KeyDeletions    []KeyDeletion `json:"keyDeletions,omitempty"`
	Kept            []string      `json:"kept,omitempty"` // pre-existing resources kept (settings restored)
	// Draining lists the backup buckets S3 is still emptying by
	// lifecycle: destroy --drain started it, or a later destroy found them
	// not empty yet and stopped without deleting anything.
	Draining []DrainingBucket `json:"draining,omitempty"`
	// DrainStarted says this run was destroy --drain.
	DrainStarted bool `json:"drainStarted,omitempty"`
}
