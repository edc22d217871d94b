package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/recovery"
	"github.com/hanavault/hanavault/internal/steps"
)

func (th Theme) stateStyle(s steps.ResourceState, text string) string {
	switch s {
	case steps.StateOK:
		return th.paint(th.OK, text)
	case steps.StateDrift:
		return th.paint(th.Drift, text)
	}
	return th.paint(th.Missing, text)
}

func (th Theme) overallStyle(o steps.Overall) string {
	switch o {
	case steps.OverallOK:
		return th.paint(th.OK, string(o))
	case steps.OverallDrift, steps.OverallDraining:
		return th.paint(th.Drift, string(o))
	case steps.OverallAtRisk:
		return th.paint(th.Error, string(o))
	}
	return th.paint(th.Missing, string(o))
}

// RenderStatus renders a status report for people: per region and
// resource each setting as ok, drift (with desired and actual values) or
// missing; replication health; a summary and the next action. Lines are
// wrapped to width (0 means DefaultWidth).
func RenderStatus(s *steps.Status, th Theme, width int) string {
	pg := newPage(width)
	title := "Status of " + s.SID
	if s.Identity.Account != "" {
		title += " in account " + s.Identity.Account
	}
	pg.text("", "", th.paint(th.Title, title)+": "+th.overallStyle(s.Overall))
	if s.SourceRegion != "" || s.ReplicationRegion != "" {
		pg.text("", "", fmt.Sprintf("Backups in %s, replicated to %s.", s.SourceRegion, s.ReplicationRegion))
	}

	entries := make([]entry, len(s.Resources))
	for i, r := range s.Resources {
		entries[i] = entry{id: r.ID, region: r.Region, component: r.Component, resource: r.Resource, index: i}
	}
	const stateWidth = len("missing")
	pg.sections(th, entries, s.SourceRegion, s.ReplicationRegion, func(i int) {
		r := s.Resources[i]
		word := fmt.Sprintf("%-*s", stateWidth, r.State)
		title := r.Title
		if title == "" {
			title = r.ID
		}
		pg.item("    "+th.stateStyle(r.State, word)+"  ", title)
		for _, f := range r.Fields {
			pg.item("               ", fmt.Sprintf("%s: desired %s, actual %s", f.Name, orNotSet(f.Desired), orNotSet(f.Actual)))
		}
	})

	if len(s.Draining) > 0 {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "Draining")+" (destroy --drain: S3 expires everything by lifecycle)")
		for _, d := range s.Draining {
			pg.item("  - ", fmt.Sprintf("%s (%s): %s versions and delete markers left", d.Bucket, d.Region, d.Left()))
		}
	}
	pg.gap()
	pg.text("", "", th.paint(th.Heading, "Replication"))
	pg.text("  ", "  ", replicationWords(s.Replication, th))
	if rp := s.RecoveryPoint; rp != nil {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "Recovery point"))
		for _, line := range RecoveryPointLines(rp) {
			pg.text("  ", "  ", line)
		}
		for _, p := range rp.Problems {
			pg.item("  "+th.paint(th.Error, "at risk")+"  ", sentence(p))
		}
	}

	pg.gap()
	pg.text("", "", th.paint(th.Heading, fmt.Sprintf("Summary: %d ok, %d drift, %d missing.",
		s.Summary[steps.StateOK], s.Summary[steps.StateDrift], s.Summary[steps.StateMissing])))
	switch {
	case s.NextAction == "":
	case s.Overall == steps.OverallOK:
		pg.text("", "", s.NextAction) // nothing to do is no next step
	default:
		pg.item(th.paint(th.Key, "Next:")+" ", s.NextAction)
	}
	pg.gap()
	switch {
	case s.GrantsError != "":
		pg.text("", "  ", th.paint(th.Heading, "Key grants:")+" not checked: "+sentence(s.GrantsError))
	case len(s.Grants) == 0:
		pg.text("", "  ", th.paint(th.Heading, "Key grants:")+" none, so only the key policies decide who may use the keys.")
	default:
		pg.text("", "  ", th.paint(th.Heading, "Key grants:")+" hanavault creates none; each of these gives its grantee use of the key whatever the key policy says:")
		for _, g := range s.Grants {
			pg.item("    - ", fmt.Sprintf("%s: %s may %s (grant %s, key %s)", g.Region, g.Grantee, strings.Join(g.Operations, ", "), g.GrantID, g.KeyARN))
		}
	}
	return pg.String()
}

