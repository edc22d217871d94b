package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/steps"
)

// RenderResult renders the outcome of an apply, destroy or rollback run
// (op names it: "apply", "destroy", "rollback"): step counts, the calls
// that changed AWS, the journal path, KMS keys scheduled for deletion with
// their deletion dates and cancel commands, and the pre-existing resources
// kept. Text is wrapped to width (0 means DefaultWidth); key IDs, paths
// and commands are never cut: they go on lines of their own, commands
// broken only between arguments (CommandLines).
func RenderResult(r *steps.Result, op string, th Theme, width int) string {
	pg := newPage(width)
	name := opTitle(op)
	calls := plural(int64(r.MutatingCalls), "change", "changes") + " sent to AWS"
	if len(r.Draining) > 0 {
		renderDraining(pg, r, calls, th)
		resultDetails(pg, r, th)
		return pg.String()
	}
	if r.Failed == 0 && r.Skipped == 0 {
		pg.text("", "", th.paint(th.OK, name+" complete")+fmt.Sprintf(": %s done in %s, %s.",
			plural(int64(r.Succeeded), "step", "steps"), HumanDuration(r.Elapsed), calls))
	} else {
		pg.text("", "", th.paint(th.Error, name+" did not finish")+fmt.Sprintf(": %d done, %s, %d skipped (%s, %s).",
			r.Succeeded, th.failedCount(r.Failed), r.Skipped, HumanDuration(r.Elapsed), calls))
		pg.text("", "", fmt.Sprintf("Nothing is lost: the journal records every change. Fix what failed, then run hanavault %s again; it picks up where it stopped.", op))
	}
	resultDetails(pg, r, th)
	return pg.String()
}

// RenderResultDetails is RenderResult without its first lines (the step
// counts and what to do after a failure): the journal, the KMS keys
// scheduled for deletion and the pre-existing resources kept. The wizard
// shows it under its own counts, which are those of its progress rows.
func RenderResultDetails(r *steps.Result, th Theme, width int) string {
	pg := newPage(width)
	resultDetails(pg, r, th)
	return pg.String()
}

func resultDetails(pg *page, r *steps.Result, th Theme) {
	if r.JournalPath != "" {
		pg.labelled(th.paint(th.Faint, "Journal:"), "", r.JournalPath)
	}
	if len(r.KeyDeletions) > 0 {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "KMS keys scheduled for deletion"))
		keyDeletions(pg, r.KeyDeletions, false, th)
	}
	if len(r.Kept) > 0 {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "Kept"))
		for _, k := range r.Kept {
			pg.item("  - ", k)
		}
	}
}

// opTitle capitalises an operation name for a heading.
func opTitle(op string) string {
	if op == "" {
		return "Run"
	}
	return strings.ToUpper(op[:1]) + op[1:]
}

// formatDate shows a time in UTC to the minute.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "(date unknown)"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// keyDeletions lists keys scheduled for deletion: alias and region, the
// key ID whole on its own line, the date (or what became of the key), and
// how to cancel while that is still possible. With current, each key's
// State is its state now (a destroyed landscape read back later); a
// destroy's result has just scheduled them.
func keyDeletions(pg *page, keys []steps.KeyDeletion, current bool, th Theme) {
	for _, k := range keys {
		pg.item("  - ", fmt.Sprintf("%s in %s, key ID:", k.Alias, k.Region))
		pg.raw("    " + k.KeyID)
		switch {
		case !current, k.State == "", k.State == "PendingDeletion":
		case k.State == steps.KeyStateDeleted:
			pg.item("    ", "Deleted by KMS: backups encrypted with it can no longer be read.")
			continue
		default:
			pg.item("    ", fmt.Sprintf("Its deletion was cancelled; the key is %s.", k.State))
			continue
		}
		pg.item("    ", fmt.Sprintf("Scheduled for deletion on %s. Until then it is disabled; backups encrypted with it become unreadable for good on that date.",
			formatDate(k.DeletionDate)))
		hint := k.CancelHint
		if hint == "" {
			hint = cancelCommand(k.Region, k.KeyID)
		}
		pg.raw("    To cancel, run:")
		pg.command("      ", hint, th)
	}
}

// RenderDestroyed renders what is left of a destroyed landscape: when it
// was destroyed, where its journal is archived, and its KMS keys with
// their deletion dates and how to cancel. Lines are wrapped to width (0
// means DefaultWidth); IDs, paths and commands are never cut.
func RenderDestroyed(d *steps.DestroyedLandscape, th Theme, width int) string {
	pg := newPage(width)
	pg.text("", "", th.paint(th.Title, fmt.Sprintf("%s was destroyed on %s", d.SID, formatDate(d.DestroyedAt))))
	pg.text("", "", fmt.Sprintf("Its resources in %s and %s are gone; nothing of it is left to check.", d.SourceRegion, d.ReplicationRegion))
	pg.labelled(th.paint(th.Faint, "Archived journal:"), "", d.Archive)
	if len(d.Keys) > 0 {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "KMS keys"))
		keyDeletions(pg, d.Keys, true, th)
	}
	return pg.String()
}

// renderDraining says which backup buckets S3 is emptying by lifecycle
// (destroy --drain, or a destroy that found them not empty yet): nothing
// was deleted.
func renderDraining(pg *page, r *steps.Result, calls string, th Theme) {
	if r.DrainStarted {
		pg.text("", "", th.paint(th.OK, "Drain started")+fmt.Sprintf(": %s; nothing was deleted yet.", calls))
	} else {
		pg.text("", "", th.paint(th.Heading, "Still draining")+": S3 has not emptied these buckets yet; nothing was deleted.")
	}
	for _, d := range r.Draining {
		pg.item("  - ", fmt.Sprintf("%s (%s): %s versions and delete markers left", d.Bucket, d.Region, d.Left()))
	}
	if r.DrainStarted {
		pg.text("", "", steps.DrainExpectation+".")
	} else {
		pg.text("", "", "Run hanavault destroy again later: it finishes once they are empty.")
	}
}
