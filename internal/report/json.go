package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hanavault/hanavault/internal/steps"
)

// Kinds of the documents in an NDJSON stream (apply --json, destroy
// --json). Engine events carry their own kinds (started, done, …).
const (
	KindPlan           = "plan"
	KindDestroyPreview = "destroy-preview"
	KindResult         = "result"
)

// PlanLine is the first line of an apply --json stream.
type PlanLine struct {
	Kind string      `json:"kind"` // "plan"
	Plan *steps.Plan `json:"plan"`
}

// DestroyPreviewLine is the first line of a destroy --json stream.
type DestroyPreviewLine struct {
	Kind    string                `json:"kind"` // "destroy-preview"
	Preview *steps.DestroyPreview `json:"preview"`
}

// ResultLine is the last line of an apply or destroy --json stream.
type ResultLine struct {
	Kind      string        `json:"kind"`      // "result"
	Operation string        `json:"operation"` // apply | destroy
	Result    *steps.Result `json:"result"`
	// Interrupted is set when SIGINT/SIGTERM stopped the run.
	Interrupted bool `json:"interrupted,omitempty"`
	// Error is why the run failed, if it did.
	Error string `json:"error,omitempty"`
}

// NewPlanLine wraps a plan for a stream.
func NewPlanLine(p *steps.Plan) PlanLine { return PlanLine{Kind: KindPlan, Plan: p} }

// NewDestroyPreviewLine wraps a destroy preview for a stream.
func NewDestroyPreviewLine(d *steps.DestroyPreview) DestroyPreviewLine {
	return DestroyPreviewLine{Kind: KindDestroyPreview, Preview: d}
}

// NewResultLine wraps a run's result for a stream; err may be nil.
func NewResultLine(op string, r *steps.Result, interrupted bool, err error) ResultLine {
	l := ResultLine{Kind: KindResult, Operation: op, Result: r, Interrupted: interrupted}
	if err != nil {
		l.Error = err.Error()
	}
	return l
}

// WriteJSON writes v as one indented JSON document (plan --json,
// status --json).
func WriteJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode JSON output: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write JSON output: %w", err)
	}
	return nil
}

// WriteJSONLine writes v as one line of an NDJSON stream.
func WriteJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode JSON output: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write JSON output: %w", err)
	}
	return nil
}
