package steps

import (
	"encoding/json"
	"sync"

	"github.com/hanavault/hanavault/internal/journal"
)

// createOps are the calls that bring a resource into existence; a step
// with one of them in its history owns what it created.
var createOps = map[string]bool{
	"s3:CreateBucket":         true,
	"kms:CreateKey":           true,
	"kms:CreateAlias":         true,
	"iam:CreateRole":          true,
	"iam:PutRolePolicy":       true,
	"s3:PutBucketReplication": true,
}

// deleteOps are the calls that make a created resource go away: once one
// is done, the step no longer owns a resource of that name, and a resource
// found under the name later (made by someone else) is not hanavault's.
var deleteOps = map[string]bool{
	"s3:DeleteBucket":         true,
	"kms:ScheduleKeyDeletion": true,
	"iam:DeleteRole":          true,
}

// priorValue is a journaled prior value of a setting.
type priorValue struct {
	raw    json.RawMessage
	absent bool
}

// stepHistory is what the journal says about one step across all runs.
type stepHistory struct {
	created     bool     // a create call was sent (done, failed after sending, or in flight) and no delete call completed since
	ids         []string // IDs/ARNs returned by done records, oldest first
	preExisting bool
	prior       json.RawMessage // the first prior value journaled
	priorAbsent bool
	priorSet    bool
	// runPrior holds, per run, the value the setting had before that run
	// first changed it (what a rollback of the run restores).
	runPrior  map[string]priorValue
	pending   bool            // an intent without a done/failed record (crash in flight)
	runs      map[string]bool // runs that made mutating calls for this step
	createdIn map[string]bool // runs whose create call for this step succeeded or was in flight
}

// summarize folds journal records into per-step history.
func summarize(recs []journal.Record) map[string]*stepHistory {
	return summarizeBy(recs, func(r journal.Record) string { return r.Step })
}

// summarizeResources folds journal records into history per step and the
// resource each record names: the key is resHistKey(step, region, resource).
func summarizeResources(recs []journal.Record) map[string]*stepHistory {
	return summarizeBy(recs, func(r journal.Record) string {
		if r.Step == "" {
			return ""
		}
		return resHistKey(r.Step, r.Region, r.Resource)
	})
}

func resHistKey(step, region, resource string) string { return step + "|" + region + "|" + resource }

// summarizeBy folds journal records into history per key(record); records
// whose key is "" are skipped.
func summarizeBy(recs []journal.Record, key func(journal.Record) string) map[string]*stepHistory {
	out := map[string]*stepHistory{}
	open := map[string]journal.Record{} // step|op → last intent
	get := func(id string) *stepHistory {
		h := out[id]
		if h == nil {
			h = &stepHistory{runs: map[string]bool{}, createdIn: map[string]bool{}, runPrior: map[string]priorValue{}}
			out[id] = h
		}
		return h
	}
	for _, r := range recs {
		id := key(r)
		if id == "" {
			continue
		}
		h := get(id)
		k := id + "|" + r.Op
		switch r.Kind {
		case journal.KindIntent:
			h.runs[r.Run] = true
			if r.PreExisting {
				h.preExisting = true
				if !h.priorSet && (r.PriorAbsent || len(r.Prior) > 0) {
					h.prior, h.priorAbsent, h.priorSet = r.Prior, r.PriorAbsent, true
				}
				if _, ok := h.runPrior[r.Run]; !ok && (r.PriorAbsent || len(r.Prior) > 0) {
					h.runPrior[r.Run] = priorValue{raw: r.Prior, absent: r.PriorAbsent}
				}
			}
			if createOps[r.Op] && !r.PreExisting {
				h.created = true
				h.createdIn[r.Run] = true
			}
			open[k] = r
		case journal.KindDone:
			delete(open, k)
			if deleteOps[r.Op] {
				h.created = false
			}
			if r.ID != "" {
				h.ids = append(h.ids, r.ID)
			}
		case journal.KindFailed:
			delete(open, k)
		}
	}
	for _, r := range open {
		out[key(r)].pending = true
	}
	return out
}

// undoHist is the history destroy and rollback undo a step from. For a
// step on a bucket, only the records about the bucket it names now count:
// those it made under an earlier name are about another bucket (whose
// prior settings must not be put on this one, and whose adoption does not
// make this one pre-existing).
func (r *run) undoHist(st *step) *stepHistory {
	id := st.id
	if st.histID != "" {
		id = st.histID
	}
	switch st.component {
	case CompBucket, CompLogBucket, CompReplication:
		return r.resHist(id, st.region, st.resource)
	}
	return r.hist(id)
}

// resHist is the history of a step's records about one resource (never
// nil).
func (r *run) resHist(step, region, resource string) *stepHistory {
	if h := r.resHistory[resHistKey(step, region, resource)]; h != nil {
		return h
	}
	return &stepHistory{runs: map[string]bool{}, createdIn: map[string]bool{}, runPrior: map[string]priorValue{}}
}

// hist returns the history of a step (never nil).
func (r *run) hist(id string) *stepHistory {
	if h := r.history[id]; h != nil {
		return h
	}
	return &stepHistory{runs: map[string]bool{}, createdIn: map[string]bool{}, runPrior: map[string]priorValue{}}
}

// memoEntry caches one lookup shared by several steps.
type memoEntry struct {
	mu   sync.Mutex
	done bool
	val  any
	err  error
}

// memo returns the cached result of key, computing it with fn once.
// Concurrent callers for the same key wait for the first.
func memo[T any](r *run, key string, fn func() (T, error)) (T, error) {
	r.memoMu.Lock()
	m := r.memos[key]
	if m == nil {
		m = &memoEntry{}
		r.memos[key] = m
	}
	r.memoMu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		v, _ := m.val.(T)
		return v, m.err
	}
	v, err := fn()
	if err == nil {
		m.done, m.val = true, v
	}
	return v, err
}

// remember stores a value for key (after a step created the resource).
func remember[T any](r *run, key string, v T) {
	r.memoMu.Lock()
	m := r.memos[key]
	if m == nil {
		m = &memoEntry{}
		r.memos[key] = m
	}
	r.memoMu.Unlock()
	m.mu.Lock()
	m.done, m.val, m.err = true, v, nil
	m.mu.Unlock()
}

// forget drops a cached value so the next lookup reads AWS again.
func forget(r *run, key string) {
	r.memoMu.Lock()
	delete(r.memos, key)
	r.memoMu.Unlock()
}
