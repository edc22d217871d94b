package steps

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/recovery"
	"github.com/hanavault/hanavault/internal/spec"
)

// readLandscape opens a read-only run and reads every step of the
// landscape: plan, status (m readOnly) and the destroy preview (m undo)
// all start this way (o is the destroy the preview is for; zero for plan
// and status). early, if given, starts alongside the identity lookup (see
// newRun). The caller closes the run.
func (e *Engine) readLandscape(ctx context.Context, l spec.Landscape, m mode, o DestroyOptions, early ...func(*run)) (*run, []*step, []Change, map[string]observed, error) {
	r, err := e.newRun(ctx, l, m, nil, early...)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	r.removeRenamed, r.undoing = o.RemoveRenamed, m&undo != 0
	if !r.tagsOnly {
		r.consentToTags(o.FromTags)
	}
	steps := r.buildSteps()
	changes, obs, err := r.readAll(steps)
	if err != nil {
		r.close()
		return nil, nil, nil, nil, err
	}
	return r, steps, changes, obs, nil
}

// Plan reads every step and reports what apply would do.
func (e *Engine) Plan(ctx context.Context, l spec.Landscape) (*Plan, error) {
	r, steps, changes, obs, err := e.readLandscape(ctx, l, readOnly, DestroyOptions{})
	if err != nil {
		return nil, err
	}
	defer r.close()
	renamed, err := r.renamedResources()
	if err != nil {
		return nil, err
	}
	p := &Plan{
		SID: r.l.SID, Identity: r.id, SourceRegion: r.l.SourceRegion, ReplicationRegion: r.l.ReplicationRegion,
		Changes: changes, Warnings: r.warnings(steps, obs), Documents: r.documents(steps), Renamed: renamed,
	}
	return p, nil
}

// warnings combines the landscape's own warnings with what reading AWS
// found (pre-existing buckets that will be adopted).
func (r *run) warnings(steps []*step, obs map[string]observed) []Warning {
	var out []Warning
	for _, w := range r.l.Warnings() {
		out = append(out, Warning{Field: w.Field, Message: w.Message})
	}
	for _, st := range steps {
		if o, ok := obs[st.id]; ok && o.note != "" {
			out = append(out, Warning{Message: o.note})
		}
		out = append(out, obs[st.id].warnings...)
	}
	return out
}

// documents returns every policy document the landscape uses, for viewing.
func (r *run) documents(steps []*step) []Document {
	byID := map[string]*step{}
	for _, st := range steps {
		byID[st.id] = st
	}
	var out []Document
	for _, sd := range sides(r.l) {
		st := byID[stepID(sd.name, "key", "policy")]
		out = append(out, Document{Name: fmt.Sprintf("Key policy: %s (%s)", sd.alias, sd.region), Region: sd.region, Resource: sd.alias, JSON: r.keyPolicy()})
		bp, _ := r.bucketPolicy(st, sd)
		out = append(out, Document{Name: "Bucket policy: " + sd.bucket, Region: sd.region, Resource: sd.bucket, JSON: bp})
		out = append(out, Document{Name: "Log bucket policy: " + sd.logBucket, Region: sd.region, Resource: sd.logBucket, JSON: r.logBucketPolicy(sd)})
	}
	rp, _ := r.replicationRolePolicy(byID[stepID(GlobalScope, "replication-role", "policy")])
	out = append(out,
		Document{Name: "Replication role trust policy: " + r.l.ReplicationRoleName, Region: GlobalScope, Resource: r.l.ReplicationRoleName, JSON: policy.ReplicationTrustPolicy().JSON()},
		Document{Name: "Replication role policy: " + r.l.ReplicationRoleName + "/" + replicationPolicyName, Region: GlobalScope, Resource: r.l.ReplicationRoleName, JSON: rp},
	)
	return out
}

// Apply converges the landscape, emitting events to sink.
func (e *Engine) Apply(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	r, err := e.newRun(ctx, l, writable, sink)
	if err != nil {
		return nil, err
	}
	defer r.close()
	start := e.opts.Now()
	if err := r.saveLandscape(); err != nil {
		return nil, fmt.Errorf("save the landscape in the state directory: %w", err)
	}
	if err := r.journalRun(journal.KindRunStart, "apply"); err != nil {
		return nil, err
	}
	r.emit(Event{Kind: EventNote, Detail: "undo journal: " + r.jr.Path()})
	steps := r.buildSteps()
	r.preReadAll(steps)
	gr, err := r.runSteps(ctx, steps, nodesOf(steps), r.applyStep)
	if err != nil {
		return nil, err
	}
	res := r.result(gr, steps, nodesOf(steps))
	res.Elapsed = e.opts.Now().Sub(start)
	return res, r.finish(ctx, gr, "apply", "rerun apply to continue: every step re-reads AWS and does only what is missing")
}

