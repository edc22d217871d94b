package journal

import (
	"encoding/json"
	"slices"
)

// OpInfo is what the journal says about one API operation of one step,
// across all runs.
type OpInfo struct {
	Op string `json:"op"`
	// LastIntent, LastDone and LastFailed are the latest records of each
	// kind; nil when there is none.
	LastIntent *Record `json:"lastIntent,omitempty"`
	LastDone   *Record `json:"lastDone,omitempty"`
	LastFailed *Record `json:"lastFailed,omitempty"`
	// Pending is true when the latest intent has no outcome recorded after
	// it (in its run): that call may or may not have happened.
	Pending bool `json:"pending,omitempty"`
	// HasPrior says that an intent recorded the setting's state before the
	// change; Prior and PriorAbsent are those of the FIRST such intent, the
	// state before hanavault ever touched the setting. Restoring returns
	// there, not to an intermediate value written by an earlier run.
	HasPrior    bool            `json:"hasPrior,omitempty"`
	Prior       json.RawMessage `json:"prior,omitempty"`
	PriorAbsent bool            `json:"priorAbsent,omitempty"`
}

// StepInfo is what the journal says about one step across all runs.
type StepInfo struct {
	Step     string `json:"step"`
	Region   string `json:"region,omitempty"`   // of the latest record
	Resource string `json:"resource,omitempty"` // of the latest record naming one
	// Ops holds one entry per API operation the step journaled.
	Ops map[string]*OpInfo `json:"ops"`
	// IDs are the distinct IDs/ARNs of done records, in order of first
	// appearance.
	IDs []string `json:"ids,omitempty"`
	// PreExisting is true when any record marked the resource as found,
	// not created, by hanavault.
	PreExisting bool `json:"preExisting,omitempty"`
	// Runs are the runs that journaled this step, in order of appearance.
	Runs []string `json:"runs,omitempty"`
}

// callKey identifies one call: an intent and its outcome share it.
type callKey struct {
	run, step, region, op, resource string
}

func keyOf(r Record) callKey {
	return callKey{r.Run, r.Step, r.Region, r.Op, r.Resource}
}

// Summarize folds records (in journal order) into per-step information,
// keyed by Step. Records without a Step (run-start, run-end) are skipped.
func Summarize(records []Record) map[string]StepInfo {
	out := map[string]*StepInfo{}
	for i := range records {
		r := records[i]
		if r.Step == "" {
			continue
		}
		s := out[r.Step]
		if s == nil {
			s = &StepInfo{Step: r.Step, Ops: map[string]*OpInfo{}}
			out[r.Step] = s
		}
		if r.Region != "" {
			s.Region = r.Region
		}
		if r.Resource != "" {
			s.Resource = r.Resource
		}
		if r.PreExisting {
			s.PreExisting = true
		}
		if !slices.Contains(s.Runs, r.Run) {
			s.Runs = append(s.Runs, r.Run)
		}
		o := s.Ops[r.Op]
		if o == nil {
			o = &OpInfo{Op: r.Op}
			s.Ops[r.Op] = o
		}
		rec := r
		switch r.Kind {
		case KindIntent:
			o.LastIntent = &rec
			o.Pending = true
			if !o.HasPrior && (r.PriorAbsent || len(r.Prior) > 0) {
				o.HasPrior, o.Prior, o.PriorAbsent = true, r.Prior, r.PriorAbsent
			}
		case KindDone, KindFailed:
			if r.Kind == KindDone {
				o.LastDone = &rec
				if r.ID != "" && !slices.Contains(s.IDs, r.ID) {
					s.IDs = append(s.IDs, r.ID)
				}
			} else {
				o.LastFailed = &rec
			}
			if o.LastIntent != nil && keyOf(*o.LastIntent) == keyOf(r) {
				o.Pending = false
			}
		}
	}
	res := make(map[string]StepInfo, len(out))
	for k, v := range out {
		res[k] = *v
	}
	return res
}

// PendingIntents returns, in journal order, the intents that no done or
// failed record of the same run answers (same Step, Region, Op and
// Resource): calls a crash or kill interrupted, whose effect is unknown.
// An outcome answers the latest open intent of its call.
func PendingIntents(records []Record) []Record {
	open := map[callKey][]int{} // call → indexes of unanswered intents
	for i, r := range records {
		k := keyOf(r)
		switch r.Kind {
		case KindIntent:
			open[k] = append(open[k], i)
		case KindDone, KindFailed:
			if idx := open[k]; len(idx) > 0 {
				open[k] = idx[:len(idx)-1]
			}
		}
	}
	var pending []int
	for _, idx := range open {
		pending = append(pending, idx...)
	}
	slices.Sort(pending)
	out := make([]Record, 0, len(pending))
	for _, i := range pending {
		out = append(out, records[i])
	}
	return out
}
