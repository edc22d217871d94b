package memaws

import (
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// FailMode says what a failing mutating call leaves behind.
type FailMode int

const (
	// FailBefore fails the call before anything changes.
	FailBefore FailMode = iota + 1
	// FailAfter applies the change and then fails the call, as when the
	// response is lost on the way back.
	FailAfter
)

// String returns "fail-before" or "fail-after".
func (m FailMode) String() string {
	switch m {
	case FailBefore:
		return "fail-before"
	case FailAfter:
		return "fail-after"
	default:
		return "fail-mode(?)"
	}
}

type fault struct {
	remaining int
	mode      FailMode
	match     func(CallRecord) bool // nil: every mutating call counts
}

// CallRecord is one API call the account answered.
type CallRecord struct {
	Service  string // sts, iam, kms, s3, ec2
	Op       string // API operation, e.g. PutBucketPolicy
	Region   string // "" for the global services
	Resource string // bucket, key, role or alias named by the call
	Mutating bool   // cloud.IsMutating(Op)
	Code     string // AWS error code, "" on success
	// Sent and Answered are the wall-clock times the call entered the
	// account (before its latency) and left it, so a benchmark can draw
	// the calls of a run as a timeline and find its critical path.
	Sent, Answered time.Time
}

// FailMutatingCall arms a fault: the n-th mutating call from now (n=1 is
// the next one) fails with InternalError (HTTP 500). Several faults may be
// armed at once.
func (a *Account) FailMutatingCall(n int, mode FailMode) {
	if n < 1 {
		n = 1
	}
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.faults = append(a.w.faults, &fault{remaining: n, mode: mode})
}

// FailCallWhere arms a fault that fails the n-th mutating call from now
// (n=1 is the next one) for which match returns true. match sees the call's
// Service, Op, Region, Resource and Mutating (Code is still empty); it runs
// while the account is locked and must not call the account. Selecting the
// call by what it is rather than by its position makes the fault
// independent of the order in which concurrent callers reach the account.
func (a *Account) FailCallWhere(n int, mode FailMode, match func(CallRecord) bool) {
	if n < 1 {
		n = 1
	}
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.faults = append(a.w.faults, &fault{remaining: n, mode: mode, match: match})
}

// fireFault counts the mutating call c against the armed faults that
// select it and reports whether one of them fires now. Caller holds mu.
func (w *world) fireFault(c CallRecord) (FailMode, bool) {
	var mode FailMode
	fired := false
	kept := w.faults[:0]
	for _, f := range w.faults {
		if f.match != nil && !f.match(c) {
			kept = append(kept, f)
			continue
		}
		f.remaining--
		if f.remaining == 0 {
			if !fired {
				mode, fired = f.mode, true
			}
			continue
		}
		kept = append(kept, f)
	}
	w.faults = kept
	return mode, fired
}

func injectedError() error {
	return awsErr(cloud.CodeInternalError, 500, "We encountered an internal error. Please try again. (injected by memaws)")
}

// SlowDown makes the next n calls of the named operation (e.g.
// RestoreObject) answer SlowDown (HTTP 503), as S3 does when a request
// rate is too high (S3 API reference, ErrorResponses: "SlowDown ... Please
// reduce your request rate", 503). Nothing changes for those calls.
func (a *Account) SlowDown(op string, n int) {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	if a.w.slowDown == nil {
		a.w.slowDown = map[string]int{}
	}
	a.w.slowDown[op] += n
}

// fireSlowDown reports whether this call of op is throttled. Caller holds mu.
func (w *world) fireSlowDown(op string) bool {
	if w.slowDown[op] > 0 {
		w.slowDown[op]--
		return true
	}
	return false
}

// MutatingCalls returns the number of mutating calls since the account was
// made or ResetCounters was called.
func (a *Account) MutatingCalls() int {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	return a.w.mutating
}

// Calls returns a copy of the call log.
func (a *Account) Calls() []CallRecord {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	return append([]CallRecord(nil), a.w.calls...)
}

// ResetCounters clears the call log and the mutating-call counter. Armed
// faults stay armed.
func (a *Account) ResetCounters() {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.calls = nil
	a.w.mutating = 0
}

// SetLatency changes the per-call latency and the extra latency of calls
// to regions other than the home region.
func (a *Account) SetLatency(latency, crossRegion time.Duration) {
	a.w.latency.Store(int64(latency))
	a.w.crossLatency.Store(int64(crossRegion))
}

// SetIAMPropagationDelay changes how long new roles stay invisible to KMS
// and S3 replication.
func (a *Account) SetIAMPropagationDelay(d time.Duration) {
	a.w.iamDelay.Store(int64(d))
}

// LimitConcurrentCalls makes calls of op (e.g. "DeleteObjects") answer 503
// SlowDown while limit calls of op on the same bucket are already in
// flight; 0 removes the limit. It stands in for S3's per-prefix request rate: S3 sustains at
// least 3,500 PUT/COPY/POST/DELETE requests per second per partitioned
// prefix and answers a faster rise with 503 Slow Down, asking clients to
// back off and raise their rate gradually (S3 User Guide, "Best practices
// design patterns: optimizing Amazon S3 performance" and "Troubleshooting:
// HTTP 503 Slow Down").
func (a *Account) LimitConcurrentCalls(op string, limit int) {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	if a.w.concLimit == nil {
		a.w.concLimit, a.w.inFlight = map[string]int{}, map[string]int{}
	}
	a.w.concLimit[op] = limit
}

// enterCall counts a call in flight, or reports false (and counts nothing)
// when its operation's concurrency limit on its bucket is reached.
func (w *world) enterCall(ci callInfo) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	lim := w.concLimit[ci.op]
	if lim == 0 {
		return true
	}
	k := ci.op + "\x00" + ci.bucket
	if w.inFlight[k] >= lim {
		w.calls = append(w.calls, CallRecord{Service: ci.svc, Op: ci.op, Region: ci.region, Resource: ci.resource,
			Mutating: cloud.IsMutating(ci.op), Code: cloud.CodeSlowDown})
		return false
	}
	w.inFlight[k]++
	return true
}

func (w *world) leaveCall(ci callInfo) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := ci.op + "\x00" + ci.bucket
	if w.concLimit[ci.op] > 0 && w.inFlight[k] > 0 {
		w.inFlight[k]--
	}
}

func slowDown() error {
	return awsErr(cloud.CodeSlowDown, 503, "Please reduce your request rate.")
}

// EmulateMotoVersionMarker makes ListObjectVersions answer as moto does
// when its VersionIdMarker names a version that no longer exists: an empty,
// untruncated page (real S3 continues after the marker's position). Tests
// use it to show the engine does not depend on such a marker.
func (a *Account) EmulateMotoVersionMarker(on bool) {
	a.w.mu.Lock()
	defer a.w.mu.Unlock()
	a.w.motoMarker = on
}