// runSteps runs fn for every step in the order nodes give, reporting the
// steps skipped because a dependency failed or the run was interrupted.
func (r *run) runSteps(ctx context.Context, steps []*step, nodes []node, fn func(*step) error) (graphResult, error) {
	byID := make(map[string]*step, len(steps))
	for _, st := range steps {
		byID[st.id] = st
	}
	return runGraph(ctx, nodes, r.e.opts.Concurrency, func(id string) error {
		return fn(byID[id])
	}, func(id, reason string) {
		ev := byID[id].event(EventSkipped)
		ev.Reason = reason
		r.emit(ev)
	})
}

// applyStep reads one step, converges it when it differs, and reports.
func (r *run) applyStep(st *step) error {
	r.noteLock(st)
	defer r.releaseLock(st)
	t0 := r.e.opts.Now()
	r.emit(st.event(EventStarted))
	var action Action
	pre, havePre := r.preRead(st)
	err := r.withRetry(st, func() error {
		obs := pre
		if !havePre {
			var err error
			if obs, err = st.read(r.stop, r); err != nil {
				return err
			}
		}
		havePre = false // a retry reads AWS again
		a, _ := diff(st.desired(r), obs)
		if action == "" {
			action = a
		}
		if a == ActionInSync {
			return nil
		}
		r.markChanging(st.id)
		return st.converge(r.stop, r, obs)
	})
	// A setting of a resource this run created was part of creating it, as
	// the plan showed, whether the new resource came with it already (the
	// key policy, S3's defaults) or it was changed afterwards.
	if (action == ActionUpdate || action == ActionInSync) && len(st.deps) > 0 && r.createdNow(st.deps[0]) {
		action = ActionCreate
	}
	if action == ActionCreate && err == nil {
		r.markCreated(st.id)
	}
	return r.finishStep(st, t0, action, err)
}

// finishStep reports how a step ended (done, failed, or skipped when the
// run was interrupted) and returns its error.
func (r *run) finishStep(st *step, t0 time.Time, action Action, err error) error {
	ev := st.event(EventDone)
	ev.Action, ev.Elapsed = action, r.e.opts.Now().Sub(t0)
	if err != nil {
		err = asFieldError(err)
		ev.Kind, ev.Error = EventFailed, err.Error()
		if errors.Is(err, errInterrupted) {
			ev.Kind, ev.Reason, ev.Error = EventSkipped, "interrupted", ""
		}
	}
	r.emit(ev)
	return err
}

// preReadAll reads every step at once before an apply runs the graph, as
// plan does: a step whose dependencies change nothing in this run then
// needs no read of its own, so an apply with little to change costs the
// round trips of one plan. Errors are left for the steps to meet again.
func (r *run) preReadAll(steps []*step) {
	_, obs, err := r.readAll(steps)
	// The reads went out together: their depth is the most any one step
	// made (shared lookups included), added to the prelude once, not
	// along every path of the graph.
	depth := int64(0)
	r.callsByStep.Range(func(k, v any) bool {
		depth = max(depth, v.(*atomic.Int64).Load())
		r.callsByStep.Delete(k)
		return true
	})
	r.preludeCalls.Add(depth)
	if err != nil {
		return
	}
	deps := make(map[string][]string, len(steps))
	for _, st := range steps {
		deps[st.id] = st.deps
	}
	r.mu.Lock()
	r.pre, r.preDeps = obs, deps
	r.mu.Unlock()
}

// preRead returns the observation read before the graph ran, if it still
// holds: no step st depends on (directly or not) has changed anything.
func (r *run) preRead(st *step) (observed, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.pre[st.id]
	if !ok {
		return observed{}, false
	}
	seen := map[string]bool{}
	var changed func(id string) bool
	changed = func(id string) bool {
		for _, d := range r.preDeps[id] {
			if seen[d] {
				continue
			}
			seen[d] = true
			if r.changing[d] || changed(d) {
				return true
			}
		}
		return false
	}
	if changed(st.id) {
		return observed{}, false
	}
	return o, true
}

// markChanging records that a step is about to change AWS: the steps that
// depend on it read again.
func (r *run) markChanging(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changing == nil {
		r.changing = map[string]bool{}
	}
	r.changing[id] = true
}

func (r *run) markCreated(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.created == nil {
		r.created = map[string]bool{}
	}
	r.created[id] = true
}

func (r *run) createdNow(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.created[id]
}

