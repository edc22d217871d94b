package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestExitError(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	stopped := fmt.Errorf("apply of landscape PRD stopped by the user (%w)", tea.ErrInterrupted)
	for _, tc := range []struct {
		name        string
		ctx         context.Context
		m           *model
		err         error
		wantNil     bool
		interrupted bool
		want        error
	}{
		{name: "normal quit", ctx: context.Background(), m: &model{}, wantNil: true},
		{name: "ctrl+c", ctx: context.Background(), m: &model{}, err: tea.ErrInterrupted, interrupted: true},
		{name: "ctrl+c after a stopped apply", ctx: context.Background(), m: &model{exitErr: stopped}, err: tea.ErrInterrupted, interrupted: true, want: stopped},
		{name: "quit after a stopped apply", ctx: context.Background(), m: &model{exitErr: stopped}, interrupted: true, want: stopped},
		{name: "context cancelled (signal)", ctx: cancelled, m: &model{}, err: fmt.Errorf("%w: %w", tea.ErrProgramKilled, context.Canceled), interrupted: true},
		{name: "program failure", ctx: context.Background(), m: &model{}, err: errors.New("could not open a new TTY")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := exitError(tc.ctx, tc.m, tc.err)
			if tc.wantNil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
				return
			}
			if got == nil {
				t.Fatal("got nil")
			}
			if errors.Is(got, tea.ErrInterrupted) != tc.interrupted {
				t.Errorf("%v: interrupted = %v, want %v", got, !tc.interrupted, tc.interrupted)
			}
			if tc.want != nil && !errors.Is(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if tc.err != nil && !errors.Is(got, tc.err) {
				t.Errorf("got %v does not wrap %v", got, tc.err)
			}
		})
	}
}
