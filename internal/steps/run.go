package steps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/spec"
)

// mode says whether a run may change anything.
type mode int

// Modes are flags: readOnly (plan, status), writable (apply), and undo
// for destroy, its preview and rollback, which need neither the EC2
// backup role nor the KMS admin role: either may be gone already, or
// unknown to a landscape rebuilt from tags.
const (
	readOnly mode = 0
	writable mode = 1 << iota
	undo
)

// ValidationError wraps a landscape that failed validation.
type ValidationError struct{ Err error }

func (e *ValidationError) Error() string { return "invalid landscape: " + e.Err.Error() }
func (e *ValidationError) Unwrap() error { return e.Err }

// FieldError is an AWS-side problem with one landscape field, found while
// reading (a bucket name taken, an alias in use, a role missing).
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// asFieldError converts the internal field error, if err is one.
func asFieldError(err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: fe.field, Message: fe.msg}
	}
	return err
}

func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// journalDir is where a landscape's journal lives for this account.
func (e *Engine) journalDir(account, sid string) string {
	return journal.Dir(e.opts.StateDir, account, sid)
}

// newRun validates the landscape, resolves identity and roles, and loads
// the journal (locked, for writable runs). The caller identity and the two
// role lookups go out at once (one round trip); early, if given, starts
// with them (it may read AWS but must not need the identity or journal).
func (e *Engine) newRun(ctx context.Context, l spec.Landscape, m mode, sink Sink, early ...func(*run)) (*run, error) {
	l = l.Normalized()
	if err := l.Validate(); err != nil {
		if m&undo == 0 {
			return nil, &ValidationError{Err: err}
		}
		if err := withoutRoles(err, l); err != nil {
			return nil, &ValidationError{Err: err}
		}
	}
	r := &run{
		e: e, l: l, runID: newRunID(), stop: ctx,
		outputs: map[string]string{}, memos: map[string]*memoEntry{}, sink: sink,
	}
	r.acct = e.opts.Account
	// Destroy and rollback interleave their reads with changes from the
	// start: nothing they read can be sent ahead of them.
	if !e.noReadAhead && !(m&writable != 0 && m&undo != 0) {
		r.ra = newReadAhead(readsPerSlot * e.opts.Concurrency)
		r.acct = aheadAccount{Account: e.opts.Account, ra: r.ra}
	}
	r.aheadCtx, r.raCancel = context.WithCancel(context.WithoutCancel(ctx))
	for _, f := range early {
		f(r)
	}
	// Everything the run will read that needs only the landscape's names
	// goes out now, with the identity and the role lookups.
	r.sendAhead(r.aheadCtx, r.ahead)
	roles := r.lookUpRoles()
	id, err := e.Identity(ctx)
	r.preludeCalls.Store(1)
	if err != nil {
		<-roles
		r.close()
		return nil, fmt.Errorf("identify the caller: %w", err)
	}
	r.id = id
	rerr := <-roles
	dir := e.journalDir(id.Account, l.SID)
	var recs []journal.Record
	if m&writable != 0 {
		jr, err := journal.Open(dir, r.runID, journal.WithClock(e.opts.Now))
		if err != nil {
			r.close()
			return nil, err
		}
		r.jr = jr
		recs = jr.Records()
		if t := jr.Torn(); t != nil {
			r.emit(Event{Kind: EventNote, Detail: fmt.Sprintf("the journal's last line (line %d) was torn by a crash and has been set aside; the records before it are intact", t.Line)})
		}
	} else {
		recs, _, err = journal.Read(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			r.close()
			return nil, fmt.Errorf("read journal in %s: %w", dir, err)
		}
	}
	if err := journalAccount(recs, id.Account, dir); err != nil {
		r.close()
		return nil, err
	}
	r.history, r.resHistory = summarize(recs), summarizeResources(recs)
	r.owned, r.recs = ownershipOf(recs), recs
	// A journal of destroys only (a --from-tags destroy that stopped
	// half-way) proves no creation: its rerun still finds by tags what the
	// first run did not finish. A journal of an apply does prove, and tags
	// never add to it.
	if v, ok := e.rebuilt.Load(l.SID); ok && lastApplyRun(recs) == "" {
		r.rebuilt, r.afterDestroy = true, v.(rebuiltLandscape).afterDestroy
		if m&writable == 0 {
			// Status and the destroy preview of a landscape rebuilt from
			// its tags find its resources by those tags; only destroy
			// needs the user's consent per class to treat them as ours.
			r.tagConsent, r.tagsOnly = TagConsent{Buckets: true, Keys: true, Role: true}, true
		}
	}
	if err := r.resolveRoles(rerr, m&undo != 0); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// journalAccount refuses a journal written in another account than the
// caller's: one copied or moved into this account's place in the state
// directory. It would prove nothing here, and bucket ARNs carry no account,
// so its records would match buckets of the same names that this account
// holds. The account comes from the run-start records (Account) and, for
// journals written before they carried it, from the ARNs the calls
// returned (keys and roles carry their account).
func journalAccount(recs []journal.Record, account, dir string) error {
	for _, rec := range recs {
		other := rec.Account
		if other == "" && rec.ID != "" {
			if a, err := cloud.ParseARN(rec.ID); err == nil {
				other = a.Account
			}
		}
		if other != "" && other != account {
			return fmt.Errorf("the journal in %s was written by runs in AWS account %s, but the credentials are for account %s: "+
				"it was copied or moved from another account's state directory, and proves nothing about what exists here; "+
				"move it back under %s, or use credentials for account %s", dir, other, account, filepath.Join(filepath.Dir(filepath.Dir(dir)), other), other)
		}
	}
	return nil
}

// withoutRoles drops from a validation error the complaints that the EC2
// role or the admin role is not named, which an undo run does not need.
func withoutRoles(err error, l spec.Landscape) error {
	var ve spec.ValidationErrors
	if !errors.As(err, &ve) {
		return err
	}
	var rest spec.ValidationErrors
	for _, fe := range ve {
		if (fe.Field == "ec2RoleToRunBackup" && l.EC2RoleToRunBackup == "") || (fe.Field == "kmsAdminRole" && l.KMSAdminRole == "") {
			continue
		}
		rest = append(rest, fe)
	}
	if len(rest) == 0 {
		return nil
	}
	return rest
}

func (r *run) close() {
	// Reads sent ahead and not needed are cut short; none outlives the run.
	r.ra.stop()
	if r.raCancel != nil {
		r.raCancel()
	}
	r.ra.wait()
	if r.jr != nil {
		_ = r.jr.Close()
		r.jr = nil
	}
}

// roleRef is one role the landscape names by field.
type roleRef struct{ field, ref, out string }

func (r *run) roleRefs() []roleRef {
	return []roleRef{
		{"ec2RoleToRunBackup", r.l.EC2RoleToRunBackup, "ec2Role.arn"},
		{"kmsAdminRole", r.l.KMSAdminRole, "adminRole.arn"},
	}
}

// roleAnswer is the answer to one role lookup.
type roleAnswer struct {
	role cloud.Role
	err  error
}

// lookUpRoles sends the GetRole calls for the EC2 backup role and the KMS
// admin role (those the landscape names) concurrently; the channel yields
// their answers.
func (r *run) lookUpRoles() <-chan []roleAnswer {
	refs := r.roleRefs()
	out := make(chan []roleAnswer, 1)
	answers := make([]roleAnswer, len(refs))
	var wg sync.WaitGroup
	for i, x := range refs {
		if x.ref == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := r.callCtx()
			defer cancel()
			answers[i].role, answers[i].err = r.acct.IAM().GetRole(ctx, spec.RoleName(x.ref))
		}()
	}
	go func() {
		wg.Wait()
		out <- answers
	}()
	return out
}

