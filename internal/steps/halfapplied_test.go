package steps_test

import (
	"context"
	"testing"

	"github.com/hanavault/hanavault/internal/steps"
)

// forEachFailedApply fails each distinct mutating operation of a fresh
// apply, in both failure modes (nothing happened / the change happened but
// the answer was lost), and hands each landscape so left to check (see
// crash_test.go).
func forEachFailedApply(t *testing.T, check func(t *testing.T, e *env)) {
	t.Helper()
	crashTest(t, failedApply(check))
}

// TestHalfAppliedIsMissingNotDrift: after an apply stopped by a failing
// call, what it did not get to is missing, not drift, and a landscape of
// which some resources exist is half-applied; status and the
// known-landscapes listing (the home screen's health) agree. Nobody
// changed anything, so nothing is drift.
func TestHalfAppliedIsMissingNotDrift(t *testing.T) {
	forEachFailedApply(t, func(t *testing.T, e *env) {
		st := e.status()
		for _, r := range st.Resources {
			if r.State == steps.StateDrift {
				t.Errorf("%s is drift after an apply that stopped: %+v", r.ID, r.Fields)
			}
		}
		// A failing call stops its step and what depends on it; one
		// that failed after its change took effect may leave nothing
		// missing.
		if st.Summary[steps.StateMissing] > 0 && st.Summary[steps.StateOK] > 0 && st.Overall != steps.OverallHalfApplied {
			t.Errorf("status: %s, want %s (%+v)", st.Overall, steps.OverallHalfApplied, st.Summary)
		}
		if st.Overall == steps.OverallDrift {
			t.Errorf("status: drift after an apply that stopped (%+v)", st.Summary)
		}
		known, err := e.eng.Known(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if len(known) != 1 || known[0].Overall != st.Overall {
			t.Fatalf("known: %+v, want %s", known, st.Overall)
		}
	})
}