// ErrInterrupted reports a run stopped by its context after the calls in
// flight completed.
var ErrInterrupted = errors.New("interrupted: stopped after the calls in flight completed")

// StepsFailedError reports steps that failed; the run's journal allows a
// rerun to continue.
type StepsFailedError struct {
	Op     string
	Failed map[string]error
}

func (e *StepsFailedError) Error() string {
	ids := make([]string, 0, len(e.Failed))
	for id := range e.Failed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var parts []string
	for _, id := range ids {
		parts = append(parts, id+": "+e.Failed[id].Error())
	}
	return fmt.Sprintf("%s: %d step(s) failed: %s", e.Op, len(ids), strings.Join(parts, "; "))
}

// finish writes the run's end record and turns the outcome into an error.
func (r *run) finish(ctx context.Context, gr graphResult, op, resume string) error {
	status := "ok"
	var err error
	switch {
	case ctx.Err() != nil:
		status, err = "interrupted", ErrInterrupted
	case len(gr.errs) > 0:
		status, err = "failed", &StepsFailedError{Op: op, Failed: gr.errs}
	}
	if jerr := r.journalRun(journal.KindRunEnd, status); jerr != nil && err == nil {
		err = jerr
	}
	if status != "ok" {
		r.emit(Event{Kind: EventNote, Detail: resume})
	}
	return err
}

// Status reads both regions and reports each resource's health.
func (e *Engine) Status(ctx context.Context, l spec.Landscape) (*Status, error) {
	var health <-chan recovery.Point
	r, _, changes, obs, err := e.readLandscape(ctx, l, readOnly, DestroyOptions{}, func(r *run) {
		// The recovery point and the grants need only the landscape's
		// names and its keys: they are read with everything else.
		r.ahead.grants = true
		health = r.measureAhead()
	})
	if err != nil {
		return nil, err
	}
	defer r.close()
	s := &Status{SID: r.l.SID, Identity: r.id, SourceRegion: r.l.SourceRegion, ReplicationRegion: r.l.ReplicationRegion,
		Summary: map[ResourceState]int{}}
	unfinished, wrote := unfinishedApply(r.recs)
	for _, c := range changes {
		rs := ResourceStatus{ID: c.ID, Region: c.Region, Component: c.Component, Resource: c.Resource, Title: c.Title, Fields: c.Fields, Owner: c.Owner}
		switch {
		case c.Action == ActionInSync:
			rs.State = StateOK
		case c.Action == ActionUpdate && (!unfinished || wrote[c.ID]):
			rs.State = StateDrift
		default:
			rs.State = StateMissing
		}
		s.Summary[rs.State]++
		s.Resources = append(s.Resources, rs)
	}
	switch {
	case s.Summary[StateMissing] == len(s.Resources):
		s.Overall = OverallMissing
	case s.Summary[StateMissing] > 0:
		s.Overall = OverallHalfApplied
	case s.Summary[StateDrift] > 0:
		s.Overall = OverallDrift
	default:
		s.Overall = OverallOK
	}
	if o, ok := obs[stepID(SideSource, "bucket", "replication")]; ok && o.exists {
		s.Replication, s.RecoveryPoint = r.replicationHealth(<-health)
		if s.Overall == OverallOK && !s.RecoveryPoint.OK {
			s.Overall = OverallAtRisk
		}
	}
	s.Grants, s.GrantsError = r.keyGrants()
	// A drain under way explains the drifted lifecycle and the missing
	// replication; a bucket that cannot be read here is left to the rest
	// of the report.
	if d, err := r.drainingBuckets(true); err == nil && len(d) > 0 {
		s.Draining, s.Overall = d, OverallDraining
	}
	s.NextAction = nextAction(s)
	if r.afterDestroy {
		s.NextAction = fmt.Sprintf("A destroy --from-tags of %s stopped before it finished: run hanavault destroy %s --from-tags again to remove what is left.", r.l.SID, r.l.SID)
	}
	if len(s.Grants) > 0 {
		what := "the grant"
		if len(s.Grants) > 1 {
			what = fmt.Sprintf("the %d grants", len(s.Grants))
		}
		s.NextAction += " Review " + what + " on the keys: hanavault creates none, and a grant lets its grantee use the key whatever the key policy says (aws kms list-grants; revoke unwanted ones with aws kms revoke-grant)."
	}
	return s, nil
}