// resolveRoles checks the exact ARNs (with paths) of the EC2 backup role
// and the KMS admin role: key and bucket policies must name them exactly.
// An undo run goes on without a role that is not named or does not exist.
func (r *run) resolveRoles(answers []roleAnswer, undo bool) error {
	for i, x := range r.roleRefs() {
		if undo && x.ref == "" {
			continue
		}
		name := spec.RoleName(x.ref)
		role, err := answers[i].role, answers[i].err
		if undo && cloud.IsCode(err, cloud.CodeNoSuchEntity) {
			continue
		}
		if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
			return &FieldError{Field: x.field, Message: fmt.Sprintf("role %q does not exist in account %s", name, r.id.Account)}
		}
		if err != nil {
			return fmt.Errorf("look up role %s (%s): %w", name, x.field, err)
		}
		if a, perr := cloud.ParseARN(x.ref); perr == nil && a.String() != role.Arn {
			return &FieldError{Field: x.field, Message: fmt.Sprintf("%s names %s, but the role %s in this account is %s", x.field, x.ref, name, role.Arn)}
		}
		r.set(x.out, role.Arn)
	}
	return nil
}

// buildSteps returns every step of the landscape in a stable order.
func (r *run) buildSteps() []*step {
	var out []*step
	for _, sd := range sides(r.l) {
		out = append(out, r.keySteps(sd)...)
		out = append(out, r.bucketSteps(sd, logBucket)...)
		out = append(out, r.bucketSteps(sd, backupBucket)...)
	}
	out = append(out, r.roleSteps()...)
	out = append(out, r.replicationStep())
	return out
}

