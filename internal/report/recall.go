package report

import (
	"fmt"

	"github.com/hanavault/hanavault/internal/recall"
)

// Kinds of the lines of a recall --json stream.
const (
	KindRecallSummary = "recall-summary"
	KindRecallResult  = "recall-result"
)

// RecallSummaryLine is the first line of a recall --json stream (and the
// whole answer of recall --check --json).
type RecallSummaryLine struct {
	Kind    string          `json:"kind"` // "recall-summary"
	Summary *recall.Summary `json:"summary"`
}

// RecallResultLine is the last line of a recall --json stream.
type RecallResultLine struct {
	Kind        string         `json:"kind"` // "recall-result"
	Result      *recall.Result `json:"result"`
	Interrupted bool           `json:"interrupted,omitempty"`
	Error       string         `json:"error,omitempty"`
}

// RenderRecallSummary describes what a recall selection holds: archived
// objects and bytes per storage class, their restore state, the tier's
// typical completion time and the estimated cost.
func RenderRecallSummary(s *recall.Summary, th Theme, width int) string {
	pg := newPage(width)
	where := s.Prefix
	if !s.Since.IsZero() || !s.Until.IsZero() {
		where += fmt.Sprintf(", last modified %s to %s", timeOr(s.Since.Format("2006-01-02 15:04 UTC"), s.Since.IsZero()),
			timeOr(s.Until.Format("2006-01-02 15:04 UTC"), s.Until.IsZero()))
	}
	pg.text("", "", th.paint(th.Title, fmt.Sprintf("Recall of %s from %s (%s, %s)", s.SID, s.Bucket, s.Side, s.Region)))
	pg.text("  ", "  ", "Selection: "+where+".")
	if len(s.Archived) == 0 {
		pg.text("  ", "  ", fmt.Sprintf("No archived objects selected (%s readable without a restore).", plural(s.NotArchived, "object is", "objects are")))
		return pg.String()
	}
	for _, c := range s.Archived {
		pg.item("  ", fmt.Sprintf("%-12s %s, %s", c.StorageClass, plural(c.Objects, "object", "objects"), HumanBytes(c.Bytes)))
	}
	pg.text("  ", "  ", fmt.Sprintf("Readable now: %d. Restore in progress: %d. Not requested: %d.", s.Readable, s.InProgress, s.NotRequested))
	if s.Unrestorable > 0 {
		pg.text("  ", "  ", th.paint(th.Drift, fmt.Sprintf("%s cannot be restored with the %s tier (choose Standard or Bulk).",
			plural(s.Unrestorable, "object", "objects"), s.Tier)))
	}
	if s.NotArchived > 0 {
		pg.text("  ", "  ", fmt.Sprintf("%s outside the archive classes need no restore.", plural(s.NotArchived, "object", "objects")))
	}
	pg.text("  ", "  ", fmt.Sprintf("Tier %s, copies readable for %d days. Typical completion: %s.", s.Tier, s.Days, s.Typical))
	e := s.Estimate
	pg.text("  ", "  ", fmt.Sprintf("Estimated cost for the %d objects to request: $%.2f (retrieval $%.2f, requests $%.2f, temporary copies $%.2f). This is %s; prices: %s.",
		s.NotRequested, e.TotalUSD, e.RetrievalUSD, e.RequestsUSD, e.CopiesUSD, e.Note, e.Source))
	return pg.String()
}

// RenderRecallResult says what a recall did.
func RenderRecallResult(r *recall.Result, th Theme, width int) string {
	pg := newPage(width)
	head := fmt.Sprintf("Recall of %s: %d restore requests sent, %d already restored, %d already in progress, %d failed (%d calls, %d retries, %s).",
		r.SID, r.Requested, r.AlreadyRestored, r.AlreadyInProgress, r.Failed, r.Calls, r.Retries, HumanDuration(r.Elapsed))
	if r.Resumed {
		head += fmt.Sprintf(" Resumed after %d objects handled by the interrupted run.", r.HandledBefore)
	}
	pg.text("", "", head)
	for _, e := range r.Errors {
		pg.item("  "+th.paint(th.Error, "failed")+"  ", e)
	}
	if r.Typical != "" {
		pg.text("", "", fmt.Sprintf("Typical completion: %s. `hanavault recall %s --region %s --check` with the same selection shows how many are readable.",
			r.Typical, r.SID, r.Side))
	}
	return pg.String()
}

func timeOr(s string, open bool) string {
	if open {
		return "any time"
	}
	return s
}