// keyGrants lists the grants on both landscape keys (KMS ListGrants).
func (r *run) keyGrants() ([]KeyGrant, string) {
	out := []KeyGrant{}
	for _, sd := range sides(r.l) {
		st := &step{id: stepID(sd.name, "key"), region: sd.region}
		lk, err := r.findKey(st, sd)
		if err != nil {
			return out, fmt.Sprintf("could not read the %s key: %v", sd.name, err)
		}
		if !lk.found {
			continue
		}
		kms := r.acct.KMS(sd.region)
		marker := ""
		for {
			page, err := read(r, st, func(ctx context.Context) (cloud.ListGrantsOutput, error) {
				return kms.ListGrants(ctx, lk.meta.KeyID, marker)
			})
			if err != nil {
				return out, fmt.Sprintf("could not list the grants of %s: %v", lk.meta.Arn, err)
			}
			for _, g := range page.Grants {
				out = append(out, KeyGrant{Region: sd.region, KeyARN: lk.meta.Arn, GrantID: g.GrantID, Name: g.Name,
					Grantee: g.GranteePrincipal, Operations: g.Operations})
			}
			if !page.Truncated || page.NextMarker == "" {
				break
			}
			marker = page.NextMarker
		}
	}
	return out, ""
}

func nextAction(s *Status) string {
	switch s.Overall {
	case OverallOK:
		if s.Replication.Failed > 0 {
			return "Replication failed for some recent backups: check the replication role and both keys; failed objects are not retried, so upload them again."
		}
		return "Nothing to do: the landscape matches its definition."
	case OverallDrift:
		return "Run apply to restore the drifted settings (hanavault apply, or choose apply in the wizard)."
	case OverallHalfApplied:
		return "Run apply to create what is missing; it continues where the last run stopped."
	case OverallDraining:
		for _, d := range s.Draining {
			if d.Versions > 0 || d.MultipartUploads > 0 {
				return "S3 is emptying the backup buckets by lifecycle (destroy --drain): run hanavault destroy again once they are empty; until then it deletes nothing. Apply would put the backup lifecycle back and stop the drain."
			}
		}
		return "The drained backup buckets are empty: run hanavault destroy to finish removing the landscape."
	case OverallAtRisk:
		return "The recovery point is at risk: check the replication role and both keys (hanavault verify proves the path and names what is missing); failed objects are not retried, so upload them again."
	default:
		return "Nothing exists yet: run apply to create the landscape."
	}
}

// replicationHealth measures the recovery point (internal/recovery: a
// bounded number of calls whatever the bucket holds) and summarises the
// replication of the newest backups from it.
func (r *run) replicationHealth(p recovery.Point) (ReplicationHealth, *recovery.Point) {
	h := ReplicationHealth{Configured: true}
	h.Sampled, h.Completed, h.Pending, h.Failed = p.Sampled, p.Completed, p.Pending, p.Failed
	switch {
	case p.Error != "":
		h.Detail = "could not list recent backups: " + p.Error
	case p.Source.Newest == nil:
		h.Detail = "no backups in the source bucket yet"
	case h.Failed > 0:
		h.Detail = fmt.Sprintf("%d of the %d newest backups FAILED to replicate", h.Failed, h.Sampled)
	case h.Pending > 0:
		h.Detail = fmt.Sprintf("%d of the %d newest backups are still replicating", h.Pending, h.Sampled)
	default:
		h.Detail = fmt.Sprintf("the %d newest backups are replicated", h.Sampled)
	}
	return h, &p
}

// measureAhead starts reading the recovery point (recovery.Measure) at
// once, in the background; the channel yields it. The run's close waits
// for it. (When the source bucket turns out to have no replication, its
// two listing calls were not needed: the price of not waiting for
// GetBucketReplication before listing.)
func (r *run) measureAhead() <-chan recovery.Point {
	out := make(chan recovery.Point, 1)
	sds := sides(r.l)
	target := func(sd side) recovery.Target {
		return recovery.Target{Region: sd.region, Bucket: sd.bucket, Prefix: r.l.SID + "/", Exclude: r.l.SID + "/" + VerifyCanaryFolder}
	}
	ctx, now := r.aheadCtx, r.e.opts.Now()
	measure := func() {
		out <- recovery.Measure(ctx, r.acct, target(sds[0]), target(sds[1]), now,
			recovery.Options{MaxLagMinutes: r.l.MaxReplicationLag(), Concurrency: readsPerSlot * r.e.opts.Concurrency})
	}
	if r.ra == nil {
		measure() // not reading ahead: now, before the rest
		return out
	}
	r.ra.wg.Add(1)
	go func() {
		defer r.ra.wg.Done()
		measure()
	}()
	return out
}

// PreviewDestroy reports what destroy would delete, with bucket contents.
func (e *Engine) PreviewDestroy(ctx context.Context, l spec.Landscape) (*DestroyPreview, error) {
	return e.PreviewDestroyWith(ctx, l, DestroyOptions{})
}

