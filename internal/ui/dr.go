package ui

import (
	"context"
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// DR offers the disaster-recovery actions (verify, recall); the CLI
// supplies it over internal/verify and internal/recall. Nil hides them.
type DR interface {
	// Verify proves the landscape end to end, emitting events to sink,
	// and returns the outcome in words (with where the evidence is).
	Verify(ctx context.Context, l spec.Landscape, sink steps.Sink) (string, error)
	// RecallPreview summarises what a recall would restore, in words, and
	// how many restore requests it would send.
	RecallPreview(ctx context.Context, l spec.Landscape, r RecallRequest) (string, int64, error)
	// Recall sends the restore requests, emitting events to sink, and
	// returns the outcome in words.
	Recall(ctx context.Context, l spec.Landscape, r RecallRequest, sink steps.Sink) (string, error)
}

// RecallRequest is what the wizard asks for a recall: the backups of the
// last DaysBack days in one of the landscape's buckets.
type RecallRequest struct {
	Side     string // source | replica
	DaysBack int
	Tier     string // Standard | Bulk | Expedited
}

// drState holds the answers of the recall dialog.
type drState struct {
	req  RecallRequest
	days string
	ok   bool
}

// openVerify verifies a known landscape on the run screen.
func (m *model) openVerify(k steps.KnownLandscape) tea.Cmd {
	return m.startOp("Loading "+k.SID, scrHome, func(ctx context.Context) func(*model) tea.Cmd {
		l, err := m.resolve(ctx, k)
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(err)
			}
			m.land = l
			return m.startRun(runVerify, nil)
		}
	})
}

// openRecall asks which backups to recall, previews them, and after a
// confirmation sends the restore requests on the run screen.
func (m *model) openRecall(k steps.KnownLandscape) tea.Cmd {
	m.dr = &drState{req: RecallRequest{Side: "replica", Tier: "Standard"}, days: "7"}
	d := m.dr
	f := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Recall archived backups of "+k.SID+" from").
			Options(huh.NewOption("the replica bucket (recovery in the DR region)", "replica"), huh.NewOption("the source bucket", "source")).
			Value(&d.req.Side),
		huh.NewInput().Title("Backups of the last how many days?").Value(&d.days).Validate(func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 3650 {
				return fmt.Errorf("days: a whole number from 1 to 3650")
			}
			return nil
		}),
		huh.NewSelect[string]().Title("Retrieval tier").
			Options(huh.NewOption("Standard (hours)", "Standard"), huh.NewOption("Bulk (cheapest, slowest)", "Bulk"), huh.NewOption("Expedited (minutes, GLACIER only)", "Expedited")).
			Value(&d.req.Tier),
	)).WithShowHelp(false).WithTheme(m.st.formTheme()).WithWidth(max(m.width-2, 20))
	_, cmd := f.Update(tea.BackgroundColorMsg{Color: m.st.background()})
	m.dialog = &dialog{form: f, onSubmit: func(m *model) tea.Cmd {
		d.req.DaysBack, _ = strconv.Atoi(d.days)
		return m.previewRecall(k)
	}}
	return tea.Batch(f.Init(), cmd)
}

func (m *model) previewRecall(k steps.KnownLandscape) tea.Cmd {
	d := m.dr
	return m.startOp("Listing archived backups of "+k.SID, scrHome, func(ctx context.Context) func(*model) tea.Cmd {
		l, err := m.resolve(ctx, k)
		var text string
		var n int64
		if err == nil {
			text, n, err = m.cfg.DR.RecallPreview(ctx, l, d.req)
		}
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(err)
			}
			m.land = l
			m.goHome()
			if n == 0 {
				m.flash = "Nothing to request: every archived backup selected is restored or being restored."
				return nil
			}
			c := huh.NewConfirm().Title(fmt.Sprintf("Send %d restore requests?", n)).Description(text).
				Affirmative("Recall").Negative("Cancel").Value(&d.ok)
			return m.openDialog(c, func(m *model) tea.Cmd {
				if !d.ok {
					return nil
				}
				return m.startRun(runRecall, nil)
			}, nil)
		}
	})
}

// drWork runs a verify or recall for the run screen.
func (m *model) drWork(kind runKind, ctx context.Context, l spec.Landscape, sink steps.Sink) (string, error) {
	if kind == runVerify {
		return m.cfg.DR.Verify(ctx, l, sink)
	}
	return m.cfg.DR.Recall(ctx, l, m.dr.req, sink)
}

// verify runs verify in accessible mode, one line per event.
func (a *plain) verify(l spec.Landscape) error {
	a.printf("Verifying %s…\n", l.SID)
	out, err := a.cfg.DR.Verify(a.ctx, l, textSink(a.out))
	if out != "" {
		a.printf("%s\n", out)
	}
	if err != nil {
		a.printf("Verify of %s: %s\n", l.SID, a.explain(err))
	}
	return a.interruptedOr(nil)
}

// recall asks which backups to recall, shows the preview and, confirmed,
// sends the restore requests.
func (a *plain) recall(l spec.Landscape) error {
	r := RecallRequest{Side: "replica", Tier: "Standard"}
	days := "7"
	if err := a.askChoice("Recall archived backups from", "", []choice{
		{"the replica bucket (recovery in the DR region)", "replica"}, {"the source bucket", "source"}}, &r.Side, func(string) error { return nil }); err != nil {
		return err
	}
	if err := a.askString("Backups of the last how many days?", "1 to 3650.", &days, func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3650 {
			return fmt.Errorf("days: a whole number from 1 to 3650")
		}
		return nil
	}); err != nil {
		return err
	}
	r.DaysBack, _ = strconv.Atoi(days)
	if err := a.askChoice("Retrieval tier", "", []choice{{"Standard (hours)", "Standard"}, {"Bulk (cheapest, slowest)", "Bulk"},
		{"Expedited (minutes, GLACIER only)", "Expedited"}}, &r.Tier, func(string) error { return nil }); err != nil {
		return err
	}
	text, n, err := a.cfg.DR.RecallPreview(a.ctx, l, r)
	if err != nil {
		a.printf("Recall of %s: %s\n", l.SID, a.explain(err))
		return a.interruptedOr(nil)
	}
	a.printf("%s\n", text)
	if n == 0 {
		a.printf("Nothing to request: every archived backup selected is restored or being restored.\n")
		return nil
	}
	ok := false
	if err := a.askBool(fmt.Sprintf("Send %d restore requests?", n), &ok); err != nil || !ok {
		return err
	}
	out, err := a.cfg.DR.Recall(a.ctx, l, r, textSink(a.out))
	if out != "" {
		a.printf("%s\n", out)
	}
	if err != nil {
		a.printf("Recall of %s: %s\n", l.SID, a.explain(err))
	}
	return a.interruptedOr(nil)
}
