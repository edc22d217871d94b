package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// Issue 7: in accessible mode a destroy or a rollback that fails makes the
// session end with an error (exit status 1), as the CLI's would, even
// when the user goes on to quit from the menu.
func TestAccessibleFailedDestroyOrRollbackIsAnError(t *testing.T) {
	failed := func(_ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
		return &steps.Result{Failed: 1}, &steps.StepsFailedError{Op: "destroy", Failed: map[string]error{"source/bucket": errors.New("AccessDenied")}}
	}
	t.Run("destroy", func(t *testing.T) {
		eng := destroyingEngine()
		eng.destroy = failed
		out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{}, "4", "PRD", "5")
		if err == nil || errors.Is(err, tea.ErrInterrupted) || !strings.Contains(err.Error(), "destroy of landscape PRD failed") {
			t.Fatalf("Run after a failed destroy: %v\n%s", err, out)
		}
	})
	t.Run("rollback", func(t *testing.T) {
		eng := appliedEngine()
		eng.apply = func(_ int, _ context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
			return &steps.Result{Failed: 1}, &steps.StepsFailedError{Op: "apply", Failed: map[string]error{"source/key": errors.New("AccessDenied")}}
		}
		eng.rollback = failed
		out, err := runPlain(t, context.Background(), eng, goodDiscovery(), Config{}, "3", "n", "y", "2", "5")
		if eng.count("RollbackLastRun") != 1 {
			t.Fatalf("no rollback ran:\n%s", out)
		}
		if err == nil || errors.Is(err, tea.ErrInterrupted) || !strings.Contains(err.Error(), "roll back of landscape PRD failed") {
			t.Fatalf("Run after a failed rollback: %v\n%s", err, out)
		}
	})
	t.Run("destroy that succeeds", func(t *testing.T) {
		out, err := runPlain(t, context.Background(), destroyingEngine(), goodDiscovery(), Config{}, "4", "PRD", "5")
		if err != nil {
			t.Fatalf("Run after a destroy: %v\n%s", err, out)
		}
	})
}
