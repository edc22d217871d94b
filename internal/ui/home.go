package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// homeState is the home screen's cursor: 0 is "New landscape", i>0 is
// known landscape i-1.
type homeState struct {
	cursor int
}

func (h *homeState) clamp(known int) {
	h.cursor = min(max(h.cursor, 0), known)
}

// selected returns the known landscape under the cursor.
func (m *model) selected() (steps.KnownLandscape, bool) {
	i := m.home.cursor - 1
	if i < 0 || i >= len(m.disc.known) {
		return steps.KnownLandscape{}, false
	}
	return m.disc.known[i], true
}

func (m *model) homeBindings() []key.Binding {
	k := m.keys
	open := k.Open
	open.SetHelp("enter", "open")
	b := []key.Binding{k.Up, k.Down, open, k.New}
	if m.late.offer != nil {
		// The offer's key leads, and the arrows make room for it, so the
		// line keeps quit at 80 columns.
		b = []key.Binding{k.Switch, open, k.New}
	}
	if _, ok := m.selected(); ok {
		st, ap, de := k.Status, k.Apply, k.Destroy
		ap.SetHelp("a", "apply again")
		b = append(b, st, ap, de)
		if m.cfg.DR != nil {
			b = append(b, k.Verify, k.Recall)
		}
	}
	quit := k.Quit
	return append(b, k.Refresh, quit)
}

func (m *model) homeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	sel, ok := m.selected()
	switch {
	case key.Matches(msg, k.Up):
		m.home.cursor--
		m.home.clamp(m.homeRows())
	case key.Matches(msg, k.Down):
		m.home.cursor++
		m.home.clamp(m.homeRows())
	case m.late.offer != nil && key.Matches(msg, k.Switch):
		return m.switchToOffer()
	case key.Matches(msg, k.New):
		return m.newLandscape()
	case key.Matches(msg, k.Open) && !ok:
		if gone, isGone := m.selectedDestroyed(); isGone {
			return m.showDestroyed(gone)
		}
		return m.newLandscape()
	case key.Matches(msg, k.Open):
		return m.openStatus(sel, scrHome)
	case key.Matches(msg, k.Status), key.Matches(msg, k.Apply), key.Matches(msg, k.Destroy):
		if gone, isGone := m.selectedDestroyed(); isGone {
			m.flash = gone.SID + " was destroyed: enter shows its keys and how to cancel their deletion."
			return nil
		}
		if !ok {
			m.flash = "Select a landscape first (↓)."
			return nil
		}
		switch {
		case key.Matches(msg, k.Status):
			return m.openStatus(sel, scrHome)
		case key.Matches(msg, k.Apply):
			return m.openPlanFor(sel)
		default:
			return m.openDestroy(sel, scrHome)
		}
	case m.cfg.DR != nil && (key.Matches(msg, k.Verify) || key.Matches(msg, k.Recall)):
		if !ok {
			m.flash = "Select a landscape first (↓)."
			return nil
		}
		if key.Matches(msg, k.Verify) {
			return m.openVerify(sel)
		}
		return m.openRecall(sel)
	case key.Matches(msg, k.Refresh):
		return m.rediscover()
	case key.Matches(msg, k.Quit):
		return tea.Quit
	}
	return nil
}

// resolve returns the spec of a known landscape: the saved one, or one the
// engine rebuilds from its state or tags.
func (m *model) resolve(ctx context.Context, k steps.KnownLandscape) (spec.Landscape, error) {
	if k.Landscape != nil {
		return *k.Landscape, nil
	}
	if ld, ok := m.cfg.Engine.(landscapeLoader); ok {
		l, err := ld.LoadLandscape(ctx, k.SID, !k.Local)
		if err != nil {
			return l, fmt.Errorf("load landscape %s: %w", k.SID, err)
		}
		return l, nil
	}
	return spec.Landscape{}, fmt.Errorf("landscape %s: %w", k.SID, errNoSpec)
}

var errNoSpec = errors.New("no saved landscape file; run hanavault with -f landscape.yaml")