func nodesOf(steps []*step) []node {
	out := make([]node, len(steps))
	for i, s := range steps {
		out[i] = node{id: s.id, deps: s.deps, lock: s.lock}
	}
	return out
}

// readsPerSlot is how many read-only calls may be in flight per unit of
// the concurrency setting: reads change nothing, so a status or plan sends
// them all at once up to this bound.
const readsPerSlot = 8

// prefetchLookups performs the lookups many steps share (each bucket, each
// key, the replication role) concurrently, so no step waits for one while
// holding a read slot. Errors are left for the steps to report.
func (r *run) prefetchLookups(sem chan struct{}) {
	var wg sync.WaitGroup
	do := func(fn func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fn()
		}()
	}
	for _, sd := range sides(r.l) {
		for _, k := range []bucketKind{backupBucket, logBucket} {
			do(func() { _, _ = r.findBucket(&step{id: stepID(sd.name, string(k)), region: sd.region}, sd, k) })
		}
		do(func() { _, _ = r.findKey(&step{id: stepID(sd.name, "key"), region: sd.region}, sd) })
	}
	do(func() { _, _ = r.findRole(&step{id: stepID(GlobalScope, "replication-role"), region: GlobalScope}) })
	wg.Wait()
}

// readAll reads every step concurrently and returns the changes in step
// order, plus the observations. The shared lookups go first, then every
// step's own reads at once (bounded by readsPerSlot × concurrency).
func (r *run) readAll(steps []*step) ([]Change, map[string]observed, error) {
	changes := make([]Change, len(steps))
	obs := make(map[string]observed, len(steps))
	var mu sync.Mutex
	sem := make(chan struct{}, readsPerSlot*r.e.opts.Concurrency)
	r.prefetchLookups(sem)
	var wg sync.WaitGroup
	errs := make([]error, len(steps))
	for i, st := range steps {
		wg.Add(1)
		go func(i int, st *step) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o, err := st.read(r.stop, r)
			if err != nil {
				errs[i] = err
				return
			}
			action, fields := diff(st.desired(r), o)
			changes[i] = Change{ID: st.id, Region: st.region, Component: st.component, Resource: st.resource,
				Title: st.title, Action: action, Fields: fields, Owner: o.owner}
			mu.Lock()
			obs[st.id] = o
			mu.Unlock()
		}(i, st)
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return nil, nil, err
	}
	return changes, obs, nil
}

// firstError prefers field errors (they tell the user what to change).
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		var fe *fieldError
		if errors.As(err, &fe) {
			return asFieldError(err)
		}
		if first == nil {
			first = err
		}
	}
	if errors.Is(first, errInterrupted) {
		return context.Canceled
	}
	return first
}

