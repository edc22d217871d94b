package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/recall"
	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
	"github.com/hanavault/hanavault/internal/ui"
	"github.com/hanavault/hanavault/internal/verify"
)

// drActions gives the wizard verify and recall, as the commands run them.
type drActions struct {
	s *Session
}

var _ ui.DR = drActions{}

func (d drActions) Verify(ctx context.Context, l spec.Landscape, sink steps.Sink) (string, error) {
	b, err := d.s.Engine.Backint(ctx, l)
	if err != nil {
		return "", fmt.Errorf("read the buckets and keys of landscape %s: %w", l.SID, err)
	}
	rep, err := verify.Run(ctx, verify.Options{Account: d.s.Account, JournalRoot: d.s.JournalRoot}, verifyInput(l, b), sink)
	if rep == nil {
		return "", err
	}
	md, _, werr := writeEvidence(filepath.Join(journal.Dir(d.s.JournalRoot, rep.Account, rep.SID), "evidence"), rep)
	out := fmt.Sprintf("Verify of %s: %d of %d checks passed.", rep.SID, len(rep.Checks)-len(rep.Failed()), len(rep.Checks))
	if werr == nil {
		out += " Evidence: " + md
	}
	var fe *verify.FailedError
	if errors.As(err, &fe) {
		return out, err
	}
	return out, errors.Join(err, werr)
}

// recallSelection is the wizard's recall: current backups of the last
// DaysBack days under the landscape's Backint folder.
func (d drActions) recallSelection(ctx context.Context, l spec.Landscape, r ui.RecallRequest) (recall.Selection, error) {
	b, err := d.s.Engine.Backint(ctx, l)
	if err != nil {
		return recall.Selection{}, fmt.Errorf("read the buckets of landscape %s: %w", l.SID, err)
	}
	t := b.Source
	if r.Side == "replica" {
		t = b.Replica
	}
	return recall.Selection{SID: l.SID, Side: r.Side, Region: t.Region, Bucket: t.Bucket, Prefix: t.Folder + "/",
		Since: time.Now().UTC().Add(-time.Duration(r.DaysBack) * 24 * time.Hour), Tier: r.Tier, Days: recall.DefaultDays}, nil
}

func (d drActions) RecallPreview(ctx context.Context, l spec.Landscape, r ui.RecallRequest) (string, int64, error) {
	sel, err := d.recallSelection(ctx, l, r)
	if err != nil {
		return "", 0, err
	}
	sum, err := recall.Survey(ctx, recall.Options{Account: d.s.Account, JournalRoot: d.s.JournalRoot}, sel)
	if err != nil {
		return "", 0, err
	}
	return report.RenderRecallSummary(sum, report.PlainTheme(), 0), sum.NotRequested, nil
}

func (d drActions) Recall(ctx context.Context, l spec.Landscape, r ui.RecallRequest, sink steps.Sink) (string, error) {
	sel, err := d.recallSelection(ctx, l, r)
	if err != nil {
		return "", err
	}
	res, err := recall.Run(ctx, recall.Options{Account: d.s.Account, JournalRoot: d.s.JournalRoot}, sel, 0, sink)
	if res == nil {
		return "", err
	}
	return report.RenderRecallResult(res, report.PlainTheme(), 0), err
}
