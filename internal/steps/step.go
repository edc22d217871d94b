package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/spec"
)

// field is one setting of a step: its canonical value for comparison and
// its display form.
type field struct {
	name    string
	value   string // display
	compare string // canonical form compared; "" means value
	// unknown marks a desired value that depends on a resource not created
	// yet ("known after apply"); it never compares equal.
	unknown bool
}

func (f field) key() string {
	if f.compare != "" {
		return f.compare
	}
	return f.value
}

// observed is what a step's read found.
type observed struct {
	exists bool
	fields []field
	// prior is the setting's raw value, journaled before hanavault changes a
	// pre-existing resource so destroy can restore it.
	prior       any
	priorAbsent bool
	// preExisting marks a resource hanavault did not create.
	preExisting bool
	// id is the resource's ARN or ID when it exists.
	id string
	// note explains something the plan should show (adoption, conflicts).
	note string
	// owner says whose a resource is (see Change.Owner).
	owner string
	// warnings are more things the plan should show, with their field.
	warnings []Warning
}

// undoInfo is what destroy knows about a step from the journal and tags.
type undoInfo struct {
	preExisting bool
	created     bool            // a create call for this step reached AWS (done or in-flight intent)
	prior       json.RawMessage // first prior value journaled, if any
	priorAbsent bool
	priorSet    bool // prior or priorAbsent came from the journal
}

// step is one setting of the landscape.
type step struct {
	id        string
	region    string
	component string
	resource  string
	title     string
	deps      []string
	lock      string
	// histID is the step ID the journal records this step undoes carry,
	// when it differs from id (see adoptedAwaySteps).
	histID string
	// mutates reports whether converge would change anything for the diff.
	read     func(ctx context.Context, r *run) (observed, error)
	desired  func(r *run) []field
	converge func(ctx context.Context, r *run, obs observed) error
	undo     func(ctx context.Context, r *run, info undoInfo) (Action, error)
	// sendAhead, when set, sends the step's read of AWS ahead of it
	// (readahead.go): a bucket setting's read needs only the bucket's name.
	sendAhead func(ctx context.Context, r *run)
}

// event returns an event of kind about st.
func (st *step) event(kind EventKind) Event {
	return Event{Kind: kind, StepID: st.id, Region: st.region, Component: st.component, Resource: st.resource, Title: st.title}
}

// diff compares desired with actual fields.
func diff(desired []field, obs observed) (Action, []FieldDiff) {
	if !obs.exists {
		return ActionCreate, nil
	}
	actual := map[string]field{}
	for _, f := range obs.fields {
		actual[f.name] = f
	}
	var out []FieldDiff
	for _, d := range desired {
		a, ok := actual[d.name]
		if ok && !d.unknown && a.key() == d.key() {
			continue
		}
		av := a.value
		if !ok {
			av = "(not set)"
		}
		out = append(out, FieldDiff{Name: d.name, Desired: d.value, Actual: av})
	}
	if len(out) == 0 {
		return ActionInSync, nil
	}
	return ActionUpdate, out
}