// PreviewDestroyWith is PreviewDestroy for a destroy with options o.
func (e *Engine) PreviewDestroyWith(ctx context.Context, l spec.Landscape, o DestroyOptions) (*DestroyPreview, error) {
	r, steps, _, obs, err := e.readLandscape(ctx, l, undo, o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.decideKeptKeys(); err != nil {
		return nil, err
	}
	p := &DestroyPreview{SID: r.l.SID, Identity: r.id, KeyDeletionWindow: r.l.KMSDeletionWindowDays}
	for _, st := range steps {
		o := obs[st.id]
		c := Change{ID: st.id, Region: st.region, Component: st.component, Resource: st.resource, Title: st.title, Owner: o.owner}
		c.Action = r.previewAction(st, o)
		p.Changes = append(p.Changes, c)
	}
	if p.Renamed, err = r.renamedResources(); err != nil {
		return nil, err
	}
	if p.Buckets, err = r.countBuckets(o.FullCount); err != nil {
		return nil, err
	}
	for _, sd := range sides(r.l) {
		st := &step{id: stepID(sd.name, "key"), region: sd.region}
		lk, err := r.findKey(st, sd)
		if err != nil {
			return nil, asFieldError(err)
		}
		if lk.found && !r.keepKey(sd) && lk.meta.KeyState != statePendingDeletion {
			alias := sd.alias
			if lk.foreignAlias {
				alias = "" // the alias names someone else's key, which stays
			}
			p.Keys = append(p.Keys, KeyInfo{Region: sd.region, Alias: alias, KeyID: lk.meta.KeyID, Arn: lk.meta.Arn, State: lk.meta.KeyState})
		}
	}
	p.NothingToDo = len(p.Keys) == 0
	for _, rr := range p.Renamed {
		if !rr.PreExisting {
			p.NothingToDo = false
		}
	}
	for _, c := range p.Changes {
		if c.Action != ActionKeep {
			p.NothingToDo = false
		}
	}
	for _, b := range p.Buckets {
		if b.Exists {
			p.NothingToDo = false
		}
		if b.Exists && !b.PreExisting && (b.Partial || b.Versions+b.DeleteMarkers > DrainSuggestVersions) {
			for _, sd := range sides(r.l) {
				if sd.bucket == b.Bucket {
					p.SuggestDrain = true
				}
			}
		}
	}
	return p, nil
}

// countPageLimit bounds how many pages of versions the destroy preview
// reads per bucket unless a full count is asked for: past it the preview
// says "more than" what it counted.
var countPageLimit = 50

// countBuckets counts the contents of the landscape's four buckets
// concurrently, each up to countPageLimit pages unless full.
func (r *run) countBuckets(full bool) ([]BucketContents, error) {
	pageLimit := countPageLimit
	if full {
		pageLimit = 0
	}
	type slot struct {
		sd side
		k  bucketKind
	}
	var slots []slot
	for _, sd := range sides(r.l) {
		for _, k := range []bucketKind{backupBucket, logBucket} {
			slots = append(slots, slot{sd, k})
		}
	}
	out := make([]BucketContents, len(slots))
	errs := make([]error, len(slots))
	var wg sync.WaitGroup
	for i, x := range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &step{id: stepID(x.sd.name, string(x.k)), region: x.sd.region}
			bl, err := r.findBucket(st, x.sd, x.k)
			if err != nil {
				errs[i] = asFieldError(err)
				return
			}
			name := x.sd.bucketName(x.k)
			if !bl.exists {
				out[i] = BucketContents{Bucket: name, Region: x.sd.region}
				return
			}
			c, err := r.countContentsUpTo(st, x.sd.region, name, pageLimit)
			if err != nil {
				errs[i] = err
				return
			}
			st.component, st.resource = componentOf(x.k), name
			c.PreExisting = bl.preExisting || r.undoHist(st).preExisting
			out[i] = c
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// previewAction says what destroy will do to one step.
func (r *run) previewAction(st *step, o observed) Action {
	if !o.exists {
		return ActionKeep
	}
	h := r.undoHist(st)
	switch st.id {
	case stepID(SideSource, "bucket", "replication"):
		if h.preExisting && h.priorSet {
			return ActionRestore
		}
		if o.preExisting || h.preExisting {
			return ActionKeep // the owner's own replication, never changed
		}
		return ActionDelete
	}
	switch {
	case strings.HasSuffix(st.id, "/bucket"), strings.HasSuffix(st.id, "/log-bucket"):
		if o.preExisting || h.preExisting {
			return ActionKeep
		}
		return ActionDelete
	case strings.HasSuffix(st.id, "/key"):
		for _, f := range o.fields {
			if f.name == "state" && f.value == statePendingDeletion {
				return ActionKeep // already scheduled
			}
		}
		for _, sd := range sides(r.l) {
			if st.id == stepID(sd.name, "key") && r.keepKey(sd) {
				return ActionKeep
			}
		}
		return ActionDelete
	case strings.HasSuffix(st.id, "/alias"):
		if o.owner == ownerForeignAlias {
			return ActionKeep
		}
		for _, sd := range sides(r.l) {
			if st.id == stepID(sd.name, "key", "alias") {
				if owned, _ := r.ownsAlias(sd.region, sd.alias); r.keepKey(sd) || !owned && !r.tagConsent.Keys {
					return ActionKeep
				}
			}
		}
		return ActionDelete
	case st.component == CompRole:
		return ActionDelete
	}
	if h.preExisting && h.priorSet {
		return ActionRestore
	}
	return ActionKeep
}

// decideKeptKeys marks the sides whose backup bucket is pre-existing: their
// keys are not scheduled for deletion. A bucket that cannot be looked up is
// an error, never a reason to let its key go: the bucket may be a kept one
// whose backups need the key.
func (r *run) decideKeptKeys() error {
	r.mu.Lock()
	if r.keptKeys == nil {
		r.keptKeys = map[string]bool{}
	}
	r.mu.Unlock()
	for _, sd := range sides(r.l) {
		st := &step{id: stepID(sd.name, "bucket"), region: sd.region}
		keep := r.hist(st.id).preExisting
		if !keep {
			bl, err := r.findBucket(st, sd, backupBucket)
			switch {
			case isFieldError(err):
				// The name is not this account's bucket (taken elsewhere,
				// or in another region): nothing of ours to keep a key for.
			case err != nil:
				return fmt.Errorf("decide whether the key in %s must be kept for bucket %s: %w", sd.region, sd.bucket, err)
			default:
				keep = bl.exists && bl.preExisting
			}
		}
		if !keep {
			// A bucket this landscape created under an earlier name stays,
			// and so must the key it encrypts with.
			used, err := r.keptRenamedBucketUsesKey(st, sd)
			if err != nil {
				return err
			}
			keep = used
		}
		if !keep {
			// So does a pre-existing bucket adopted under an earlier name.
			used, err := r.adoptedAwayExists(sd.region)
			if err != nil {
				return err
			}
			keep = used
		}
		r.mu.Lock()
		r.keptKeys[sd.name] = keep
		r.mu.Unlock()
	}
	return nil
}

// Destroy removes the landscape from both regions, emitting events to sink.
func (e *Engine) Destroy(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	return e.undoRun(ctx, l, sink, nil, DestroyOptions{})
}

// DestroyWith is Destroy with the user's choices about renamed-away and
// tag-found resources.
func (e *Engine) DestroyWith(ctx context.Context, l spec.Landscape, sink Sink, o DestroyOptions) (*Result, error) {
	return e.undoRun(ctx, l, sink, nil, o)
}

// RollbackLastRun undoes what the last apply run created, and gives the
// pre-existing resources that run changed first their prior settings back,
// leaving resources from earlier runs in place.
func (e *Engine) RollbackLastRun(ctx context.Context, l spec.Landscape, sink Sink) (*Result, error) {
	return e.undoRun(ctx, l, sink, func(r *run, steps []*step) map[string]bool {
		last := lastApplyRun(r.jr.Records())
		r.rollbackOf = last
		only := map[string]bool{}
		for _, st := range steps {
			// What the run did to the resource the step names now: a
			// resource the file names again after a rename back was
			// created by an earlier run, and stays.
			h := r.resHist(st.id, st.region, st.resource)
			_, changed := h.runPrior[last]
			if h.createdIn[last] || changed {
				only[st.id] = true
			}
		}
		return only
	}, DestroyOptions{})
}

// unfinishedApply reports whether the last apply did not finish (it
// failed, was interrupted or crashed) and which steps it wrote: those whose
// last journal record in that run is a completed call. A setting that
// differs from the landscape and that such an apply did not write is one
// the apply has not got to yet: missing, not drift.
func unfinishedApply(recs []journal.Record) (bool, map[string]bool) {
	last := lastApplyRun(recs)
	if last == "" {
		return false, nil
	}
	lastKind := map[string]journal.Kind{}
	for _, rec := range recs {
		switch {
		case rec.Run != last:
		case rec.Kind == journal.KindRunEnd && rec.Detail == "ok":
			return false, nil
		case rec.Step != "":
			lastKind[rec.Step] = rec.Kind
		}
	}
	wrote := map[string]bool{}
	for id, k := range lastKind {
		wrote[id] = k == journal.KindDone
	}
	return true, wrote
}

func lastApplyRun(recs []journal.Record) string {
	last := ""
	for _, rec := range recs {
		if rec.Kind == journal.KindRunStart && rec.Detail == "apply" {
			last = rec.Run
		}
	}
	return last
}

// undoRun runs every step's undo in reverse dependency order, limited to
// the steps filter selects (nil: all, i.e. destroy).
func (e *Engine) undoRun(ctx context.Context, l spec.Landscape, sink Sink, filter func(*run, []*step) map[string]bool, o DestroyOptions) (*Result, error) {
	r, err := e.newRun(ctx, l, writable|undo, sink)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.removeRenamed, r.undoing = o.RemoveRenamed, true
	r.consentToTags(o.FromTags)
	start := e.opts.Now()
	op := "destroy"
	if filter != nil {
		op = "rollback"
	}
	if err := r.journalRun(journal.KindRunStart, op); err != nil {
		return nil, err
	}
	r.emit(Event{Kind: EventNote, Detail: "undo journal: " + r.jr.Path()})
	steps := r.buildSteps()
	if err := r.decideKeptKeys(); err != nil {
		return nil, err
	}
	// Find the keys while their aliases still exist: the alias steps run
	// first, and without a journal (rebuilt from tags) the alias is the way
	// to the key.
	for _, sd := range sides(r.l) {
		// An alias naming a key this landscape did not create is no error
		// here: that key and alias are kept, like everything not ours.
		if _, err := r.findKey(&step{id: stepID(sd.name, "key"), region: sd.region}, sd); err != nil && !isFieldError(err) {
			return nil, err
		}
	}
	if filter == nil {
		if res, done, err := r.drainStep(ctx, o.Drain, op); done {
			res.Elapsed = e.opts.Now().Sub(start)
			return res, err
		}
	}
	// Keys and their aliases go last on each side: only once the buckets
	// whose objects they encrypt are gone (or kept), so a destroy that stops
	// half-way never leaves backups behind without their key.
	extra := map[string][]string{}
	for _, sd := range sides(r.l) {
		buckets := []string{stepID(sd.name, "bucket"), stepID(sd.name, "log-bucket")}
		extra[stepID(sd.name, "key")] = buckets
		extra[stepID(sd.name, "key", "alias")] = buckets
	}
	if filter == nil {
		renamed, more := r.renamedSteps()
		adopted, more2 := r.adoptedAwaySteps()
		steps = append(append(steps, renamed...), adopted...)
		for _, m := range []map[string][]string{more, more2} {
			for k, v := range m {
				extra[k] = append(extra[k], v...)
			}
		}
	}
	nodes := reverseGraph(nodesOf(steps), extra)
	if filter != nil {
		only := filter(r, steps)
		nodes = restrictGraph(nodes, only)
		var kept []*step
		for _, st := range steps {
			if only[st.id] {
				kept = append(kept, st)
			}
		}
		steps = kept
	}
	gr, err := r.runSteps(ctx, steps, nodes, r.undoStep)
	if err != nil {
		return nil, err
	}
	res := r.result(gr, steps, nodes)
	res.Elapsed = e.opts.Now().Sub(start)
	if ferr := r.finish(ctx, gr, op, "rerun "+op+" to continue: it re-reads AWS and removes only what is left"); ferr != nil {
		return res, ferr
	}
	if filter == nil {
		path, err := r.jr.Archive()
		if err != nil {
			return res, fmt.Errorf("archive the journal: %w", err)
		}
		res.JournalPath = path
	}
	return res, nil
}

// restrictGraph keeps only the nodes in only, preserving the order between
// them through removed nodes.
func restrictGraph(nodes []node, only map[string]bool) []node {
	byID := map[string]node{}
	for _, n := range nodes {
		byID[n.id] = n
	}
	var reach func(id string, seen map[string]bool, out map[string]bool)
	reach = func(id string, seen map[string]bool, out map[string]bool) {
		for _, d := range byID[id].deps {
			if seen[d] {
				continue
			}
			seen[d] = true
			if only[d] {
				out[d] = true
				continue
			}
			reach(d, seen, out)
		}
	}
	var out []node
	for _, n := range nodes {
		if !only[n.id] {
			continue
		}
		deps := map[string]bool{}
		reach(n.id, map[string]bool{}, deps)
		var ds []string
		for d := range deps {
			ds = append(ds, d)
		}
		sort.Strings(ds)
		out = append(out, node{id: n.id, deps: ds, lock: n.lock})
	}
	return out
}

// undoStep runs one step's undo with retries and reports it.
func (r *run) undoStep(st *step) error {
	r.noteLock(st)
	defer r.releaseLock(st)
	t0 := r.e.opts.Now()
	r.emit(st.event(EventStarted))
	h := r.undoHist(st)
	info := undoInfo{preExisting: h.preExisting, created: h.created, prior: h.prior, priorAbsent: h.priorAbsent, priorSet: h.priorSet}
	if p, ok := h.runPrior[r.rollbackOf]; ok && r.rollbackOf != "" {
		// A rollback restores the value from before the rolled-back run.
		info.preExisting, info.prior, info.priorAbsent, info.priorSet = true, p.raw, p.absent, true
	}
	var action Action
	err := r.withRetry(st, func() error {
		var err error
		action, err = st.undo(r.stop, r, info)
		return err
	})
	return r.finishStep(st, t0, action, err)
}

// Preflight checks what only AWS can tell before a plan: bucket names owned
// by others, aliases already used by foreign keys, roles that do not exist,
// regions not enabled.
func (e *Engine) Preflight(ctx context.Context, l spec.Landscape) ([]PreflightIssue, error) {
	var issues []PreflightIssue
	if err := l.Normalized().Validate(); err != nil {
		var ves spec.ValidationErrors
		if errors.As(err, &ves) {
			for _, fe := range ves {
				issues = append(issues, PreflightIssue{Field: fe.Field, Message: fe.Error()})
			}
			return issues, nil
		}
		return nil, err
	}
	r, err := e.newRun(ctx, l, readOnly, nil, func(r *run) { r.ahead.lookupsOnly = true })
	var fe *FieldError
	if errors.As(err, &fe) {
		return []PreflightIssue{{Field: fe.Field, Message: fe.Message}}, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.close()
	// Every call into a region that is not enabled fails with an invalid
	// token error; name the region instead of looking anything up there.
	if issues := r.regionIssues(); len(issues) > 0 {
		return issues, nil
	}
	var mu sync.Mutex
	add := func(err error) {
		var fe *fieldError
		if errors.As(err, &fe) {
			mu.Lock()
			issues = append(issues, PreflightIssue{Field: fe.field, Message: fe.msg})
			mu.Unlock()
		}
	}
	var firstErr error
	var wg sync.WaitGroup
	check := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				var fe *fieldError
				if errors.As(err, &fe) {
					add(err)
					return
				}
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, sd := range sides(r.l) {
		check(func() error {
			_, err := r.findBucket(&step{id: stepID(sd.name, "bucket"), region: sd.region}, sd, backupBucket)
			return err
		})
		check(func() error {
			_, err := r.findBucket(&step{id: stepID(sd.name, "log-bucket"), region: sd.region}, sd, logBucket)
			return err
		})
		check(func() error {
			_, err := r.findKey(&step{id: stepID(sd.name, "key"), region: sd.region}, sd)
			return err
		})
	}
	check(func() error {
		_, err := r.findRole(&step{id: stepID(GlobalScope, "replication-role"), region: GlobalScope})
		return err
	})
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	sort.Slice(issues, func(i, j int) bool { return issues[i].Field < issues[j].Field })
	return issues, nil
}

// regionIssues names the landscape regions not enabled for the account. It
// asks EC2 in the home region, or in a landscape region, whichever answers:
// a region that is not enabled cannot answer for itself.
func (r *run) regionIssues() []PreflightIssue {
	ctx, cancel := r.callCtx()
	defer cancel()
	var regions []cloud.Region
	err := errors.New("no region to ask")
	for _, rg := range []string{r.e.opts.HomeRegion, r.l.SourceRegion, r.l.ReplicationRegion} {
		if rg == "" {
			continue
		}
		if regions, err = r.acct.EC2(rg).DescribeRegions(ctx, true); err == nil {
			break
		}
	}
	if err != nil {
		// Not fatal: the EC2 permission may be missing; later calls tell.
		return nil
	}
	status := map[string]string{}
	for _, rg := range regions {
		status[rg.Name] = rg.OptInStatus
	}
	var out []PreflightIssue
	for _, x := range []struct{ field, region string }{{"sourceRegion", r.l.SourceRegion}, {"replicationRegion", r.l.ReplicationRegion}} {
		if s, ok := status[x.region]; ok && s == "not-opted-in" {
			out = append(out, PreflightIssue{Field: x.field, Message: fmt.Sprintf("region %s is not enabled for account %s; enable it in the account settings or choose another region", x.region, r.id.Account)})
		}
	}
	return out
}
