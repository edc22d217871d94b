package report

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hanavault/hanavault/internal/recall"
)

func recallFixture() *recall.Summary {
	return &recall.Summary{
		Selection: recall.Selection{SID: "PRD", Side: "replica", Region: "eu-west-1", Bucket: "hana-backup-prd-dr", Prefix: "PRD/",
			Since: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC), Tier: "Bulk", Days: 7},
		Archived: []recall.ClassCount{{StorageClass: "DEEP_ARCHIVE", Objects: 12, Bytes: 40 << 30}, {StorageClass: "GLACIER", Objects: 1200, Bytes: 300 << 30}},
		Readable: 10, InProgress: 2, NotRequested: 1200, NotArchived: 3,
		Typical:  "DEEP_ARCHIVE within 48 hours, GLACIER 5–12 hours",
		Estimate: recall.Estimate{RetrievalUSD: 0.1, RequestsUSD: 0.01, CopiesUSD: 1.61, TotalUSD: 1.72, PricesAsOf: "2025-06", Source: "https://aws.amazon.com/s3/pricing/", Note: "an estimate from list prices of 2025-06"},
	}
}

func TestRenderRecallSummary(t *testing.T) {
	golden.RequireEqual(t, []byte(RenderRecallSummary(recallFixture(), PlainTheme(), 80)))
}

func TestRenderRecallResult(t *testing.T) {
	r := &recall.Result{Summary: *recallFixture(), Requested: 1190, AlreadyRestored: 10, AlreadyInProgress: 2, Failed: 1,
		Errors: []string{"PRD/x: AccessDenied"}, Calls: 1200, Retries: 9, Resumed: true, HandledBefore: 1000, Elapsed: 95 * time.Second}
	golden.RequireEqual(t, []byte(RenderRecallResult(r, PlainTheme(), 80)))
}