// run is the state of one engine operation on one landscape.
type run struct {
	e     *Engine
	l     spec.Landscape
	id    Identity
	acct  cloud.Account
	runID string
	// stop is the caller's context: once it is cancelled no new call starts,
	// but calls already sent finish (they run on a context without cancel).
	stop context.Context

	jr      *journal.Journal // nil for read-only operations
	history map[string]*stepHistory
	// resHistory is the history per step and the resource its records
	// name (resHistKey), see undoHist.
	resHistory map[string]*stepHistory
	// owned is the journal folded per resource identity: what this
	// landscape provably created.
	owned ledger
	recs  []journal.Record // the journal as the run found it
	// tagConsent says which classes of resources found only by their tags
	// (local state lost) destroy may treat as this landscape's.
	tagConsent TagConsent
	// rebuilt marks a landscape rebuilt from tags with no journal of an
	// apply (local state lost); tagsOnly a read-only run of one.
	rebuilt, tagsOnly bool
	// afterDestroy marks a rebuilt landscape an earlier --from-tags
	// destroy did not finish removing (its journal helped rebuild it).
	afterDestroy bool
	// removeRenamed makes destroy remove what this landscape created under
	// names it no longer uses.
	removeRenamed bool
	// undoing marks destroy, rollback and the destroy preview: an alias
	// naming someone else's key is kept there, not an error.
	undoing bool
	// rollbackOf is the apply run a rollback undoes ("" for destroy): its
	// steps restore the values from before that run.
	rollbackOf string

	memoMu sync.Mutex
	memos  map[string]*memoEntry
	// ra answers the run's reads from those sent ahead (readahead.go) until
	// its first mutating call; raCancel stops the reads still to be sent.
	ra       *readAhead
	ahead    readsAhead
	aheadCtx context.Context
	raCancel context.CancelFunc

	mu           sync.Mutex
	outputs      map[string]string
	keyDeletions []KeyDeletion
	kept         []string
	keptKeys     map[string]bool // side → key must survive destroy
	created      map[string]bool // steps this run created
	// pre holds the observations apply read before running the graph;
	// preDeps the steps' dependencies; changing the steps that converged.
	pre      map[string]observed
	preDeps  map[string][]string
	changing map[string]bool

	sink     Sink
	sinkMu   sync.Mutex
	mutating atomic.Int64
	// preludeCalls is the round-trip depth before the step graph (the
	// caller identity and role lookups, which go out together).
	preludeCalls atomic.Int64
	// callsByStep counts the calls each step made, for round-trip depth.
	callsByStep  sync.Map // step ID → *atomic.Int64
	writesByStep sync.Map // step ID → *atomic.Int64, mutating calls only
	// lockPrev records, per step, the step that held its lock just before
	// it: steps sharing a lock run one after another, which the depth must
	// count like a dependency.
	lockPrev map[string]string
	lockLast map[string]string
}

func (r *run) set(k, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outputs[k] = v
}

func (r *run) get(k string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outputs[k]
}

func (r *run) emit(e Event) {
	if r.sink == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = r.e.opts.Now()
	}
	r.sinkMu.Lock()
	defer r.sinkMu.Unlock()
	r.sink.Emit(e)
}

// errInterrupted is returned when the run was stopped between calls.
var errInterrupted = errors.New("interrupted")

// callCtx returns a context for one AWS call: it is not cancelled by an
// interrupt, so a call in flight completes and its result is journaled.
func (r *run) callCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.stop), 5*time.Minute)
}