func (m *model) homeView(height int) string {
	st := m.st
	d := m.disc
	var b strings.Builder
	label := func(s string) string { return st.faint.Render(fmt.Sprintf("%-9s ", s)) }
	if m.resolving {
		b.WriteString(label("Account") + m.spin.View() + " checking for AWS credentials…\n")
		if m.cfg.StateDir != "" {
			b.WriteString(label("State") + m.cfg.StateDir + "\n")
		}
		return b.String()
	}
	if n := m.lateNotice(); n != "" {
		b.WriteString(n + "\n")
	}

	switch d.identityState {
	case loading:
		b.WriteString(label("Account") + m.spin.View() + " asking AWS who you are…\n")
	case failed:
		h := m.cfg.hint(d.identityErr)
		b.WriteString(label("Account") + st.bad.Render("✗ ") + h.Problem + "\n")
		if h.Fix != "" {
			b.WriteString(label("") + st.faint.Render("Fix: ") + h.Fix + "\n")
		}
	default:
		b.WriteString(label("Account") + d.identity.Account + st.faint.Render(" · partition ") + d.identity.Partition + "\n")
		// The caller in words, each name whole; the ARN itself is not cut,
		// so it is shown only where it fits.
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, label("Caller"), wrap(report.CallerWords(d.identity.Arn, m.width-10), m.width-10)) + "\n")
	}
	profile := m.cfg.Profile
	if profile == "" {
		profile = "default"
	}
	region := m.cfg.Region
	if region == "" {
		region = "not set"
	}
	if m.cfg.Sandbox {
		// The sandbox has no profile: it is one in-memory account.
		b.WriteString(label("Region") + region + st.faint.Render(" · source region of new landscapes") + "\n")
	} else {
		b.WriteString(label("Profile") + profile + st.faint.Render(" · source region ") + region + "\n")
	}
	if m.cfg.StateDir != "" {
		b.WriteString(label("State") + m.cfg.StateDir + "\n")
	}
	if m.cfg.Sandbox {
		reason := m.cfg.SandboxReason
		if reason == "" {
			reason = "This is the sandbox: an in-memory account, nothing reaches AWS."
		}
		tag := st.banner.Render("SANDBOX") + " "
		b.WriteString("\n" + lipgloss.JoinHorizontal(lipgloss.Top, tag, wrap(reason, m.width-lipgloss.Width(tag))) + "\n")
	}

	b.WriteString("\n" + st.title.Render("Landscapes") + "\n")
	rows := []string{m.homeRow(0, "+ New landscape")}
	switch d.knownState {
	case loading:
		rows = append(rows, "    "+m.spin.View()+" looking for landscapes in local state and tags…")
	case failed:
		h := m.cfg.hint(d.knownErr)
		rows = append(rows, "    "+st.bad.Render("✗ ")+"could not list landscapes: "+h.Problem)
		if h.Fix != "" {
			rows = append(rows, "      "+st.faint.Render("Fix: ")+h.Fix)
		}
	default:
		if len(d.known) == 0 {
			rows = append(rows, st.faint.Render("    none yet in this account"))
		}
		for i, k := range d.known {
			summary := knownSummary(k)
			if rp := report.RecoveryPointSummary(k.RecoveryPoint); rp != "" {
				summary += " · " + rp
			}
			if k.TornJournalLine > 0 {
				// First, so a narrow screen does not cut it off.
				summary = fmt.Sprintf("journal line %d torn (crash) · ", k.TornJournalLine) + summary
			}
			line := fmt.Sprintf("%-4s %s → %-15s %s  %s", k.SID, k.SourceRegion, k.ReplicationRegion,
				m.health(k.Overall), st.faint.Render(summary))
			rows = append(rows, m.homeRow(i+1, line))
		}
		for i, g := range d.destroyed {
			line := fmt.Sprintf("%-4s %s → %-15s %s", g.SID, g.SourceRegion, g.ReplicationRegion,
				st.faint.Render(destroyedWords(g)))
			rows = append(rows, m.homeRow(len(d.known)+1+i, line))
		}
	}
	disc := append([]string{"", st.title.Render("Discovery")}, m.discoveryLines()...)
	top := strings.Count(b.String(), "\n")
	room := max(height-top-len(disc), 3)
	b.WriteString(strings.Join(m.windowWithMore(rows, m.home.cursor, room), "\n") + "\n")
	b.WriteString(strings.Join(disc, "\n"))
	return b.String()
}

// homeRows is the number of rows after "New landscape".
func (m *model) homeRows() int { return len(m.disc.known) + len(m.disc.destroyed) }

// selectedDestroyed returns the destroyed landscape under the cursor.
func (m *model) selectedDestroyed() (steps.DestroyedLandscape, bool) {
	i := m.home.cursor - 1 - len(m.disc.known)
	if i < 0 || i >= len(m.disc.destroyed) {
		return steps.DestroyedLandscape{}, false
	}
	return m.disc.destroyed[i], true
}

// destroyedWords says when a landscape was destroyed and when its keys go.
func destroyedWords(g steps.DestroyedLandscape) string {
	s := "destroyed " + g.DestroyedAt.UTC().Format("2006-01-02")
	var last time.Time
	pending := 0
	for _, k := range g.Keys {
		if k.State == "" || k.State == "PendingDeletion" {
			pending++
			if k.DeletionDate.After(last) {
				last = k.DeletionDate
			}
		}
	}
	if pending > 0 {
		s += ", keys go " + last.UTC().Format("2006-01-02")
	}
	return s
}

// homeRow renders one selectable row.
func (m *model) homeRow(i int, s string) string {
	s = ansi.Truncate(s, m.width-2, "…")
	if i == m.home.cursor {
		return m.st.selected.Render("› " + s)
	}
	return "  " + s
}

// health renders a landscape's overall state in a fixed width.
func (m *model) health(o steps.Overall) string {
	s := fmt.Sprintf("%-12s", string(o))
	switch o {
	case steps.OverallOK:
		return m.st.ok.Render("● " + s)
	case steps.OverallDrift, steps.OverallHalfApplied, steps.OverallDraining:
		return m.st.warn.Render("● " + s)
	case steps.OverallMissing, steps.OverallAtRisk:
		return m.st.bad.Render("● " + s)
	}
	return "● " + s
}

// windowWithMore is window with a line saying how many rows are above or
// below, so a short window never hides landscapes silently.
func (m *model) windowWithMore(rows []string, i, n int) []string {
	if len(rows) <= n {
		return rows
	}
	n = max(n-1, 1) // room for the hint
	start := min(max(i-n/2, 0), len(rows)-n)
	out := slices.Clone(rows[start : start+n])
	var more []string
	if start > 0 {
		more = append(more, fmt.Sprintf("↑ %d more", start))
	}
	if below := len(rows) - start - n; below > 0 {
		more = append(more, fmt.Sprintf("↓ %d more", below))
	}
	return append(out, m.st.faint.Render("    "+strings.Join(more, " · ")+" (↑/↓ to see)"))
}

// window returns at most n rows around row i.
func window(rows []string, i, n int) []string {
	if len(rows) <= n {
		return rows
	}
	start := min(max(i-n/2, 0), len(rows)-n)
	return rows[start : start+n]
}
