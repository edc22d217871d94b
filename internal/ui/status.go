package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// statusState is the status screen.
type statusState struct {
	status *steps.Status
	// destroyed, instead of status, is a landscape destroy removed: when,
	// and its keys' deletion dates with how to cancel.
	destroyed *steps.DestroyedLandscape
	back      screen
	vp        viewport.Model
	// torn is the line of the journal a crash tore (0: none).
	torn int
}

// showDestroyed shows what is left of a destroyed landscape.
func (m *model) showDestroyed(g steps.DestroyedLandscape) tea.Cmd {
	m.land = spec.Landscape{SID: g.SID, SourceRegion: g.SourceRegion, ReplicationRegion: g.ReplicationRegion}
	m.status = &statusState{destroyed: &g, back: scrHome, vp: newViewport()}
	m.status.layout(m)
	m.screen = scrStatus
	return nil
}

// openStatus reads a known landscape's status.
func (m *model) openStatus(k steps.KnownLandscape, back screen) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Reading "+k.SID+" in both regions", back, func(ctx context.Context) func(*model) tea.Cmd {
		l, err := m.resolve(ctx, k)
		if err != nil {
			return func(m *model) tea.Cmd { return m.fail(err) }
		}
		s, err := eng.Status(ctx, l)
		return func(m *model) tea.Cmd {
			cmd := m.showStatus(l, s, err, back)
			if m.status != nil && err == nil && k.TornJournalLine > 0 {
				m.status.torn = k.TornJournalLine
				m.status.layout(m)
			}
			return cmd
		}
	})
}

// statusOf reads the status of l.
func (m *model) statusOf(l spec.Landscape, back screen) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Reading "+l.SID+" in both regions", back, func(ctx context.Context) func(*model) tea.Cmd {
		s, err := eng.Status(ctx, l)
		return func(m *model) tea.Cmd { return m.showStatus(l, s, err, back) }
	})
}

func (m *model) showStatus(l spec.Landscape, s *steps.Status, err error, back screen) tea.Cmd {
	if err != nil {
		return m.fail(fmt.Errorf("status of landscape %s: %w", l.SID, err))
	}
	m.land = l
	m.status = &statusState{status: s, back: back, vp: newViewport()}
	m.status.layout(m)
	m.screen = scrStatus
	return nil
}

func (s *statusState) layout(m *model) {
	s.vp.SetWidth(m.width)
	s.vp.SetHeight(m.viewportHeight(1))
	if s.destroyed != nil {
		s.vp.SetContent(report.RenderDestroyed(s.destroyed, reportTheme(m.st.look), m.width))
		return
	}
	body := statusBody(s.status, m.st.look, m.width)
	if s.torn > 0 {
		body = wrap(fmt.Sprintf("Note: the last line of the journal (line %d) was torn by a crash; the records before it are intact, and the next apply or destroy sets it aside, keeping a copy.", s.torn), m.width) + "\n\n" + body
	}
	s.vp.SetContent(body)
}

func (m *model) statusKey(msg tea.KeyPressMsg) tea.Cmd {
	s := m.status
	k := m.keys
	switch {
	case s.destroyed != nil && key.Matches(msg, k.Back):
		return m.backTo(s.back)
	case s.destroyed != nil:
	case key.Matches(msg, k.Apply):
		return m.planFor(m.land, scrStatus)
	case key.Matches(msg, k.Destroy):
		return m.destroyOf(m.land, scrStatus)
	case key.Matches(msg, k.Refresh):
		return m.statusOf(m.land, s.back)
	case key.Matches(msg, k.Back):
		return m.backTo(s.back)
	case jump(&s.vp, msg):
		return nil
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

func (m *model) statusView() string {
	return m.status.vp.View() + "\n" + scrollLine(m, m.status.vp)
}