// saveLandscape writes the landscape next to the journal, so status and
// destroy can be run by SID later.
func (r *run) saveLandscape() error {
	dir := r.e.journalDir(r.id.Account, r.l.SID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return journal.WriteFileAtomic(filepath.Join(dir, journal.LandscapeFile), spec.Marshal(r.l))
}

func (r *run) journalRun(kind journal.Kind, detail string) error {
	if r.jr == nil {
		return nil
	}
	rec := journal.Record{Kind: kind, Detail: detail}
	if kind == journal.KindRunStart {
		rec.Account = r.id.Account
		b, err := json.Marshal(r.l)
		if err != nil {
			return err
		}
		rec.Landscape = b
	}
	_, err := r.jr.Append(rec)
	return err
}

// result collects what a run did.
func (r *run) result(gr graphResult, steps []*step, nodes []node) *Result {
	res := &Result{MutatingCalls: int(r.mutating.Load())}
	for _, st := range steps {
		switch gr.outcomes[st.id] {
		case outcomeDone:
			res.Succeeded++
		case outcomeFailed:
			res.Failed++
		case outcomeSkipped:
			res.Skipped++
		}
	}
	if r.jr != nil {
		res.JournalPath = r.jr.Path()
	}
	r.mu.Lock()
	res.KeyDeletions = append(res.KeyDeletions, r.keyDeletions...)
	res.Kept = append(res.Kept, r.kept...)
	r.mu.Unlock()
	sort.Slice(res.KeyDeletions, func(i, j int) bool { return res.KeyDeletions[i].Region < res.KeyDeletions[j].Region })
	res.CriticalPathCalls = int(r.preludeCalls.Load()) + r.criticalPath(nodes, &r.callsByStep)
	res.WriteChainCalls = r.criticalPath(nodes, &r.writesByStep)
	return res
}

// criticalPath is the longest chain of sequential calls through the graph
// that ran (dependencies, plus steps serialised by a shared lock): the
// run's round-trip depth. With counts = &r.writesByStep it is the longest
// chain of mutating calls.
func (r *run) criticalPath(nodes []node, counts *sync.Map) int {
	calls := map[string]int{}
	byID := map[string]node{}
	for _, n := range nodes {
		byID[n.id] = n
		if v, ok := counts.Load(n.id); ok {
			calls[n.id] = int(v.(*atomic.Int64).Load())
		}
	}
	r.mu.Lock()
	prev := maps.Clone(r.lockPrev)
	r.mu.Unlock()
	depth := map[string]int{}
	visiting := map[string]bool{}
	var visit func(id string) int
	visit = func(id string) int {
		if d, ok := depth[id]; ok {
			return d
		}
		if visiting[id] {
			return 0 // cannot happen for a graph that ran; be safe anyway
		}
		visiting[id] = true
		best := 0
		preds := byID[id].deps
		if p, ok := prev[id]; ok {
			preds = append(append([]string(nil), preds...), p)
		}
		for _, d := range preds {
			if _, ok := byID[d]; ok {
				best = max(best, visit(d))
			}
		}
		visiting[id] = false
		depth[id] = best + calls[id]
		return depth[id]
	}
	longest := 0
	for _, n := range nodes {
		longest = max(longest, visit(n.id))
	}
	return longest
}

// noteLock records which step held st's lock before it.
func (r *run) noteLock(st *step) {
	if st.lock == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lockPrev == nil {
		r.lockPrev, r.lockLast = map[string]string{}, map[string]string{}
	}
	if p, ok := r.lockLast[st.lock]; ok {
		r.lockPrev[st.id] = p
	}
}

// releaseLock records st as the last holder of its lock.
func (r *run) releaseLock(st *step) {
	if st.lock == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lockLast[st.lock] = st.id
}

func (r *run) addKept(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kept = append(r.kept, s)
}

func (r *run) addKeyDeletion(k KeyDeletion) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keyDeletions = append(r.keyDeletions, k)
}

// keepKey reports whether a side's key must survive destroy: a
// pre-existing backup bucket stays, and its objects may need the key.
func (r *run) keepKey(sd side) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keptKeys[sd.name]
}
