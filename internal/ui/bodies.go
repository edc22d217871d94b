package ui

// The bodies of the plan, status, destroy and result screens. Each is one
// function so the report package's renderers (being written at the same
// time: report.RenderPlan, RenderStatus, RenderDestroyPreview,
// RenderResult) replace them in one place when they land.

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// regionOrder sorts regions source, replication, then global.
func regionOrder(src, dst string) func(a, b string) bool {
	rank := func(r string) int {
		switch r {
		case src:
			return 0
		case dst:
			return 1
		case "global":
			return 2
		}
		return 3
	}
	return func(a, b string) bool {
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a < b
	}
}

func actionMark(a steps.Action) string {
	switch a {
	case steps.ActionCreate:
		return "+"
	case steps.ActionUpdate:
		return "~"
	case steps.ActionInSync:
		return "="
	case steps.ActionDelete:
		return "-"
	case steps.ActionRestore:
		return "↺"
	}
	return "·"
}

// planBody renders a plan for the plan screen.
func planBody(p *steps.Plan, l spec.Landscape, lk look, width int) string {
	st := newStyles(lk)
	var b strings.Builder
	byRegion := map[string][]steps.Change{}
	var regions []string
	for _, c := range p.Changes {
		if _, ok := byRegion[c.Region]; !ok {
			regions = append(regions, c.Region)
		}
		byRegion[c.Region] = append(byRegion[c.Region], c)
	}
	less := regionOrder(p.SourceRegion, p.ReplicationRegion)
	sort.SliceStable(regions, func(i, j int) bool { return less(regions[i], regions[j]) })
	for _, r := range regions {
		b.WriteString(st.title.Render(r) + "\n")
		inSync := 0
		for _, c := range byRegion[r] {
			if c.Action == steps.ActionInSync {
				inSync++
				continue
			}
			line := fmt.Sprintf("  %s %s · %s", actionMark(c.Action), c.Resource, c.Title)
			b.WriteString(wrap(line, width) + "\n")
			for _, f := range c.Fields {
				b.WriteString(wrap(fmt.Sprintf("      %s: %s → %s", f.Name, f.Actual, f.Desired), width) + "\n")
			}
		}
		if inSync > 0 {
			b.WriteString(st.faint.Render(fmt.Sprintf("  = %d already in sync", inSync)) + "\n")
		}
	}
	n := p.Counts()
	fmt.Fprintf(&b, "\nPlan: %d to create, %d to update, %d in sync.\n",
		n[steps.ActionCreate], n[steps.ActionUpdate], n[steps.ActionInSync])
	fmt.Fprintf(&b, "Backups in %s are encrypted with %s and replicated to %s (%s).\n",
		l.OriginalBucketName, l.OriginalCMKAlias, l.ReplicationBucketName, l.ReplicationCMKAlias)
	if len(p.Warnings) > 0 {
		b.WriteString("\n" + st.warn.Render("Warnings") + "\n")
		for _, w := range p.Warnings {
			b.WriteString(wrap("  ! "+w.Message, width) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// statusBody renders a status for the status screen.
func statusBody(s *steps.Status, lk look, width int) string {
	st := newStyles(lk)
	var b strings.Builder
	byRegion := map[string][]steps.ResourceStatus{}
	var regions []string
	for _, r := range s.Resources {
		if _, ok := byRegion[r.Region]; !ok {
			regions = append(regions, r.Region)
		}
		byRegion[r.Region] = append(byRegion[r.Region], r)
	}
	less := regionOrder(s.SourceRegion, s.ReplicationRegion)
	sort.SliceStable(regions, func(i, j int) bool { return less(regions[i], regions[j]) })
	fmt.Fprintf(&b, "Overall: %s\n\n", s.Overall)
	for _, r := range regions {
		b.WriteString(st.title.Render(r) + "\n")
		for _, rs := range byRegion[r] {
			mark := "✓"
			switch rs.State {
			case steps.StateDrift:
				mark = "~"
			case steps.StateMissing:
				mark = "✗"
			}
			b.WriteString(wrap(fmt.Sprintf("  %s %-7s %s · %s", mark, rs.State, rs.Resource, rs.Title), width) + "\n")
			for _, f := range rs.Fields {
				b.WriteString(wrap(fmt.Sprintf("      %s: wanted %s, found %s", f.Name, f.Desired, f.Actual), width) + "\n")
			}
		}
	}
	rh := s.Replication
	b.WriteString("\n" + st.title.Render("Replication") + "\n")
	if !rh.Configured {
		b.WriteString("  not configured\n")
	} else {
		fmt.Fprintf(&b, "  %d recent objects: %d completed, %d pending, %d failed\n", rh.Sampled, rh.Completed, rh.Pending, rh.Failed)
	}
	if rh.Detail != "" {
		b.WriteString(wrap("  "+rh.Detail, width) + "\n")
	}
	fmt.Fprintf(&b, "\n%d ok, %d drift, %d missing\n", s.Summary[steps.StateOK], s.Summary[steps.StateDrift], s.Summary[steps.StateMissing])
	if s.NextAction != "" {
		b.WriteString(wrap("Next: "+s.NextAction, width) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// destroyBody renders what destroy would delete.
func destroyBody(d *steps.DestroyPreview, lk look, width int) string {
	st := newStyles(lk)
	var b strings.Builder
	b.WriteString(st.title.Render("Buckets") + "\n")
	for _, bc := range d.Buckets {
		switch {
		case !bc.Exists:
			fmt.Fprintf(&b, "  %s (%s): already gone\n", bc.Bucket, bc.Region)
		case bc.PreExisting:
			b.WriteString(wrap(fmt.Sprintf("  %s (%s): existed before hanavault; kept, settings restored, contents untouched", bc.Bucket, bc.Region), width) + "\n")
		default:
			b.WriteString(wrap(fmt.Sprintf("  %s (%s): %d versions, %d delete markers, %s, %d unfinished uploads deleted",
				bc.Bucket, bc.Region, bc.Versions, bc.DeleteMarkers, humanBytes(bc.Bytes), bc.MultipartUploads), width) + "\n")
		}
	}
	n := map[steps.Action]int{}
	for _, c := range d.Changes {
		n[c.Action]++
	}
	fmt.Fprintf(&b, "\n%d to delete, %d to restore, %d to keep.\n", n[steps.ActionDelete], n[steps.ActionRestore], n[steps.ActionKeep])
	b.WriteString("\n" + st.title.Render("Keys") + "\n")
	for _, k := range d.Keys {
		fmt.Fprintf(&b, "  %s (%s) %s\n", k.Alias, k.Region, k.State)
	}
	b.WriteString(wrap(fmt.Sprintf("\nThe keys are scheduled for deletion after %d days. Until then you can cancel "+
		"the deletion; after it, every backup encrypted with them is unreadable for good.", d.KeyDeletionWindow), width))
	return strings.TrimRight(b.String(), "\n")
}

// resultBody renders the outcome of an apply, roll back or destroy run.
func resultBody(r *steps.Result, op string, lk look, width int) string {
	st := newStyles(lk)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d done, %d failed, %d skipped in %s.\n", op, r.Succeeded, r.Failed, r.Skipped, r.Elapsed.Round(100*time.Millisecond))
	if r.JournalPath != "" {
		b.WriteString(wrap("Journal: "+r.JournalPath, width) + "\n")
	}
	for _, k := range r.KeyDeletions {
		b.WriteString(wrap(fmt.Sprintf("Key %s (%s) is deleted on %s. To keep it: %s",
			k.Alias, k.Region, k.DeletionDate.Format("2006-01-02"), k.CancelHint), width) + "\n")
	}
	for _, k := range r.Kept {
		b.WriteString(st.faint.Render("Kept (existed before): "+k) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// humanBytes formats a byte count for people.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// docBody renders one policy document for the viewer.
func docBody(d steps.Document, lk look) string {
	st := newStyles(lk)
	return st.title.Render(d.Name) + "\n" + st.faint.Render(d.Region+" · "+d.Resource) + "\n\n" + d.JSON
}

// textSink prints one line per engine event, for accessible mode.
func textSink(w io.Writer) steps.Sink {
	return steps.SinkFunc(func(e steps.Event) { _, _ = fmt.Fprintln(w, eventLine(e)) })
}

// eventLine is one event as a line of text.
func eventLine(e steps.Event) string {
	id := e.StepID
	switch e.Kind {
	case steps.EventStarted:
		return id + ": started"
	case steps.EventRetrying:
		return fmt.Sprintf("%s: retrying (attempt %d): %s", id, e.Attempt, e.Reason)
	case steps.EventProgress:
		if e.Total > 0 {
			return fmt.Sprintf("%s: %s (%d of %d)", id, e.Detail, e.Done, e.Total)
		}
		return id + ": " + e.Detail
	case steps.EventDone:
		return fmt.Sprintf("%s: done (%s)", id, formatElapsed(e.Elapsed))
	case steps.EventFailed:
		return id + ": failed: " + e.Error
	case steps.EventSkipped:
		return id + ": skipped: " + e.Reason
	}
	return e.Detail
}
