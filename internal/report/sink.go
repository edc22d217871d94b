package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/hanavault/hanavault/internal/steps"
)

// textSink writes one line per engine event.
type textSink struct {
	mu sync.Mutex
	w  io.Writer
	th Theme
}

// NewTextSink returns a sink writing one line per event to w (usually
// stderr), for people and logs:
//
//	source/bucket/versioning: creating…
//	source/bucket/versioning: retrying (attempt 3): versioning has not settled on both buckets yet
//	source/bucket/versioning: done (updated, 0.4s)
//
// Write errors are ignored: progress output must never stop the engine.
func NewTextSink(w io.Writer, th Theme) steps.Sink { return &textSink{w: w, th: th} }

func (s *textSink) Emit(e steps.Event) {
	line := EventLine(e, s.th)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = io.WriteString(s.w, line+"\n")
}

// EventLine formats one event as TextSink writes it (without newline).
func EventLine(e steps.Event, th Theme) string {
	if e.Kind == steps.EventNote {
		return e.Detail
	}
	id := e.StepID
	if id == "" {
		id = e.Title
	}
	var msg string
	switch e.Kind {
	case steps.EventStarted:
		msg = startVerb(e.Action)
	case steps.EventRetrying:
		msg = th.paint(th.Drift, fmt.Sprintf("retrying (attempt %d)", e.Attempt))
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
	case steps.EventProgress:
		msg = e.Detail
		switch {
		case e.Total > 0:
			msg = strings.TrimSpace(fmt.Sprintf("%s (%s of %s)", msg, groupThousands(e.Done), groupThousands(e.Total)))
		case e.Done > 0:
			msg = strings.TrimSpace(fmt.Sprintf("%s (%s)", msg, groupThousands(e.Done)))
		}
	case steps.EventDone:
		msg = th.paint(th.OK, "done")
		var detail []string
		if w := StepDoneWord(e.StepID, e.Action); w != "" {
			detail = append(detail, w)
		}
		if e.Elapsed > 0 {
			detail = append(detail, HumanDuration(e.Elapsed))
		}
		if len(detail) > 0 {
			msg += " " + th.paint(th.Faint, "("+strings.Join(detail, ", ")+")")
		}
		if e.Detail != "" { // a check (verify, recall) says what it found
			msg += ": " + e.Detail
		}
	case steps.EventFailed:
		msg = th.paint(th.Error, "failed")
		if e.Error != "" {
			msg += ": " + e.Error
		}
	case steps.EventSkipped:
		msg = th.paint(th.Faint, "skipped")
		if e.Reason != "" {
			msg += ": " + e.Reason
		}
	default:
		msg = string(e.Kind)
		if e.Detail != "" {
			msg += ": " + e.Detail
		}
	}
	return id + ": " + msg
}

// DoneWord says in words what a finished step did ("" for no action).
func DoneWord(a steps.Action) string {
	switch a {
	case steps.ActionCreate:
		return "created"
	case steps.ActionUpdate:
		return "updated"
	case steps.ActionInSync:
		return "already in sync"
	case steps.ActionDelete:
		return "deleted"
	case steps.ActionRestore:
		return "restored"
	case steps.ActionKeep:
		return "nothing to do"
	}
	return ""
}

// StepDoneWord is DoneWord for one step: a KMS key that destroy
// "deletes" is only scheduled for deletion (KMS waits out the deletion
// window), and says so.
func StepDoneWord(stepID string, a steps.Action) string {
	if a == steps.ActionDelete && strings.HasSuffix(stepID, "/key") {
		return "scheduled for deletion"
	}
	return DoneWord(a)
}

// startVerb says what a starting step is about to do.
func startVerb(a steps.Action) string {
	switch a {
	case steps.ActionCreate:
		return "creating…"
	case steps.ActionUpdate:
		return "updating…"
	case steps.ActionDelete:
		return "deleting…"
	case steps.ActionRestore:
		return "restoring…"
	case steps.ActionInSync, steps.ActionKeep:
		return "checking…"
	}
	return "starting…"
}

// jsonSink writes each engine event as one line of JSON.
type jsonSink struct {
	mu  sync.Mutex
	enc *json.Encoder
}

// NewJSONSink returns a sink writing each event to w (usually stdout) as
// one line of JSON (NDJSON) with steps.Event's field names. Write errors
// are ignored: progress output must never stop the engine.
func NewJSONSink(w io.Writer) steps.Sink { return &jsonSink{enc: json.NewEncoder(w)} }

func (s *jsonSink) Emit(e steps.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.enc.Encode(e)
}