// countCall records that step made one call (read or write).
func (r *run) countCall(stepID string) {
	v, _ := r.callsByStep.LoadOrStore(stepID, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// countWrite records that step made one mutating call.
func (r *run) countWrite(stepID string) {
	r.countCall(stepID)
	r.mutating.Add(1)
	v, _ := r.writesByStep.LoadOrStore(stepID, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// read performs one read-only call for a step.
func read[T any](r *run, st *step, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if err := r.stop.Err(); err != nil {
		return zero, errInterrupted
	}
	ctx, cancel := r.callCtx()
	defer cancel()
	r.countCall(st.id)
	return fn(ctx)
}

// mutation describes one mutating call for the journal.
type mutation struct {
	op          string // service:Operation
	resource    string
	preExisting bool
	prior       any
	priorAbsent bool
}

// mutate journals an intent, performs one mutating call, and journals the
// outcome. fn returns the ARN/ID of what it created or changed, if any.
func (r *run) mutate(st *step, m mutation, fn func(ctx context.Context) (string, error)) error {
	if err := r.stop.Err(); err != nil {
		return errInterrupted
	}
	if r.jr == nil {
		return fmt.Errorf("internal error: %s attempted %s in a read-only operation", st.id, m.op)
	}
	// From the first change on, every read goes to AWS: none may answer
	// from before it.
	r.ra.stop()
	rec := journal.Record{
		Kind: journal.KindIntent, Step: st.id, Region: st.region, Op: m.op,
		Resource: m.resource, PreExisting: m.preExisting,
	}
	if m.preExisting {
		if m.priorAbsent {
			rec.PriorAbsent = true
		} else if m.prior != nil {
			b, err := json.Marshal(m.prior)
			if err != nil {
				return fmt.Errorf("journal prior value of %s: %w", st.id, err)
			}
			rec.Prior = b
		}
	}
	if _, err := r.jr.Append(rec); err != nil {
		return fmt.Errorf("write journal intent for %s: %w", st.id, err)
	}
	ctx, cancel := r.callCtx()
	defer cancel()
	r.countWrite(st.id)
	id, err := fn(ctx)
	out := journal.Record{Step: st.id, Region: st.region, Op: m.op, Resource: m.resource, ID: id, PreExisting: m.preExisting}
	if err != nil {
		out.Kind = journal.KindFailed
		out.Error = err.Error()
	} else {
		out.Kind = journal.KindDone
	}
	if _, jerr := r.jr.Append(out); jerr != nil && err == nil {
		err = fmt.Errorf("write journal record for %s: %w", st.id, jerr)
	}
	return err
}

// retryable reports whether err is one of the eventual-consistency errors
// worth waiting out, and says why in words.
func retryable(err error) (string, bool) {
	var e *cloud.Error
	if !errors.As(err, &e) {
		return "", false
	}
	msg := strings.ToLower(e.Message)
	switch e.Code {
	case cloud.CodeMalformedPolicyDocument:
		if strings.Contains(msg, "principal") {
			return "a role named in the key policy is not yet visible to KMS", true
		}
	case cloud.CodeMalformedPolicy:
		// S3 checks the principals of a bucket policy against IAM, which
		// takes a while to show a role created moments before.
		if strings.Contains(msg, "invalid principal") {
			return "a role named in the bucket policy is not yet visible to S3", true
		}
	case cloud.CodeInvalidRequest:
		if strings.Contains(msg, "versioning") {
			return "versioning has not settled on both buckets yet", true
		}
		if strings.Contains(msg, "role") {
			return "the replication role has not propagated yet", true
		}
		if strings.Contains(msg, "destination bucket must exist") {
			return "the replica bucket is not yet visible", true
		}
	case cloud.CodeInvalidArgument:
		if strings.Contains(msg, "role") {
			return "the replication role has not propagated yet", true
		}
	case cloud.CodeOperationAborted:
		return "another operation on the bucket is in progress", true
	case cloud.CodeNoSuchBucket:
		return "the new bucket is not yet visible", true
	case cloud.CodeNoSuchEntity:
		return "the new role is not yet visible", true
	case cloud.CodeNotFoundException:
		return "the new key is not yet visible", true
	case cloud.CodeInvalidTargetBucketLogging:
		return "the log bucket's policy has not settled yet", true
	case cloud.CodeConcurrentModification:
		return "AWS is throttling requests", true
	}
	if cloud.IsThrottling(err) {
		return "AWS is throttling requests", true
	}
	return "", false
}

// withRetry runs attempt until it succeeds, fails with a non-retryable
// error, the retry budget is spent, or the run is interrupted.
func (r *run) withRetry(st *step, attempt func() error) error {
	start := r.e.opts.Now()
	delay := time.Second
	for n := 1; ; n++ {
		err := attempt()
		if err == nil {
			return nil
		}
		reason, ok := retryable(err)
		if !ok || errors.Is(err, errInterrupted) {
			return err
		}
		if r.e.opts.Now().Sub(start)+delay > r.e.opts.RetryTimeout {
			return fmt.Errorf("gave up after %d attempts over %s (%s): %w", n, r.e.opts.Now().Sub(start).Round(time.Second), reason, err)
		}
		ev := st.event(EventRetrying)
		ev.Attempt, ev.Reason, ev.Error = n+1, reason, err.Error()
		r.emit(ev)
		if serr := r.e.opts.Sleep(r.stop, delay); serr != nil {
			return errInterrupted
		}
		// A retry waits for AWS to answer differently: the snapshot read
		// ahead (which keeps NoSuchBucket and the like) must not answer it.
		r.ra.stop()
		delay *= 2
		if delay > 15*time.Second {
			delay = 15 * time.Second
		}
	}
}