// RecoveryPointLines describes a recovery point in plain sentences: the
// newest backup per region and its age, and the DR lag with its
// threshold.
func RecoveryPointLines(p *recovery.Point) []string {
	region := func(name string, r recovery.Region) string {
		if r.Newest == nil {
			return fmt.Sprintf("%s (%s): no backups yet.", name, r.Region)
		}
		s := fmt.Sprintf("%s (%s): newest backup %s, %s old.", name, r.Region, r.Newest.Key, HumanDuration(r.Newest.Age.Round(time.Second)))
		if r.Partial {
			s += fmt.Sprintf(" (Newest of the first %s versions listed.)", groupThousands(r.Scanned))
		}
		return s
	}
	out := []string{region("Source", p.Source), region("Replica", p.Replica)}
	if p.Error != "" {
		return append(out, "Could not measure: "+sentence(p.Error))
	}
	if p.Sampled > 0 {
		lag := HumanDuration(p.Lag.Round(time.Second))
		if p.LagAtLeast {
			lag = "at least " + lag
		}
		limit := "not checked (maxReplicationLagMinutes: 0)"
		if p.MaxLagMinutes > 0 {
			limit = fmt.Sprintf("limit %d minutes", p.MaxLagMinutes)
		}
		out = append(out, fmt.Sprintf("DR lag: %s (%s). Of the %d newest backups: %d replicated, %d pending, %d failed.",
			lag, limit, p.Sampled, p.Completed, p.Pending, p.Failed))
	}
	return out
}

// RecoveryPointSummary is the recovery point in a few words, for the home
// screen: "DR lag 3m", "DR lag at least 2h0m0s, 1 failed".
func RecoveryPointSummary(p *recovery.Point) string {
	switch {
	case p == nil:
		return ""
	case p.Error != "":
		return "recovery point unknown"
	case p.Source.Newest == nil:
		return "no backups yet"
	case p.Sampled == 0:
		return "newest backup " + HumanDuration(p.Source.Newest.Age.Round(time.Second)) + " old"
	}
	s := "DR lag " + HumanDuration(p.Lag.Round(time.Second))
	if p.LagAtLeast {
		s = "DR lag at least " + HumanDuration(p.Lag.Round(time.Second))
	}
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed", p.Failed)
	}
	return s
}

// replicationWords describes replication health in one paragraph.
func replicationWords(h steps.ReplicationHealth, th Theme) string {
	var out string
	switch {
	case !h.Configured:
		out = th.paint(th.Missing, "Not configured") + ": new backups are not copied to the replication region."
	case h.Sampled == 0 && h.Detail != "":
		return "Configured; " + sentence(h.Detail)
	case h.Sampled == 0:
		out = "Configured. No recent backups to check yet."
	default:
		out = fmt.Sprintf("Configured. Of the %s checked: %d replicated, %d pending, %s.",
			plural(int64(h.Sampled), "most recent backup object", "most recent backup objects"),
			h.Completed, h.Pending, th.failedCount(h.Failed))
		if h.Failed > 0 {
			out += " Failed objects are never retried by S3: fix the cause, then upload them again or use S3 Batch Replication."
		}
	}
	if h.Detail != "" {
		out += " " + sentence(h.Detail)
	}
	return out
}

// sentence ends s with a full stop unless it ends with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

func (th Theme) failedCount(n int) string {
	s := fmt.Sprintf("%d failed", n)
	if n > 0 {
		return th.paint(th.Error, s)
	}
	return s
}
